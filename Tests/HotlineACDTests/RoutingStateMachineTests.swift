import HotlineACD
import Testing

@Suite("Routing state machine under random traffic")
struct RoutingStateMachineTests {
    @Test("invariants hold over 1,500 random inputs", arguments: [QueueStrategy.longestIdleAgent, .ringAll, .roundRobin, .random, .skillsBased])
    func invariants(strategy: QueueStrategy) throws {
        var random = SeededRandom(seed: 99)
        var acd = RoutingStateMachine(seed: 5)
        let queues = try (0..<3).map { i in
            try acd.addQueue(QueueConfiguration(
                name: "q\(i)", strategy: strategy,
                sticky: i == 0 ? StickyRouting(window: .seconds(600), waitLimit: .seconds(20)) : nil,
                maximumLength: 12, whenFull: i == 2 ? .callback : .voicemail,
                maximumWait: .seconds(90), whenMaximumWait: i == 1 ? .queue(QueueID(2)) : .callback,
                whenNoAgents: .voicemail, ringTimeout: .seconds(15), wrapUp: i == 1 ? .seconds(5) : nil,
                announcementInterval: .seconds(30)))
        }
        let agentIDs = (1...12).map { AgentID($0) }
        for (n, id) in agentIDs.enumerated() {
            let memberships = queues.enumerated().compactMap { q, queue in
                (n + q) % 3 != 0 ? QueueMembership(queue: queue, penalty: (n + q) % 2, weight: 1 + n % 3) : nil
            }
            try acd.addAgent(AgentConfiguration(id: id, skills: [:], memberships: memberships, wrapUp: .seconds(3),
                                                maximumUnansweredOffers: 4))
        }
        var now = Timestamp.zero
        var nextCall: UInt64 = 1
        var live: [CallID] = []
        var actions: [RoutingAction] = []
        for _ in 0..<1_500 {
            now = now + .milliseconds(Int64(random.next(below: 4_000)))
            actions.removeAll()
            acd.advance(to: now, into: &actions)  // timers first, so the views below are current
            let agent = agentIDs[random.next(below: agentIDs.count)]
            let state = try #require(acd.state(of: agent))
            switch random.next(below: 10) {
            case 0, 1, 2:
                let id = CallID(nextCall)
                nextCall += 1
                try acd.handle(.callArrived(id, queue: queues[random.next(below: 3)],
                                            caller: Caller(number: "1380000\(random.next(below: 40))", priority: random.next(below: 4) == 0 ? 5 : 0)),
                               at: now, into: &actions)
                live.append(id)
            case 3:
                switch state {
                case .ringing(let call):
                    try acd.handle(random.next(below: 5) == 0 ? .agentDeclined(agent, call) : .agentAnswered(agent, call), at: now, into: &actions)
                case .onCall(let call): try acd.handle(.callEnded(call), at: now, into: &actions)
                case .loggedOut: try acd.handle(.logIn(agent), at: now, into: &actions)
                case .notReady: try acd.handle(.ready(agent), at: now, into: &actions)
                case .ready, .wrapUp: acd.advance(to: now, into: &actions)
                }
            case 4:
                if case .loggedOut = state { try acd.handle(.logIn(agent), at: now, into: &actions) }
                else if random.next(below: 8) == 0 { try acd.handle(.forceLogOut(agent, supervisor: "s"), at: now, into: &actions) }
                else { try acd.handle(.notReady(agent, reason: "break"), at: now, into: &actions) }
            case 5:
                if let call = live.randomElement(using: &random), acd.queue(of: call) != nil {
                    try acd.handle(.callerHungUp(call), at: now, into: &actions)
                }
            case 6:
                if random.next(below: 2) == 0 {
                    if let call = live.randomElement(using: &random), let q = acd.queue(of: call),
                       acd.queueView(q, at: now).contains(where: { $0.call == call && !$0.isCallback }) {
                        try acd.handle(.callbackRequested(call), at: now, into: &actions)
                    }
                } else if state != .loggedOut {
                    try acd.handle(.notReadyAfterCall(agent, reason: "x"), at: now, into: &actions)
                }
            case 7:
                if state == .ready || { if case .notReady = state { true } else { false } }(),
                   let q = queues.randomElement(using: &random), let waiting = acd.queueView(q, at: now).first {
                    try acd.handle(.pick(agent, waiting.call), at: now, into: &actions)
                }
            default:
                acd.advance(to: now, into: &actions)
            }
            live.removeAll { acd.queue(of: $0) == nil }
            // Invariants (checked with plain conditions; #expect only on failure, to keep the loop fast).
            let ready = agentIDs.filter { acd.state(of: $0) == .ready }
            for q in queues {
                let view = acd.queueView(q, at: now)
                if view.count != acd.waitingCount(in: q) {
                    Issue.record("\(q): view has \(view.count) callers, count says \(acd.waitingCount(in: q))")
                }
                if view.contains(where: { $0.waited < .zero }) { Issue.record("negative waiting time") }
                let unheld = view.filter { $0.heldFor == nil }
                let priorities = unheld.map(\.priority)
                if priorities != priorities.sorted(by: >) { Issue.record("\(q): view not in priority order") }
                if !unheld.isEmpty {
                    // Work conservation: nobody ready may serve a waiting caller of the queue.
                    for id in ready where acd.statistics(of: id)?.perQueue.contains(where: { $0.queue == q }) == true {
                        Issue.record("\(id) ready while \(unheld.count) wait in \(q)")
                    }
                }
            }
        }
        #expect(nextCall > 300)
    }
}
