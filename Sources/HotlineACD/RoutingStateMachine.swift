/// The ACD's routing core: queues, agents and their states, strategies, overflow and estimated wait.
///
/// A pure state machine (STYLE.md rule 2): feed it ``RoutingInput`` values with the time they happened
/// and perform the ``RoutingAction`` values it returns. It never reads a clock, sleeps or does I/O;
/// timers (ring timeout, wrap-up, maximum wait, escalation, sticky wait, announcements) are kept inside
/// and fire when the driver calls ``advance(to:into:)`` at ``nextDeadline`` (or with any later input).
/// Randomness (random and weighted-random strategies) is seeded, so runs replay exactly.
///
/// Agents are indexed by queue, penalty tier and state: a routing decision looks only at the ready
/// agents of the call's queue (sorted by the strategy's key) or at the heads of the waiting lines of
/// the agent's own queues, never at all agents.
public struct RoutingStateMachine: Sendable {
    // MARK: Internal records

    enum AgentPhase: UInt8 { case loggedOut, ready, notReady, ringing, onCall, wrapUp }

    struct Member {
        var queue: Int32
        var tier: Int32
        var penalty: Int
        var weight: Int
        var level: Int
        var order: Int64
        var calls: Int64 = 0
        var talk: Int64 = 0
        var key1: Int64 = 0
        var key2: Int64 = 0
    }

    struct AgentRecord {
        var id: AgentID
        var name: String
        var phase: AgentPhase = .loggedOut
        var reason: String = ""
        var call: Int32 = -1
        var callID = CallID(0)
        var wrapUntil: Int64 = 0
        var token: UInt64 = 0
        var pendingNotReady: String?
        var pendingLogOut: String?
        var idleSince: Int64 = 0
        var unanswered: Int = 0
        var maximumUnanswered: Int
        var wrapUp: Int64
        var members: [Member]
        var stickyHolds: [Int32] = []
        var callsAnswered: Int = 0
        var talk: Int64 = 0
    }

    enum CallPhase: UInt8 { case free, arriving, waiting, held, ringing, connected }

    struct CallRecord {
        var id: CallID = CallID(0)
        var caller: Caller = Caller()
        var phase: CallPhase = .free
        var queue: Int32 = 0
        var queuedAt: Int64 = 0
        var enteredAt: Int64 = 0
        var sequence: UInt64 = 0
        var serial: UInt64 = 0
        var stamp: UInt64 = 0
        var isCallback = false
        var agent: Int32 = -1
        var extraRinging: [Int32] = []
        var offerToken: UInt64 = 0
        var answeredAt: Int64 = 0
        var hops = 0
        var heldFor: Int32 = -1
        var escalationStep = 0
    }

    struct Tier {
        var penalty: Int
        var ready = ReadySet()
    }

    struct Lane {
        var priority: Int
        var heap = MinHeap<WaitingEntry>()
    }

    struct QueueRecord {
        var configuration: QueueConfiguration
        var strategy: QueueStrategy
        var tiers: [Tier] = []
        var lanes: [Lane] = []
        var waitingCount = 0
        var loggedIn = 0
        var active = 0
        var roundRobinLast: Int64 = -1
        var nextOrder: Int64 = 0
        var handleMean: Double
        var escalation: [(after: Int64, maximumPenalty: Int)]
        var maximumWait: Int64?
        var ringTimeout: Int64?
        var wrapUp: Int64?
        var announcement: Int64?
        var stickyWindow: Int64 = 0
        var stickyLimit: Int64 = 0
        var isSticky = false
    }

    // MARK: State

    var agents: [AgentRecord] = []
    var agentIndex = SlotIndex()
    var queues: [QueueRecord] = []
    var calls: [CallRecord] = []
    var freeCallSlots: [Int32] = []
    var callIndex = SlotIndex()
    var timers = MinHeap<TimerEntry>()
    var lastServed: [String: (agent: Int32, at: Int64)] = [:]
    var lastServedPruneAt = 4096
    var longestStickyWindow: Int64 = 0
    var random: SeededRandom
    var counter: UInt64 = 0
    var now: Int64 = 0

    /// Whether ``RoutingAction/record(_:)`` actions are produced. The simulator may turn them off
    /// for speed; the server keeps them on.
    public var recordsEvents: Bool

