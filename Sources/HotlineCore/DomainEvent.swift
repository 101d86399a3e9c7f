public import Foundation

/// A fact that happened in the hotline: a call arrived, an agent went ready, a work order moved.
///
/// Every module defines its own event types (the IVR its node events, the ACD its routing events,
/// the domain its record changes) by conforming to this protocol; storage keeps them all in one
/// append-only log as ``RecordedEvent`` values, so reports, live views and webhooks read one stream.
public protocol DomainEvent: Sendable, Codable, Equatable {
    /// A stable, dotted name for the event type, e.g. `"acd.agent.stateChanged"`.
    ///
    /// It is stored with every event and used by subscribers to filter; never change it once shipped.
    static var eventType: String { get }
}

/// One event as it sits in the log: its type name, when it happened, what it is about, and its
/// payload encoded as JSON.
public struct RecordedEvent: Sendable, Codable, Hashable {
    /// Position in the log, assigned by storage when the event is appended (0 before that).
    public var sequence: Int64
    /// The event's ``DomainEvent/eventType``.
    public var type: String
    /// When the event happened (taken from the injected clock of the component that emitted it).
    public var occurredAt: Date
    /// What the event is about, e.g. `"call:7f3a…"` or `"taxpayer:91110000…"`; used to filter.
    public var subject: String
    /// The event's fields, JSON-encoded.
    public var payload: Data

    /// Creates a recorded event from its parts.
    public init(sequence: Int64 = 0, type: String, occurredAt: Date, subject: String, payload: Data) {
        self.sequence = sequence
        self.type = type
        self.occurredAt = occurredAt
        self.subject = subject
        self.payload = payload
    }

    /// Wraps a typed event for the log.
    ///
    /// - Parameters:
    ///   - event: The event to record.
    ///   - occurredAt: When it happened.
    ///   - subject: What it is about.
    /// - Throws: `EncodingError` if the event cannot be encoded as JSON.
    public init<E: DomainEvent>(_ event: E, occurredAt: Date, subject: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        self.init(type: E.eventType, occurredAt: occurredAt, subject: subject, payload: try encoder.encode(event))
    }

    /// Decodes the payload as the given event type.
    ///
    /// - Returns: The event, or `nil` when this record holds another type of event.
    /// - Throws: `DecodingError` when the type matches but the payload does not decode.
    public func decode<E: DomainEvent>(as type: E.Type) throws -> E? {
        guard self.type == E.eventType else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(E.self, from: payload)
    }
}
