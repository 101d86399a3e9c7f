import ArgumentParser
import Foundation
import HotlineACD

/// `hotline bench acd`: routing decision latency with thousands of agents in hundreds of queues.
struct BenchACDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acd",
        abstract: "Routing latency (p50/p99/max per input) with many agents and queues under load."
    )

    @Option(help: "Agents.")
    var agents = 5_000

    @Option(help: "Queues.")
    var queues = 200

    @Option(name: .customLong("queues-per-agent"), help: "Queues each agent serves.")
    var queuesPerAgent = 3

    @Option(help: "Inputs to time (after warm-up).")
    var inputs = 400_000

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    func validate() throws {
        guard agents > 0, queues > 0, queuesPerAgent > 0, queuesPerAgent <= queues, inputs > 0 else {
            throw ValidationError("agents, queues, queues-per-agent (≤ queues) and inputs must be positive")
        }
    }

    func run() throws {
        var random = SeededRandom(seed: seed)
        var acd = RoutingStateMachine(seed: seed, recordsEvents: true)
        let strategies: [QueueStrategy] = [.longestIdleAgent, .skillsBased, .fewestCalls, .roundRobin, .leastTalkTime,
                                           .linear, .random, .weightedRandom]
        for q in 0..<queues {
            let strategy = strategies[q % strategies.count]
            try acd.addQueue(QueueConfiguration(
                name: "q\(q)", strategy: strategy,
                requiredSkill: strategy == .skillsBased ? SkillRequirement(skill: "s\(q)") : nil,
                escalation: q % 5 == 0 ? [EscalationStep(after: .seconds(20), maximumPenalty: 1)] : [],
                maximumWait: .seconds(600), whenMaximumWait: .voicemail))
        }
        for a in 0..<agents {
            var chosen: [Int] = []
            while chosen.count < queuesPerAgent {
                let q = random.next(below: queues)
                if !chosen.contains(q) { chosen.append(q) }
            }
            var skills: [String: Int] = [:]
            for q in chosen { skills["s\(q)"] = 1 + random.next(below: 5) }
            try acd.addAgent(AgentConfiguration(
                id: AgentID(a), skills: skills,
                memberships: chosen.enumerated().map { QueueMembership(queue: QueueID($1), penalty: $0 == 0 ? 0 : 1, weight: 1 + $0) }))
        }
        var now: Int64 = 0
        var actions: [RoutingAction] = []
        actions.reserveCapacity(64)
        for a in 0..<agents { try acd.handle(.logIn(AgentID(a)), at: Timestamp(microseconds: now), into: &actions) }
        actions.removeAll(keepingCapacity: true)

        var connected: [CallID] = []
        var waiting: [CallID] = []
        var waitingHead = 0
        var isConnected = Set<UInt64>()
        var nextCall: UInt64 = 1
        let busyTarget = agents - agents / 100
        var samples: [Int64] = []
        samples.reserveCapacity(inputs * 2)
        let clock = ContinuousClock()

        func timed(_ input: RoutingInput, record: Bool) throws {
            actions.removeAll(keepingCapacity: true)
            let start = clock.now
            try acd.handle(input, at: Timestamp(microseconds: now), into: &actions)
            let elapsed = clock.now - start
            if record { samples.append(elapsed.components.attoseconds / 1_000_000_000 + elapsed.components.seconds * 1_000_000_000) }
            // Agents answer at once.
            var answers: [(AgentID, CallID)] = []
            for action in actions {
                switch action {
                case .offer(let call, let agent, _): answers.append((agent, call))
                case .overflow(let call, _, _): isConnected.remove(call.rawValue)
                default: break
                }
            }
            for (agent, call) in answers {
                actions.removeAll(keepingCapacity: true)
                let start = clock.now
                try acd.handle(.agentAnswered(agent, call), at: Timestamp(microseconds: now), into: &actions)
                let elapsed = clock.now - start
                if record { samples.append(elapsed.components.attoseconds / 1_000_000_000 + elapsed.components.seconds * 1_000_000_000) }
                connected.append(call)
                isConnected.insert(call.rawValue)
            }
        }

        let warmUp = inputs / 4
        var step = 0
        while step < warmUp + inputs {
            let record = step >= warmUp
            now += 50_000  // 50 ms per step of virtual time
            let call = CallID(nextCall)
            nextCall += 1
            try timed(.callArrived(call, queue: QueueID(random.next(below: queues)), caller: Caller(priority: random.next(below: 10) == 0 ? 5 : 0)), record: record)
            if !isConnected.contains(call.rawValue) { waiting.append(call) }
            step += 1
            if connected.count > busyTarget {
                let i = random.next(below: connected.count)
                let ending = connected[i]
                connected.swapAt(i, connected.count - 1)
                connected.removeLast()
                isConnected.remove(ending.rawValue)
                try timed(.callEnded(ending), record: record)
                step += 1
            }
            // Keep the waiting line bounded: the oldest waiting callers give up.
            while waiting.count - waitingHead > 3_000 {
                let oldest = waiting[waitingHead]
                waitingHead += 1
                if !isConnected.contains(oldest.rawValue), acd.queue(of: oldest) != nil {
                    try timed(.callerHungUp(oldest), record: record)
                    step += 1
                }
            }
            if waitingHead > 100_000 {
                waiting.removeFirst(waitingHead)
                waitingHead = 0
            }
        }
        samples.sort()
        func percentile(_ p: Double) -> Double {
            Double(samples[min(samples.count - 1, Int(Double(samples.count) * p))]) / 1000
        }
        var waitingNow = 0
        for q in 0..<queues { waitingNow += acd.waitingCount(in: QueueID(q)) }
        print("ACD routing latency: \(agents) agents, \(queues) queues, \(queuesPerAgent) queues per agent, events on, 99 % of agents busy")
        print("inputs timed: \(samples.count) (arrivals, answers, call ends, hang-ups); callers waiting at the end: \(waitingNow)")
        print(String(format: "p50 %.2f µs   p99 %.2f µs   p99.9 %.2f µs   max %.2f µs", percentile(0.5), percentile(0.99), percentile(0.999), Double(samples.last ?? 0) / 1000))
    }
}