    /// Creates an empty ACD.
    /// - Parameters:
    ///   - seed: Seed for the random strategies.
    ///   - recordsEvents: Whether to emit domain events as ``RoutingAction/record(_:)`` actions.
    public init(seed: UInt64 = 0, recordsEvents: Bool = true) {
        random = SeededRandom(seed: seed)
        self.recordsEvents = recordsEvents
    }

    mutating func nextCounter() -> UInt64 {
        counter &+= 1
        return counter
    }

    // MARK: Configuration

    /// Adds a queue.
    /// - Parameter configuration: The queue's configuration.
    /// - Returns: The queue's identifier (queues are numbered 0, 1, 2, … in the order they are added).
    /// - Throws: ``RoutingError`` when the name is taken or an overflow names the queue itself. An
    ///   overflow may name a queue added later; if it is never added, its callers go to voicemail.
    @discardableResult
    public mutating func addQueue(_ configuration: QueueConfiguration) throws(RoutingError) -> QueueID {
        if queues.contains(where: { $0.configuration.name == configuration.name }) {
            throw RoutingError("queue \"\(configuration.name)\" exists already")
        }
        let id = QueueID(queues.count)
        for action in [configuration.whenFull, configuration.whenMaximumWait, configuration.whenNoAgents] {
            if case .queue(let target)? = action, target.rawValue < 0 || target == id {
                throw RoutingError("queue \"\(configuration.name)\": overflow to \(target), which cannot be a backup queue")
            }
        }
        var record = QueueRecord(
            configuration: configuration,
            strategy: configuration.strategy,
            handleMean: Double(configuration.expectedHandleTime.microseconds),
            escalation: configuration.escalation.map { ($0.after.microseconds, $0.maximumPenalty) }
                .sorted { $0.after < $1.after }
        )
        record.maximumWait = configuration.maximumWait?.microseconds
        record.ringTimeout = configuration.ringTimeout?.microseconds
        record.wrapUp = configuration.wrapUp?.microseconds
        record.announcement = configuration.announcementInterval.map { max(1, $0.microseconds) }
        if let sticky = configuration.sticky {
            record.isSticky = true
            record.stickyWindow = sticky.window.microseconds
            record.stickyLimit = sticky.waitLimit.microseconds
            longestStickyWindow = max(longestStickyWindow, record.stickyWindow)
        }
        queues.append(record)
        return id
    }

    /// The queue with a name.
    /// - Parameter name: The queue's name.
    /// - Returns: Its identifier, or `nil`.
    public func queue(named name: String) -> QueueID? {
        queues.firstIndex { $0.configuration.name == name }.map { QueueID($0) }
    }

    /// A queue's configuration.
    /// - Parameter queue: The queue.
    /// - Returns: Its configuration, or `nil` for an unknown queue.
    public func configuration(of queue: QueueID) -> QueueConfiguration? {
        queues.indices.contains(queue.rawValue) ? queues[queue.rawValue].configuration : nil
    }

    /// Adds an agent (logged out).
    /// - Parameter configuration: The agent's configuration.
    /// - Throws: ``RoutingError`` when the agent exists, a queue is unknown, or the agent lacks a queue's
    ///   required skill.
    public mutating func addAgent(_ configuration: AgentConfiguration) throws(RoutingError) {
        guard agentIndex[UInt64(bitPattern: Int64(configuration.id.rawValue))] == nil else { throw RoutingError("\(configuration.id) exists already") }
        var members: [Member] = []
        for membership in configuration.memberships {
            let q = membership.queue.rawValue
            guard queues.indices.contains(q) else {
                throw RoutingError("\(configuration.id): \(membership.queue) does not exist")
            }
            if members.contains(where: { $0.queue == Int32(q) }) {
                throw RoutingError("\(configuration.id): member of \(queues[q].configuration.name) twice")
            }
            var level = 0
            if let requirement = queues[q].configuration.requiredSkill {
                level = configuration.skills[requirement.skill] ?? 0
                guard level >= requirement.minimumLevel else {
                    throw RoutingError(
                        "\(configuration.id) lacks skill \"\(requirement.skill)\" level \(requirement.minimumLevel) for queue \"\(queues[q].configuration.name)\""
                    )
                }
            }
            let tier: Int
            if let found = queues[q].tiers.firstIndex(where: { $0.penalty == membership.penalty }) {
                tier = found
            } else {
                // Keep tiers sorted by penalty; shift the tier index of existing members.
                let position = queues[q].tiers.firstIndex { $0.penalty > membership.penalty } ?? queues[q].tiers.count
                queues[q].tiers.insert(Tier(penalty: membership.penalty), at: position)
                for a in agents.indices {
                    for m in agents[a].members.indices where agents[a].members[m].queue == Int32(q)
                        && agents[a].members[m].tier >= Int32(position)
                    {
                        agents[a].members[m].tier += 1
                    }
                }
                tier = position
            }
            let order = queues[q].nextOrder
            queues[q].nextOrder += 1
            members.append(
                Member(
                    queue: Int32(q), tier: Int32(tier), penalty: membership.penalty,
                    weight: max(1, membership.weight), level: level, order: order
                )
            )
        }
        agentIndex[UInt64(bitPattern: Int64(configuration.id.rawValue))] = Int32(agents.count)
        agents.append(
            AgentRecord(
                id: configuration.id,
                name: configuration.name,
                maximumUnanswered: configuration.maximumUnansweredOffers ?? Int.max,
                wrapUp: configuration.wrapUp.microseconds,
                members: members
            )
        )
    }

