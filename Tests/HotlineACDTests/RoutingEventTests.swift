import Foundation
import HotlineACD
import HotlineCore
import Testing

@Suite("Routing events in the event log")
struct RoutingEventTests {
    @Test("every routing event round-trips through RecordedEvent with its type and subject")
    func roundTrip() throws {
        var h = Harness()
        let q = try h.queue(QueueConfiguration(name: "q", maximumWait: .seconds(30)))
        try h.agent(1, [member(q)])
        try h.send(.notReady(AgentID(1), reason: "lunch"))
        try h.arrive(1, q)
        h.advance(to: 30)
        try h.send(.ready(AgentID(1)))
        try h.arrive(2, q)
        try h.send(.agentDeclined(AgentID(1), CallID(2)))
        try h.send(.agentAnswered(AgentID(1), CallID(2)))
        h.at(40)
        try h.send(.callEnded(CallID(2)))
        let events = h.log.compactMap { if case .record(let e) = $0 { e } else { nil } }
        var types = Set<String>()
        for event in events {
            let recorded = try event.recorded(occurredAt: Date(timeIntervalSince1970: 0))
            types.insert(recorded.type)
            switch event {
            case .agentStateChanged(let e):
                #expect(try recorded.decode(as: AgentStateChanged.self) == e)
                #expect(recorded.subject == "agent:1")
            case .callQueued(let e): #expect(try recorded.decode(as: CallQueued.self) == e)
            case .callOffered(let e): #expect(try recorded.decode(as: CallOffered.self) == e)
            case .offerUnanswered(let e): #expect(try recorded.decode(as: OfferUnanswered.self) == e)
            case .callAnswered(let e): #expect(try recorded.decode(as: CallAnswered.self) == e)
            case .callCompleted(let e): #expect(try recorded.decode(as: CallCompleted.self) == e)
            case .callAbandoned(let e): #expect(try recorded.decode(as: CallAbandoned.self) == e)
            case .callOverflowed(let e):
                #expect(try recorded.decode(as: CallOverflowed.self) == e)
                #expect(recorded.subject == "call:1")
            }
        }
        #expect(types == [
            "acd.agent.stateChanged", "acd.call.queued", "acd.call.offered", "acd.call.offerUnanswered",
            "acd.call.answered", "acd.call.completed", "acd.call.overflowed",
        ])
    }
}
