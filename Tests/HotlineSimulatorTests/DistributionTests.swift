import HotlineACD
import HotlineSimulator
import Testing

@Suite("Duration distributions")
struct DistributionTests {
    @Test("sample means and spreads match the parameters (200,000 draws, 5 standard errors)", arguments: [
        (Distribution.exponential(mean: 120), 120.0, 120.0),
        (.logNormal(mean: 240, standardDeviation: 150), 240.0, 150.0),
        (.fixed(seconds: 30), 30.0, 0.0),
        (.empirical([60, 120, 300]), 160.0, 101.98),
    ])
    func moments(distribution: Distribution, mean: Double, standardDeviation: Double) {
        var random = SeededRandom(seed: 11)
        let n = 200_000
        var sum = 0.0
        var sumSquares = 0.0
        for _ in 0..<n {
            let x = distribution.sample(&random)
            #expect(x >= 0)
            sum += x
            sumSquares += x * x
        }
        let sampleMean = sum / Double(n)
        let sampleSD = (sumSquares / Double(n) - sampleMean * sampleMean).squareRoot()
        #expect(abs(sampleMean - mean) <= 5 * standardDeviation / Double(n).squareRoot() + 1e-9)
        #expect(abs(sampleSD - standardDeviation) <= 0.03 * standardDeviation + 1e-6)
        #expect(distribution.mean == mean || abs(distribution.mean - mean) < 1e-9)
    }
}
