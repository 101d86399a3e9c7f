import Foundation

/// Queueing-theory figures for one staffing level.
public struct QueueingFigures: Sendable, Hashable, Codable {
    /// Agents.
    public var agents: Int
    /// Probability that a caller waits at all.
    public var pWait: Double
    /// Average speed of answer (mean wait of answered callers, zero waits included), seconds.
    public var asaSeconds: Double
    /// Fraction of callers answered within the target time.
    public var serviceLevel: Double
    /// Fraction of callers who abandon (0 for Erlang C).
    public var abandonRate: Double
    /// Agent occupancy.
    public var occupancy: Double

    enum CodingKeys: String, CodingKey {
        case agents
        case pWait = "p_wait"
        case asaSeconds = "asa_seconds"
        case serviceLevel = "service_level"
        case abandonRate = "abandon_rate"
        case occupancy
    }
}

/// Erlang C (M/M/N, callers never abandon) and Erlang A (M/M/N+M, exponential patience).
public enum Erlang {
    /// Erlang B blocking probability by the stable recursion `B(n) = A·B(n−1) / (n + A·B(n−1))`.
    /// - Parameters:
    ///   - agents: Servers N.
    ///   - load: Offered load A in erlangs (arrival rate × mean handle time).
    /// - Returns: B(N, A).
    /// - Complexity: O(N).
    public static func blocking(agents: Int, load: Double) -> Double {
        var b = 1.0
        if agents <= 0 { return 1 }
        for n in 1...agents { b = load * b / (Double(n) + load * b) }
        return b
    }

    /// Erlang C: the probability of waiting, `C = N·B / (N − A·(1 − B))`.
    /// - Parameters:
    ///   - agents: Servers N.
    ///   - load: Offered load A in erlangs.
    /// - Returns: C(N, A); 1 when N ≤ A (the queue grows without bound).
    public static func probabilityOfWaiting(agents: Int, load: Double) -> Double {
        guard Double(agents) > load else { return 1 }
        let b = blocking(agents: agents, load: load)
        return Double(agents) * b / (Double(agents) - load * (1 - b))
    }

    /// Erlang C figures for a staffing level.
    /// - Parameters:
    ///   - agents: Servers N.
    ///   - callsPerHour: Arrival rate.
    ///   - handleSeconds: Mean handle time (talk + wrap-up).
    ///   - targetSeconds: Service-level target time.
    /// - Returns: The figures (`P(W ≤ T) = 1 − C·e^{−(N−A)·T/AHT}`, `ASA = C·AHT/(N−A)`).
    public static func c(agents: Int, callsPerHour: Double, handleSeconds: Double, targetSeconds: Double) -> QueueingFigures {
        let load = callsPerHour * handleSeconds / 3600
        let n = Double(agents)
        guard n > load else {
            return QueueingFigures(agents: agents, pWait: 1, asaSeconds: .infinity, serviceLevel: 0, abandonRate: 0, occupancy: 1)
        }
        let pw = probabilityOfWaiting(agents: agents, load: load)
        return QueueingFigures(
            agents: agents, pWait: pw,
            asaSeconds: pw * handleSeconds / (n - load),
            serviceLevel: 1 - pw * exp(-(n - load) * targetSeconds / handleSeconds),
            abandonRate: 0, occupancy: load / n)
    }

