import HotlineACD
import HotlineSimulator
import Testing

@Suite("Scenario YAML")
struct ScenarioTests {
    static let minimal = """
        duration: 8h
        seed: 1
        service_level_seconds: 20
        arrivals: { per_hour: 1000 }
        handle_time: { distribution: exponential, mean: 120s }
        queues:
          - name: consult
            strategy: longest-idle
        agents:
          - count: 40
            queues: [consult]
        """

    @Test("the issue's minimal scenario is accepted exactly as written")
    func minimal() throws {
        let scenario = try Scenario(yaml: Self.minimal)
        #expect(scenario.duration == 8 * 3600)
        #expect(scenario.seed == 1)
        #expect(scenario.serviceLevelSeconds == 20)
        #expect(scenario.arrivals == [Scenario.ArrivalPeriod(length: 8 * 3600, perHour: 1000)])
        #expect(scenario.handleTime == .exponential(mean: 120))
        #expect(scenario.queues.map(\.configuration.name) == ["consult"])
        #expect(scenario.queues.first?.configuration.strategy == .longestIdleAgent)
        #expect(scenario.agents.map(\.count) == [40])
        #expect(scenario.agents.first?.memberships == [QueueMembership(queue: QueueID(0))])
        #expect(scenario.patience == nil)
    }

    @Test("a richer scenario: day profile, patience, VIPs, sticky, escalation, overflow, shifts, skills")
    func rich() throws {
        let scenario = try Scenario(yaml: """
            duration: 2h
            start: "08:30"
            interval: 30m
            arrivals: { interval: 30m, per_hour: [600, 1200, 900, 300] }
            handle_time: { distribution: lognormal, mean: 180s, sd: 90s }
            patience: { distribution: exponential, mean: 90s }
            ivr: { distribution: fixed, mean: 20s }
            callers: { vip_share: 0.05, vip_priority: 9, returning_share: 0.2 }
            queues:
              - name: general
                strategy: sticky
                escalation: [{ after: 30s, max_penalty: 1 }]
                max_wait: 5m
                when_max_wait: callback
              - name: vat
                strategy: skills-based
                skill: { name: vat, level: 2 }
                max_length: 20
                when_full: { queue: general }
                when_no_agents: { transfer: "13900000000" }
                wrap_up: 15s
                share: 0.5
                handle_time: { distribution: empirical, values: [60s, 2m, 300] }
            agents:
              - count: 10
                name: senior
                queues: [general, { name: vat, penalty: 1 }]
                skills: { vat: 3 }
                shift: "08:30-10:30"
                wrap_up: 10s
              - count: 5
                queues: [general]
            """)
        #expect(scenario.startOfDay == 8.5 * 3600)
        #expect(scenario.arrivals.map(\.perHour) == [600, 1200, 900, 300])
        #expect(scenario.arrivals.allSatisfy { $0.length == 1800 })
        #expect(scenario.handleTime == .logNormal(mean: 180, standardDeviation: 90))
        #expect(scenario.patience == .exponential(mean: 90))
        #expect(scenario.ivrTime == .fixed(seconds: 20))
        #expect(scenario.vipShare == 0.05 && scenario.vipPriority == 9 && scenario.returningShare == 0.2)
        let general = try #require(scenario.queues.first?.configuration)
        #expect(general.sticky != nil)
        #expect(general.escalation == [EscalationStep(after: .seconds(30), maximumPenalty: 1)])
        #expect(general.maximumWait == .seconds(300))
        #expect(general.whenMaximumWait == .callback)
        let vat = scenario.queues[1]
        #expect(vat.configuration.requiredSkill == SkillRequirement(skill: "vat", minimumLevel: 2))
        #expect(vat.configuration.whenFull == .queue(QueueID(0)))
        #expect(vat.configuration.whenNoAgents == .transfer(number: "13900000000"))
        #expect(vat.handleTime == .empirical([60, 120, 300]))
        #expect(vat.share == 0.5)
        #expect(scenario.agents[0].memberships == [QueueMembership(queue: QueueID(0)), QueueMembership(queue: QueueID(1), penalty: 1)])
        #expect(scenario.agents[0].shift?.start == 0 && scenario.agents[0].shift?.end == 7200)
        #expect(scenario.agents[0].wrapUp == 10)
        let report = try Simulation.run(scenario)
        #expect(report.total.offered > 0)
        #expect(report.intervals.map(\.start) == ["08:30", "09:00", "09:30", "10:00"])
    }

    @Test("mistakes are reported with line and column", arguments: [
        ("duration: 8h\nseed: 1\nbogus: 3\n", "line 3"),
        ("duration: 8x\n", "line 1, column 11"),
        ("duration: 1h\narrivals: { per_hour: 10 }\nhandle_time: { distribution: weibull, mean: 1s }\nqueues: [{name: a}]\nagents: [{count: 1, queues: [a]}]\n", "unknown distribution"),
        ("duration: 1h\narrivals: { per_hour: 10 }\nhandle_time: { mean: 60s }\nqueues:\n  - name: a\n    strategy: fastest\nagents: [{count: 1, queues: [a]}]\n", "line 6"),
        ("duration: 1h\narrivals: { per_hour: 10 }\nhandle_time: { mean: 60s }\nqueues: [{name: a}]\nagents:\n  - count: 1\n    queues: [b]\n", "no queue named \"b\""),
        ("duration: 1h\narrivals: { per_hour: 10 }\nhandle_time: { mean: 60s }\nqueues: [{name: a}]\n", "needs \"agents\""),
        ("duration: [1h\n", "not valid YAML"),
        ("duration: inf\n", "finite"),
        ("duration: 1h\narrivals: { per_hour: 10 }\nhandle_time: { mean: 60s }\nqueues: [{name: a}]\nagents:\n  - count: -1\n    queues: [a]\n", "line 6, column 12"),
    ])
    func errors(yaml: String, expected: String) {
        do {
            _ = try Scenario(yaml: yaml)
            Issue.record("accepted a bad scenario")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }
}
