import HotlineACD
import HotlineMedia
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Media counters of the server (loop-confined): how punctual the media ticks are, how many RTP packets
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

/// Which calls' media runs in which 5 ms slot of the 20 ms packet interval (loop-confined). Each call
/// keeps its slot, so its packets still leave every 20 ms, but the server's packets are spread over the
/// interval instead of leaving in one burst per 20 ms: a tick does a quarter of the work, and the last
/// packet of a tick leaves a quarter as late.
struct MediaSchedule {
    /// Slots per packet interval.
    static let slots = 4
    /// The tick period: 20 ms / slots.
    static let period = TimeAmount.milliseconds(5)

    private(set) var members: [[InboundCall]] = Array(repeating: [], count: MediaSchedule.slots)
    private(set) var ticks = 0

    /// Puts an answered call into the least busy slot.
    mutating func add(_ call: InboundCall) {
        var best = 0
        for slot in members.indices where members[slot].count < members[best].count { best = slot }
        members[best].append(call)
    }

    /// The calls whose turn it is; advances to the next slot.
    mutating func nextSlot() -> Int {
        defer { ticks += 1 }
        return ticks % Self.slots
    }

    mutating func removeEnded(in slot: Int) {
        members[slot].removeAll { $0.isEnded }
    }
}

extension HotlineServer {
    /// 160 samples of silence, shared.
    static let silentFrame = [Int16](repeating: 0, count: 160)

    /// Starts the media clock: a tick every 5 ms, scheduled against fixed due times (not 5 ms after the
    /// previous tick ended), so a slow tick is followed by a prompt one; each tick runs the media of one
    /// slot of calls (see ``MediaSchedule``), so every call's packets leave every 20 ms.
    func startMediaClock() {
        scheduleTick(at: NIODeadline.now() + MediaSchedule.period)
    }

    /// Starts the call's media in the next ticks of its slot (once it is answered).
    func startMedia(_ call: InboundCall) {
        mediaSchedule.add(call)
    }

    private func scheduleTick(at due: NIODeadline) {
        ticker = loop.scheduleTask(deadline: due) { [self] in tick(due: due) }
    }

    /// One 5 ms tick: the ACD's timers, then one slot of answered calls' media.
    private func tick(due: NIODeadline) {
        guard ticker != nil else { return }
        let started = NIODeadline.now()
        mediaStatistics.beginTick(due: due, started: started)
        if let deadline = acd.nextDeadline, deadline <= timestamp() {
            var actions: [RoutingAction] = []
            acd.advance(to: timestamp(), into: &actions)
            perform(actions)
        }
        let slot = mediaSchedule.nextSlot()
        do {
            let members = mediaSchedule.members[slot]
            for call in members where call.isAnswered && !call.isEnded {
                media(call)
            }
        }
        mediaSchedule.removeEnded(in: slot)
        outboundMedia(slot: slot)
        let ended = NIODeadline.now()
        mediaStatistics.endTick(started: started, ended: ended)
        var next = due + MediaSchedule.period
        if ended - next > .milliseconds(100) {
            // Far behind (the machine stalled): resume from now rather than bursting the backlog.
            mediaStatistics.skip(Int((ended - next).nanoseconds / MediaSchedule.period.nanoseconds))
            next = ended
        }
        scheduleTick(at: next)
    }
}

extension HotlineServer {
    /// Runs the server's event loop (SIP, IVR and the media ticks) under the real-time round-robin
    /// scheduler, as Asterisk's `-p` and FreeSWITCH's `-rp` do, so other processes on a busy machine do not
    /// delay RTP packets. Needs `CAP_SYS_NICE` (or root); the kernel's RT throttling still leaves 5 % of
    /// each CPU to other work.
    /// - Parameter priority: The `SCHED_RR` priority, 1–99.
    /// - Returns: `nil` when applied, else why not.
    public func useRealtimeScheduling(priority: Int32 = 10) async -> String? {
        do {
            return try await loop.submit { () -> String? in
                var parameters = sched_param()
                parameters.sched_priority = priority
                let result = pthread_setschedparam(pthread_self(), SCHED_RR, &parameters)
                return result == 0 ? nil : String(cString: strerror(result))
            }.get()
        } catch {
            return "the event loop did not answer: \(error)"
        }
    }
}
