import Foundation
import HotlineAuth
import HotlineCore
import Testing

@Suite struct AuthenticatorTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)
    let users: any UserStore = InMemoryUserStore()
    let sessions: any SessionStore = InMemorySessionStore()
    let audit: any AuditLog = InMemoryAuditLog()
    let root = Principal(userID: "root", username: "root", permissions: Set(Permission.allCases))

    var authenticator: Authenticator {
        Authenticator(users: users, sessions: sessions, audit: audit, hasher: BcryptPasswordHasher(cost: 4),
                      policy: LoginPolicy(maximumFailures: 3, lockoutSeconds: 600, sessionSeconds: 3600, idleSeconds: 900))
    }

    func addAgent() async throws -> User {
        try await authenticator.addUser(username: "li.hua", displayName: "李华", kind: .agent, password: "Tax-12366-hotline",
                                         agentNumber: "8001", by: root, at: start)
    }

    @Test func signInGivesATokenThatNamesTheUserAndExpires() async throws {
        let user = try await addAgent()
        let issued = try await authenticator.signIn(username: "LI.HUA", password: "Tax-12366-hotline", at: start)
        #expect(issued.user.id == user.id)
        #expect(issued.token.hasPrefix("hls_"))
        #expect(issued.session.tokenHash == SecretToken.hash(issued.token))
        #expect(try await sessions.session(tokenHash: issued.token) == nil, "the token itself is not stored")

        let principal = try await authenticator.principal(forToken: issued.token, at: start.addingTimeInterval(600))
        #expect(principal.userID == user.id)
        #expect(principal.permissions == Role.agent.permissions)
        // Used at +600 s, so still valid at +1400 s (idle 900 s) …
        _ = try await authenticator.principal(forToken: issued.token, at: start.addingTimeInterval(1400))
        // … but idle for 900 s after that it is not.
        await #expect(throws: AccessError.invalidToken) {
            try await authenticator.principal(forToken: issued.token, at: start.addingTimeInterval(2300))
        }
        // An expired session is removed.
        await #expect(throws: AccessError.invalidToken) {
            try await authenticator.principal(forToken: issued.token, at: start.addingTimeInterval(1500))
        }
        await #expect(throws: AccessError.invalidToken) {
            try await authenticator.principal(forToken: "hls_forged", at: start)
        }
    }

    @Test func theAbsoluteLifetimeEndsASessionEvenInUse() async throws {
        _ = try await addAgent()
        let issued = try await authenticator.signIn(username: "li.hua", password: "Tax-12366-hotline", at: start)
        for minute in stride(from: 10, through: 50, by: 10) {
            _ = try await authenticator.principal(forToken: issued.token, at: start.addingTimeInterval(Double(minute * 60)))
        }
        await #expect(throws: AccessError.invalidToken) {
            try await authenticator.principal(forToken: issued.token, at: start.addingTimeInterval(3600))
        }
    }

    @Test func failuresLockTheAccountAndAreAudited() async throws {
        let user = try await addAgent()
        for _ in 0..<2 {
            await #expect(throws: AccessError.invalidCredentials) {
                try await authenticator.signIn(username: "li.hua", password: "wrong-password", at: start)
            }
        }
        let until = start.addingTimeInterval(600)
        await #expect(throws: AccessError.locked(until: until)) {
            try await authenticator.signIn(username: "li.hua", password: "wrong-password", at: start)
        }
        await #expect(throws: AccessError.locked(until: until)) {
            try await authenticator.signIn(username: "li.hua", password: "Tax-12366-hotline", at: start.addingTimeInterval(599))
        }
        _ = try await authenticator.signIn(username: "li.hua", password: "Tax-12366-hotline", at: until)
        await #expect(throws: AccessError.invalidCredentials) {
            try await authenticator.signIn(username: "nobody", password: "x", at: start)
        }
        let actions = try await audit.entries(after: 0, actor: user.id, subject: nil, limit: 20).map(\.action)
        #expect(actions == ["login.failed", "login.failed", "login.locked", "login.succeeded"])
    }

    @Test func passwordsChangeWithTheCurrentOneOrByAnAdministrator() async throws {
        let user = try await addAgent()
        let issued = try await authenticator.signIn(username: "li.hua", password: "Tax-12366-hotline", at: start)
        let me = user.principal(roles: Role.builtIn)
        await #expect(throws: AccessError.invalidCredentials) {
            try await authenticator.setPassword(userID: user.id, to: "New-pass-2026", currentPassword: "guess", by: me, at: start)
        }
        await #expect(throws: AccessError.weakPassword("the password must have at least 10 characters")) {
            try await authenticator.setPassword(userID: user.id, to: "short", currentPassword: "Tax-12366-hotline", by: me, at: start)
        }
        try await authenticator.setPassword(userID: user.id, to: "New-pass-2026", currentPassword: "Tax-12366-hotline", by: me, at: start)
        await #expect(throws: AccessError.invalidToken, "changing the password ends sessions") {
            try await authenticator.principal(forToken: issued.token, at: start)
        }
        _ = try await authenticator.signIn(username: "li.hua", password: "New-pass-2026", at: start)
        try await authenticator.setPassword(userID: user.id, to: "Reset-by-admin-1", by: root, at: start)
        _ = try await authenticator.signIn(username: "li.hua", password: "Reset-by-admin-1", at: start)
        let other = Principal(userID: "someone", username: "someone", permissions: Role.supervisor.permissions)
        await #expect(throws: AccessError.permissionDenied(.userAdmin)) {
            try await authenticator.setPassword(userID: user.id, to: "Another-one-22", by: other, at: start)
        }
    }

    @Test func userAdministrationNeedsThePermissionAndValidInput() async throws {
        let supervisor = Principal(userID: "s", username: "s", permissions: Role.supervisor.permissions)
        await #expect(throws: AccessError.permissionDenied(.userAdmin)) {
            try await authenticator.addUser(username: "x.y", displayName: "", kind: .agent, password: "Tax-12366-hotline", by: supervisor, at: start)
        }
        await #expect(throws: AccessError.invalidUsername("张敏")) {
            try await authenticator.addUser(username: "张敏", displayName: "", kind: .agent, password: "Tax-12366-hotline", by: root, at: start)
        }
        await #expect(throws: AccessError.invalidRoleName("boss")) {
            try await authenticator.addUser(username: "x.y", displayName: "", kind: .agent, password: "Tax-12366-hotline", roles: ["boss"], by: root, at: start)
        }
        let user = try await addAgent()
        await #expect(throws: AccessError.usernameTaken("Li.Hua")) {
            try await authenticator.addUser(username: "Li.Hua", displayName: "", kind: .agent, password: "Tax-12366-hotline", by: root, at: start)
        }
        let issued = try await authenticator.signIn(username: "li.hua", password: "Tax-12366-hotline", at: start)
        let changed = try await authenticator.updateUser(user.id, roles: ["supervisor"], by: root, at: start)
        #expect(changed.roles == ["supervisor"])
        #expect(try await authenticator.principal(forToken: issued.token, at: start).can(.workOrderApprove))
        try await authenticator.updateUser(user.id, disabled: true, by: root, at: start)
        await #expect(throws: AccessError.invalidToken) { try await authenticator.principal(forToken: issued.token, at: start) }
        await #expect(throws: AccessError.signInNotAllowed) {
            try await authenticator.signIn(username: "li.hua", password: "Tax-12366-hotline", at: start)
        }
        let entries = try await audit.entries(after: 0, actor: "root", subject: "user:\(user.id)", limit: 10)
        #expect(entries.map(\.action) == ["user.create", "user.update", "user.update"])
        #expect(entries.allSatisfy { !($0.after ?? "").contains("$2b$") }, "no hashes in the audit log")
    }

    @Test func apiKeysWorkUntilRevokedOrExpired() async throws {
        let client = try await authenticator.addUser(username: "crm", displayName: "CRM", kind: .apiClient, password: nil, by: root, at: start)
        let (key, token) = try await authenticator.createAPIKey(name: "CRM sync", userID: client.id,
                                                                 expiresAt: start.addingTimeInterval(86_400), by: root, at: start)
        #expect(token.hasPrefix("hlk_\(key.id)_"))
        let principal = try await authenticator.principal(forToken: token, at: start)
        #expect(principal.permissions == Role.apiClient.permissions)
        #expect(try await sessions.apiKey(id: key.id)?.lastUsedAt == start)
        await #expect(throws: AccessError.invalidToken) {
            try await authenticator.principal(forToken: "hlk_\(key.id)_wrongsecret", at: start)
        }
        await #expect(throws: AccessError.invalidToken) {
            try await authenticator.principal(forToken: token, at: start.addingTimeInterval(86_400))
        }
        try await authenticator.revokeAPIKey(key.id, by: root, at: start.addingTimeInterval(60))
        await #expect(throws: AccessError.invalidToken) {
            try await authenticator.principal(forToken: token, at: start.addingTimeInterval(120))
        }
        await #expect(throws: AccessError.signInNotAllowed) {
            try await authenticator.signIn(username: "crm", password: "anything-at-all", at: start)
        }
    }
}
