import ArgumentParser
import Foundation
import HotlineACD
import HotlineSimulator

/// `hotline staffing`: agents needed by Erlang C (or Erlang A with patience), confirmed by simulation.
struct StaffingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staffing",
        abstract: "Agents needed for a service-level target (Erlang C/A), confirmed by simulation through the real ACD."
    )

    @Option(name: .customLong("calls-per-hour"), help: "Arrival rate (calls per hour).")
    var callsPerHour: Double?

    @Option(help: "Average handle time in seconds (talk + wrap-up).")
    var aht: Double

    @Option(name: .customLong("target-sl"), help: "Service-level target as a fraction, e.g. 0.8.")
    var targetSL: Double = 0.8

    @Option(name: .customLong("target-seconds"), help: "Service-level target time in seconds.")
    var targetSeconds: Double = 20

    @Option(help: "Mean caller patience in seconds (exponential); uses Erlang A.")
    var patience: Double?

    @Option(help: "Evaluate this staffing level instead of searching for the smallest sufficient one.")
    var agents: Int?

    @Option(help: ArgumentHelp("A day's forecast: CSV lines HH:MM,calls (calls per interval).", valueName: "FILE"))
    var forecast: String?

    @Option(help: "Forecast interval length in minutes.")
    var interval: Int = 30

    @Option(name: .customLong("simulated-calls"), help: "About how many calls the confirming simulation runs.")
    var simulatedCalls: Int = 200_000

    @Option(help: "Random seed for the simulation.")
    var seed: UInt64 = 1

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard aht > 0 else { throw ValidationError("--aht must be positive") }
        guard targetSL > 0 && targetSL < 1 else { throw ValidationError("--target-sl is a fraction between 0 and 1, e.g. 0.8") }
        guard targetSeconds >= 0 else { throw ValidationError("--target-seconds must not be negative") }
        if let patience, patience <= 0 { throw ValidationError("--patience must be positive") }
        if let agents, agents <= 0 { throw ValidationError("--agents must be positive") }
        guard interval > 0 else { throw ValidationError("--interval must be positive") }
        guard simulatedCalls > 0 else { throw ValidationError("--simulated-calls must be positive") }
        if forecast == nil {
            guard let callsPerHour, callsPerHour > 0 else {
                throw ValidationError("give --calls-per-hour R (or --forecast FILE)")
            }
        }
    }

    func run() throws {
        if let forecast {
            try runForecast(forecast)
            return
        }
        let rate = callsPerHour ?? 0
        let figures = agents.map {
            Staffing.figures(agents: $0, callsPerHour: rate, handleSeconds: aht, targetSeconds: targetSeconds, patienceSeconds: patience)
        } ?? Staffing.required(callsPerHour: rate, handleSeconds: aht, targetServiceLevel: targetSL,
                               targetSeconds: targetSeconds, patienceSeconds: patience)
        let scenario = Staffing.scenario(agents: figures.agents, callsPerHour: rate, handleSeconds: aht,
                                         targetSeconds: targetSeconds, patienceSeconds: patience,
                                         calls: simulatedCalls, seed: seed)
        let report = try runSimulation(scenario)
        let simulated = SimulatedFigures(report.total, agents: figures.agents)
        if json {
            try printJSON(StaffingOutput(model: patience == nil ? "erlang-c" : "erlang-a", figures: figures, simulated: simulated))
            return
        }
        let model = patience == nil ? "Erlang C" : "Erlang A (patience \(fmt(patience ?? 0, 0)) s)"
        print("\(fmt(rate, 0)) calls/h × \(fmt(aht, 0)) s = \(fmt(rate * aht / 3600, 2)) erlangs; target \(fmt(targetSL * 100, 0)) % in \(fmt(targetSeconds, 0)) s")
        print(agents == nil ? "Agents needed (\(model)): \(figures.agents)" : "Agents given: \(figures.agents) (\(model))")
        print("")
        print("                 p_wait   ASA s    SL       abandon  occupancy")
        print("model            \(pct(figures.pWait))  \(fmt(figures.asaSeconds, 1).padded(7))  \(pct(figures.serviceLevel))  \(pct(figures.abandonRate))  \(pct(figures.occupancy))")
        print("simulated        \(pct(simulated.pWait))  \(fmt(simulated.asaSeconds, 1).padded(7))  \(pct(simulated.serviceLevel))  \(pct(simulated.abandonRate))  \(pct(simulated.occupancy))")
        print("")
        print("Simulation: \(simulated.calls) calls through the real ACD (seed \(seed)).")
    }

    func runForecast(_ path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SimulationFailure("cannot read \(path): \(error.localizedDescription)")
        }
        var rows: [(start: String, minutes: Int, calls: Double)] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if rows.isEmpty && fields.first.map({ Double($0) == nil && !$0.contains(":") }) == true { continue }  // header
            let parts = fields.first?.split(separator: ":") ?? []
            guard fields.count == 2, parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
                  (0..<48).contains(h), (0..<60).contains(m), let calls = Double(fields[1]), calls >= 0 else {
                throw SimulationFailure("\(path), line \(number + 1): expected HH:MM,calls (e.g. 08:30,420), found \"\(line)\"")
            }
            rows.append((fields[0], h * 60 + m, calls))
        }
        guard !rows.isEmpty else { throw SimulationFailure("\(path): no forecast rows (expected lines HH:MM,calls)") }
        for i in 1..<max(1, rows.count) where rows[i].minutes != rows[i - 1].minutes + interval {
            throw SimulationFailure("\(path): row \(rows[i].start) does not follow \(rows[i - 1].start) by \(interval) minutes")
        }
        let perHourFactor = 60 / Double(interval)
        var plan: [IntervalPlan] = []
        for row in rows {
            let rate = row.calls * perHourFactor
            let figures = Staffing.required(callsPerHour: rate, handleSeconds: aht, targetServiceLevel: targetSL,
                                            targetSeconds: targetSeconds, patienceSeconds: patience)
            plan.append(IntervalPlan(start: row.start, calls: row.calls, agents: figures.agents, figures: figures, simulated: nil))
        }
        // Confirm the whole day at once: each interval's agents log in for that interval only.
        let length = Double(interval * 60)
        var scenario = Scenario(
            duration: length * Double(rows.count), seed: seed, serviceLevelSeconds: targetSeconds,
            arrivals: rows.map { Scenario.ArrivalPeriod(length: length, perHour: $0.calls * perHourFactor) },
            handleTime: .exponential(mean: aht),
            queues: [Scenario.QueueSpec(configuration: .init(name: "queue", expectedHandleTime: .seconds(aht)))],
            agents: plan.enumerated().map { k, p in
                Scenario.AgentGroup(count: p.agents, name: "i\(k)", memberships: [.init(queue: .init(0))],
                                    shift: (Double(k) * length, Double(k + 1) * length))
            })
        scenario.startOfDay = Double(rows[0].minutes * 60)
        scenario.interval = length
        if let patience { scenario.patience = .exponential(mean: patience) }
        let report = try runSimulation(scenario)
        for k in plan.indices where k < report.intervals.count {
            plan[k].simulated = SimulatedFigures(report.intervals[k].figures, agents: plan[k].agents)
        }
        let agentHours = Double(plan.reduce(0) { $0 + $1.agents }) * Double(interval) / 60
        if json {
            try printJSON(ForecastOutput(intervals: plan, agentHours: agentHours, simulatedTotal: SimulatedFigures(report.total, agents: 0)))
            return
        }
        print("interval  calls  agents  SL model  SL sim   ASA sim  abandon sim")
        for p in plan {
            let s = p.simulated
            print("\(p.start.padded(8))  \(fmt(p.calls, 0).padded(5))  \(String(p.agents).padded(6))  \(pct(p.figures.serviceLevel))  \(s.map { pct($0.serviceLevel) } ?? "-")  \(s.map { fmt($0.asaSeconds, 1).padded(7) } ?? "-")  \(s.map { pct($0.abandonRate) } ?? "-")")
        }
        print("")
        let sl = fmt(report.total.serviceLevel * 100, 1)
        let abandoned = fmt(report.total.abandonRate * 100, 1)
        print("Agent hours: \(fmt(agentHours, 1)); simulated day: SL \(sl) %, ASA \(fmt(report.total.asaSeconds, 1)) s, abandoned \(abandoned) %.")
    }

    func runSimulation(_ scenario: Scenario) throws -> SimulationReport {
        do {
            return try Simulation.run(scenario)
        } catch {
            throw SimulationFailure(error.message)
        }
    }

    func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // An overloaded queue (Erlang C with agents ≤ load) has an unbounded ASA.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

