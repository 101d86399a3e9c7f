/// The figures a supervisor reads for a queue, an interval or the whole run.
public struct Figures: Sendable, Hashable, Codable {
    /// Calls that arrived (entered the ACD).
    public var offered: Int
    /// Calls connected to an agent (callbacks included).
    public var answered: Int
    /// Callers who hung up while waiting.
    public var abandoned: Int
    /// Calls that left by a limit (voicemail, transfer, callback request).
    public var overflowed: Int
    /// Fraction of offered calls that waited at all.
    public var pWait: Double
    /// Average speed of answer: mean wait of answered calls, seconds.
    public var asaSeconds: Double
    /// Fraction of offered calls answered within the target.
    public var serviceLevel: Double
    /// Abandoned ÷ offered.
    public var abandonRate: Double
    /// Agents' busy time (talk + wrap-up) ÷ logged-in time.
    public var occupancy: Double
    /// Longest wait of any call (answered, abandoned or overflowed), seconds.
    public var maxWaitSeconds: Double

    enum CodingKeys: String, CodingKey {
        case offered, answered, abandoned, overflowed
        case pWait = "p_wait"
        case asaSeconds = "asa_seconds"
        case serviceLevel = "service_level"
        case abandonRate = "abandon_rate"
        case occupancy
        case maxWaitSeconds = "max_wait_seconds"
    }
}

/// One queue's figures.
public struct QueueFigures: Sendable, Hashable, Codable {
    /// The queue's name.
    public var name: String
    /// Its figures.
    public var figures: Figures

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: NameKey.self)
        try container.encode(name, forKey: .name)
        try figures.encode(to: encoder)
    }

    public init(from decoder: any Decoder) throws {
        name = try decoder.container(keyedBy: NameKey.self).decode(String.self, forKey: .name)
        figures = try Figures(from: decoder)
    }

    init(name: String, figures: Figures) {
        self.name = name
        self.figures = figures
    }

    enum NameKey: String, CodingKey { case name }
}

/// One reporting interval's figures.
public struct IntervalFigures: Sendable, Hashable, Codable {
    /// Clock time the interval starts, `HH:MM`.
    public var start: String
    /// Its figures (calls counted in the interval they arrived).
    public var figures: Figures

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: StartKey.self)
        try container.encode(start, forKey: .start)
        try figures.encode(to: encoder)
    }

    public init(from decoder: any Decoder) throws {
        start = try decoder.container(keyedBy: StartKey.self).decode(String.self, forKey: .start)
        figures = try Figures(from: decoder)
    }

    init(start: String, figures: Figures) {
        self.start = start
        self.figures = figures
    }

    enum StartKey: String, CodingKey { case start }
}

/// One agent's work in the run.
public struct AgentFigures: Sendable, Hashable, Codable {
    /// The agent's name.
    public var name: String
    /// Calls answered.
    public var calls: Int
    /// Talk time, seconds.
    public var talkSeconds: Double

    enum CodingKeys: String, CodingKey {
        case name, calls
        case talkSeconds = "talk_seconds"
    }
}

/// The simulator's result.
public struct SimulationReport: Sendable, Hashable, Codable {
    /// The seed used.
    public var seed: UInt64
    /// Service-level target, seconds.
    public var serviceLevelSeconds: Double
    /// All calls.
    public var total: Figures
    /// Per queue (by the queue a call first entered).
    public var queues: [QueueFigures]
    /// Per reporting interval.
    public var intervals: [IntervalFigures]
    /// Per agent.
    public var agents: [AgentFigures]
    /// Per caller class when the scenario has VIP callers: `regular` and `priority` (occupancy is not
    /// split by class and reads 0).
    public var callerClasses: [QueueFigures]

    enum CodingKeys: String, CodingKey {
        case seed
        case serviceLevelSeconds = "service_level_seconds"
        case total, queues, intervals, agents
        case callerClasses = "caller_classes"
    }
}

/// Raw counts behind ``Figures`` (summed, then turned into rates).
struct Tally {
    var offered = 0
    var answered = 0
    var abandoned = 0
    var overflowed = 0
    var waited = 0
    var withinTarget = 0
    var waitSumAnswered = 0.0
    var maxWait = 0.0
    var busy = 0.0
    var staffed = 0.0

    mutating func add(_ other: Tally) {
        offered += other.offered
        answered += other.answered
        abandoned += other.abandoned
        overflowed += other.overflowed
        waited += other.waited
        withinTarget += other.withinTarget
        waitSumAnswered += other.waitSumAnswered
        maxWait = max(maxWait, other.maxWait)
        busy += other.busy
        staffed += other.staffed
    }

    var figures: Figures {
        let n = Double(max(offered, 1))
        return Figures(
            offered: offered, answered: answered, abandoned: abandoned, overflowed: overflowed,
            pWait: offered == 0 ? 0 : Double(waited) / n,
            asaSeconds: answered == 0 ? 0 : waitSumAnswered / Double(answered),
            serviceLevel: offered == 0 ? 1 : Double(withinTarget) / n,
            abandonRate: offered == 0 ? 0 : Double(abandoned) / n,
            occupancy: staffed > 0 ? min(1, busy / staffed) : 0,
            maxWaitSeconds: maxWait)
    }
}
