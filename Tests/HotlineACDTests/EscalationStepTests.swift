import HotlineACD
import Testing

@Suite("Penalty escalation by waiting time")
struct EscalationStepTests {
    @Test("a caller reaches the penalty-1 tier only after 30 s")
    func widensAfterWaiting() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", escalation: [EscalationStep(after: .seconds(30), maximumPenalty: 1)]))
        try h.agent(1, [member(q, penalty: 0)])
        try h.agent(2, [member(q, penalty: 1)])
        h.at(0)
        #expect(try h.arrive(1, q) == [AgentID(1)])
        try h.send(.agentAnswered(AgentID(1), CallID(1)))
        h.at(1)
        #expect(try h.arrive(2, q).isEmpty)  // agent 2 is ready but penalty 1
        #expect(offers(h.advance(to: 30.9)).isEmpty)
        let escalated = offered(h.advance(to: 31))
        #expect(escalated.map(\.agent) == [AgentID(2)])
        #expect(escalated.map(\.call) == [CallID(2)])
    }

    @Test("a penalty-1 agent who becomes ready does not take a caller who has not waited long enough")
    func readyAgentRespectsPenalty() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", escalation: [
            EscalationStep(after: .seconds(20), maximumPenalty: 1), EscalationStep(after: .seconds(60), maximumPenalty: 2),
        ]))
        try h.agent(1, [member(q, penalty: 0)])
        try h.agent(3, [member(q, penalty: 2)], logIn: false)
        try h.arrive(1, q)
        try h.send(.agentAnswered(AgentID(1), CallID(1)))
        h.at(10)
        try h.arrive(2, q)
        h.at(40)
        #expect(offers(try h.send(.logIn(AgentID(3)))).isEmpty)  // waited 30 s: penalty ≤ 1 only
        let late = offered(h.advance(to: 70))
        #expect(late.map(\.agent) == [AgentID(3)])
    }
}
