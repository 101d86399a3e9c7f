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
