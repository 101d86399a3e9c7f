import Foundation
@testable import HotlineMedia

/// Helpers shared by the DSP tests: temp files and reproducible noise.
enum TestAudio {
    /// A fresh temporary directory; the caller removes it.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-media-dsp-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Gaussian white noise at `level` dBm0 (mean power), reproducible from `seed`.
    static func noise(count: Int, level: Double, seed: UInt64) -> [Int16] {
        var generator = SplitMix(state: seed)
        let rms = sineAmplitude(dBm0: level) / 2.0.squareRoot()
        return (0..<count).map { _ in
            // Box–Muller.
            let u1 = max(Double(generator.next() >> 11) / Double(1 << 53), 1e-12)
            let u2 = Double(generator.next() >> 11) / Double(1 << 53)
            let gaussian = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            return Int16(clamping: Int((gaussian * rms).rounded()))
        }
    }

    /// Sample-wise saturating sum of two signals (the longer one's tail is kept).
    static func mix(_ a: [Int16], _ b: [Int16]) -> [Int16] {
        (0..<max(a.count, b.count)).map { index in
            let x = index < a.count ? Int32(a[index]) : 0
            let y = index < b.count ? Int32(b[index]) : 0
            return Int16(clamping: x + y)
        }
    }

    /// Mean power of a signal in dBm0.
    static func level(_ samples: [Int16]) -> Double {
        let power = samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(samples.count, 1))
        let reference = sineAmplitude(dBm0: 0)
        return 10 * log10(max(power, 1e-9) / (reference * reference / 2))
    }

    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
