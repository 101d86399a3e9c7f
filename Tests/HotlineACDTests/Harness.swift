import HotlineACD

/// A routing state machine driven by a manual clock, with helpers to read its actions.
struct Harness {
    var acd: RoutingStateMachine
    var now = Timestamp.zero
    var log: [RoutingAction] = []

    init(seed: UInt64 = 7) {
        acd = RoutingStateMachine(seed: seed)
    }

    /// Sets the manual clock.
    mutating func at(_ seconds: Double) { now = .seconds(seconds) }

    @discardableResult
    mutating func queue(_ configuration: QueueConfiguration) throws -> QueueID {
        try acd.addQueue(configuration)
    }

    mutating func agent(_ id: Int, _ memberships: [QueueMembership], skills: [String: Int] = [:], wrapUp: Duration = .zero,
                        maximumUnanswered: Int? = 3, logIn: Bool = true) throws {
        try acd.addAgent(AgentConfiguration(id: AgentID(id), name: "A\(id)", skills: skills, memberships: memberships,
                                            wrapUp: wrapUp, maximumUnansweredOffers: maximumUnanswered))
        if logIn { try send(.logIn(AgentID(id))) }
    }

    @discardableResult
    mutating func send(_ input: RoutingInput) throws -> [RoutingAction] {
        let actions = try acd.handle(input, at: now)
        log += actions
        return actions
    }

    @discardableResult
    mutating func advance(to seconds: Double) -> [RoutingAction] {
        at(seconds)
        let actions = acd.advance(to: now)
        log += actions
        return actions
    }

    /// A call arrives; returns the agents it was offered to.
    @discardableResult
    mutating func arrive(_ call: UInt64, _ queue: QueueID, number: String = "", name: String? = nil, priority: Int = 0) throws -> [AgentID] {
        offers(try send(.callArrived(CallID(call), queue: queue, caller: Caller(number: number, name: name, priority: priority))))
    }

    /// Answers, talks for `talk` seconds and hangs up; returns actions after the hang-up.
    @discardableResult
    mutating func serve(_ call: UInt64, by agent: Int, talk: Double = 0) throws -> [RoutingAction] {
        try send(.agentAnswered(AgentID(agent), CallID(call)))
        at(now.seconds + talk)
        return try send(.callEnded(CallID(call)))
    }
}

func offers(_ actions: [RoutingAction]) -> [AgentID] {
    actions.compactMap { if case .offer(_, let agent, _) = $0 { agent } else { nil } }
}

func offered(_ actions: [RoutingAction]) -> [(call: CallID, agent: AgentID)] {
    actions.compactMap { if case .offer(let call, let agent, _) = $0 { (call, agent) } else { nil } }
}

func stateChanges(_ actions: [RoutingAction]) -> [AgentStateChanged] {
    actions.compactMap { if case .record(.agentStateChanged(let e)) = $0 { e } else { nil } }
}

func overflows(_ actions: [RoutingAction]) -> [(CallID, OverflowReason, OverflowAction)] {
    actions.compactMap { if case .overflow(let c, let r, let a) = $0 { (c, r, a) } else { nil } }
}

func member(_ queue: QueueID, penalty: Int = 0, weight: Int = 1) -> QueueMembership {
    QueueMembership(queue: queue, penalty: penalty, weight: weight)
}
