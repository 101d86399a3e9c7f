import HotlineACD
import Testing

@Suite("Queue view, estimated wait, announcements and picking")
struct WaitingCallerTests {
    func busyQueue() throws -> (Harness, QueueID) {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", expectedHandleTime: .seconds(120)))
        try h.agent(1, [member(q)])
        try h.agent(2, [member(q)])
        try h.arrive(100, q); try h.send(.agentAnswered(AgentID(1), CallID(100)))
        try h.arrive(101, q); try h.send(.agentAnswered(AgentID(2), CallID(101)))
        h.at(10); try h.arrive(1, q, number: "13800000001", name: "王芳")
        h.at(20); try h.arrive(2, q, number: "13800000002")
        h.at(30); try h.arrive(3, q, number: "13800000003", name: "李雷", priority: 5)
        return (h, q)
    }

    @Test("the view lists callers in service order with number, name, waiting time and priority")
    func view() throws {
        var (h, q) = try busyQueue()
        h.at(40)
        let view = h.acd.queueView(q, at: h.now)
        #expect(view.map(\.call) == [CallID(3), CallID(1), CallID(2)])
        #expect(view.map(\.position) == [1, 2, 3])
        #expect(view.map(\.number) == ["13800000003", "13800000001", "13800000002"])
        #expect(view.map(\.name) == ["李雷", "王芳", nil])
        #expect(view.map(\.priority) == [5, 0, 0])
        #expect(view.map(\.waited) == [.seconds(10), .seconds(30), .seconds(20)])
    }

    @Test("estimated wait is position × handle time ÷ staffed agents")
    func estimatedWait() throws {
        var (h, _) = try busyQueue()
        let third = try #require(h.acd.position(of: CallID(2)))
        #expect(third.position == 3)
        #expect(third.estimatedWait == .seconds(180))  // 3 × 120 s ÷ 2 agents
        try h.send(.notReady(AgentID(1), reason: "after call"))  // pending: still on call, still staffed
        #expect(h.acd.position(of: CallID(2))?.estimatedWait == .seconds(180))
    }

    @Test("an agent may pick a particular waiting caller")
    func pick() throws {
        var (h, q) = try busyQueue()
        try h.agent(3, [member(q)], logIn: false)
        try h.send(.logIn(AgentID(3)))  // takes the VIP caller at once
        try h.send(.agentAnswered(AgentID(3), CallID(3)))
        try h.agent(4, [], logIn: false)
        try h.send(.logIn(AgentID(4)))
        let actions = try h.send(.pick(AgentID(4), CallID(2)))
        #expect(actions.contains(.offer(CallID(2), agent: AgentID(4), isCallback: false)))
        #expect(h.acd.queueView(q, at: h.now).map(\.call) == [CallID(1)])
        #expect(throws: RoutingError.self) { try h.send(.pick(AgentID(3), CallID(1))) }  // on a call
    }

    @Test("announcements give position and estimated wait at the configured interval")
    func announcements() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", announcementInterval: .seconds(30), expectedHandleTime: .seconds(60)))
        try h.agent(1, [member(q)])
        try h.arrive(100, q); try h.send(.agentAnswered(AgentID(1), CallID(100)))
        h.at(1)
        let arrival = try h.send(.callArrived(CallID(1), queue: q, caller: Caller()))
        #expect(arrival.contains(.announce(CallID(1), position: 1, estimatedWait: .seconds(60))))
        h.at(2); try h.arrive(2, q)
        let later = h.advance(to: 31)
        #expect(later == [.announce(CallID(1), position: 1, estimatedWait: .seconds(60))])
        #expect(h.advance(to: 32) == [.announce(CallID(2), position: 2, estimatedWait: .seconds(120))])
    }
}

@Suite("Picking while not ready")
struct PickWhileNotReadyTests {
    @Test("an agent who picks a caller while not ready returns to not ready after the call")
    func returnsToNotReady() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q"))
        try h.agent(1, [member(q)])
        try h.send(.notReady(AgentID(1), reason: "back-office"))
        try h.arrive(1, q)
        try h.send(.pick(AgentID(1), CallID(1)))
        try h.serve(1, by: 1, talk: 30)
        #expect(h.acd.state(of: AgentID(1)) == .notReady(reason: "back-office"))
    }
}
