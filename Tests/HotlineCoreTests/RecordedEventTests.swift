import Foundation
import HotlineCore
import Testing

private struct SampleEvent: DomainEvent {
    static let eventType = "test.sample"
    var callID: String
    var digits: String
}

private struct OtherEvent: DomainEvent {
    static let eventType = "test.other"
    var value: Int
}

@Test func recordedEventRoundTripsItsPayload() throws {
    let at = Date(timeIntervalSince1970: 1_800_000_000)
    let recorded = try RecordedEvent(SampleEvent(callID: "c1", digits: "12#"), occurredAt: at, subject: "call:c1")
    #expect(recorded.type == "test.sample")
    #expect(recorded.subject == "call:c1")
    #expect(try recorded.decode(as: SampleEvent.self) == SampleEvent(callID: "c1", digits: "12#"))
    #expect(try recorded.decode(as: OtherEvent.self) == nil)
}
