public import Foundation
internal import CSpanDSP

/// A simulated telephone path for fax tests and `hotline fax loopback`: G.711 A-law companding,
/// packetisation into 20 ms RTP packets with random network delay played out through a fixed
/// jitter buffer, random packet loss, optional redundancy (each packet also carries the previous
/// frames, as RFC 2198 redundancy does for voice-band data in ITU-T V.152), and white noise.
public struct LineConditions: Sendable, Hashable {
    /// Probability that a 20 ms packet is lost (0.01 = 1 %).
    public var lossRate: Double
    /// Signal-to-noise ratio in dB relative to a −13 dBm0 fax signal (the level spandsp's modems
    /// send at); `nil` for no added noise.
    public var signalToNoise: Double?
    /// Maximum extra network delay per packet, uniformly distributed, in milliseconds.
    public var jitterMilliseconds: Int
    /// The jitter buffer's fixed playout delay in milliseconds; a frame none of whose copies has
    /// arrived by its playout time is missing.
    public var playoutDelayMilliseconds: Int
    /// How many earlier frames each packet repeats (0 = none; 1 = RFC 2198 with one redundant block).
    public var redundancy: Int
    /// Seed for the loss, jitter and noise generators (runs are reproducible).
    public var seed: UInt64

    /// Creates line conditions.
    /// - Parameters:
    ///   - lossRate: packet loss probability.
    ///   - signalToNoise: SNR in dB, or `nil`.
    ///   - jitterMilliseconds: maximum extra delay.
    ///   - playoutDelayMilliseconds: jitter buffer depth.
    ///   - redundancy: earlier frames repeated in each packet.
    ///   - seed: random seed.
    public init(lossRate: Double = 0, signalToNoise: Double? = nil, jitterMilliseconds: Int = 0, playoutDelayMilliseconds: Int = 60, redundancy: Int = 0, seed: UInt64 = 1) {
        self.lossRate = lossRate
        self.signalToNoise = signalToNoise
        self.jitterMilliseconds = jitterMilliseconds
        self.playoutDelayMilliseconds = playoutDelayMilliseconds
        self.redundancy = redundancy
        self.seed = seed
    }
}

/// One direction of a simulated line (see `LineConditions`).
final class SimulatedLine {
    private let conditions: LineConditions
    private var random: SplitMixRandom
    private let noise: OpaquePointer?
    /// Sent frames not yet played, by frame number (after companding).
    private var frames: [Int: [Int16]] = [:]
    /// Arrival time in ms of each packet that was not lost, by packet number.
    private var arrivals: [Int: Int] = [:]
    private var sent = 0
    private(set) var lostPackets = 0
    private(set) var missingFrames = 0

    init(conditions: LineConditions, direction: UInt64) {
        self.conditions = conditions
        random = SplitMixRandom(seed: conditions.seed &+ direction &* 0x9E37_79B9)
        if let snr = conditions.signalToNoise {
            noise = awgn_init_dbm0(nil, Int32(truncatingIfNeeded: conditions.seed &+ direction) | 1, Float(-13 - snr))
        } else {
            noise = nil
        }
    }

    deinit {
        if let noise { awgn_free(noise) }
    }

    /// Sends one frame into the line and returns the frame the far end plays now, or `nil` when that
    /// frame is missing (every copy lost or late).
    func carry(_ frame: [Int16]) -> [Int16]? {
        let number = sent
        sent += 1
        let now = number * 20
        frames[number] = frame.map { G711.decodeALaw(G711.encodeALaw($0)) }
        if random.nextUnit() < conditions.lossRate {
            lostPackets += 1
        } else {
            let delay = conditions.jitterMilliseconds > 0 ? Int(random.nextUnit() * Double(conditions.jitterMilliseconds + 1)) : 0
            arrivals[number] = now + delay
        }
        // Play out the frame whose slot is now: it is there if a packet carrying it has arrived.
        let due = number - conditions.playoutDelayMilliseconds / 20
        guard due >= 0 else { return addNoise(nil) }
        let available = (due...due + max(0, conditions.redundancy)).contains { packet in
            arrivals[packet].map { $0 <= now } ?? false
        }
        let played = frames.removeValue(forKey: due)
        arrivals.removeValue(forKey: due)
        if !available { missingFrames += 1 }
        return addNoise(available ? played : nil)
    }

