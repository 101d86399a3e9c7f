import ArgumentParser
import HotlineMedia

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Measures the CPU time of the calling thread (not wall time: the reference box is shared, so wall time
/// includes time the thread waited for a core).
struct ThreadCPUClock {
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) * 1e9 + Double(spec.tv_nsec)
    }

    /// Nanoseconds of CPU time `body` took.
    static func measure(_ body: () -> Void) -> Double {
        let start = now()
        body()
        return now() - start
    }
}

/// `hotline bench media-rtp`: per-packet cost of the RTP receive and send paths and of the mixer.
struct BenchMediaRTPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media-rtp",
        abstract: "Per-packet cost of RTP decode → jitter buffer → G.711 decode, PCM → G.711 → RTP encode, and mixing."
    )

    @Option(help: "Packets per measured run.")
    var packets = 200_000

    @Option(help: "Measured runs per figure (the best is reported).")
    var runs = 5

    func run() throws {
        print("HotlineMedia RTP benchmarks (\(packets) packets × \(runs) runs, best run reported, thread CPU time)")
        print("")
        let receive = best { receivePath() }
        let send = best { sendPath() }
        let decodeOnly = best { decodeOnlyPath() }
        print(row("receive: RTP decode → jitter buffer → G.711 decode (per 20 ms packet)", receive))
        print(row("  of which RTP header parse + payload copy", decodeOnly))
        print(row("send: 160 samples → G.711 → RTP datagram (per 20 ms packet)", send))
        let perCore = 20_000.0 / max(receive + send, 0.001)
        print("  → one core runs the receive and send paths of \(Int(perCore)) legs (20 ms packets)")
        print("")
        for (label, size, whisper) in [("bridge", 2, false), ("conference", 5, false), ("conference", 20, false), ("whisper", 3, true)] {
            let cost = best { mixer(participants: size, whisper: whisper) }
            print(row("mixer \(label) of \(size): per participant per 20 ms frame", cost))
        }
    }

    /// Runs `body` (which returns nanoseconds per item) `runs` times; returns the best, in microseconds.
    func best(_ body: () -> Double) -> Double {
        var result = Double.infinity
        for _ in 0..<runs { result = min(result, body()) }
        return result / 1000
    }

    func row(_ label: String, _ microseconds: Double) -> String {
        let padded = label + String(repeating: " ", count: max(1, 74 - label.count))
        let hundredths = Int((microseconds * 100).rounded())
        let fraction = hundredths % 100
        return "\(padded)\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) µs"
    }

    func datagrams(count: Int) -> [[UInt8]] {
        var sender = RTPSender(ssrc: 0xBEEF, payloadType: 8, initialSequenceNumber: 1, initialTimestamp: 1000)
        let frame: [Int16] = (0..<160).map { Int16(truncatingIfNeeded: $0 * 331 - 20000) }
        var out: [[UInt8]] = []
        out.reserveCapacity(count)
        var datagram: [UInt8] = []
        for _ in 0..<count {
            frame.withUnsafeBufferPointer { sender.encodeAudio($0, law: .aLaw, into: &datagram) }
            out.append(datagram)
        }
        return out
    }

    func receivePath() -> Double {
        let input = datagrams(count: packets)
        var receiver = RTPReceiver(law: .aLaw)
        var frame = [Int16](repeating: 0, count: 160)
        var played = 0
        let elapsed = ThreadCPUClock.measure {
            for (i, datagram) in input.enumerated() {
                _ = receiver.receive(datagram: datagram, arrival: Int64(i) * 160)
                if frame.withUnsafeMutableBufferPointer({ receiver.playout(into: $0) }) == .audio { played += 1 }
            }
        }
        precondition(played > packets - 10, "receive path lost packets: \(played)")
        return elapsed / Double(packets)
    }

    func decodeOnlyPath() -> Double {
        let input = datagrams(count: packets)
        var checksum = 0
        let elapsed = ThreadCPUClock.measure {
            for datagram in input {
                if let packet = try? RTPPacket(decoding: datagram) { checksum &+= Int(packet.payload[0]) }
            }
        }
        precondition(checksum != 0)
        return elapsed / Double(packets)
    }

    func sendPath() -> Double {
        var sender = RTPSender(ssrc: 1, payloadType: 8)
        let frame: [Int16] = (0..<160).map { Int16(truncatingIfNeeded: $0 * 331 - 20000) }
        var datagram: [UInt8] = []
        datagram.reserveCapacity(200)
        var checksum = 0
        let elapsed = ThreadCPUClock.measure {
            frame.withUnsafeBufferPointer { samples in
                for _ in 0..<packets {
                    sender.encodeAudio(samples, law: .aLaw, into: &datagram)
                    checksum &+= Int(datagram[20])
                }
            }
        }
        precondition(checksum != 0 && datagram.count == 172)
        return elapsed / Double(packets)
    }

    func mixer(participants: Int, whisper: Bool) -> Double {
        var mixer = Mixer<Int>()
        for id in 0..<participants { mixer.add(id) }
        if whisper {
            // 0 caller, 1 agent, 2 supervisor.
            mixer.setHears(0, 1)
            mixer.setHears(1, 0)
            mixer.setHears(1, 2)
            mixer.setHears(2, 0)
            mixer.setHears(2, 1)
        } else {
            mixer.connectAll(Array(0..<participants))
        }
        let frames: [[Int16]] = (0..<participants).map { p in (0..<160).map { Int16(truncatingIfNeeded: ($0 + p) * 97) } }
        let intervals = max(1, packets / participants)
        var checksum = 0
        let elapsed = ThreadCPUClock.measure {
            for _ in 0..<intervals {
                for id in 0..<participants { frames[id].withUnsafeBufferPointer { mixer.setInput(id, frame: $0) } }
                mixer.mix()
                checksum &+= mixer.withOutput(of: 0) { Int($0[7]) }
            }
        }
        _ = checksum
        return elapsed / Double(intervals * participants)
    }
}
