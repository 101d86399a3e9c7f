import Foundation
import Testing
@testable import HotlineMedia

@Suite struct SpanDSPConcealerTests {
    /// A voiced-speech-like periodic signal: 200 Hz with harmonics.
    static func voiced(frames: Int) -> [[Int16]] {
        (0..<frames).map { frame in
            (0..<160).map { index in
                let t = Double(frame * 160 + index) / 8000
                let value = 6000 * sin(2 * .pi * 200 * t) + 3000 * sin(2 * .pi * 400 * t) + 1500 * sin(2 * .pi * 600 * t)
                return Int16(value)
            }
        }
    }

    static func signalToError(_ signal: [Int16], _ estimate: [Int16]) -> Double {
        let power = signal.reduce(0.0) { $0 + Double($1) * Double($1) }
        let error = zip(signal, estimate).reduce(0.0) { $0 + pow(Double($1.0) - Double($1.1), 2) }
        return 10 * log10(power / max(error, 1))
    }

    @Test func concealsALostFrameOfPeriodicSpeechCloselyWhereSilenceWouldNot() {
        let frames = Self.voiced(frames: 20)
        let concealer = SpanDSPConcealer()
        for frame in frames[0..<10] {
            frame.withUnsafeBufferPointer { concealer.didPlay($0) }
        }
        var filled = [Int16](repeating: 0, count: 160)
        filled.withUnsafeMutableBufferPointer { concealer.conceal(into: $0) }
        // Repeating the pitch period reproduces a periodic signal (spandsp starts fading after 10 ms,
        // hence not perfectly): above 6 dB SNR, where silence would give 0 dB.
        #expect(Self.signalToError(frames[10], filled) > 6)
    }

    @Test func longOutageFadesToSilence() {
        let frames = Self.voiced(frames: 10)
        let concealer = SpanDSPConcealer()
        for frame in frames {
            frame.withUnsafeBufferPointer { concealer.didPlay($0) }
        }
        var levels: [Double] = []
        for _ in 0..<10 {
            var filled = [Int16](repeating: 0, count: 160)
            filled.withUnsafeMutableBufferPointer { concealer.conceal(into: $0) }
            levels.append(TestAudio.level(filled))
        }
        #expect(levels[0] > -20)
        #expect(levels[9] < -60)  // 200 ms in: silent, not a buzzing loop
    }

    @Test func receptionAfterALossIsBlendedNotClicked() {
        let frames = Self.voiced(frames: 13)
        let concealer = SpanDSPConcealer()
        for frame in frames[0..<10] {
            frame.withUnsafeBufferPointer { concealer.didPlay($0) }
        }
        var lost = [Int16](repeating: 0, count: 160)
        lost.withUnsafeMutableBufferPointer { concealer.conceal(into: $0) }
        var next = frames[11]
        next.withUnsafeMutableBufferPointer { concealer.receive($0) }
        // spandsp overlap-adds the start of the first good frame; the rest is passed through.
        #expect(next[80...] == frames[11][80...])
        #expect(Self.signalToError(frames[11], next) > 10)
    }
}

@Suite struct SpanDSPConcealerPipelineTests {
    /// In-band DTMF sent as A-law RTP through 5 % loss and reordering, played out by `RTPReceiver`
    /// with spandsp concealment, then detected and merged by `DigitCollector`: every digit arrives once.
    @Test func inBandDigitsSurviveALossyRTPPathWithConcealment() throws {
        let digits = "0123456789*#"
        let audio = try DTMFGenerator.render(digits, level: -10, onTime: 100, offTime: 100) + [Int16](repeating: 0, count: 1600)
        var sender = RTPSender(ssrc: 0x1234_5678, payloadType: 8)
        var packets: [[UInt8]] = []
        audio.withUnsafeBufferPointer { all in
            for start in stride(from: 0, to: all.count, by: 160) {
                var bytes: [UInt8] = []
                sender.encodeAudio(UnsafeBufferPointer(rebasing: all[start..<start + 160]), law: .aLaw, into: &bytes)
                packets.append(bytes)
            }
        }
        let (deliveries, lost) = simulate(packets: packets, loss: 0.05, baseDelay: 160, jitter: 320, seed: 9)
        #expect(!lost.isEmpty)

        var receiver = RTPReceiver(law: .aLaw, concealer: SpanDSPConcealer())
        let detector = DTMFDetector()
        var collector = DigitCollector()
        var heard = ""
        var next = 0
        var frame = [Int16](repeating: 0, count: 160)
        var concealed = 0
        for tick in 0..<(packets.count + 40) {
            let now = Int64(tick) * 160
            while next < deliveries.count, deliveries[next].arrival <= now {
                _ = receiver.receive(datagram: deliveries[next].bytes, arrival: deliveries[next].arrival)
                next += 1
            }
            let kind = frame.withUnsafeMutableBufferPointer { receiver.playout(into: $0) }
            if kind == .concealed { concealed += 1 }
            for digit in detector.process(frame) {
                if let new = collector.add(digit) { heard.append(new.digit) }
            }
        }
        #expect(concealed > 0)
        #expect(heard == digits)
    }
}