    private func addNoise(_ frame: [Int16]?) -> [Int16]? {
        guard let noise else { return frame }
        var output = frame ?? [Int16](repeating: 0, count: 160)
        for index in output.indices {
            output[index] = Int16(clamping: Int32(output[index]) + Int32(awgn(noise)))
        }
        return output
    }
}

struct SplitMixRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// Runs a sending and a receiving fax terminal against each other through simulated lines, as fast
/// as the CPU allows (time is simulated: 20 ms per step).
public enum FaxLoopback {
    /// What a loopback run did.
    public struct Report: Sendable, Hashable {
        /// The sender's result.
        public var sender: FaxResult
        /// The receiver's result.
        public var receiver: FaxResult
        /// Simulated call time.
        public var callDuration: Duration
        /// Packets lost on the line (both directions).
        public var lostPackets: Int
        /// Frames missing at playout after redundancy and the jitter buffer (both directions).
        public var missingFrames: Int
    }

    /// Sends `input` to `output` through a simulated line.
    /// - Parameters:
    ///   - input: the TIFF-F file to send.
    ///   - output: where the receiver writes the pages.
    ///   - options: fax options used by both ends (the receiver's station ID gets a suffix).
    ///   - line: the line conditions (both directions).
    ///   - timeLimit: simulated time after which both ends are cut off.
    /// - Returns: both results and the call's length.
    /// - Throws: `FaxError` when a file cannot be used.
    public static func run(input: URL, output: URL, options: FaxOptions = FaxOptions(), line: LineConditions = LineConditions(), timeLimit: Duration = .seconds(600)) throws -> Report {
        let sender = try FaxSession(role: .send(input), callingParty: true, options: options)
        var receiverOptions = options
        receiverOptions.stationID = "+86 12366 RX"
        receiverOptions.headerLine = nil
        let receiver = try FaxSession(role: .receive(output), callingParty: false, options: receiverOptions)
        let forward = SimulatedLine(conditions: line, direction: 1)
        let backward = SimulatedLine(conditions: line, direction: 2)
        var senderFrame = [Int16](repeating: 0, count: 160)
        var receiverFrame = [Int16](repeating: 0, count: 160)
        let limitFrames = Int(timeLimit.components.seconds) * 50
        var frames = 0
        // Keep running a little after both ends finish so final frames (DCN) are heard.
        var tail = 0
        while frames < limitFrames, tail < 50 {
            senderFrame.withUnsafeMutableBufferPointer { sender.transmit(into: $0) }
            receiverFrame.withUnsafeMutableBufferPointer { receiver.transmit(into: $0) }
            if let heard = forward.carry(senderFrame) {
                heard.withUnsafeBufferPointer { receiver.receive($0) }
            } else {
                receiver.receiveMissing(160)
            }
            if let heard = backward.carry(receiverFrame) {
                heard.withUnsafeBufferPointer { sender.receive($0) }
            } else {
                sender.receiveMissing(160)
            }
            frames += 1
            if sender.isFinished && receiver.isFinished { tail += 1 }
        }
        if !sender.isFinished { sender.terminate() }
        if !receiver.isFinished { receiver.terminate() }
        let unfinished = FaxResult(succeeded: false, pages: 0, bitRate: 0, errorCorrection: false, remoteStationID: nil, completionCode: -1, failureReason: "no result")
        return Report(
            sender: sender.result ?? unfinished,
            receiver: receiver.result ?? unfinished,
            callDuration: .milliseconds(frames * 20),
            lostPackets: forward.lostPackets + backward.lostPackets,
            missingFrames: forward.missingFrames + backward.missingFrames
        )
    }

