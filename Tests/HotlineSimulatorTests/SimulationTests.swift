import Foundation
import HotlineACD
import HotlineSimulator
import Testing

@Suite("Simulator")
struct SimulationTests {
    /// Mean and standard error over independent replications (different seeds).
    static func replicate(_ count: Int, _ scenario: Scenario, _ metric: (Figures) -> Double) throws -> (mean: Double, standardError: Double) {
        var values: [Double] = []
        for r in 0..<count {
            values.append(metric(try Simulation.run(scenario, seed: 1000 + UInt64(r)).total))
        }
        let mean = values.reduce(0, +) / Double(count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count - 1)
        return (mean, (variance / Double(count)).squareRoot())
    }

    @Test("M/M/N agrees with Erlang C within sampling error (10 replications × ~12,000 calls, |Δ| < 4 SE)",
          arguments: [(20, 0.85), (10, 0.70), (30, 0.95)])
    func agreesWithErlangC(agents: Int, occupancy: Double) throws {
        let aht = 60.0
        let rate = occupancy * Double(agents) / aht * 3600
        let scenario = Staffing.scenario(agents: agents, callsPerHour: rate, handleSeconds: aht, targetSeconds: 20,
                                         patienceSeconds: nil, calls: 12_000, seed: 1)
        let theory = Erlang.c(agents: agents, callsPerHour: rate, handleSeconds: aht, targetSeconds: 20)
        var runs: [Figures] = []
        for r in 0..<10 { runs.append(try Simulation.run(scenario, seed: 1000 + UInt64(r)).total) }
        for (name, metric, expected) in [
            ("p_wait", { (f: Figures) in f.pWait }, theory.pWait),
            ("asa_seconds", { (f: Figures) in f.asaSeconds }, theory.asaSeconds),
            ("service_level", { (f: Figures) in f.serviceLevel }, theory.serviceLevel),
        ] as [(String, (Figures) -> Double, Double)] {
            let values = runs.map(metric)
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
            let standardError = (variance / Double(values.count)).squareRoot()
            #expect(abs(mean - expected) < 4 * standardError, "\(name): simulated \(mean) ± \(standardError), Erlang C \(expected)")
        }
        #expect(runs.allSatisfy { $0.abandoned == 0 && $0.answered == $0.offered })
    }

    @Test("with exponential patience the simulated abandon rate and service level agree with Erlang A (|Δ| < 4 SE)")
    func agreesWithErlangA() throws {
        let scenario = Staffing.scenario(agents: 18, callsPerHour: 1100, handleSeconds: 60, targetSeconds: 20,
                                         patienceSeconds: 45, calls: 10_000, seed: 1)
        let theory = Erlang.a(agents: 18, callsPerHour: 1100, handleSeconds: 60, patienceSeconds: 45, targetSeconds: 20)
        let abandon = try Self.replicate(10, scenario) { $0.abandonRate }
        let serviceLevel = try Self.replicate(10, scenario) { $0.serviceLevel }
        #expect(abs(abandon.mean - theory.abandonRate) < 4 * abandon.standardError, "\(abandon) vs \(theory.abandonRate)")
        #expect(abs(serviceLevel.mean - theory.serviceLevel) < 4 * serviceLevel.standardError, "\(serviceLevel) vs \(theory.serviceLevel)")
    }

    @Test("the same seed gives the same report; another seed another")
    func deterministic() throws {
        let scenario = try Scenario(yaml: ScenarioTests.minimal)
        let first = try Simulation.run(scenario)
        #expect(try Simulation.run(scenario) == first)
        #expect(try Simulation.run(scenario, seed: 2) != first)
        #expect(first.agents.reduce(0) { $0 + $1.calls } == first.total.answered)
        #expect(first.intervals.reduce(0) { $0 + $1.figures.offered } == first.total.offered)
    }

    @Test("the JSON report has a total object with the issue's keys")
    func jsonKeys() throws {
        let report = try Simulation.run(try Scenario(yaml: ScenarioTests.minimal.replacingOccurrences(of: "8h", with: "1h")))
        let data = try JSONEncoder().encode(report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let total = try #require(object["total"] as? [String: Any])
        for key in ["offered", "answered", "abandoned", "p_wait", "asa_seconds", "service_level", "abandon_rate", "occupancy", "max_wait_seconds"] {
            #expect(total[key] != nil, "missing \(key)")
        }
        let queues = try #require(object["queues"] as? [[String: Any]])
        #expect(queues.first?["name"] as? String == "consult")
        #expect(queues.first?["service_level"] != nil)
        let intervals = try #require(object["intervals"] as? [[String: Any]])
        #expect(intervals.count == 2)
        #expect(intervals.first?["start"] as? String == "00:00")
        let agents = try #require(object["agents"] as? [[String: Any]])
        #expect(agents.count == 40)
        #expect(agents.first?["talk_seconds"] != nil && agents.first?["calls"] != nil)
    }

    @Test("agents work only their shift; waiting callers overflow at the maximum wait")
    func shiftsAndOverflow() throws {
        let report = try Simulation.run(try Scenario(yaml: """
            duration: 2h
            start: "08:00"
            interval: 1h
            arrivals: { per_hour: 120 }
            handle_time: { distribution: fixed, mean: 60s }
            queues:
              - name: q
                max_wait: 10m
                when_max_wait: voicemail
            agents:
              - count: 3
                queues: [q]
                shift: "09:00-10:00"
            """))
        let early = report.intervals[0].figures
        let late = report.intervals[1].figures
        #expect(early.occupancy == 0)
        #expect(early.overflowed > 0)
        #expect(early.serviceLevel < late.serviceLevel)
        #expect(late.occupancy > 0.3)
        #expect(report.total.answered + report.total.overflowed + report.total.abandoned == report.total.offered)
    }

    @Test("VIP callers are served first: their ASA and service level beat the regular callers'")
    func vipServedFirst() throws {
        var scenario = Staffing.scenario(agents: 10, callsPerHour: 540, handleSeconds: 60, targetSeconds: 20,
                                         patienceSeconds: nil, calls: 20_000, seed: 5)
        scenario.vipShare = 0.2
        let report = try Simulation.run(scenario)
        let classes = Dictionary(uniqueKeysWithValues: report.callerClasses.map { ($0.name, $0.figures) })
        let regular = try #require(classes["regular"])
        let priority = try #require(classes["priority"])
        #expect(regular.offered + priority.offered == report.total.offered)
        #expect(Double(priority.offered) / Double(report.total.offered) > 0.18)
        #expect(priority.asaSeconds < regular.asaSeconds / 2)
        #expect(priority.serviceLevel > regular.serviceLevel)
        #expect(try Simulation.run(Staffing.scenario(agents: 10, callsPerHour: 540, handleSeconds: 60, targetSeconds: 20,
                                                     patienceSeconds: nil, calls: 1_000, seed: 5)).callerClasses.isEmpty)
    }
}
