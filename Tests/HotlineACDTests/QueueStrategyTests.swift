import HotlineACD
import Testing

@Suite("Queue strategies, with a manual clock")
struct QueueStrategyTests {
    @Test("longest idle: the agent ready the longest gets the call; after a call the agent goes to the back")
    func longestIdle() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "consult", strategy: .longestIdleAgent))
        h.at(0); try h.agent(2, [member(q)])
        h.at(1); try h.agent(1, [member(q)])
        h.at(2); try h.agent(3, [member(q)])
        h.at(10)
        #expect(try h.arrive(1, q) == [AgentID(2)])
        try h.serve(1, by: 2, talk: 5)
        h.at(20)
        #expect(try h.arrive(2, q) == [AgentID(1)])
        #expect(try h.arrive(3, q) == [AgentID(3)])
        #expect(try h.arrive(4, q) == [AgentID(2)])
    }

    @Test("linear: always the first ready agent in member order")
    func linear() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", strategy: .linear))
        try h.agent(30, [member(q)], logIn: false)
        try h.agent(10, [member(q)], logIn: false)
        try h.agent(20, [member(q)], logIn: false)
        try h.send(.logIn(AgentID(20)))
        try h.send(.logIn(AgentID(10)))
        try h.send(.logIn(AgentID(30)))
        #expect(try h.arrive(1, q) == [AgentID(30)])
        try h.serve(1, by: 30, talk: 1)
        #expect(try h.arrive(2, q) == [AgentID(30)])
        #expect(try h.arrive(3, q) == [AgentID(10)])
    }

    @Test("round robin remembers where the last call went")
    func roundRobin() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", strategy: .roundRobin))
        for id in 1...3 { try h.agent(id, [member(q)]) }
        var sequence: [Int] = []
        for call in UInt64(1)...7 {
            let agent = try #require(try h.arrive(call, q).first)
            sequence.append(agent.rawValue)
            try h.serve(call, by: agent.rawValue, talk: 1)
        }
        #expect(sequence == [1, 2, 3, 1, 2, 3, 1])
    }

    @Test("fewest calls: the agent who answered fewest calls of this queue")
    func fewestCalls() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", strategy: .fewestCalls))
        for id in 1...3 { try h.agent(id, [member(q)], logIn: false) }
        try h.send(.logIn(AgentID(1)))
        // Agent 1 takes two calls alone, then 2 logs in and takes one, then 3 logs in.
        try h.arrive(1, q); try h.serve(1, by: 1, talk: 1)
        try h.arrive(2, q); try h.serve(2, by: 1, talk: 1)
        try h.send(.logIn(AgentID(2)))
        #expect(try h.arrive(3, q) == [AgentID(2)])
        try h.serve(3, by: 2, talk: 1)
        try h.send(.logIn(AgentID(3)))
        #expect(try h.arrive(4, q) == [AgentID(3)])
        #expect(try h.arrive(5, q) == [AgentID(2)])
        #expect(try h.arrive(6, q) == [AgentID(1)])
    }

    @Test("least talk time: the agent with the least talk time on this queue")
    func leastTalkTime() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", strategy: .leastTalkTime))
        for id in 1...2 { try h.agent(id, [member(q)]) }
        // Agent 1 (idle longest) gets a long call, agent 2 a short one.
        h.at(1)
        #expect(try h.arrive(1, q) == [AgentID(1)])
        #expect(try h.arrive(2, q) == [AgentID(2)])
        try h.send(.agentAnswered(AgentID(1), CallID(1)))
        try h.send(.agentAnswered(AgentID(2), CallID(2)))
        h.at(11); try h.send(.callEnded(CallID(2)))   // 10 s
        h.at(301); try h.send(.callEnded(CallID(1)))  // 300 s
        // Both ready; agent 2 became ready first but 1 has more talk time either way; now a call:
        #expect(try h.arrive(3, q) == [AgentID(2)])
        try h.serve(3, by: 2, talk: 100)  // agent 2 now 110 s, still less than 300 s
        #expect(try h.arrive(4, q) == [AgentID(2)])
    }

    @Test("random is seeded: the same seed gives the same choices, and every agent gets calls")
    func random() throws {
        func run(seed: UInt64) throws -> [Int] {
            var h = Harness(seed: seed)
            let q = try h.queue(QueueConfiguration(name: "q", strategy: .random))
            for id in 1...4 { try h.agent(id, [member(q)]) }
            var chosen: [Int] = []
            for call in UInt64(1)...200 {
                let agent = try #require(try h.arrive(call, q).first)
                chosen.append(agent.rawValue)
                try h.serve(call, by: agent.rawValue)
            }
            return chosen
        }
        let first = try run(seed: 42)
        #expect(try run(seed: 42) == first)
        #expect(Set(first) == [1, 2, 3, 4])
        #expect(try run(seed: 43) != first)
    }

    @Test("weighted random follows the weights (9:1 over 4,000 calls, tolerance 6 standard errors)")
    func weightedRandom() throws {
        var h = Harness(seed: 3)
        let q = try h.queue(QueueConfiguration(name: "q", strategy: .weightedRandom))
        try h.agent(1, [member(q, weight: 9)])
        try h.agent(2, [member(q, weight: 1)])
        var heavy = 0
        let n = 4000
        for call in 1...n {
            let agent = try #require(try h.arrive(UInt64(call), q).first)
            if agent == AgentID(1) { heavy += 1 }
            try h.serve(UInt64(call), by: agent.rawValue)
        }
        let share = Double(heavy) / Double(n)
        let standardError = (0.9 * 0.1 / Double(n)).squareRoot()
        #expect(abs(share - 0.9) < 6 * standardError)
    }

    @Test("skills-based: highest level first, equal levels by longest idle")
    func skillsBased() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "vat", strategy: .skillsBased,
                                               requiredSkill: SkillRequirement(skill: "vat", minimumLevel: 1)))
        h.at(0); try h.agent(1, [member(q)], skills: ["vat": 1])
        h.at(1); try h.agent(2, [member(q)], skills: ["vat": 3])
        h.at(2); try h.agent(3, [member(q)], skills: ["vat": 2])
        h.at(3); try h.agent(4, [member(q)], skills: ["vat": 3])
        #expect(try h.arrive(1, q) == [AgentID(2)])
        #expect(try h.arrive(2, q) == [AgentID(4)])
        #expect(try h.arrive(3, q) == [AgentID(3)])
        #expect(try h.arrive(4, q) == [AgentID(1)])
    }

    @Test("an agent without the queue's skill level is refused")
    func skillRequired() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "vat", requiredSkill: SkillRequirement(skill: "vat", minimumLevel: 2)))
        #expect(throws: RoutingError.self) { try h.agent(1, [member(q)], skills: ["vat": 1]) }
    }

    @Test("ring-all rings every ready agent; the first to answer wins, the others stop ringing")
    func ringAll() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", strategy: .ringAll))
        for id in 1...3 { try h.agent(id, [member(q)]) }
        #expect(Set(try h.arrive(1, q)) == [AgentID(1), AgentID(2), AgentID(3)])
        let answer = try h.send(.agentAnswered(AgentID(2), CallID(1)))
        let stopped = answer.compactMap { if case .stopRinging(_, let a) = $0 { a } else { nil } }
        #expect(Set(stopped) == [AgentID(1), AgentID(3)])
        #expect(answer.contains(.connect(CallID(1), agent: AgentID(2))))
        #expect(h.acd.state(of: AgentID(1)) == .ready)
        #expect(h.acd.state(of: AgentID(2)) == .onCall(CallID(1)))
        #expect(Set(try h.arrive(2, q)) == [AgentID(1), AgentID(3)])
    }

    @Test("VIP callers are served first, whatever the arrival order")
    func priority() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q"))
        try h.agent(1, [member(q)])
        h.at(0); try h.arrive(1, q)  // agent 1 busy with call 1
        try h.send(.agentAnswered(AgentID(1), CallID(1)))
        h.at(1); try h.arrive(2, q)
        h.at(2); try h.arrive(3, q, priority: 10)
        h.at(3)
        let next = offered(try h.send(.callEnded(CallID(1))))
        #expect(next.map(\.call) == [CallID(3)])
    }

    @Test("an agent in two queues takes the longest-waiting caller across them")
    func crossQueueFairness() throws {
        for earlierInSecond in [false, true] {
            var h = Harness()
            let a = try h.queue(QueueConfiguration(name: "a"))
            let b = try h.queue(QueueConfiguration(name: "b"))
            try h.agent(1, [member(a), member(b)])
            h.at(0); try h.arrive(1, a); try h.send(.agentAnswered(AgentID(1), CallID(1)))
            h.at(5); try h.arrive(earlierInSecond ? 3 : 2, earlierInSecond ? b : a)
            h.at(6); try h.arrive(earlierInSecond ? 2 : 3, earlierInSecond ? a : b)
            h.at(9)
            let next = offered(try h.send(.callEnded(CallID(1))))
            // Call arriving at t = 5 waited longest, whichever queue it is in.
            #expect(next.map(\.call) == [CallID(earlierInSecond ? 3 : 2)])
        }
    }

    @Test("lower penalty tier is preferred when both tiers have ready agents")
    func penaltyTiers() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q"))
        try h.agent(1, [member(q, penalty: 1)])
        h.at(5); try h.agent(2, [member(q, penalty: 0)])
        #expect(try h.arrive(1, q) == [AgentID(2)])
        #expect(try h.arrive(2, q) == [AgentID(1)])
    }
}

@Suite("Ring-all timeouts")
struct RingAllTimeoutTests {
    @Test("after a ring timeout the call rings at all agents again; unanswered offers count for each")
    func ringsAllAgain() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", strategy: .ringAll, ringTimeout: .seconds(20)))
        for id in 1...3 { try h.agent(id, [member(q)], maximumUnanswered: 2) }
        #expect(Set(try h.arrive(1, q)) == [AgentID(1), AgentID(2), AgentID(3)])
        let again = h.advance(to: 20)
        #expect(Set(offers(again)) == [AgentID(1), AgentID(2), AgentID(3)])
        let third = h.advance(to: 40)  // second miss: everyone is set not ready
        #expect(offers(third).isEmpty)
        for id in 1...3 { #expect(h.acd.state(of: AgentID(id)) == .notReady(reason: "no-answer")) }
        #expect(h.acd.waitingCount(in: q) == 1)
    }
}
