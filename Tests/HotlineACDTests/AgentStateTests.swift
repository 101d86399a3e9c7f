import HotlineACD
import Testing

@Suite("Agent states and their rules")
struct AgentStateTests {
    @Test("every transition is an event with a reason")
    func transitionsAreEvents() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q"))
        try h.agent(1, [member(q)], wrapUp: .seconds(10))
        try h.send(.notReady(AgentID(1), reason: "lunch"))
        try h.send(.ready(AgentID(1)))
        h.at(5); try h.arrive(1, q)
        try h.send(.agentAnswered(AgentID(1), CallID(1)))
        h.at(65); try h.send(.callEnded(CallID(1)))
        h.advance(to: 75)
        try h.send(.logOut(AgentID(1)))
        let changes = stateChanges(h.log)
        #expect(changes.map(\.to) == [
            .ready, .notReady(reason: "lunch"), .ready, .ringing(CallID(1)), .onCall(CallID(1)),
            .wrapUp(until: .seconds(75)), .ready, .loggedOut,
        ])
        #expect(changes.map(\.reason) == [
            "login", "lunch", "ready", "call offered", "answered", "call ended", "wrap-up finished", "logout",
        ])
        #expect(changes.first?.from == .loggedOut)
        #expect(changes[5].at == .seconds(65))
    }

    @Test("wrap-up per queue overrides the agent's own wrap-up")
    func wrapUpPerQueue() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", wrapUp: .seconds(30)))
        let r = try h.queue(QueueConfiguration(name: "r"))
        try h.agent(1, [member(q), member(r)], wrapUp: .seconds(5))
        try h.arrive(1, q)
        try h.serve(1, by: 1, talk: 10)
        #expect(h.acd.state(of: AgentID(1)) == .wrapUp(until: .seconds(40)))
        h.advance(to: 39)
        #expect(h.acd.state(of: AgentID(1)) == .wrapUp(until: .seconds(40)))
        h.advance(to: 40)
        #expect(h.acd.state(of: AgentID(1)) == .ready)
        h.at(50)
        try h.arrive(2, r)
        try h.serve(2, by: 1, talk: 10)
        #expect(h.acd.state(of: AgentID(1)) == .wrapUp(until: .seconds(65)))
        try h.send(.ready(AgentID(1)))  // ends wrap-up early
        #expect(h.acd.state(of: AgentID(1)) == .ready)
    }

    @Test("“not ready after this call” applies once the call and wrap-up are over")
    func notReadyAfterCall() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q"))
        try h.agent(1, [member(q)], wrapUp: .seconds(10))
        try h.arrive(1, q)
        try h.send(.agentAnswered(AgentID(1), CallID(1)))
        try h.send(.notReadyAfterCall(AgentID(1), reason: "training"))
        #expect(h.acd.state(of: AgentID(1)) == .onCall(CallID(1)))
        #expect(h.acd.pendingNotReady(of: AgentID(1)) == "training")
        h.at(60); try h.send(.callEnded(CallID(1)))
        try h.arrive(2, q)  // must not be offered during wrap-up nor after
        h.advance(to: 70)
        #expect(h.acd.state(of: AgentID(1)) == .notReady(reason: "training"))
        #expect(h.acd.waitingCount(in: q) == 1)
    }

    @Test("after N unanswered offers the agent is set not ready, and the call goes to someone else")
    func autoNotReady() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", strategy: .linear, ringTimeout: .seconds(15)))
        try h.agent(1, [member(q)], maximumUnanswered: 2)
        try h.agent(2, [member(q)], maximumUnanswered: 2)
        try h.send(.notReady(AgentID(2), reason: "break"))
        #expect(try h.arrive(1, q) == [AgentID(1)])
        let first = h.advance(to: 15)
        #expect(first.contains(.stopRinging(CallID(1), agent: AgentID(1))))
        #expect(offers(first) == [AgentID(1)])  // rung again: the only agent
        let second = h.advance(to: 30)
        #expect(h.acd.state(of: AgentID(1)) == .notReady(reason: "no-answer"))
        #expect(stateChanges(second).last?.reason == "2 unanswered offers")
        #expect(h.acd.waitingCount(in: q) == 1)
        #expect(try offers(h.send(.ready(AgentID(2)))) == [AgentID(2)])
    }

    @Test("a declined call goes to the next agent")
    func declined() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", strategy: .linear))
        try h.agent(1, [member(q)])
        try h.agent(2, [member(q)])
        try h.arrive(1, q)
        let actions = try h.send(.agentDeclined(AgentID(1), CallID(1)))
        #expect(actions.contains(.stopRinging(CallID(1), agent: AgentID(1))))
        #expect(offers(actions) == [AgentID(2)])
        #expect(h.acd.state(of: AgentID(1)) == .ready)
    }

    @Test("a supervisor's forced logout during a call takes effect after the call")
    func forcedLogout() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q"))
        try h.agent(1, [member(q)])
        try h.arrive(1, q)
        try h.send(.agentAnswered(AgentID(1), CallID(1)))
        try h.send(.forceLogOut(AgentID(1), supervisor: "zhang"))
        #expect(h.acd.state(of: AgentID(1)) == .onCall(CallID(1)))
        h.at(30)
        let end = try h.send(.callEnded(CallID(1)))
        #expect(h.acd.state(of: AgentID(1)) == .loggedOut)
        #expect(stateChanges(end).last?.reason == "forced logout by zhang")
    }

    @Test("a forced logout while ringing puts the call back in the queue for someone else")
    func forcedLogoutWhileRinging() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", strategy: .linear))
        try h.agent(1, [member(q)])
        try h.agent(2, [member(q)])
        try h.arrive(1, q)
        let actions = try h.send(.forceLogOut(AgentID(1), supervisor: "li"))
        #expect(offers(actions) == [AgentID(2)])
        #expect(h.acd.state(of: AgentID(1)) == .loggedOut)
    }

    @Test("inputs that do not fit the state are refused and change nothing")
    func invalidInputs() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q"))
        try h.agent(1, [member(q)])
        try h.agent(2, [member(q)])
        try h.arrive(1, q)
        #expect(throws: RoutingError.self) { try h.send(.agentAnswered(AgentID(2), CallID(1))) }
        #expect(throws: RoutingError.self) { try h.send(.callEnded(CallID(1))) }
        #expect(throws: RoutingError.self) { try h.send(.logIn(AgentID(1))) }
        #expect(throws: RoutingError.self) { try h.send(.callerHungUp(CallID(99))) }
        #expect(throws: RoutingError.self) { try h.send(.ready(AgentID(42))) }
        #expect(h.acd.state(of: AgentID(1)) == .ringing(CallID(1)))
    }

    @Test("a caller hanging up while ringing frees the agent, keeping their idle time")
    func hangUpWhileRinging() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q"))
        h.at(0); try h.agent(1, [member(q)])
        h.at(5); try h.agent(2, [member(q)])
        h.at(10); try h.arrive(1, q)
        let actions = try h.send(.callerHungUp(CallID(1)))
        #expect(actions.contains(.stopRinging(CallID(1), agent: AgentID(1))))
        #expect(actions.contains { if case .record(.callAbandoned) = $0 { true } else { false } })
        #expect(try h.arrive(2, q) == [AgentID(1)])  // still the longest idle
    }
}
