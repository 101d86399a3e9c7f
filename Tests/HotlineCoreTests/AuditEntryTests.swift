import Foundation
import HotlineCore
import Testing

@Suite struct AuditEntryTests {
    @Test func beforeAndAfterAreJSONWithoutSecrets() throws {
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        var user = User(id: "u1", username: "li.hua", displayName: "李华", kind: .agent, passwordHash: "$2b$12$secret", createdAt: at)
        let before = user
        user.roles = ["supervisor"]
        let entry = try AuditEntry(at: at, actor: "admin-1", action: "user.update", subject: "user:u1", before: before, after: user)
        let after = try #require(entry.after)
        #expect(!after.contains("secret") && !(entry.before ?? "").contains("passwordHash"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(after.utf8)) as? [String: Any])
        #expect(object["roles"] as? [String] == ["supervisor"])
        #expect(object["username"] as? String == "li.hua")
        #expect(entry.before?.contains("\"agent\"") == true)
    }

    @Test func theLogKeepsOrderAndFilters() async throws {
        let log: any AuditLog = InMemoryAuditLog()
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        try await log.append([AuditEntry(at: at, actor: "a", action: "x", subject: "s1"), AuditEntry(at: at, actor: "b", action: "y", subject: "s2")])
        try await log.append([AuditEntry(at: at, actor: "a", action: "z", subject: "s2")])
        #expect(try await log.entries(after: 0, actor: "a", subject: nil, limit: 10).map(\.action) == ["x", "z"])
        #expect(try await log.entries(after: 1, actor: nil, subject: "s2", limit: 10).map(\.sequence) == [2, 3])
    }
}
