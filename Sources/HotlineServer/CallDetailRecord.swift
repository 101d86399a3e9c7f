public import Foundation
public import HotlineCore

/// One inbound call from INVITE to the last BYE: who called which number, how it went through the IVR
/// and the queue, which agent answered, how it ended, and where its recording is.
public struct CallDetailRecord: Sendable, Hashable, Codable, DomainEvent {
    /// The event type under which a finished call's record is also appended to the event log.
    public static let eventType = "call.detail.recorded"

    /// How the call ended.
    public enum Disposition: String, Sendable, Hashable, Codable {
        /// Answered by an agent.
        case answered
        /// The caller hung up while waiting in a queue or while an agent's phone rang.
        case abandoned
        /// The call ended in the IVR (self-service, voicemail, goodbye, caller hang-up before queueing).
        case ivr
        /// The flow refused the caller (blacklist).
        case refused
        /// Not answered at all (no route, no codec, server shutting down).
        case failed
        /// In progress when the server stopped without ending it (crash, `kill -9`); closed on the next start.
        case interrupted
    }

    /// The SIP Call-ID of the caller's leg.
    public var callID: String
    /// The caller's number (the user part of From).
    public var caller: String
    /// The dialled number (the user part of the Request-URI).
    public var dialledNumber: String
    /// When the INVITE arrived.
    public var startedAt: Date
    /// When the server answered (200 OK to the caller).
    public var answeredAt: Date?
    /// When the caller joined a queue.
    public var queuedAt: Date?
    /// The queue, if the call reached one.
    public var queue: String?
    /// The agent who answered.
    public var agent: Int?
    /// When the agent answered.
    public var agentAnsweredAt: Date?
    /// When the last leg ended.
    public var endedAt: Date
    /// How the call ended.
    public var disposition: Disposition
    /// Who hung up first: `caller`, `agent` or `server`.
    public var endedBy: String
    /// The IVR's outcome, e.g. `hung-up: completed`.
    public var flowOutcome: String?
    /// The stereo recording, relative to the data directory.
    public var recording: String?
    /// The rating the caller gave after the call (`satisfied`, …).
    public var rating: String?
    /// Who placed the call: the caller (`inbound`) or an agent through the trunk (`outbound`: click-to-dial,
    /// call-back; then `caller` is the agent's phone and `dialledNumber` the external number).
    public var direction: Direction = .inbound

    /// Who placed a call.
    public enum Direction: String, Sendable, Hashable, Codable {
        /// A caller called the hotline.
        case inbound
        /// An agent dialled out through the trunk.
        case outbound
    }

    /// Seconds waited in the queue (to the agent's answer, or to the end when abandoned).
    public var queueSeconds: Double? {
        guard let queuedAt else { return nil }
        return (agentAnsweredAt ?? endedAt).timeIntervalSince(queuedAt)
    }

    /// Seconds of conversation with the agent.
    public var talkSeconds: Double? {
        agentAnsweredAt.map { endedAt.timeIntervalSince($0) }
    }
}

/// Where call detail records are kept.
public protocol CallDetailRecordStore: Sendable {
    /// Saves a finished call's record.
    /// - Parameter record: The record.
    /// - Throws: A storage error.
    func save(_ record: CallDetailRecord) async throws

    /// The newest records first.
    /// - Parameter limit: The most to return.
    /// - Returns: The records.
    /// - Throws: A storage error.
    func recentCallDetailRecords(limit: Int) async throws -> [CallDetailRecord]
}
