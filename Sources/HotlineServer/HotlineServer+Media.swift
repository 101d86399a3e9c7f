import HotlineMedia
import NIOCore
import HotlineACD

/// Media counters of the server (loop-confined): how punctual the 20 ms tick is, how many RTP packets
/// went out and how many of them left more than 10 ms after their tick was due, and what arrived.
final class MediaStatistics: @unchecked Sendable {
    /// A packet leaving later than this after its tick was due counts as late.
    static let lateThreshold = TimeAmount.milliseconds(10)
    /// Upper bounds of the send-lateness histogram buckets, in milliseconds.
    static let latenessBuckets: [Int64] = [1, 2, 5, 10, 20, 50, 100]

    /// When the tick being run was due.
    private(set) var tickDue = NIODeadline.now()
    /// Ticks run.
    private(set) var ticks = 0
    /// Ticks that started more than the threshold after they were due.
    private(set) var lateTicks = 0
    /// Ticks dropped because the loop fell more than 100 ms behind (the clock was reset instead).
    private(set) var skippedTicks = 0
    /// RTP packets sent.
    private(set) var packetsSent = 0
    /// RTP packets sent more than the threshold after their tick was due.
    private(set) var packetsLate = 0
    /// Packets per lateness bucket (same order as ``latenessBuckets``, plus one for the rest).
    private(set) var lateness = [Int](repeating: 0, count: MediaStatistics.latenessBuckets.count + 1)
    /// The worst lateness seen, in nanoseconds.
    private(set) var maximumLateness: Int64 = 0
    /// The longest a tick's work took, in nanoseconds.
    private(set) var longestTick: Int64 = 0
    /// Nanoseconds spent in ticks.
    private(set) var tickNanoseconds: Int64 = 0
    /// RTP datagrams received.
    var packetsReceived = 0
    /// Media sockets open.
    var socketsOpen = 0
    /// RTP packets the kernel refused (`sendto` failed: buffer full, peer unreachable).
    var sendErrors = 0
    /// Of legs already closed: packets expected and lost (RFC 3550 A.3), and the sum of their final
    /// interarrival jitter (in 8 kHz samples) with the number of legs summed.
    private(set) var closedExpected = 0
    private(set) var closedLost = 0
    private(set) var closedJitterSum = 0
    private(set) var closedLegs = 0

    func beginTick(due: NIODeadline, started: NIODeadline) {
        tickDue = due
        ticks += 1
        if started - due > Self.lateThreshold { lateTicks += 1 }
    }

    func endTick(started: NIODeadline, ended: NIODeadline) {
        let took = (ended - started).nanoseconds
        tickNanoseconds += took
        longestTick = max(longestTick, took)
    }

    func skip(_ count: Int) {
        skippedTicks += count
    }

    /// Counts a packet leaving now.
    func packetSent() {
        packetsSent += 1
        let late = (NIODeadline.now() - tickDue).nanoseconds
        if late > Self.lateThreshold.nanoseconds { packetsLate += 1 }
        if late > maximumLateness { maximumLateness = late }
        let milliseconds = late / 1_000_000
        var bucket = 0
        while bucket < Self.latenessBuckets.count && milliseconds >= Self.latenessBuckets[bucket] { bucket += 1 }
        lateness[bucket] += 1
    }

    func noteClosedLeg(expected: Int, lost: Int, jitterSamples: Int) {
        closedExpected += expected
        closedLost += lost
        closedJitterSum += jitterSamples
        closedLegs += 1
    }
}

/// Music on hold rendered once and shared by every waiting caller: each caller keeps only a position.
struct HoldMusic {
    /// One full loop of the cadence.
    static let loop: [Int16] = {
        var generator = ToneGenerator(cadence: InboundCall.musicOnHold)
        let total = InboundCall.musicOnHold.segments.reduce(0) { $0 + ($1.milliseconds ?? 0) } * 8
        let samples = max(160, total - total % 160)
        return generator.nextFrame(count: samples)
    }()

    private var position = 0

    /// Calls `body` with the next 20 ms of music (no copy).
    mutating func withNextFrame<R>(_ body: (UnsafeBufferPointer<Int16>) -> R) -> R {
        let start = position
        position += 160
        if position >= Self.loop.count { position = 0 }
        return Self.loop.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<start + 160])) }
    }

    /// The next 20 ms of music as an array.
    mutating func nextFrame() -> [Int16] {
        withNextFrame { Array($0) }
    }
}

extension HotlineServer {
    /// 160 samples of silence, shared.
    static let silentFrame = [Int16](repeating: 0, count: 160)

    /// Starts the media clock: a tick every 20 ms, scheduled against fixed due times (not 20 ms after the
    /// previous tick ended), so a slow tick is followed by a prompt one and the packet rate stays 50/s.
    func startMediaClock() {
        scheduleTick(at: NIODeadline.now() + .milliseconds(20))
    }

    private func scheduleTick(at due: NIODeadline) {
        ticker = loop.scheduleTask(deadline: due) { [self] in tick(due: due) }
    }

    /// One 20 ms interval: the ACD's timers, then every answered call's media.
    private func tick(due: NIODeadline) {
        guard ticker != nil else { return }
        let started = NIODeadline.now()
        mediaStatistics.beginTick(due: due, started: started)
        if let deadline = acd.nextDeadline, deadline <= timestamp() {
            var actions: [RoutingAction] = []
            acd.advance(to: timestamp(), into: &actions)
            perform(actions)
        }
        for call in Array(calls.values) where call.isAnswered && !call.isEnded {
            media(call)
        }
        let ended = NIODeadline.now()
        mediaStatistics.endTick(started: started, ended: ended)
        var next = due + .milliseconds(20)
        if ended - next > .milliseconds(100) {
            // Far behind (the machine stalled): resume from now rather than bursting the backlog.
            mediaStatistics.skip(Int((ended - next).nanoseconds / 20_000_000))
            next = ended
        }
        scheduleTick(at: next)
    }
}
