import Testing

@testable import HotlineMedia

@Suite struct JitterBufferTests {
    /// A frame whose 160 codes all carry the frame index (low byte), so played order is visible.
    func frame(_ index: Int) -> [UInt8] { [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 160) }

    /// Runs the buffer for `ticks` 20 ms intervals, delivering packets as they arrive; returns the index byte of
    /// each audio frame played and the number of lost frames.
    func run(_ buffer: inout JitterBuffer, deliveries: [Delivery], timestamps: (Int) -> UInt32, ticks: Int)
        -> (played: [UInt8], lost: Int)
    {
        var next = 0
        var played: [UInt8] = []
        var lost = 0
        var output = [UInt8](repeating: 0, count: 160)
        for tick in 0..<ticks {
            let now = Int64(tick) * 160
            while next < deliveries.count, deliveries[next].arrival <= now {
                let d = deliveries[next]
                d.bytes.withUnsafeBytes { _ = buffer.insert(timestamp: timestamps(d.index), payload: $0, arrival: d.arrival) }
                next += 1
            }
            switch output.withUnsafeMutableBufferPointer({ buffer.nextFrame(into: $0) }) {
            case .audio: played.append(output[0])
            case .lost: lost += 1
            case .waiting: break
            }
        }
        return (played, lost)
    }

    @Test func inOrderStreamPlaysEveryFrame() {
        var buffer = JitterBuffer()
        let packets = (0..<100).map(frame)
        let (deliveries, _) = simulate(packets: packets, loss: 0, baseDelay: 100, jitter: 0, seed: 1)
        let (played, lost) = run(&buffer, deliveries: deliveries, timestamps: { UInt32($0 * 160) }, ticks: 120)
        #expect(played == (0..<100).map { UInt8($0) })
        #expect(lost == 0)
    }

