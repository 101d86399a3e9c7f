public import Foundation
public import HotlineCore

/// A call entered the IVR: which flow (and version) took it, and how the caller was screened.
public struct FlowCallStarted: DomainEvent {
    /// The event's stable type name, `ivr.call.started`.
    public static let eventType = "ivr.call.started"
    /// The call's id.
    public var callID: String
    /// The caller number.
    public var caller: String
    /// The dialled number (DID).
    public var dialledNumber: String
    /// The flow that took the call.
    public var flow: String
    /// The flow-set version the call runs on.
    public var version: Int
    /// The caller's category, if recognised.
    public var callerCategory: String?
    /// `warn` or `refuse` when a blacklist entry was in force.
    public var blacklistAction: String?
}

/// The interpreter entered a node.
public struct FlowNodeEntered: DomainEvent {
    /// The event's stable type name, `ivr.node.entered`.
    public static let eventType = "ivr.node.entered"
    /// The call's id.
    public var callID: String
    /// The flow.
    public var flow: String
    /// The node's id.
    public var node: String
    /// The node's kind (`menu`, `collect`, …).
    public var kind: String
}

/// The caller gave input at a node (a key, collected digits — masked —, or silence).
public struct FlowInputReceived: DomainEvent {
    /// The event's stable type name, `ivr.input.received`.
    public static let eventType = "ivr.input.received"
    /// The call's id.
    public var callID: String
    /// The flow.
    public var flow: String
    /// The node's id.
    public var node: String
    /// The input: a key, `timeout`, or `*` × length for collected digits (never the digits).
    public var input: String
}

/// A node finished with a result (`option 1`, `collected`, `invalid`, `no-input`, `failed`, a branch value…).
public struct FlowNodeCompleted: DomainEvent {
    /// The event's stable type name, `ivr.node.completed`.
    public static let eventType = "ivr.node.completed"
    /// The call's id.
    public var callID: String
    /// The flow.
    public var flow: String
    /// The node's id.
    public var node: String
    /// The result.
    public var result: String
}

/// A self-service function was used (F8/F9 statistics count these per function and outcome).
public struct SelfServiceUsed: DomainEvent {
    /// The event's stable type name, `ivr.selfService.used`.
    public static let eventType = "ivr.selfService.used"
    /// The call's id.
    public var callID: String
    /// The function's name.
    public var function: String
    /// The outcome: `ok`, `not-found`, `rejected`, `locked`, `failed`, or `locked-out` (attempt limit).
    public var outcome: String
}

/// The caller rated the service after an agent call (F15).
public struct RatingGiven: DomainEvent {
    /// The event's stable type name, `ivr.rating.given`.
    public static let eventType = "ivr.rating.given"
    /// The call's id.
    public var callID: String
    /// The agent who served the call, when known.
    public var agent: String?
    /// `satisfied`, `average`, `dissatisfied` or `complaint`.
    public var rating: String
}

/// A message was recorded and kept (voicemail).
public struct MessageRecorded: DomainEvent {
    /// The event's stable type name, `ivr.message.recorded`.
    public static let eventType = "ivr.message.recorded"
    /// The call's id.
    public var callID: String
    /// What the recording is for (`voicemail`, …).
    public var purpose: String
    /// The host's reference to the recording (file name or id).
    public var reference: String
    /// Its length in milliseconds.
    public var durationMilliseconds: Int64
}

/// The call left the IVR for good: hung up by the flow or the caller, refused, or failed.
public struct FlowCallFinished: DomainEvent {
    /// The event's stable type name, `ivr.call.finished`.
    public static let eventType = "ivr.call.finished"
    /// The call's id.
    public var callID: String
    /// The outcome (see ``CallOutcome/description``).
    public var outcome: String
}

/// Any event the interpreter emits.
public enum FlowEvent: Sendable, Equatable {
    /// See ``FlowCallStarted``.
    case callStarted(FlowCallStarted)
    /// See ``FlowNodeEntered``.
    case nodeEntered(FlowNodeEntered)
    /// See ``FlowInputReceived``.
    case inputReceived(FlowInputReceived)
    /// See ``FlowNodeCompleted``.
    case nodeCompleted(FlowNodeCompleted)
    /// See ``SelfServiceUsed``.
    case selfServiceUsed(SelfServiceUsed)
    /// See ``RatingGiven``.
    case ratingGiven(RatingGiven)
    /// See ``MessageRecorded``.
    case messageRecorded(MessageRecorded)
    /// See ``FlowCallFinished``.
    case callFinished(FlowCallFinished)

    /// The event's type name.
    public var eventType: String {
        switch self {
        case .callStarted: FlowCallStarted.eventType
        case .nodeEntered: FlowNodeEntered.eventType
        case .inputReceived: FlowInputReceived.eventType
        case .nodeCompleted: FlowNodeCompleted.eventType
        case .selfServiceUsed: SelfServiceUsed.eventType
        case .ratingGiven: RatingGiven.eventType
        case .messageRecorded: MessageRecorded.eventType
        case .callFinished: FlowCallFinished.eventType
        }
    }

    /// Wraps the event for the event log, with subject `call:<id>`.
    ///
    /// - Parameters:
    ///   - callID: The call's id.
    ///   - occurredAt: When it happened (the time of the input event that caused it).
    /// - Returns: The recorded event.
    /// - Throws: `EncodingError` if encoding fails.
    public func recorded(callID: String, occurredAt: Date) throws -> RecordedEvent {
        let subject = "call:\(callID)"
        switch self {
        case .callStarted(let e): return try RecordedEvent(e, occurredAt: occurredAt, subject: subject)
        case .nodeEntered(let e): return try RecordedEvent(e, occurredAt: occurredAt, subject: subject)
        case .inputReceived(let e): return try RecordedEvent(e, occurredAt: occurredAt, subject: subject)
        case .nodeCompleted(let e): return try RecordedEvent(e, occurredAt: occurredAt, subject: subject)
        case .selfServiceUsed(let e): return try RecordedEvent(e, occurredAt: occurredAt, subject: subject)
        case .ratingGiven(let e): return try RecordedEvent(e, occurredAt: occurredAt, subject: subject)
        case .messageRecorded(let e): return try RecordedEvent(e, occurredAt: occurredAt, subject: subject)
        case .callFinished(let e): return try RecordedEvent(e, occurredAt: occurredAt, subject: subject)
        }
    }
}