    // MARK: Queries

    /// The time of the next internal timer, if any; call ``advance(to:into:)`` then.
    public var nextDeadline: Timestamp? {
        timers.first.map { Timestamp(microseconds: $0.due) }
    }

    /// An agent's current state.
    /// - Parameter agent: The agent.
    /// - Returns: The state, or `nil` for an unknown agent.
    public func state(of agent: AgentID) -> AgentState? {
        guard let a = agentIndex[UInt64(bitPattern: Int64(agent.rawValue))] else { return nil }
        return publicState(Int(a))
    }

    func publicState(_ a: Int) -> AgentState {
        let record = agents[a]
        switch record.phase {
        case .loggedOut: return .loggedOut
        case .ready: return .ready
        case .notReady: return .notReady(reason: record.reason)
        case .ringing: return .ringing(record.callID)
        case .onCall: return .onCall(record.callID)
        case .wrapUp: return .wrapUp(until: Timestamp(microseconds: record.wrapUntil))
        }
    }

    /// Whether the agent asked to become not ready after the current call, and with which reason.
    /// - Parameter agent: The agent.
    /// - Returns: The pending reason code, or `nil`.
    public func pendingNotReady(of agent: AgentID) -> String? {
        agentIndex[UInt64(bitPattern: Int64(agent.rawValue))].flatMap { agents[Int($0)].pendingNotReady }
    }

    /// Calls answered and talk time of an agent, in total and per queue.
    /// - Parameter agent: The agent.
    /// - Returns: The statistics, or `nil` for an unknown agent.
    public func statistics(of agent: AgentID) -> AgentStatistics? {
        guard let a = agentIndex[UInt64(bitPattern: Int64(agent.rawValue))] else { return nil }
        let record = agents[Int(a)]
        return AgentStatistics(
            callsAnswered: record.callsAnswered,
            talkTime: .microseconds(record.talk),
            perQueue: record.members.map {
                AgentStatistics.QueueFigures(queue: QueueID(Int($0.queue)), calls: Int($0.calls), talkTime: .microseconds($0.talk))
            }
        )
    }

    /// How many callers wait in a queue (including callbacks and callers held for a sticky agent).
    /// - Parameter queue: The queue.
    /// - Returns: The count (0 for an unknown queue).
    public func waitingCount(in queue: QueueID) -> Int {
        queues.indices.contains(queue.rawValue) ? queues[queue.rawValue].waitingCount : 0
    }

    /// Where a call is: its queue and whether it waits, rings or is connected.
    /// - Parameter call: The call.
    /// - Returns: The call's queue, or `nil` when the ACD does not hold the call.
    public func queue(of call: CallID) -> QueueID? {
        callIndex[call.rawValue].map { QueueID(Int(calls[Int($0)].queue)) }
    }
}

/// Calls answered and talk time of one agent.
public struct AgentStatistics: Sendable, Hashable {
    /// Figures for one queue.
    public struct QueueFigures: Sendable, Hashable {
        /// The queue.
        public var queue: QueueID
        /// Calls answered from it.
        public var calls: Int
        /// Talk time on its calls.
        public var talkTime: Duration
    }
    /// Calls answered in total.
    public var callsAnswered: Int
    /// Talk time in total.
    public var talkTime: Duration
    /// Per queue.
    public var perQueue: [QueueFigures]
}
