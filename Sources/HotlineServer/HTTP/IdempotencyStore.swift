public import Foundation
import GRDB
public import HotlineSQLite

/// A response remembered under an `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header).
public struct IdempotentResponse: Sendable, Hashable {
    /// The HTTP status answered.
    public var status: Int
    /// The body answered.
    public var body: Data

    /// Creates a remembered response.
    /// - Parameters:
    ///   - status: The status.
    ///   - body: The body.
    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }
}

/// What ``IdempotencyStore/begin(key:owner:fingerprint:at:)`` found.
public enum IdempotencyClaim: Sendable, Hashable {
    /// The key is new and now reserved: do the work, then ``IdempotencyStore/finish(key:owner:response:)``.
    case claimed
    /// The same request was done before: answer this again.
    case replay(IdempotentResponse)
    /// The key was used for a different request (other route or body).
    case mismatch
    /// A request with this key is still being handled.
    case inProgress
}

/// Remembers the responses to creating requests by key and caller so a retried create does not create twice.
public protocol IdempotencyStore: Sendable {
    /// Claims a key, or finds what it was used for.
    /// - Parameters:
    ///   - key: The client's key.
    ///   - owner: The caller (user id); keys are scoped per caller.
    ///   - fingerprint: A hash of method, path and body.
    ///   - at: Now; keys older than the store's lifetime are forgotten.
    /// - Returns: The claim.
    /// - Throws: Storage errors.
    func begin(key: String, owner: String, fingerprint: String, at now: Date) async throws -> IdempotencyClaim

    /// Records the response of a claimed key.
    /// - Parameters:
    ///   - key: The key.
    ///   - owner: The caller.
    ///   - response: What was answered.
    /// - Throws: Storage errors.
    func finish(key: String, owner: String, response: IdempotentResponse) async throws

    /// Releases a claimed key after the request failed, so it can be retried.
    /// - Parameters:
    ///   - key: The key.
    ///   - owner: The caller.
    /// - Throws: Storage errors.
    func abandon(key: String, owner: String) async throws
}

/// ``IdempotencyStore`` in the Hotline SQLite database (table `api_idempotency`), all SQL with bound parameters.
public struct SQLiteIdempotencyStore: IdempotencyStore {
    private let database: HotlineDatabase
    private let lifetime: TimeInterval

    /// Opens the store, creating its table if needed.
    /// - Parameters:
    ///   - database: The Hotline database.
    ///   - lifetime: Seconds a key is kept.
    /// - Throws: Database errors.
    public init(database: HotlineDatabase, lifetime: TimeInterval = 86_400) throws {
        self.database = database
        self.lifetime = lifetime
        try database.pool.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS api_idempotency (
                    owner TEXT NOT NULL,
                    key TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    status INTEGER,
                    body BLOB,
                    PRIMARY KEY (owner, key)
                ) WITHOUT ROWID
                """)
        }
    }

    public func begin(key: String, owner: String, fingerprint: String, at now: Date) async throws -> IdempotencyClaim {
        let lifetime = self.lifetime
        return try await database.pool.write { db in
            try db.execute(sql: "DELETE FROM api_idempotency WHERE created_at < ?",
                           arguments: [now.timeIntervalSince1970 - lifetime])
            if let row = try Row.fetchOne(db, sql: "SELECT fingerprint, status, body FROM api_idempotency WHERE owner = ? AND key = ?",
                                          arguments: [owner, key]) {
                let stored: String = row["fingerprint"]
                guard stored == fingerprint else { return .mismatch }
                guard let status: Int = row["status"] else { return .inProgress }
                let body: Data = row["body"] ?? Data()
                return .replay(IdempotentResponse(status: status, body: body))
            }
            try db.execute(sql: "INSERT INTO api_idempotency (owner, key, fingerprint, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [owner, key, fingerprint, now.timeIntervalSince1970])
            return .claimed
        }
    }

    public func finish(key: String, owner: String, response: IdempotentResponse) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "UPDATE api_idempotency SET status = ?, body = ? WHERE owner = ? AND key = ?",
                           arguments: [response.status, response.body, owner, key])
        }
    }

    public func abandon(key: String, owner: String) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "DELETE FROM api_idempotency WHERE owner = ? AND key = ? AND status IS NULL", arguments: [owner, key])
        }
    }
}
