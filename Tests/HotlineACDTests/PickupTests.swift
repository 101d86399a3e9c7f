import HotlineACD
import Testing

@Suite("Picking up a ringing call (抢接)")
struct PickupTests {
    @Test("another agent picks up a call ringing elsewhere: it stops ringing there without counting as unanswered")
    func pickUpRinging() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", ringTimeout: .seconds(20)))
        try h.agent(1, [member(q)], maximumUnanswered: 1)
        try h.agent(2, [member(q)])
        try h.send(.notReady(AgentID(2), reason: "back-office"))
        #expect(try h.arrive(1, q) == [AgentID(1)])
        let actions = try h.send(.pick(AgentID(2), CallID(1)))
        #expect(actions.contains(.stopRinging(CallID(1), agent: AgentID(1))))
        #expect(offered(actions).map(\.agent) == [AgentID(2)])
        #expect(h.acd.state(of: AgentID(1)) == .ready, "one unanswered offer would have made agent 1 not ready")
        #expect(h.acd.state(of: AgentID(2)) == .ringing(CallID(1)))
        #expect(throws: RoutingError.self) { try h.send(.agentAnswered(AgentID(1), CallID(1))) }
        // Agent 2's offer times out like any other.
        #expect(h.advance(to: 25).contains(.stopRinging(CallID(1), agent: AgentID(2))))
    }

    @Test("an agent cannot pick up a call already ringing at them")
    func notTwice() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q"))
        try h.agent(1, [member(q)])
        try h.arrive(1, q)
        #expect(throws: RoutingError.self) { try h.send(.pick(AgentID(1), CallID(1))) }
    }
}