    /// Erlang A figures (M/M/N+M): exact birth–death solution, truncated where the tail is negligible.
    ///
    /// A caller finding `j` callers ahead is served after `j + 1` stages with rates `N·μ + k·θ`
    /// (service completions plus abandonments ahead), racing their own patience θ: served with
    /// probability `∏ (N·μ + kθ)/(N·μ + (k+1)θ)`, and the time to service, given served, is a sum of
    /// exponentials with rates `N·μ + (k+1)θ`, whose distribution is computed by uniformization.
    /// - Parameters:
    ///   - agents: Servers N.
    ///   - callsPerHour: Arrival rate.
    ///   - handleSeconds: Mean handle time.
    ///   - patienceSeconds: Mean patience (exponential).
    ///   - targetSeconds: Service-level target time.
    /// - Returns: The figures.
    public static func a(agents: Int, callsPerHour: Double, handleSeconds: Double, patienceSeconds: Double,
                         targetSeconds: Double) -> QueueingFigures {
        let lambda = callsPerHour / 3600
        let mu = 1 / handleSeconds
        let theta = 1 / patienceSeconds
        let n = Double(agents)
        // Stationary distribution in log space.
        var logP: [Double] = [0]
        var k = 0
        var maxLog = 0.0
        while true {
            k += 1
            let rate = k <= agents ? Double(k) * mu : n * mu + Double(k - agents) * theta
            let next = logP[k - 1] + log(lambda / rate)
            logP.append(next)
            maxLog = max(maxLog, next)
            if k > agents && next < maxLog - 40 { break }
            if k > agents + 200_000 { break }
        }
        let weights = logP.map { exp($0 - maxLog) }
        let total = weights.reduce(0, +)
        let p = weights.map { $0 / total }
        let queueStates = max(0, p.count - agents)  // j = 0 ..< queueStates
        // Per j: P(served | j), E[S | served, j]; stage rates a_k = Nμ + (k+1)θ.
        var served = [Double](repeating: 0, count: queueStates)
        var meanWait = [Double](repeating: 0, count: queueStates)
        var survive = 1.0
        var sumMeans = 0.0
        for j in 0..<queueStates {
            let progress = n * mu + Double(j) * theta
            survive *= progress / (progress + theta)
            sumMeans += 1 / (progress + theta)
            served[j] = survive
            meanWait[j] = sumMeans
        }
        // P(time to service ≤ T | j) by uniformization of the pure-death chain with rates a_k.
        let within = hypoexponentialCDF(stages: queueStates, rate: { n * mu + Double($0 + 1) * theta }, time: targetSeconds)
        var pServed = 0.0
        var pWithin = 0.0
        var waitSum = 0.0
        var pWait = 0.0
        for state in 0..<p.count {
            if state < agents {
                pServed += p[state]
                pWithin += p[state]
            } else {
                let j = state - agents
                pWait += p[state]
                pServed += p[state] * served[j]
                pWithin += p[state] * served[j] * within[j]
                waitSum += p[state] * served[j] * meanWait[j]
            }
        }
        return QueueingFigures(
            agents: agents, pWait: pWait, asaSeconds: pServed > 0 ? waitSum / pServed : 0,
            serviceLevel: pWithin, abandonRate: 1 - pServed,
            occupancy: min(1, lambda * pServed / (n * mu)))
    }

    /// `P(X_j ≤ t)` for `X_j` = sum of exponentials with rates `rate(0) … rate(j)`, for every j at once.
    static func hypoexponentialCDF(stages: Int, rate: (Int) -> Double, time: Double) -> [Double] {
        guard stages > 0 else { return [] }
        let rates = (0..<stages).map(rate)
        let uniform = rates.max() ?? 1
        let mean = uniform * time
        let steps = Int(mean + 12 * mean.squareRoot() + 30)
        var absorbed = [Double](repeating: 0, count: stages)  // P(absorbed within m steps | j)
        var result = [Double](repeating: 0, count: stages)
        var logWeight = -mean  // log Poisson(m; mean) at m = 0
        for m in 0...steps {
            if m > 0 {
                // Update from the highest j down so absorbed[j-1] is still the previous step's value.
                for j in stride(from: stages - 1, through: 0, by: -1) {
                    let move = rates[j] / uniform
                    let below = j == 0 ? 1.0 : absorbed[j - 1]
                    absorbed[j] = move * below + (1 - move) * absorbed[j]
                }
                logWeight += log(mean) - log(Double(m))
            }
            let weight = exp(logWeight)
            if weight > 0 { for j in 0..<stages { result[j] += weight * absorbed[j] } }
        }
        return result.map { min(1, $0) }
    }
}