    /// 5 % loss and up to 60 ms of random delay (so packets reorder): what is played is in order, every packet
    /// that arrived in time is played once, and the adaptive delay stays bounded.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func lossyReorderingStreamPlaysInOrder(seed: UInt64) {
        var buffer = JitterBuffer()
        let count = 1500
        let base: UInt32 = 0xFFFF_F000  // wraps around 2^32 during the run
        let packets = (0..<count).map(frame)
        let (deliveries, lostInNetwork) = simulate(packets: packets, loss: 0.05, baseDelay: 200, jitter: 480, seed: seed)
        var reordered = 0
        for i in 1..<deliveries.count where deliveries[i].index < deliveries[i - 1].index { reordered += 1 }
        #expect(reordered > 50)
        let (played, _) = run(
            &buffer, deliveries: deliveries, timestamps: { base &+ UInt32($0 * 160) }, ticks: count + 100)
        // Strictly increasing frame indices (mod 256): check consecutive differences are 1…(small gap).
        var order = true
        for i in 1..<played.count {
            let step = played[i] &- played[i - 1]
            if step == 0 || step > 16 { order = false }
        }
        #expect(order)
        let delivered = count - lostInNetwork.count
        #expect(played.count <= delivered)
        #expect(played.count >= delivered * 97 / 100)
        #expect(buffer.targetDelay >= 480)
        #expect(buffer.targetDelay <= JitterBuffer.Configuration().maximumDelay)
    }

    @Test func duplicatesAndLatePacketsAreRecognised() {
        var buffer = JitterBuffer(configuration: .init(minimumDelay: 320))
        let bytes = frame(1)
        func insert(_ ts: UInt32, arrival: Int64) -> JitterBuffer.InsertResult {
            bytes.withUnsafeBytes { buffer.insert(timestamp: ts, payload: $0, arrival: arrival) }
        }
        #expect(insert(1000, arrival: 0) == .stored)
        #expect(insert(1000, arrival: 1) == .duplicate)
        #expect(insert(1160, arrival: 160) == .stored)
        #expect(insert(1320, arrival: 320) == .stored)
        var out = [UInt8](repeating: 0, count: 160)
        var kinds: [JitterBuffer.Playout] = []
        for _ in 0..<3 { kinds.append(out.withUnsafeMutableBufferPointer { buffer.nextFrame(into: $0) }) }
        #expect(kinds.contains(.audio))
        #expect(insert(1000, arrival: 500) == .late)
        #expect([UInt8]().withUnsafeBytes { buffer.insert(timestamp: 5, payload: $0, arrival: 0) } == .empty)
        #expect(insert(1000 + 100_000, arrival: 600) == .tooFarAhead)
    }

    /// After a pause in the stream (silence suppression, hold) the buffer re-anchors on the next talk spurt
    /// instead of concealing the whole pause or dropping the new audio as too far ahead.
    @Test func pauseThenTalkSpurtReanchors() {
        var buffer = JitterBuffer()
        var packets: [Delivery] = []
        for i in 0..<20 { packets.append(Delivery(arrival: Int64(i) * 160 + 80, bytes: frame(i), index: i)) }
        // 2 s of silence suppressed, then frames 100…119.
        for i in 100..<120 { packets.append(Delivery(arrival: Int64(i) * 160 + 80, bytes: frame(i), index: i)) }
        let (played, lost) = run(&buffer, deliveries: packets, timestamps: { UInt32($0 * 160) }, ticks: 140)
        #expect(played == (0..<20).map { UInt8($0) } + (100..<120).map { UInt8($0) })
        #expect(lost == 0)
        #expect(buffer.reanchors == 1)
    }

    /// Packets of 10 ms and 30 ms fill 20 ms frames correctly: the buffer is addressed by timestamp, not packet.
    @Test func mixedPacketSizes() {
        var buffer = JitterBuffer()
        var timestamp: UInt32 = 0
        var arrival: Int64 = 0
        var expected: [UInt8] = []
        for (n, size) in [80, 240, 80, 160, 240, 80, 160, 160, 80].enumerated() {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: Int(timestamp) + $0) }
            expected += bytes
            _ = bytes.withUnsafeBytes { buffer.insert(timestamp: timestamp, payload: $0, arrival: arrival) }
            timestamp += UInt32(size)
            arrival += Int64(size)
            _ = n
        }
        var out = [UInt8](repeating: 0, count: 160)
        var played: [UInt8] = []
        for _ in 0..<12 where out.withUnsafeMutableBufferPointer({ buffer.nextFrame(into: $0) }) == .audio { played += out }
        #expect(played == expected)
    }
}

@Suite struct JitterBufferAdaptationTests {
    /// 20 s of jittery network (up to 100 ms) then 20 s of a steady one: the target grows, then falls back to
    /// the minimum, and the buffer discards frames to bring the actual delay down with it.
    @Test func delayFollowsTheNetwork() {
        var buffer = JitterBuffer()
        var generator = SeededGenerator(seed: 5)
        var output = [UInt8](repeating: 0, count: 160)
        var pending: [(arrival: Int64, index: Int)] = []
        var peakTarget = 0
        var bufferedLate: [Int] = []
        for tick in 0..<2000 {
            let jitter: Int64 = tick < 1000 ? Int64.random(in: 0...800, using: &generator) : 0
            pending.append((Int64(tick) * 160 + 80 + jitter, tick))
            pending.sort { $0.arrival < $1.arrival }
            let now = Int64(tick) * 160 + 160
            while let first = pending.first, first.arrival <= now {
                let bytes = [UInt8](repeating: UInt8(truncatingIfNeeded: first.index), count: 160)
                bytes.withUnsafeBytes { _ = buffer.insert(timestamp: UInt32(first.index * 160), payload: $0, arrival: first.arrival) }
                pending.removeFirst()
            }
            _ = output.withUnsafeMutableBufferPointer { buffer.nextFrame(into: $0) }
            peakTarget = max(peakTarget, buffer.targetDelay)
            if tick >= 1900 { bufferedLate.append(buffer.bufferedSamples) }
        }
        #expect(peakTarget >= 800)
        #expect(buffer.targetDelay == JitterBuffer.Configuration().minimumDelay)
        #expect(buffer.framesDiscarded > 0)
        #expect((bufferedLate.max() ?? .max) <= buffer.targetDelay + 2 * 160)
    }
}
