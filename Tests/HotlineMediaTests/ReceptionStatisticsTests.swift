import Testing

@testable import HotlineMedia

@Suite struct ReceptionStatisticsTests {
    @Test func probationThenCountingAcrossWrap() {
        var stats = ReceptionStatistics()
        let first = stats.update(sequence: 65530)  // probation (A.1 MIN_SEQUENTIAL = 2)
        #expect(!first)
        let second = stats.update(sequence: 65531)
        #expect(second)
        for s in [65532, 65533, 65534, 65535, 0, 1, 2] {
            let valid = stats.update(sequence: UInt16(s))
            #expect(valid)
        }
        #expect(stats.extendedHighestSequence == 65536 + 2)
        #expect(stats.expected == 8)
        #expect(stats.received == 8)
        #expect(stats.cumulativeLost == 0)
    }

    /// A.3: fraction lost per interval and cumulative loss.
    @Test func lossFractionPerInterval() {
        var stats = ReceptionStatistics()
        for s in 0..<100 where s % 4 != 3 || s < 2 { stats.update(sequence: UInt16(s)) }
        let first = stats.makeReportBlock(ssrc: 1)
        // Packet 0 was the probation packet, packet 99 is lost but not yet known: 24 of 98 expected lost.
        #expect(first.cumulativeLost == 24)
        #expect(first.fractionLost == UInt8(24 * 256 / 98))
        for s in 100..<200 { stats.update(sequence: UInt16(s)) }
        let second = stats.makeReportBlock(ssrc: 1)
        #expect(second.fractionLost == UInt8(1 * 256 / 101))  // packet 99 now counts
        #expect(second.cumulativeLost == 25)
        #expect(second.extendedHighestSequence == 199)
    }

    @Test func largeJumpNeedsTwoSequentialPackets() {
        var stats = ReceptionStatistics()
        for s in 0..<10 { stats.update(sequence: UInt16(s)) }
        let jump = stats.update(sequence: 30000)
        #expect(!jump)
        let confirmed = stats.update(sequence: 30001)  // restart believed
        #expect(confirmed)
        #expect(stats.extendedHighestSequence == 30001)
    }

    /// A.8: a constant transit gives zero jitter; alternating ±80 samples converges toward 80.
    @Test func interarrivalJitter() {
        var steady = ReceptionStatistics()
        for i in 0..<100 { steady.updateJitter(timestamp: UInt32(i * 160), arrival: Int64(i * 160 + 500)) }
        #expect(steady.jitter == 0)
        var jittery = ReceptionStatistics()
        for i in 0..<500 {
            jittery.updateJitter(timestamp: UInt32(i * 160), arrival: Int64(i * 160 + (i % 2 == 0 ? 0 : 80)))
        }
        #expect(jittery.jitter >= 75 && jittery.jitter <= 80)
        var wrapping = ReceptionStatistics()
        for i in 0..<100 {
            wrapping.updateJitter(timestamp: UInt32(0xFFFF_FF00) &+ UInt32(i * 160), arrival: Int64(i * 160))
        }
        #expect(wrapping.jitter == 0)
    }
}
