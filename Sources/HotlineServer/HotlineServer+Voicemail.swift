public import Foundation
import GRDB
public import HotlineCore
import HotlineIVR
public import HotlineSQLite
import HotlineSIP
import Logging

/// A message a caller left in a queue's voicemail box (after hours, or when the queue was unavailable),
/// kept as a mono WAV file under the data directory.
public struct Voicemail: Sendable, Hashable, Codable {
    /// The message's identifier.
    public var id: String
    /// The queue whose box holds it: the queue the caller waited in, otherwise the server's default box.
    public var queue: String
    /// The SIP Call-ID of the call that left it.
    public var callID: String
    /// The caller's number (to call back).
    public var caller: String
    /// The number the caller dialled.
    public var dialledNumber: String
    /// When the message was kept.
    public var recordedAt: Date
    /// Its length.
    public var durationMilliseconds: Int
    /// The WAV file, relative to the data directory.
    public var reference: String
    /// When someone marked it handled (`nil`: still open).
    public var handledAt: Date?
    /// Who marked it handled.
    public var handledBy: String?
}

/// A new voicemail message (event type `voicemail.received`), the notification supervisors and agents
/// subscribe to on the event log.
public struct VoicemailReceived: DomainEvent {
    /// The event's stable type name.
    public static let eventType = "voicemail.received"
    /// The message.
    public var id: String
    /// Its box.
    public var queue: String
    /// Who left it.
    public var caller: String
    /// The call.
    public var callID: String
    /// Its length.
    public var durationMilliseconds: Int

    init(_ voicemail: Voicemail) {
        id = voicemail.id
        queue = voicemail.queue
        caller = voicemail.caller
        callID = voicemail.callID
        durationMilliseconds = voicemail.durationMilliseconds
    }
}

/// The voicemail table (migration "2026-12-04 operations").
public struct VoicemailStore: Sendable {
    let database: HotlineDatabase
    /// The data directory the references are relative to.
    public let dataDirectory: URL

    /// A store over the hotline database.
    /// - Parameters:
    ///   - database: The database.
    ///   - dataDirectory: Where the message files are.
    public init(database: HotlineDatabase, dataDirectory: URL) {
        self.database = database
        self.dataDirectory = dataDirectory
    }

