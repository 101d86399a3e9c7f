import Foundation
import GRDB
import HotlineCore
import HotlineSQLite
import Testing

@Suite struct UserStoreTests {
    let at = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func usersRolesSessionsAndKeysRoundTrip() async throws {
        let temporary = try CaseworkTemporaryDatabase()
        let database = temporary.database
        var user = User(id: "u1", username: "Li.Hua", displayName: "李华", kind: .departmentHandler, department: "征管科",
                        agentNumber: "8001", passwordHash: "$2b$04$abc", createdAt: at)
        try await database.create(user)
        await #expect(throws: AccessError.usernameTaken("li.hua")) {
            try await database.create(User(username: "li.hua", displayName: "x", kind: .agent, createdAt: at))
        }
        user.failedLoginCount = 2
        user.lockedUntil = at.addingTimeInterval(900)
        user.roles = ["department-handler", "kb-editor"]
        try await database.update(user)
        #expect(try await database.user(id: "u1") == user)
        #expect(try await database.user(username: "LI.HUA") == user)
        await #expect(throws: AccessError.userNotFound("zz")) {
            try await database.update(User(id: "zz", username: "zz", displayName: "", kind: .agent, createdAt: at))
        }
        try await database.create(User(id: "u2", username: "a.admin", displayName: "管理员", kind: .administrator, createdAt: at))
        #expect(try await database.users(after: nil, limit: 10).map(\.id) == ["u2", "u1"])
        #expect(try await database.users(after: "a.admin", limit: 10).map(\.id) == ["u1"])

        try await database.save(Role(id: "kb-editor", title: "知识库编辑", permissions: [.knowledgeRead, .knowledgeEdit]))
        let roles = try await database.roles()
        #expect(roles.map(\.id) == ["administrator", "agent", "api-client", "department-handler", "kb-editor", "supervisor"])
        #expect(user.principal(roles: roles).can(.knowledgeEdit))
        await #expect(throws: AccessError.invalidRoleName("Bad Role")) { try await database.save(Role(id: "Bad Role", title: "", permissions: [])) }

        let session = Session(id: "s1", userID: "u1", tokenHash: "h1", createdAt: at, lastUsedAt: at, expiresAt: at.addingTimeInterval(60))
        try await database.create(session)
        try await database.create(Session(id: "s2", userID: "u1", tokenHash: "h2", createdAt: at, lastUsedAt: at, expiresAt: at.addingTimeInterval(600)))
        try await database.touchSession("s1", at: at.addingTimeInterval(30))
        #expect(try await database.session(tokenHash: "h1")?.lastUsedAt == at.addingTimeInterval(30))
        #expect(try await database.deleteExpiredSessions(before: at.addingTimeInterval(60)) == 1)
        #expect(try await database.session(tokenHash: "h1") == nil)
        try await database.deleteSessions(id: nil, userID: "u1")
        #expect(try await database.session(tokenHash: "h2") == nil)

        var key = APIKey(id: "k1", name: "CRM", userID: "u2", secretHash: "s", createdAt: at, expiresAt: at.addingTimeInterval(86_400))
        try await database.save(key)
        key.revokedAt = at.addingTimeInterval(5)
        try await database.save(key)
        #expect(try await database.apiKey(id: "k1") == key)
        #expect(try await database.apiKeys(userID: "u2") == [key])
    }

    @Test func theAuditLogIsAppendOnly() async throws {
        let temporary = try CaseworkTemporaryDatabase()
        let database = temporary.database
        let stored = try await database.append([
            AuditEntry(at: at, actor: "admin", action: "user.create", subject: "user:u1", before: nil, after: "{\"username\":\"li\"}"),
            AuditEntry(at: at, actor: "u1", action: "login.succeeded", subject: "user:u1"),
        ])
        #expect(stored.map(\.sequence) == [1, 2])
        #expect(try await database.entries(after: 0, actor: "admin", subject: nil, limit: 10) == [stored[0]])
        #expect(try await database.entries(after: 0, actor: nil, subject: "user:u1", limit: 10) == stored)
        #expect(try await database.entries(after: 1, actor: nil, subject: nil, limit: 10) == [stored[1]])
        await #expect(throws: (any Error).self) {
            try await database.pool.write { db in try db.execute(sql: "UPDATE audit_entry SET actor = 'x'") }
        }
        await #expect(throws: (any Error).self) {
            try await database.pool.write { db in try db.execute(sql: "DELETE FROM audit_entry") }
        }
    }

    @Test func theMigrationsAreAppendedAfterTheFoundations() {
        let migrations = HotlineDatabase.knownMigrations
        // Each topic appends its migrations after the foundations; none is ever reordered.
        #expect(Array(migrations.prefix(2)) == ["2026-11-29 taxpayers, bills, contacts, events",
                                                "2026-11-29 casework: work orders, knowledge base, users, sessions, audit"])
        for later in ["2026-12-04 search: four-character code index replaces the trigram index",
                      "2026-12-04 webhooks: subscriptions, deliveries, cursor",
                      "2026-12-04 operations: calls in progress, voicemail"] {
            #expect((migrations.firstIndex(of: later) ?? -1) >= 2, "\(later)")
        }
    }
}
