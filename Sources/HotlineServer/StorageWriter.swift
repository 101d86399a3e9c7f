import Foundation
import GRDB
import HotlineCore
import HotlineSQLite
import Logging
import Synchronization

/// Appends events, call records, calls in progress and voicemail to SQLite in order, off the event loop.
///
/// Items are queued without blocking the loop; the writer takes everything queued so far and writes it
/// in one transaction, so a burst of calls costs one commit rather than one per event. When a batch fails
/// it is written again item by item, so one bad item loses only itself.
final class StorageWriter: Sendable {
    enum Item: Sendable {
        case events([RecordedEvent])
        /// A finished call's record (also appended to the event log; its in-progress row is removed).
        case record(CallDetailRecord)
        /// A call in progress, replaced at each step (answered, queued, bridged).
        case active(CallDetailRecord)
        /// A new voicemail message (its notification event is appended with it).
        case voicemail(Voicemail)
        /// A voicemail marked handled.
        case voicemailHandled(id: String, by: String, at: Date)
    }

    private final class Queue: Sendable {
        let items = Mutex<[Item]>([])
    }

    private let queue = Queue()
    private let wake: AsyncStream<Void>.Continuation
    private let task: Task<Void, Never>

    init(database: HotlineDatabase, logger: Logger) {
        let (stream, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.wake = wake
        let queue = self.queue
        task = Task {
            for await _ in stream {
                await Self.drain(queue, into: database, logger: logger)
            }
            await Self.drain(queue, into: database, logger: logger)
        }
    }

    private static func drain(_ queue: Queue, into database: HotlineDatabase, logger: Logger) async {
        let batch = queue.items.withLock { items in
            let taken = items
            items.removeAll(keepingCapacity: true)
            return taken
        }
        guard !batch.isEmpty else { return }
        do {
            try await database.pool.write { db in
                for item in batch { try write(item, in: db) }
            }
        } catch {
            for item in batch {
                do {
                    try await database.pool.write { db in try write(item, in: db) }
                } catch {
                    logger.error("storage write failed: \(error)")
                }
            }
        }
    }

    static func write(_ item: Item, in db: Database) throws {
        switch item {
        case .events(let events):
            for event in events { try appendEvent(event, in: db) }
        case .record(let record):
            try SQLiteCallDetailRecordStore.insert(record, into: "call_detail_record", in: db)
            try db.execute(sql: "DELETE FROM active_call WHERE call_id = ?", arguments: [record.callID])
            try appendEvent(try RecordedEvent(record, occurredAt: record.endedAt, subject: "call:\(record.callID)"), in: db)
        case .active(let record):
            try db.execute(sql: """
                INSERT OR REPLACE INTO active_call (call_id, caller, dialled_number, started_at, answered_at, queued_at,
                    queue, agent, agent_answered_at, updated_at, flow_outcome, recording, direction)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    record.callID, record.caller, record.dialledNumber, record.startedAt.timeIntervalSince1970,
                    record.answeredAt?.timeIntervalSince1970, record.queuedAt?.timeIntervalSince1970, record.queue,
                    record.agent, record.agentAnsweredAt?.timeIntervalSince1970, record.endedAt.timeIntervalSince1970,
                    record.flowOutcome, record.recording, record.direction.rawValue,
                ])
        case .voicemail(let voicemail):
            try VoicemailStore.insert(voicemail, in: db)
            try appendEvent(try RecordedEvent(VoicemailReceived(voicemail), occurredAt: voicemail.recordedAt,
                                              subject: "voicemail:\(voicemail.id)"), in: db)
        case .voicemailHandled(let id, let by, let at):
            try VoicemailStore.markHandled(id: id, by: by, at: at, in: db)
        }
    }

    static func appendEvent(_ event: RecordedEvent, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO event (type, occurred_at, subject, payload) VALUES (?, ?, ?, ?)")
            .execute(arguments: [event.type, event.occurredAt.timeIntervalSince1970, event.subject, event.payload])
    }

    func submit(_ item: Item) {
        queue.items.withLock { $0.append(item) }
        wake.yield()
    }

    /// Writes what is queued, then stops.
    func close() async {
        wake.finish()
        await task.value
    }
}
