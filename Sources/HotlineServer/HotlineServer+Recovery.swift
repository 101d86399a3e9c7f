import Foundation
import GRDB
public import HotlineCore
import HotlineSQLite
import Logging

/// A call found in progress at start-up: the server stopped (crash, `kill -9`, power loss) without
/// ending it (event type `call.interrupted`).
public struct CallInterrupted: DomainEvent {
    /// The event's stable type name.
    public static let eventType = "call.interrupted"
    /// The SIP Call-ID of the caller's leg.
    public var callID: String
    /// The recording, relative to the data directory, if the call was being recorded.
    public var recording: String?
    /// Seconds of audio the recording holds after repair.
    public var recordedSeconds: Double?
}

extension HotlineServer {
    /// Closes the calls a previous run left in progress: each gets a CDR with disposition
    /// ``CallDetailRecord/Disposition/interrupted`` (ended by `server`, at the last moment known: its last
    /// recorded step or its recording's last write), a `call.interrupted` event, and its recording's WAV
    /// header is made to match the audio on disk, so the recording plays up to the stop.
    /// - Returns: How many calls were closed.
    @discardableResult
    static func recoverInterruptedCalls(database: HotlineDatabase, dataDirectory: URL, logger: Logger) throws -> Int {
        try database.pool.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM active_call")
            for row in rows {
                func date(_ column: String) -> Date? { (row[column] as Double?).map { Date(timeIntervalSince1970: $0) } }
                let callID: String = row["call_id"]
                let recording: String? = row["recording"]
                var endedAt = date("updated_at") ?? Date()
                var recordedSeconds: Double?
                if let recording {
                    let url = dataDirectory.appendingPathComponent(recording)
                    do {
                        recordedSeconds = try WAVRepair.repair(url)
                        if let modified = try FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date {
                            endedAt = max(endedAt, modified)
                        }
                    } catch {
                        logger.warning("interrupted call's recording cannot be repaired",
                                       metadata: ["call": "\(callID)", "recording": "\(recording)", "error": "\(error)"])
                    }
                }
                var record = CallDetailRecord(
                    callID: callID, caller: row["caller"], dialledNumber: row["dialled_number"],
                    startedAt: date("started_at") ?? endedAt, answeredAt: date("answered_at"), queuedAt: date("queued_at"),
                    queue: row["queue"], agent: row["agent"], agentAnsweredAt: date("agent_answered_at"), endedAt: endedAt,
                    disposition: .interrupted, endedBy: "server", flowOutcome: "interrupted: the server stopped",
                    recording: recording, rating: nil)
                record.direction = (row["direction"] as String?).flatMap(CallDetailRecord.Direction.init(rawValue:)) ?? .inbound
                try SQLiteCallDetailRecordStore.insert(record, into: "call_detail_record", in: db)
                try StorageWriter.appendEvent(try RecordedEvent(
                    CallInterrupted(callID: callID, recording: recording, recordedSeconds: recordedSeconds),
                    occurredAt: endedAt, subject: "call:\(callID)"), in: db)
                try StorageWriter.appendEvent(try RecordedEvent(record, occurredAt: endedAt, subject: "call:\(callID)"), in: db)
                logger.notice("closed a call interrupted by the last stop", metadata: [
                    "call": "\(callID)", "recording": "\(recording ?? "none")",
                    "recorded": "\(recordedSeconds.map { String(format: "%.1f s", $0) } ?? "-")",
                ])
            }
            try db.execute(sql: "DELETE FROM active_call")
            return rows.count
        }
    }
}

/// Makes a WAV file cut off mid-write consistent: the RIFF and `data` sizes (and a G.711 `fact` count)
/// are set to the whole sample frames actually on disk, and a torn last frame is dropped.
enum WAVRepair {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Repairs the header in place.
    /// - Returns: Seconds of audio in the file.
    static func repair(_ url: URL) throws -> Double {
        let handle = try FileHandle(forUpdating: url)
        defer { try? handle.close() }
        let header = try handle.read(upToCount: 4096) ?? Data()
        let bytes = [UInt8](header)
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WAVE".utf8) else {
            throw Failure(description: "\(url.path): not a RIFF/WAVE file")
        }
        let fileSize = Int(try handle.seekToEnd())
        var offset = 12
        var blockAlign = 0
        var sampleRate = 8000
        var factOffset: Int?
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = u32(offset + 4)
            switch id {
            case "fmt ":
                guard offset + 24 <= bytes.count else { break }
                sampleRate = u32(offset + 12)
                blockAlign = u16(offset + 20)
            case "fact":
                factOffset = offset + 8
            case "data":
                guard blockAlign > 0 else { throw Failure(description: "\(url.path): data before fmt") }
                let start = offset + 8
                let available = max(0, fileSize - start)
                let dataBytes = available - available % blockAlign
                func put(_ value: Int, at position: Int) throws {
                    let v = UInt32(truncatingIfNeeded: value)
                    try handle.seek(toOffset: UInt64(position))
                    try handle.write(contentsOf: Data([UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)]))
                }
                try put(start - 8 + dataBytes, at: 4)
                try put(dataBytes, at: offset + 4)
                if let factOffset { try put(dataBytes / blockAlign, at: factOffset) }
                if start + dataBytes < fileSize { try handle.truncate(atOffset: UInt64(start + dataBytes)) }
                try handle.synchronize()
                return Double(dataBytes / blockAlign) / Double(max(1, sampleRate))
            default:
                break
            }
            offset += 8 + size + (size & 1)
        }
        throw Failure(description: "\(url.path): no data chunk in the header")
    }
}
