public import Foundation
import GRDB
public import HotlineCore

extension HotlineDatabase: UserStore, SessionStore, AuditLog {
    // MARK: Users

    static let userColumns = """
        id, username, display_name, kind, roles, department, agent_number, password_hash, disabled, failed_login_count,
        locked_until, created_at, password_changed_at, last_login_at
        """

    static func user(from row: Row) throws -> User {
        let id: String = row["id"]
        guard let kind = User.Kind(rawValue: row["kind"]) else { throw StorageError.corruptRecord("app_user \(id): kind") }
        let roles = try decodeDocument([String].self, row["roles"], what: "app_user \(id) roles")
        var user = User(id: id, username: row["username"], displayName: row["display_name"], kind: kind, roles: roles,
                        department: row["department"], agentNumber: row["agent_number"], passwordHash: row["password_hash"],
                        createdAt: Date(timeIntervalSince1970: row["created_at"]))
        user.isDisabled = row["disabled"]
        user.failedLoginCount = row["failed_login_count"]
        user.lockedUntil = (row["locked_until"] as Double?).map(Date.init(timeIntervalSince1970:))
        user.passwordChangedAt = (row["password_changed_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        user.lastLoginAt = (row["last_login_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        return user
    }

    static func userValues(_ user: User) throws -> StatementArguments {
        [user.username, user.displayName, user.kind.rawValue, try encodeDocument(user.roles), user.department, user.agentNumber,
         user.passwordHash, user.isDisabled, user.failedLoginCount, user.lockedUntil?.timeIntervalSince1970,
         user.createdAt.timeIntervalSince1970, user.passwordChangedAt?.timeIntervalSince1970, user.lastLoginAt?.timeIntervalSince1970,
         user.id]
    }

    static func usernameTaken(_ username: String, except id: String?, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM app_user WHERE username = ? COLLATE NOCASE AND id IS NOT ?)",
                          arguments: [username, id]) ?? false
    }

    /// Inserts a user.
    ///
    /// - Parameter user: The user.
    /// - Throws: ``AccessError/usernameTaken(_:)`` or SQLite errors.
    public func create(_ user: User) async throws {
        try await pool.write { db in
            guard try !Self.usernameTaken(user.username, except: nil, in: db) else { throw AccessError.usernameTaken(user.username) }
            try db.execute(sql: """
                INSERT INTO app_user (username, display_name, kind, roles, department, agent_number, password_hash, disabled,
                    failed_login_count, locked_until, created_at, password_changed_at, last_login_at, id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: try Self.userValues(user))
        }
    }

    /// Replaces a user.
    ///
    /// - Parameter user: The user.
    /// - Throws: ``AccessError/userNotFound(_:)``, ``AccessError/usernameTaken(_:)`` or SQLite errors.
    public func update(_ user: User) async throws {
        try await pool.write { db in
            guard try !Self.usernameTaken(user.username, except: user.id, in: db) else { throw AccessError.usernameTaken(user.username) }
            try db.execute(sql: """
                UPDATE app_user SET username = ?, display_name = ?, kind = ?, roles = ?, department = ?, agent_number = ?,
                    password_hash = ?, disabled = ?, failed_login_count = ?, locked_until = ?, created_at = ?,
                    password_changed_at = ?, last_login_at = ?
                WHERE id = ?
                """, arguments: try Self.userValues(user))
            guard db.changesCount == 1 else { throw AccessError.userNotFound(user.id) }
        }
    }

    /// The user with an identifier.
    ///
    /// - Parameter id: Identifier.
    /// - Returns: The user, or `nil`.
    /// - Throws: SQLite errors.
    public func user(id: String) async throws -> User? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM app_user WHERE id = ?", arguments: [id]).map(Self.user(from:))
        }
    }

    /// The user with a sign-in name (case-insensitive).
    ///
    /// - Parameter username: The name.
    /// - Returns: The user, or `nil`.
    /// - Throws: SQLite errors.
    public func user(username: String) async throws -> User? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM app_user WHERE username = ? COLLATE NOCASE",
                             arguments: [username]).map(Self.user(from:))
        }
    }

    /// A page of users by name.
    ///
    /// - Parameters:
    ///   - username: Cursor.
    ///   - limit: Page size.
    /// - Returns: The users.
    /// - Throws: SQLite errors.
    public func users(after username: String?, limit: Int) async throws -> [User] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.userColumns) FROM app_user WHERE username > ? COLLATE NOCASE ORDER BY username COLLATE NOCASE LIMIT ?
                """, arguments: [username ?? "", max(0, limit)]).map(Self.user(from:))
        }
    }

