import HotlineACD
import Testing

@Suite("Overflow and limits")
struct OverflowActionTests {
    @Test("a caller finding the queue full goes to voicemail")
    func queueFull() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", maximumLength: 1, whenFull: .voicemail))
        try h.agent(1, [member(q)])
        try h.arrive(1, q); try h.send(.agentAnswered(AgentID(1), CallID(1)))
        try h.arrive(2, q)
        let actions = try h.send(.callArrived(CallID(3), queue: q, caller: Caller()))
        #expect(overflows(actions).map(\.0) == [CallID(3)])
        #expect(overflows(actions).map(\.1) == [.queueFull])
        #expect(overflows(actions).map(\.2) == [.voicemail])
        #expect(h.acd.waitingCount(in: q) == 1)
        #expect(h.acd.queue(of: CallID(3)) == nil)
    }

    @Test("after the maximum wait the caller is transferred to the duty mobile")
    func maximumWait() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", maximumWait: .seconds(60), whenMaximumWait: .transfer(number: "13912345678")))
        try h.agent(1, [member(q)])
        try h.arrive(1, q); try h.send(.agentAnswered(AgentID(1), CallID(1)))
        h.at(5); try h.arrive(2, q)
        #expect(overflows(h.advance(to: 64.9)).isEmpty)
        let actions = h.advance(to: 65)
        #expect(overflows(actions).map(\.2) == [.transfer(number: "13912345678")])
        #expect(overflows(actions).map(\.1) == [.maximumWait])
    }

    @Test("with nobody logged in the caller moves to the backup queue and keeps the arrival time")
    func noAgentsToBackupQueue() throws {
        var h = Harness()
        let backup = try h.queue(QueueConfiguration(name: "backup"))
        let q = try h.queue(QueueConfiguration(name: "q", whenNoAgents: .queue(backup)))
        try h.agent(1, [member(q)], logIn: false)
        try h.agent(2, [member(backup)])
        try h.arrive(9, backup)  // keep agent 2 busy
        try h.send(.agentAnswered(AgentID(2), CallID(9)))
        h.at(3)
        let actions = try h.send(.callArrived(CallID(1), queue: q, caller: Caller()))
        #expect(overflows(actions).isEmpty)  // handled inside the ACD
        #expect(h.acd.queue(of: CallID(1)) == backup)
        h.at(10)
        let view = h.acd.queueView(backup, at: h.now)
        #expect(view.map(\.call) == [CallID(1)])
        #expect(view.first?.waited == .seconds(7))
    }

    @Test("when the last agent logs out, waiting callers take the no-agents overflow")
    func lastAgentLogsOut() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", whenNoAgents: .voicemail))
        try h.agent(1, [member(q)])
        try h.send(.notReady(AgentID(1), reason: "meeting"))
        try h.arrive(1, q)
        try h.arrive(2, q)
        let actions = try h.send(.logOut(AgentID(1)))
        #expect(overflows(actions).map(\.0) == [CallID(1), CallID(2)])
        #expect(overflows(actions).allSatisfy { $0.1 == .noAgents })
    }

    @Test("a callback request keeps the caller's place; the agent is offered the callback in turn")
    func callbackKeepsPlace() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", maximumWait: .seconds(60), whenMaximumWait: .callback))
        try h.agent(1, [member(q)])
        try h.arrive(1, q); try h.send(.agentAnswered(AgentID(1), CallID(1)))
        h.at(1); try h.arrive(2, q, number: "13800000002")
        h.at(2); try h.arrive(3, q, number: "13800000003")
        let timeout = h.advance(to: 61)
        #expect(overflows(timeout).map(\.0) == [CallID(2)])
        #expect(overflows(timeout).map(\.2) == [.callback])
        h.at(100)
        let next = try h.send(.callEnded(CallID(1)))
        #expect(next.contains(.offer(CallID(2), agent: AgentID(1), isCallback: true)))
    }

    @Test("a caller can ask for a callback while waiting and keep the place")
    func callerRequestsCallback() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q"))
        try h.agent(1, [member(q)])
        try h.arrive(1, q); try h.send(.agentAnswered(AgentID(1), CallID(1)))
        h.at(1); try h.arrive(2, q)
        h.at(2); try h.arrive(3, q)
        try h.send(.callbackRequested(CallID(2)))
        #expect(h.acd.queueView(q, at: h.now).map(\.isCallback) == [true, false])
        h.at(50)
        #expect(try h.send(.callEnded(CallID(1))).contains(.offer(CallID(2), agent: AgentID(1), isCallback: true)))
    }
}
