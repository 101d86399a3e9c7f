import HotlineACD
import Testing

@Suite("Sticky (first-responsible) routing")
struct StickyRoutingTests {
    /// Queue with sticky routing (window 1 h, wait limit 30 s); agent 1 served caller "13800000001" at t = 0…60.
    func setUp() throws -> (Harness, QueueID) {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(
            name: "q", strategy: .longestIdleAgent,
            sticky: StickyRouting(window: .seconds(3600), waitLimit: .seconds(30))))
        h.at(0)
        try h.agent(1, [member(q)])
        h.at(1)
        try h.agent(2, [member(q)])
        #expect(try h.arrive(1, q, number: "13800000001") == [AgentID(1)])
        try h.serve(1, by: 1, talk: 60)
        return (h, q)
    }

    @Test("a returning caller goes to the agent who served them, though another agent idled longer")
    func returningCallerGetsSameAgent() throws {
        var (h, q) = try setUp()
        h.at(600)
        #expect(try h.arrive(2, q, number: "13800000001") == [AgentID(1)])
        #expect(try h.arrive(3, q, number: "13800000002") == [AgentID(2)])
    }

    @Test("the caller waits for their busy agent, while other agents take other callers")
    func waitsForBusyAgent() throws {
        var (h, q) = try setUp()
        h.at(100)
        #expect(try h.arrive(2, q, number: "13900000000") == [AgentID(2)])  // agent 2 idled longer
        try h.send(.agentAnswered(AgentID(2), CallID(2)))
        #expect(try h.arrive(3, q, number: "13900000001") == [AgentID(1)])
        try h.send(.agentAnswered(AgentID(1), CallID(3)))
        h.at(105)
        #expect(try h.arrive(4, q, number: "13800000001").isEmpty)  // held for agent 1
        let view = h.acd.queueView(q, at: h.now)
        #expect(view.first?.heldFor == AgentID(1))
        h.at(110)
        // Agent 2 frees up first but must not take the held caller.
        #expect(offers(try h.send(.callEnded(CallID(2)))).isEmpty)
        #expect(h.acd.state(of: AgentID(2)) == .ready)
        h.at(115)
        let next = offered(try h.send(.callEnded(CallID(3))))
        #expect(next.map(\.call) == [CallID(4)])
        #expect(next.map(\.agent) == [AgentID(1)])
    }

    @Test("after the wait limit the caller falls back to any agent")
    func fallsBackAfterWaitLimit() throws {
        var (h, q) = try setUp()
        h.at(100)
        try h.arrive(2, q, number: "13900000000")  // agent 2
        try h.send(.agentAnswered(AgentID(2), CallID(2)))
        try h.arrive(3, q, number: "13900000001")  // agent 1
        try h.send(.agentAnswered(AgentID(1), CallID(3)))
        h.at(101)
        #expect(try h.arrive(4, q, number: "13800000001").isEmpty)
        h.at(110)
        try h.send(.callEnded(CallID(2)))  // agent 2 ready, caller still held
        #expect(offers(h.advance(to: 130.9)).isEmpty)
        let fallback = offered(h.advance(to: 131))
        #expect(fallback.map(\.agent) == [AgentID(2)])
        #expect(fallback.map(\.call) == [CallID(4)])
    }

    @Test("outside the window the queue's strategy decides")
    func outsideWindow() throws {
        var (h, q) = try setUp()
        h.at(60 + 3600 + 1)
        #expect(try h.arrive(2, q, number: "13800000001") == [AgentID(2)])
    }

    @Test("if the agent is not ready the caller is not held")
    func agentNotReady() throws {
        var (h, q) = try setUp()
        h.at(200)
        try h.send(.notReady(AgentID(1), reason: "lunch"))
        #expect(try h.arrive(2, q, number: "13800000001") == [AgentID(2)])
    }
}