struct SimulatedFigures: Encodable {
    var agents: Int
    var calls: Int
    var pWait: Double
    var asaSeconds: Double
    var serviceLevel: Double
    var abandonRate: Double
    var occupancy: Double

    init(_ figures: Figures, agents: Int) {
        self.agents = agents
        calls = figures.offered
        pWait = figures.pWait
        asaSeconds = figures.asaSeconds
        serviceLevel = figures.serviceLevel
        abandonRate = figures.abandonRate
        occupancy = figures.occupancy
    }

    enum CodingKeys: String, CodingKey {
        case agents, calls, occupancy
        case pWait = "p_wait"
        case asaSeconds = "asa_seconds"
        case serviceLevel = "service_level"
        case abandonRate = "abandon_rate"
    }
}

struct StaffingOutput: Encodable {
    var model: String
    var figures: QueueingFigures
    var simulated: SimulatedFigures

    enum CodingKeys: String, CodingKey {
        case model, agents, simulated, occupancy
        case pWait = "p_wait"
        case asaSeconds = "asa_seconds"
        case serviceLevel = "service_level"
        case abandonRate = "abandon_rate"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(figures.agents, forKey: .agents)
        try c.encode(figures.pWait, forKey: .pWait)
        try c.encode(figures.asaSeconds, forKey: .asaSeconds)
        try c.encode(figures.serviceLevel, forKey: .serviceLevel)
        try c.encode(figures.abandonRate, forKey: .abandonRate)
        try c.encode(figures.occupancy, forKey: .occupancy)
        try c.encode(simulated, forKey: .simulated)
    }
}

