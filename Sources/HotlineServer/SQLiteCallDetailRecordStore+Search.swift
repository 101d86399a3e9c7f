public import Foundation
import GRDB
import HotlineSQLite

extension SQLiteCallDetailRecordStore: CallDetailRecordSearching {
    /// The records that match, newest first; every value is a bound parameter.
    /// - Complexity: An index range scan when the search names a caller, agent, queue or dialled number
    ///   (each indexed with the start time), otherwise a scan of the start-time index from the cursor.
    /// - Parameters:
    ///   - search: The criteria.
    ///   - limit: The most to return.
    /// - Returns: The records.
    /// - Throws: SQLite errors.
    public func callDetailRecords(matching search: CallSearch, limit: Int) async throws -> [CallDetailRecord] {
        var conditions: [String] = []
        var arguments = StatementArguments()
        func add(_ condition: String, _ values: [any DatabaseValueConvertible]) {
            conditions.append(condition)
            arguments += StatementArguments(values)
        }
        if let from = search.from { add("started_at >= ?", [from.timeIntervalSince1970]) }
        if let to = search.to { add("started_at < ?", [to.timeIntervalSince1970]) }
        if let caller = search.caller { add("caller = ?", [caller]) }
        if let agent = search.agent { add("agent = ?", [agent]) }
        if let queue = search.queue { add("queue = ?", [queue]) }
        if let number = search.dialledNumber { add("dialled_number = ?", [number]) }
        if let seconds = search.minimumSeconds { add("ended_at - started_at >= ?", [seconds]) }
        if let seconds = search.maximumSeconds { add("ended_at - started_at <= ?", [seconds]) }
        if let seconds = search.minimumTalkSeconds { add("agent_answered_at IS NOT NULL AND ended_at - agent_answered_at >= ?", [seconds]) }
        if let seconds = search.maximumTalkSeconds { add("agent_answered_at IS NOT NULL AND ended_at - agent_answered_at <= ?", [seconds]) }
        if let rating = search.rating { add("rating = ?", [rating]) }
        if let disposition = search.disposition { add("disposition = ?", [disposition.rawValue]) }
        if let recorded = search.recorded { conditions.append(recorded ? "recording IS NOT NULL" : "recording IS NULL") }
        if let after = search.after {
            let seconds = after.startedAt.timeIntervalSince1970
            add("(started_at < ? OR (started_at = ? AND call_id < ?))", [seconds, seconds, after.callID])
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [limit]
        let bound = arguments
        let sql = "SELECT * FROM call_detail_record \(filter) ORDER BY started_at DESC, call_id DESC LIMIT ?"
        return try await database.pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: bound).map(Self.record(from:))
        }
    }

    /// One call's record.
    /// - Parameter callID: The SIP Call-ID of the caller's leg.
    /// - Returns: The record, or `nil`.
    /// - Throws: SQLite errors.
    public func callDetailRecord(callID: String) async throws -> CallDetailRecord? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM call_detail_record WHERE call_id = ?", arguments: [callID]).map(Self.record(from:))
        }
    }

    /// The recording under the database's data directory (recordings are stored relative to it).
    /// - Parameter record: The record.
    /// - Returns: The file, or `nil` without a recording or for a path that leaves the data directory.
    public func recordingURL(for record: CallDetailRecord) -> URL? {
        guard let path = record.recording, !path.isEmpty, !path.hasPrefix("/"),
              !path.split(separator: "/").contains("..") else { return nil }
        return database.url.deletingLastPathComponent().appendingPathComponent(path)
    }

    /// A record from a row of `call_detail_record`.
    static func record(from row: Row) -> CallDetailRecord {
        func date(_ column: String) -> Date? {
            (row[column] as Double?).map { Date(timeIntervalSince1970: $0) }
        }
        return CallDetailRecord(
            callID: row["call_id"], caller: row["caller"], dialledNumber: row["dialled_number"],
            startedAt: date("started_at") ?? .distantPast, answeredAt: date("answered_at"),
            queuedAt: date("queued_at"), queue: row["queue"], agent: row["agent"],
            agentAnsweredAt: date("agent_answered_at"), endedAt: date("ended_at") ?? .distantPast,
            disposition: CallDetailRecord.Disposition(rawValue: row["disposition"]) ?? .failed,
            endedBy: row["ended_by"], flowOutcome: row["flow_outcome"], recording: row["recording"],
            rating: row["rating"])
    }
}
