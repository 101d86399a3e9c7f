public import Foundation

/// What to look for among finished calls (`GET /api/v1/calls`): every criterion given must hold.
///
/// Durations are whole seconds of the **whole call**, from the INVITE to the last BYE
/// (``CallDetailRecord/endedAt`` − ``CallDetailRecord/startedAt``); ``minimumTalkSeconds`` and
/// ``maximumTalkSeconds`` measure the conversation with the agent instead (calls no agent answered
/// have none, so they never match a talk bound).
public struct CallSearch: Sendable, Hashable {
    /// Calls that started at or after this moment.
    public var from: Date?
    /// Calls that started before this moment.
    public var to: Date?
    /// The caller's number, exactly.
    public var caller: String?
    /// The agent who answered.
    public var agent: Int?
    /// The queue the call reached.
    public var queue: String?
    /// The dialled number (DID), exactly.
    public var dialledNumber: String?
    /// The whole call lasted at least this many seconds.
    public var minimumSeconds: Double?
    /// The whole call lasted at most this many seconds.
    public var maximumSeconds: Double?
    /// The conversation with the agent lasted at least this many seconds.
    public var minimumTalkSeconds: Double?
    /// The conversation with the agent lasted at most this many seconds.
    public var maximumTalkSeconds: Double?
    /// The rating the caller gave (`satisfied`, …).
    public var rating: String?
    /// How the call ended.
    public var disposition: CallDetailRecord.Disposition?
    /// Only calls with (`true`) or without (`false`) a recording.
    public var recorded: Bool?
    /// Where the previous page ended: only calls after it in the order (newest first).
    public var after: Position?

    /// A place in the order of calls, newest first: start time, then Call-ID (descending) among calls
    /// that started at the same moment.
    public struct Position: Sendable, Hashable {
        /// The start time of the last call of the previous page.
        public var startedAt: Date
        /// Its Call-ID.
        public var callID: String

        /// Creates a position.
        /// - Parameters:
        ///   - startedAt: The start time of the last call seen.
        ///   - callID: Its Call-ID.
        public init(startedAt: Date, callID: String) {
            self.startedAt = startedAt
            self.callID = callID
        }

        /// The position of a record.
        /// - Parameter record: The last record of a page.
        public init(_ record: CallDetailRecord) {
            self.init(startedAt: record.startedAt, callID: record.callID)
        }

        /// The opaque cursor text (base64url of the start time and the Call-ID).
        public var cursor: String {
            Data("\(startedAt.timeIntervalSince1970)\n\(callID)".utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }

        /// Reads a cursor made by ``cursor``.
        /// - Parameter cursor: The text.
        /// - Returns: The position, or `nil` when the text is not a cursor.
        public init?(cursor: String) {
            guard cursor.utf8.count <= 2048 else { return nil }
            var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
            guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
                  let newline = text.firstIndex(of: "\n"), let seconds = Double(text[..<newline]), seconds.isFinite else { return nil }
            let callID = String(text[text.index(after: newline)...])
            guard !callID.isEmpty else { return nil }
            self.init(startedAt: Date(timeIntervalSince1970: seconds), callID: callID)
        }
    }

    /// A search for every call.
    public init() {}
}

/// A call detail record store that can search its records (`GET /api/v1/calls`).
public protocol CallDetailRecordSearching: CallDetailRecordStore {
    /// The records that match, newest first (by start time, then Call-ID descending).
    /// - Parameters:
    ///   - search: The criteria.
    ///   - limit: The most to return.
    /// - Returns: The records.
    /// - Throws: A storage error.
    func callDetailRecords(matching search: CallSearch, limit: Int) async throws -> [CallDetailRecord]

    /// One call's record.
    /// - Parameter callID: The SIP Call-ID of the caller's leg.
    /// - Returns: The record, or `nil` when no finished call has that id.
    /// - Throws: A storage error.
    func callDetailRecord(callID: String) async throws -> CallDetailRecord?

    /// Where a record's recording is on disk.
    /// - Parameter record: The record.
    /// - Returns: The file, or `nil` when the call has no recording or its path leaves the data directory.
    func recordingURL(for record: CallDetailRecord) -> URL?
}