    /// Sends `input` to `output` between two T.38 terminals exchanging IFP packets through a
    /// simulated network: random loss, uniform delay up to the jitter, and `line.redundancy` earlier
    /// IFP packets repeated in each datagram as UDPTL redundancy does (T.38 §9.1); no audio, so no noise.
    /// - Parameters:
    ///   - input: the TIFF-F file to send.
    ///   - output: where the receiver writes the pages.
    ///   - options: fax options used by both ends.
    ///   - line: loss, jitter, redundancy, the receive buffer's wait for a missing packet
    ///     (`playoutDelayMilliseconds`) and seed (the SNR is not used).
    ///   - timeLimit: simulated time after which both ends are cut off.
    /// - Returns: both results; `lostPackets` counts dropped IFP packets, `missingFrames` is 0.
    /// - Throws: `FaxError` when a file cannot be used.
    public static func runT38(input: URL, output: URL, options: FaxOptions = FaxOptions(), line: LineConditions = LineConditions(), timeLimit: Duration = .seconds(600)) throws -> Report {
        let sender = try T38Terminal(role: .send(input), callingParty: true, options: options)
        var receiverOptions = options
        receiverOptions.stationID = "+86 12366 RX"
        receiverOptions.headerLine = nil
        let receiver = try T38Terminal(role: .receive(output), callingParty: false, options: receiverOptions)
        var random = SplitMixRandom(seed: line.seed)
        // Datagrams in flight: arrival in ms, order sent, direction, and the IFP packets they carry
        // (the new one plus, as UDPTL redundancy does, the `line.redundancy` previous ones).
        var inFlight: [(arrival: Int, order: Int, toReceiver: Bool, packets: [T38Packet])] = []
        var history: [Bool: [T38Packet]] = [true: [], false: []]
        // Each end puts arriving packets back in sequence order, waiting up to the playout delay
        // for a gap to fill before giving up on the missing packet (a UDPTL receive buffer).
        var expected: [Bool: UInt16] = [true: 0, false: 0]
        var pending: [Bool: [UInt16: (packet: T38Packet, since: Int)]] = [true: [:], false: [:]]
        var order = 0
        var lost = 0
        let limit = Int(timeLimit.components.seconds) * 1000
        var now = 0
        var tail = 0
        while now < limit, tail < 50 {
            sender.advance(samples: 160)
            receiver.advance(samples: 160)
            for (toReceiver, packets) in [(true, sender.takePackets()), (false, receiver.takePackets())] {
                for packet in packets {
                    var recent = history[toReceiver] ?? []
                    if recent.last?.sequence != packet.sequence {
                        recent.append(packet)
                        if recent.count > line.redundancy + 1 { recent.removeFirst(recent.count - line.redundancy - 1) }
                        history[toReceiver] = recent
                    }
                    order += 1
                    if random.nextUnit() < line.lossRate {
                        lost += 1
                        continue
                    }
                    let delay = line.jitterMilliseconds > 0 ? Int(random.nextUnit() * Double(line.jitterMilliseconds + 1)) : 0
                    inFlight.append((now + delay, order, toReceiver, recent))
                }
            }
            inFlight.sort { ($0.arrival, $0.order) < ($1.arrival, $1.order) }
            while let first = inFlight.first, first.arrival <= now {
                inFlight.removeFirst()
                let next = expected[first.toReceiver] ?? 0
                for packet in first.packets where packet.sequence &- next < 0x8000 && pending[first.toReceiver]?[packet.sequence] == nil {
                    pending[first.toReceiver]?[packet.sequence] = (packet, now)
                }
            }
            for toReceiver in [true, false] {
                var next = expected[toReceiver] ?? 0
                var waiting = pending[toReceiver] ?? [:]
                while !waiting.isEmpty {
                    if let ready = waiting.removeValue(forKey: next) {
                        if toReceiver { receiver.receive(ready.packet) } else { sender.receive(ready.packet) }
                        next &+= 1
                    } else if let oldest = waiting.values.map(\.since).min(), now - oldest >= line.playoutDelayMilliseconds {
                        // Give up on the gap: jump to the lowest sequence number that did arrive.
                        next = waiting.keys.min { ($0 &- next) < ($1 &- next) } ?? next
                    } else {
                        break
                    }
                }
                expected[toReceiver] = next
                pending[toReceiver] = waiting
            }
            now += 20
            if sender.isFinished && receiver.isFinished { tail += 1 }
        }
        if !sender.isFinished { sender.terminate() }
        if !receiver.isFinished { receiver.terminate() }
        let unfinished = FaxResult(succeeded: false, pages: 0, bitRate: 0, errorCorrection: false, remoteStationID: nil, completionCode: -1, failureReason: "no result")
        return Report(
            sender: sender.result ?? unfinished,
            receiver: receiver.result ?? unfinished,
            callDuration: .milliseconds(now),
            lostPackets: lost,
            missingFrames: 0
        )
    }
}
