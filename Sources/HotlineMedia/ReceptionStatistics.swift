/// Per-source reception statistics as RFC 3550 Appendix A.1 and A.8 define them: sequence validation with
/// probation, extended highest sequence number, expected/received counts, interarrival jitter, and the
/// report block an RTCP receiver report carries (§6.4.1).
public struct ReceptionStatistics: Sendable, Hashable {
    /// Packets in sequence needed before a source is valid (A.1 `MIN_SEQUENTIAL`).
    public static let minimumSequential = 2
    /// The largest forward jump still treated as loss (A.1 `MAX_DROPOUT`).
    public static let maximumDropout: UInt16 = 3000
    /// The largest backward step still treated as reordering (A.1 `MAX_MISORDER`).
    public static let maximumMisorder: UInt16 = 100

    private var maxSequence: UInt16 = 0
    private var cycles: UInt32 = 0
    private var baseSequence: UInt32 = 0
    private var badSequence: UInt32 = UInt32(UInt16.max) + 2
    private var probation = ReceptionStatistics.minimumSequential
    /// Packets received and accepted by sequence validation.
    public private(set) var received: UInt32 = 0
    private var expectedPrior: UInt32 = 0
    private var receivedPrior: UInt32 = 0
    private var transit: Int64?
    /// Interarrival jitter ×16 (A.8 integer form).
    private var scaledJitter: UInt32 = 0
    private var started = false

    /// Creates empty statistics.
    public init() {}

    /// Interarrival jitter in timestamp units (RFC 3550 §6.4.1, A.8).
    public var jitter: UInt32 { scaledJitter >> 4 }

    /// The extended highest sequence number received (cycles in the upper 16 bits).
    public var extendedHighestSequence: UInt32 { cycles + UInt32(maxSequence) }

    /// Packets expected: extended highest − base + 1 (A.3).
    public var expected: UInt32 {
        guard started, probation == 0 else { return 0 }
        return extendedHighestSequence &- baseSequence &+ 1
    }

    /// Cumulative packets lost: expected − received, clamped to the 24-bit signed field (A.3).
    public var cumulativeLost: Int32 {
        let lost = Int64(expected) - Int64(received)
        return Int32(max(-0x80_0000, min(0x7F_FFFF, lost)))
    }

    /// Updates the sequence state with a packet's sequence number (A.1 `update_seq`).
    /// - Parameter sequence: The packet's sequence number.
    /// - Returns: `false` when the packet is not (yet) valid: during probation or after a large jump.
    @discardableResult
    public mutating func update(sequence: UInt16) -> Bool {
        guard started else {
            initSequence(sequence)
            maxSequence = sequence &- 1
            started = true
            probation = Self.minimumSequential
            return probe(sequence)
        }
        if probation > 0 { return probe(sequence) }
        let delta = sequence &- maxSequence
        if delta < Self.maximumDropout {
            if sequence < maxSequence { cycles &+= 1 << 16 }
            maxSequence = sequence
        } else if UInt32(delta) <= 65536 - UInt32(Self.maximumMisorder) {
            // A very large jump: two sequential packets are needed to believe the source restarted.
            if UInt32(sequence) == badSequence {
                initSequence(sequence)
            } else {
                badSequence = UInt32(sequence &+ 1)
                return false
            }
        }
        // else: duplicate or reordered packet, counted as received (A.1).
        received &+= 1
        return true
    }

    private mutating func probe(_ sequence: UInt16) -> Bool {
        if sequence == maxSequence &+ 1 {
            probation -= 1
            maxSequence = sequence
            if probation == 0 {
                initSequence(sequence)
                received &+= 1
                return true
            }
        } else {
            probation = Self.minimumSequential - 1
            maxSequence = sequence
        }
        return false
    }

    private mutating func initSequence(_ sequence: UInt16) {
        baseSequence = UInt32(sequence)
        maxSequence = sequence
        badSequence = UInt32(UInt16.max) + 2
        cycles = 0
        received = 0
        receivedPrior = 0
        expectedPrior = 0
    }

    /// Updates the interarrival jitter (A.8).
    /// - Parameters:
    ///   - timestamp: The packet's RTP timestamp.
    ///   - arrival: The arrival time in the same units (samples of the receiver's clock).
    public mutating func updateJitter(timestamp: UInt32, arrival: Int64) {
        let now = arrival &- Int64(timestamp)
        if let previous = transit {
            // Differences are taken modulo 2^32 so timestamp wrap-around does not look like jitter.
            let d = Int64(Int32(truncatingIfNeeded: now &- previous)).magnitude
            let step = Int64(d) - Int64((scaledJitter &+ 8) >> 4)
            scaledJitter = UInt32(clamping: Int64(scaledJitter) + step)
        }
        transit = now
    }

    /// Makes the report block for this source and starts a new reporting interval (A.3).
    /// - Parameters:
    ///   - ssrc: The source's SSRC.
    ///   - lastSenderReport: The middle 32 bits of the NTP timestamp of the last SR from the source (0 if none).
    ///   - delaySinceLastSenderReport: Time since that SR arrived, in 1/65536 s (0 if none).
    /// - Returns: The report block.
    public mutating func makeReportBlock(ssrc: UInt32, lastSenderReport: UInt32 = 0, delaySinceLastSenderReport: UInt32 = 0)
        -> RTCPReportBlock
    {
        let expected = self.expected
        let expectedInterval = expected &- expectedPrior
        expectedPrior = expected
        let receivedInterval = received &- receivedPrior
        receivedPrior = received
        let lostInterval = Int64(expectedInterval) - Int64(receivedInterval)
        let fraction: UInt8 =
            expectedInterval == 0 || lostInterval <= 0 ? 0 : UInt8(min(255, (lostInterval << 8) / Int64(expectedInterval)))
        return RTCPReportBlock(
            ssrc: ssrc, fractionLost: fraction, cumulativeLost: cumulativeLost,
            extendedHighestSequence: extendedHighestSequence, jitter: jitter, lastSenderReport: lastSenderReport,
            delaySinceLastSenderReport: delaySinceLastSenderReport)
    }
}
