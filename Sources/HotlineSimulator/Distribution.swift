public import HotlineACD
import Foundation

/// A random duration (handle time, patience, IVR time), in seconds.
public enum Distribution: Sendable, Hashable {
    /// Always the same.
    case fixed(seconds: Double)
    /// Exponential with a mean (memoryless; the M in M/M/N).
    case exponential(mean: Double)
    /// Log-normal with a mean and standard deviation (typical for handle times and patience).
    case logNormal(mean: Double, standardDeviation: Double)
    /// Drawn uniformly from observed values (e.g. last month's handle times).
    case empirical([Double])

    /// The distribution's mean in seconds.
    public var mean: Double {
        switch self {
        case .fixed(let s): s
        case .exponential(let m): m
        case .logNormal(let m, _): m
        case .empirical(let values): values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        }
    }

    /// Draws one value.
    /// - Parameter random: The seeded generator.
    /// - Returns: A duration in seconds (≥ 0).
    public func sample(_ random: inout SeededRandom) -> Double {
        switch self {
        case .fixed(let s):
            return s
        case .exponential(let m):
            return -m * log1p(-random.nextUnit())
        case .logNormal(let m, let sd):
            let sigma2 = log(1 + (sd * sd) / (m * m))
            let mu = log(m) - sigma2 / 2
            return exp(mu + sqrt(sigma2) * random.nextGaussian())
        case .empirical(let values):
            return values.isEmpty ? 0 : values[random.next(below: values.count)]
        }
    }
}

extension SeededRandom {
    /// A standard normal variate (Box–Muller).
    mutating func nextGaussian() -> Double {
        let u1 = max(nextUnit(), 1e-300)
        let u2 = nextUnit()
        return sqrt(-2 * log(u1)) * cos(2 * Double.pi * u2)
    }
}
