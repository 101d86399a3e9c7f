/// A point on the routing clock, in microseconds since an epoch the driver chooses.
///
/// The ACD never reads a clock: the server passes the wall time of each input, the simulator its virtual
/// time. Microsecond integers keep comparisons exact and the hot path free of floating point.
public struct Timestamp: Sendable, Hashable, Comparable, Codable {
    /// Microseconds since the driver's epoch.
    public var microseconds: Int64

    /// Creates a timestamp.
    /// - Parameter microseconds: Microseconds since the driver's epoch.
    public init(microseconds: Int64) { self.microseconds = microseconds }

    /// The driver's epoch itself.
    public static let zero = Timestamp(microseconds: 0)

    /// A timestamp a number of seconds after the epoch.
    /// - Parameter seconds: Seconds since the epoch (fractions allowed).
    /// - Returns: The timestamp, rounded to the microsecond.
    public static func seconds(_ seconds: Double) -> Timestamp {
        Timestamp(microseconds: Int64((seconds * 1_000_000).rounded()))
    }

    /// Seconds since the epoch.
    public var seconds: Double { Double(microseconds) / 1_000_000 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    /// The timestamp a duration later.
    public static func + (lhs: Timestamp, rhs: Duration) -> Timestamp {
        Timestamp(microseconds: lhs.microseconds + rhs.microseconds)
    }

    /// The duration between two timestamps.
    public static func - (lhs: Timestamp, rhs: Timestamp) -> Duration {
        .microseconds(lhs.microseconds - rhs.microseconds)
    }
}

extension Duration {
    /// Whole microseconds in this duration (truncated).
    var microseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000_000 + parts.attoseconds / 1_000_000_000_000
    }
}

/// An agent, as the server knows them (e.g. the employee number).
public struct AgentID: RawRepresentable, Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The number identifying the agent.
    public var rawValue: Int
    /// Creates an agent identifier.
    /// - Parameter rawValue: The number identifying the agent.
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Creates an agent identifier.
    /// - Parameter rawValue: The number identifying the agent.
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public static func < (lhs: AgentID, rhs: AgentID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "agent \(rawValue)" }
}

/// A call in the ACD, numbered by the driver (unique while the call is in the ACD).
public struct CallID: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The number identifying the call.
    public var rawValue: UInt64
    /// Creates a call identifier.
    /// - Parameter rawValue: The number identifying the call.
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// Creates a call identifier.
    /// - Parameter rawValue: The number identifying the call.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "call \(rawValue)" }
}

/// A queue, numbered in the order it was added to the ``RoutingStateMachine`` (0, 1, 2, …).
public struct QueueID: RawRepresentable, Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The queue's index.
    public var rawValue: Int
    /// Creates a queue identifier.
    /// - Parameter rawValue: The queue's index.
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Creates a queue identifier.
    /// - Parameter rawValue: The queue's index.
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public static func < (lhs: QueueID, rhs: QueueID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "queue \(rawValue)" }
}

/// The person calling, as far as the ACD needs to know them.
public struct Caller: Sendable, Hashable, Codable {
    /// The calling number (caller ID); empty when withheld. Used for sticky routing and the queue view.
    public var number: String
    /// The caller's name when the taxpayer record is known (for the queue view).
    public var name: String?
    /// Priority: higher is served first (VIP taxpayers, F16). Ordinary callers have 0.
    public var priority: Int

    /// Creates a caller.
    /// - Parameters:
    ///   - number: The calling number (empty when withheld).
    ///   - name: The caller's name when known.
    ///   - priority: Higher is served first; 0 for ordinary callers.
    public init(number: String = "", name: String? = nil, priority: Int = 0) {
        self.number = number
        self.name = name
        self.priority = priority
    }
}

/// A small, fast, seedable random number generator (SplitMix64) so routing decisions replay exactly.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator.
    ///
    /// The seed is scrambled first, so neighbouring seeds (1, 2, 3, …) give unrelated sequences rather
    /// than the same SplitMix stream shifted by a few draws.
    /// - Parameter seed: Any 64-bit seed; equal seeds give equal sequences.
    public init(seed: UInt64) {
        var z = seed ^ 0x5DEE_CE66_D1CE_4E5B
        z = (z ^ (z >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        z = (z ^ (z >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        state = z ^ (z >> 33)
    }

    /// The next 64 random bits.
    /// - Returns: A uniformly distributed 64-bit value.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1).
    /// - Returns: The value.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform integer in `0..<bound` (bound > 0), by Lemire's multiply-shift.
    /// - Parameter bound: The exclusive upper bound.
    /// - Returns: The value.
    public mutating func next(below bound: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }
}