    /// The built-in roles, overlaid by roles saved in the database.
    ///
    /// - Returns: The roles by name.
    /// - Throws: SQLite errors.
    public func roles() async throws -> [Role] {
        let stored = try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, title, permissions FROM app_role").map { row in
                let id: String = row["id"]
                let names = try Self.decodeDocument([String].self, row["permissions"], what: "app_role \(id)")
                return Role(id: id, title: row["title"], permissions: Set(names.compactMap(Permission.init(rawValue:))))
            }
        }
        var byID = Dictionary(uniqueKeysWithValues: Role.builtIn.map { ($0.id, $0) })
        for role in stored { byID[role.id] = role }
        return byID.values.sorted { $0.id < $1.id }
    }

    /// Saves a role.
    ///
    /// - Parameter role: The role.
    /// - Throws: ``AccessError/invalidRoleName(_:)`` or SQLite errors.
    public func save(_ role: Role) async throws {
        guard Role.isValidName(role.id) else { throw AccessError.invalidRoleName(role.id) }
        let permissions = try Self.encodeDocument(role.permissions.map(\.rawValue).sorted())
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO app_role (id, title, permissions) VALUES (?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET title = excluded.title, permissions = excluded.permissions
                """, arguments: [role.id, role.title, permissions])
        }
    }

    // MARK: Sessions

    /// Stores a session.
    ///
    /// - Parameter session: The session.
    /// - Throws: SQLite errors.
    public func create(_ session: Session) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO app_session (id, user_id, token_hash, created_at, last_used_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [session.id, session.userID, session.tokenHash, session.createdAt.timeIntervalSince1970,
                                 session.lastUsedAt.timeIntervalSince1970, session.expiresAt.timeIntervalSince1970])
        }
    }

    /// The session with a token hash.
    ///
    /// - Parameter tokenHash: The hash.
    /// - Returns: The session, or `nil`.
    /// - Throws: SQLite errors.
    public func session(tokenHash: String) async throws -> Session? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM app_session WHERE token_hash = ?", arguments: [tokenHash]).map { row in
                Session(id: row["id"], userID: row["user_id"], tokenHash: row["token_hash"],
                        createdAt: Date(timeIntervalSince1970: row["created_at"]),
                        lastUsedAt: Date(timeIntervalSince1970: row["last_used_at"]),
                        expiresAt: Date(timeIntervalSince1970: row["expires_at"]))
            }
        }
    }

    /// Marks a session used.
    ///
    /// - Parameters:
    ///   - id: The session.
    ///   - now: When.
    /// - Throws: SQLite errors.
    public func touchSession(_ id: String, at now: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE app_session SET last_used_at = ? WHERE id = ?", arguments: [now.timeIntervalSince1970, id])
        }
    }

    /// Ends sessions.
    ///
    /// - Parameters:
    ///   - id: One session.
    ///   - userID: All of a user's sessions.
    /// - Throws: SQLite errors.
    public func deleteSessions(id: String?, userID: String?) async throws {
        try await pool.write { db in
            if let id { try db.execute(sql: "DELETE FROM app_session WHERE id = ?", arguments: [id]) }
            if let userID { try db.execute(sql: "DELETE FROM app_session WHERE user_id = ?", arguments: [userID]) }
        }
    }

    /// Removes expired sessions.
    ///
    /// - Parameter now: The instant.
    /// - Returns: How many were removed.
    /// - Throws: SQLite errors.
    @discardableResult
    public func deleteExpiredSessions(before now: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM app_session WHERE expires_at <= ?", arguments: [now.timeIntervalSince1970])
            return db.changesCount
        }
    }

    // MARK: API keys

    static func apiKey(from row: Row) -> APIKey {
        var key = APIKey(id: row["id"], name: row["name"], userID: row["user_id"], secretHash: row["secret_hash"],
                         createdAt: Date(timeIntervalSince1970: row["created_at"]),
                         expiresAt: (row["expires_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
        key.revokedAt = (row["revoked_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        key.lastUsedAt = (row["last_used_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        return key
    }

    /// Inserts or replaces an API key.
    ///
    /// - Parameter key: The key.
    /// - Throws: SQLite errors.
    public func save(_ key: APIKey) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO api_key (id, name, user_id, secret_hash, created_at, expires_at, revoked_at, last_used_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, user_id = excluded.user_id, secret_hash = excluded.secret_hash,
                    created_at = excluded.created_at, expires_at = excluded.expires_at, revoked_at = excluded.revoked_at,
                    last_used_at = excluded.last_used_at
                """, arguments: [key.id, key.name, key.userID, key.secretHash, key.createdAt.timeIntervalSince1970,
                                 key.expiresAt?.timeIntervalSince1970, key.revokedAt?.timeIntervalSince1970,
                                 key.lastUsedAt?.timeIntervalSince1970])
        }
    }

    /// The API key with an identifier.
    ///
    /// - Parameter id: Identifier.
    /// - Returns: The key, or `nil`.
    /// - Throws: SQLite errors.
    public func apiKey(id: String) async throws -> APIKey? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM api_key WHERE id = ?", arguments: [id]).map(Self.apiKey(from:)) }
    }

    /// A user's API keys, oldest first.
    ///
    /// - Parameter userID: The user.
    /// - Returns: The keys.
    /// - Throws: SQLite errors.
    public func apiKeys(userID: String) async throws -> [APIKey] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_key WHERE user_id = ? ORDER BY created_at, id", arguments: [userID])
                .map(Self.apiKey(from:))
        }
    }

    // MARK: Audit log

    /// Appends audit entries.
    ///
    /// - Parameter entries: The entries.
    /// - Returns: The entries with sequences.
    /// - Throws: SQLite errors.
    @discardableResult
    public func append(_ entries: [AuditEntry]) async throws -> [AuditEntry] {
        try await pool.write { db in
            try entries.map { entry in
                var stored = entry
                try db.cachedStatement(sql: "INSERT INTO audit_entry (at, actor, action, subject, before, after) VALUES (?, ?, ?, ?, ?, ?)")
                    .execute(arguments: [entry.at.timeIntervalSince1970, entry.actor, entry.action, entry.subject, entry.before, entry.after])
                stored.sequence = db.lastInsertedRowID
                return stored
            }
        }
    }

    /// Audit entries after a sequence, oldest first.
    ///
    /// - Parameters:
    ///   - sequence: Cursor.
    ///   - actor: Actor filter.
    ///   - subject: Subject filter.
    ///   - limit: Most entries.
    /// - Returns: The entries.
    /// - Throws: SQLite errors.
    public func entries(after sequence: Int64, actor: String?, subject: String?, limit: Int) async throws -> [AuditEntry] {
        // Built per filter so that SQLite can use the (actor, sequence) and (subject, sequence) indexes.
        var sql = "SELECT * FROM audit_entry WHERE sequence > ?"
        var arguments: StatementArguments = [sequence]
        if let actor {
            sql += " AND actor = ?"
            arguments += [actor]
        }
        if let subject {
            sql += " AND subject = ?"
            arguments += [subject]
        }
        sql += " ORDER BY sequence LIMIT ?"
        arguments += [max(0, limit)]
        let query = sql
        let bound = arguments
        return try await pool.read { db in
            try Row.fetchAll(db, sql: query, arguments: bound).map { row in
                AuditEntry(sequence: row["sequence"], at: Date(timeIntervalSince1970: row["at"]), actor: row["actor"],
                           action: row["action"], subject: row["subject"], before: row["before"], after: row["after"])
            }
        }
    }
}
