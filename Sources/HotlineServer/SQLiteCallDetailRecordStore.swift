import Foundation
import GRDB
public import HotlineSQLite

/// Call detail records in the hotline's SQLite file, table `call_detail_record`.
///
/// The table and its search indexes belong to the migrations "2026-12-04 calls" and "2026-12-04 outbound"
/// (HotlineSQLite). A new column needs a new migration (`ALTER TABLE`), and ``record(from:)`` reads every
/// column for both the recent list and the search.
public struct SQLiteCallDetailRecordStore: CallDetailRecordStore {
    let database: HotlineDatabase

    /// Opens the store. Its table exists: ``HotlineDatabase`` runs every migration when it opens.
    /// - Parameter database: The hotline database.
    /// - Throws: Nothing today; kept so that a store needing setup can be added without breaking callers.
    public init(database: HotlineDatabase) throws {
        self.database = database
    }

    /// Saves (or replaces) a call's record.
    /// - Parameter record: The record.
    /// - Throws: SQLite errors.
    public func save(_ record: CallDetailRecord) async throws {
        try await database.pool.write { db in try Self.insert(record, into: "call_detail_record", in: db) }
    }

    /// Inserts (or replaces) a record in a table with the record's columns, inside a transaction.
    static func insert(_ record: CallDetailRecord, into table: String, in db: Database) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO \(table) (call_id, caller, dialled_number, started_at, answered_at,
                queued_at, queue, agent, agent_answered_at, ended_at, disposition, ended_by, flow_outcome, recording, rating, direction)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                record.callID, record.caller, record.dialledNumber, record.startedAt.timeIntervalSince1970,
                record.answeredAt?.timeIntervalSince1970, record.queuedAt?.timeIntervalSince1970, record.queue,
                record.agent, record.agentAnsweredAt?.timeIntervalSince1970, record.endedAt.timeIntervalSince1970,
                record.disposition.rawValue, record.endedBy, record.flowOutcome, record.recording, record.rating,
                record.direction.rawValue,
            ])
    }

    /// The newest records first, by start time.
    /// - Parameter limit: The most to return.
    /// - Returns: The records.
    /// - Throws: SQLite errors.
    public func recentCallDetailRecords(limit: Int) async throws -> [CallDetailRecord] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM call_detail_record ORDER BY started_at DESC LIMIT ?", arguments: [limit])
                .map(Self.record(from:))
        }
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
            rating: row["rating"],
            direction: (row["direction"] as String?).flatMap(CallDetailRecord.Direction.init) ?? .inbound)
    }
}
