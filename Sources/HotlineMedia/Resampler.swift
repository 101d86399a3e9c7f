import Foundation

/// Sample-rate conversion with a Blackman-windowed sinc low-pass (for TTS output → 8 kHz).
enum Resampler {
    /// Converts `samples` from `inputRate` to `outputRate`, low-pass filtered at 45 % of the lower rate.
    /// - Parameters:
    ///   - samples: linear samples at `inputRate`.
    ///   - inputRate: Hz.
    ///   - outputRate: Hz.
    /// - Returns: linear samples at `outputRate`.
    /// - Complexity: O(n · 48) multiply-adds.
    static func resample(_ samples: [Int16], from inputRate: Int, to outputRate: Int) -> [Int16] {
        guard inputRate != outputRate, inputRate > 0, outputRate > 0, !samples.isEmpty else { return samples }
        let step = Double(inputRate) / Double(outputRate)
        let cutoff = 0.45 * Double(min(inputRate, outputRate)) / Double(inputRate)  // cycles per input sample
        let halfWidth = 24.0 * max(step, 1)
        let outputCount = Int(Double(samples.count) / step)
        var output = [Int16](repeating: 0, count: outputCount)
        for n in 0..<outputCount {
            let t = Double(n) * step
            let first = max(0, Int((t - halfWidth).rounded(.up)))
            let last = min(samples.count - 1, Int((t + halfWidth).rounded(.down)))
            var sum = 0.0
            if first <= last {
                for k in first...last {
                    let x = t - Double(k)
                    let sinc = x == 0 ? 2 * cutoff : sin(2 * Double.pi * cutoff * x) / (Double.pi * x)
                    let w = 0.42 + 0.5 * cos(Double.pi * x / halfWidth) + 0.08 * cos(2 * Double.pi * x / halfWidth)
                    sum += Double(samples[k]) * sinc * w
                }
            }
            output[n] = Int16(clamping: Int(sum.rounded()))
        }
        return output
    }
}
