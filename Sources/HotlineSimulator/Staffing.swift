import HotlineACD

/// How many agents a queue needs, by Erlang C or Erlang A, confirmed by simulation.
public enum Staffing {
    /// The smallest staffing level meeting a service-level target.
    /// - Parameters:
    ///   - callsPerHour: Arrival rate.
    ///   - handleSeconds: Mean handle time.
    ///   - targetServiceLevel: Fraction to answer within the target (e.g. 0.8).
    ///   - targetSeconds: Target time (e.g. 20).
    ///   - patienceSeconds: Mean patience; `nil` uses Erlang C (nobody abandons), else Erlang A.
    /// - Returns: The figures at the smallest sufficient staffing level.
    public static func required(callsPerHour: Double, handleSeconds: Double, targetServiceLevel: Double,
                                targetSeconds: Double, patienceSeconds: Double? = nil) -> QueueingFigures {
        let load = callsPerHour * handleSeconds / 3600
        if callsPerHour <= 0 {
            return QueueingFigures(agents: 0, pWait: 0, asaSeconds: 0, serviceLevel: 1, abandonRate: 0, occupancy: 0)
        }
        var agents = patienceSeconds == nil ? max(1, Int(load.rounded(.down)) + 1) : 1
        while true {
            let figures = figures(agents: agents, callsPerHour: callsPerHour, handleSeconds: handleSeconds,
                                  targetSeconds: targetSeconds, patienceSeconds: patienceSeconds)
            if figures.serviceLevel >= targetServiceLevel || agents > 100_000 { return figures }
            agents += 1
        }
    }

    /// Erlang C or A figures for a given staffing level.
    /// - Parameters:
    ///   - agents: Staffing level.
    ///   - callsPerHour: Arrival rate.
    ///   - handleSeconds: Mean handle time.
    ///   - targetSeconds: Target time.
    ///   - patienceSeconds: Mean patience, or `nil` for Erlang C.
    /// - Returns: The figures.
    public static func figures(agents: Int, callsPerHour: Double, handleSeconds: Double, targetSeconds: Double,
                               patienceSeconds: Double?) -> QueueingFigures {
        if let patienceSeconds {
            return Erlang.a(agents: agents, callsPerHour: callsPerHour, handleSeconds: handleSeconds,
                            patienceSeconds: patienceSeconds, targetSeconds: targetSeconds)
        }
        return Erlang.c(agents: agents, callsPerHour: callsPerHour, handleSeconds: handleSeconds, targetSeconds: targetSeconds)
    }

    /// The single-queue scenario behind the figures: Poisson arrivals, exponential handle time
    /// (and exponential patience), one queue with the longest-idle strategy.
    /// - Parameters:
    ///   - agents: Staffing level.
    ///   - callsPerHour: Arrival rate.
    ///   - handleSeconds: Mean handle time.
    ///   - targetSeconds: Target time.
    ///   - patienceSeconds: Mean patience, or `nil`.
    ///   - calls: About how many calls to simulate (sets the duration).
    ///   - seed: Random seed.
    /// - Returns: The scenario.
    public static func scenario(agents: Int, callsPerHour: Double, handleSeconds: Double, targetSeconds: Double,
                                patienceSeconds: Double?, calls: Int, seed: UInt64) -> Scenario {
        let duration = max(3600, Double(calls) / callsPerHour * 3600)
        var scenario = Scenario(
            duration: duration, seed: seed, serviceLevelSeconds: targetSeconds,
            arrivals: [Scenario.ArrivalPeriod(length: duration, perHour: callsPerHour)],
            handleTime: .exponential(mean: handleSeconds),
            queues: [Scenario.QueueSpec(configuration: QueueConfiguration(name: "queue", expectedHandleTime: .seconds(handleSeconds)))],
            agents: [Scenario.AgentGroup(count: agents, memberships: [QueueMembership(queue: QueueID(0))])])
        scenario.interval = scenario.duration
        if let patienceSeconds { scenario.patience = .exponential(mean: patienceSeconds) }
        return scenario
    }
}