    static func insert(_ voicemail: Voicemail, in db: Database) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO voicemail (id, queue, call_id, caller, dialled_number, recorded_at, duration_ms, reference,
                handled_at, handled_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                voicemail.id, voicemail.queue, voicemail.callID, voicemail.caller, voicemail.dialledNumber,
                voicemail.recordedAt.timeIntervalSince1970, voicemail.durationMilliseconds, voicemail.reference,
                voicemail.handledAt?.timeIntervalSince1970, voicemail.handledBy,
            ])
    }

    static func markHandled(id: String, by: String, at: Date, in db: Database) throws {
        try db.execute(sql: "UPDATE voicemail SET handled_at = ?, handled_by = ? WHERE id = ? AND handled_at IS NULL",
                       arguments: [at.timeIntervalSince1970, by, id])
    }

    private static func voicemail(_ row: Row) -> Voicemail {
        Voicemail(id: row["id"], queue: row["queue"], callID: row["call_id"], caller: row["caller"],
                  dialledNumber: row["dialled_number"], recordedAt: Date(timeIntervalSince1970: row["recorded_at"]),
                  durationMilliseconds: row["duration_ms"], reference: row["reference"],
                  handledAt: (row["handled_at"] as Double?).map { Date(timeIntervalSince1970: $0) }, handledBy: row["handled_by"])
    }

    /// Messages, newest first.
    /// - Parameters:
    ///   - queue: Only this box, when given.
    ///   - handled: Only handled (`true`) or open (`false`) messages, when given.
    ///   - before: Only messages recorded before this instant (the cursor of the previous page).
    ///   - limit: The most to return.
    /// - Returns: The messages.
    /// - Throws: SQLite errors.
    public func list(queue: String?, handled: Bool?, before: Date?, limit: Int) async throws -> [Voicemail] {
        try await database.pool.read { db in
            var conditions: [String] = []
            var values: [any DatabaseValueConvertible] = []
            if let queue {
                conditions.append("queue = ?")
                values.append(queue)
            }
            if let handled { conditions.append(handled ? "handled_at IS NOT NULL" : "handled_at IS NULL") }
            if let before {
                conditions.append("recorded_at < ?")
                values.append(before.timeIntervalSince1970)
            }
            values.append(limit)
            let condition = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: "SELECT * FROM voicemail \(condition) ORDER BY recorded_at DESC, id LIMIT ?",
                                    arguments: StatementArguments(values)).map(Self.voicemail)
        }
    }

    /// One message.
    /// - Parameter id: Its identifier.
    /// - Returns: The message, or `nil`.
    /// - Throws: SQLite errors.
    public func voicemail(id: String) async throws -> Voicemail? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM voicemail WHERE id = ?", arguments: [id]).map(Self.voicemail)
        }
    }

    /// Marks a message handled (once; a second mark keeps the first) and appends `voicemail.handled`.
    /// - Parameters:
    ///   - id: The message.
    ///   - by: Who handled it.
    ///   - at: When.
    /// - Returns: The message as it now stands, or `nil` when there is no such message.
    /// - Throws: SQLite errors.
    public func markHandled(id: String, by: String, at: Date) async throws -> Voicemail? {
        try await database.pool.write { db in
            guard let before = try Row.fetchOne(db, sql: "SELECT * FROM voicemail WHERE id = ?", arguments: [id]).map(Self.voicemail) else {
                return nil
            }
            guard before.handledAt == nil else { return before }
            try Self.markHandled(id: id, by: by, at: at, in: db)
            try StorageWriter.appendEvent(try RecordedEvent(VoicemailHandled(id: id, queue: before.queue, by: by),
                                                            occurredAt: at, subject: "voicemail:\(id)"), in: db)
            var after = before
            after.handledAt = at
            after.handledBy = by
            return after
        }
    }

    /// The message's file.
    /// - Parameter voicemail: The message.
    /// - Returns: Its URL under the data directory.
    public func url(of voicemail: Voicemail) -> URL {
        dataDirectory.appendingPathComponent(voicemail.reference)
    }
}

/// A voicemail message was marked handled (event type `voicemail.handled`).
public struct VoicemailHandled: DomainEvent {
    /// The event's stable type name.
    public static let eventType = "voicemail.handled"
    /// The message.
    public var id: String
    /// Its box.
    public var queue: String
    /// Who handled it.
    public var by: String
}

extension HotlineServer {
    /// The voicemail boxes of this server's database.
    public var voicemail: VoicemailStore { VoicemailStore(database: database, dataDirectory: dataDirectory) }

    /// The interpreter kept a message: a voicemail goes into the box of the queue the caller waited in
    /// (overflow, all agents busy) or, after hours, the default box (the first configured queue).
    func messageKept(_ message: MessageRecorded, _ call: InboundCall, at date: Date) {
        guard message.purpose == "voicemail" else { return }
        let queue = call.queue ?? configuration.queues.first?.name ?? "voicemail"
        let voicemail = Voicemail(
            id: "vm-\(Self.fileSafe(call.sip.callID))-\(Int(date.timeIntervalSince1970 * 1000))", queue: queue,
            callID: call.sip.callID, caller: call.caller, dialledNumber: call.dialledNumber, recordedAt: date,
            durationMilliseconds: Int(message.durationMilliseconds), reference: message.reference)
        writer.submit(.voicemail(voicemail))
        logger.info("voicemail kept", metadata: ["queue": "\(queue)", "caller": "\(call.caller)", "reference": "\(message.reference)"])
    }
}