struct IntervalPlan: Encodable {
    var start: String
    var calls: Double
    var agents: Int
    var figures: QueueingFigures
    var simulated: SimulatedFigures?

    enum CodingKeys: String, CodingKey {
        case start, calls, agents, simulated
        case serviceLevel = "service_level"
        case pWait = "p_wait"
        case asaSeconds = "asa_seconds"
        case abandonRate = "abandon_rate"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(start, forKey: .start)
        try c.encode(calls, forKey: .calls)
        try c.encode(agents, forKey: .agents)
        try c.encode(figures.pWait, forKey: .pWait)
        try c.encode(figures.asaSeconds, forKey: .asaSeconds)
        try c.encode(figures.serviceLevel, forKey: .serviceLevel)
        try c.encode(figures.abandonRate, forKey: .abandonRate)
        try c.encodeIfPresent(simulated, forKey: .simulated)
    }
}

struct ForecastOutput: Encodable {
    var intervals: [IntervalPlan]
    var agentHours: Double
    var simulatedTotal: SimulatedFigures

    enum CodingKeys: String, CodingKey {
        case intervals
        case agentHours = "agent_hours"
        case simulatedTotal = "simulated"
    }
}

private func fmt(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
private func pct(_ value: Double) -> String { (String(format: "%.1f", value * 100) + " %").padded(7) }

extension String {
    fileprivate func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
