public import HotlineACD

/// A call-center scenario for the simulator: traffic, handle times, patience, queues and agents.
///
/// Usually read from YAML with ``Scenario/init(yaml:)``; the format is documented in `Docs/Simulation.md`.
/// Times are seconds from the scenario's start.
public struct Scenario: Sendable {
    /// One period of the arrival profile.
    public struct ArrivalPeriod: Sendable, Hashable {
        /// Length in seconds.
        public var length: Double
        /// Poisson arrival rate in calls per hour.
        public var perHour: Double
        /// Creates a period.
        /// - Parameters:
        ///   - length: Length in seconds.
        ///   - perHour: Calls per hour.
        public init(length: Double, perHour: Double) {
            self.length = length
            self.perHour = perHour
        }
    }

    /// A queue and its share of the arrivals.
    public struct QueueSpec: Sendable {
        /// The ACD configuration (overflow targets already resolved to queue numbers).
        public var configuration: QueueConfiguration
        /// Relative share of the arrivals that call this queue.
        public var share: Double
        /// Handle time for this queue's calls (`nil`: the scenario's).
        public var handleTime: Distribution?
        /// Creates a queue spec.
        /// - Parameters:
        ///   - configuration: The ACD configuration.
        ///   - share: Relative share of the arrivals.
        ///   - handleTime: Handle time override.
        public init(configuration: QueueConfiguration, share: Double = 1, handleTime: Distribution? = nil) {
            self.configuration = configuration
            self.share = share
            self.handleTime = handleTime
        }
    }

    /// A group of identical agents.
    public struct AgentGroup: Sendable {
        /// How many agents.
        public var count: Int
        /// Name prefix (agents are named `prefix-1`, `prefix-2`, …).
        public var name: String
        /// Memberships (queue number, penalty, weight).
        public var memberships: [QueueMembership]
        /// Skills with levels.
        public var skills: [String: Int]
        /// Logged in from/to, seconds from the scenario start (`nil`: the whole scenario).
        public var shift: (start: Double, end: Double)?
        /// Wrap-up after each call, seconds.
        public var wrapUp: Double
        /// Creates a group.
        /// - Parameters:
        ///   - count: How many agents.
        ///   - name: Name prefix.
        ///   - memberships: Queue memberships.
        ///   - skills: Skills with levels.
        ///   - shift: Logged-in period, or `nil`.
        ///   - wrapUp: Wrap-up seconds.
        public init(count: Int, name: String = "agent", memberships: [QueueMembership], skills: [String: Int] = [:],
                    shift: (start: Double, end: Double)? = nil, wrapUp: Double = 0) {
            self.count = count
            self.name = name
            self.memberships = memberships
            self.skills = skills
            self.shift = shift
            self.wrapUp = wrapUp
        }
    }

    /// Simulated time in seconds (arrivals stop then; calls in progress are finished).
    public var duration: Double
    /// Seed for every random draw.
    public var seed: UInt64
    /// Service-level target: answered within this many seconds.
    public var serviceLevelSeconds: Double
    /// Clock time of the start, seconds after midnight (labels only).
    public var startOfDay: Double
    /// Reporting interval in seconds.
    public var interval: Double
    /// Arrival profile (consecutive periods; the last one extends to the end).
    public var arrivals: [ArrivalPeriod]
    /// Handle (talk) time.
    public var handleTime: Distribution
    /// Caller patience before hanging up (`nil`: callers never abandon).
    public var patience: Distribution?
    /// Time in the IVR before joining the queue (`nil`: none).
    public var ivrTime: Distribution?
    /// Share of callers with VIP priority.
    public var vipShare: Double
    /// The VIP priority.
    public var vipPriority: Int
    /// Share of callers who called before (sticky routing finds their last agent).
    public var returningShare: Double
    /// Queues.
    public var queues: [QueueSpec]
    /// Agents.
    public var agents: [AgentGroup]

    /// Creates a scenario.
    /// - Parameters:
    ///   - duration: Simulated seconds.
    ///   - seed: Random seed.
    ///   - serviceLevelSeconds: Service-level target.
    ///   - arrivals: Arrival profile.
    ///   - handleTime: Handle time.
    ///   - queues: Queues.
    ///   - agents: Agent groups.
    public init(duration: Double, seed: UInt64 = 1, serviceLevelSeconds: Double = 20, arrivals: [ArrivalPeriod],
                handleTime: Distribution, queues: [QueueSpec], agents: [AgentGroup]) {
        self.duration = duration
        self.seed = seed
        self.serviceLevelSeconds = serviceLevelSeconds
        self.startOfDay = 0
        self.interval = 1800
        self.arrivals = arrivals
        self.handleTime = handleTime
        self.patience = nil
        self.ivrTime = nil
        self.vipShare = 0
        self.vipPriority = 10
        self.returningShare = 0
        self.queues = queues
        self.agents = agents
    }
}
