import Foundation
import HotlineCore
import Testing

@Suite struct LoginPolicyTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    func user() -> User {
        User(username: "li.hua", displayName: "李华", kind: .agent, passwordHash: "$2b$04$x", createdAt: start)
    }

    @Test func theFifthFailureLocksForFifteenMinutes() {
        let policy = LoginPolicy()
        var user = user()
        for attempt in 1...4 {
            #expect(policy.attempt(&user, passwordMatches: { false }, at: start) == .wrongPassword(remainingAttempts: 5 - attempt))
        }
        let until = start.addingTimeInterval(900)
        #expect(policy.attempt(&user, passwordMatches: { false }, at: start) == .lockedNow(until: until))
        // While locked even the right password is refused, without being checked.
        var checked = false
        #expect(policy.attempt(&user, passwordMatches: { checked = true; return true }, at: start.addingTimeInterval(899)) == .locked(until: until))
        #expect(!checked)
        #expect(policy.attempt(&user, passwordMatches: { true }, at: until) == .success)
        #expect(user.lockedUntil == nil)
        #expect(user.failedLoginCount == 0)
        #expect(user.lastLoginAt == until)
    }

    @Test func successResetsTheCount() {
        let policy = LoginPolicy(maximumFailures: 3)
        var user = user()
        _ = policy.attempt(&user, passwordMatches: { false }, at: start)
        _ = policy.attempt(&user, passwordMatches: { false }, at: start)
        #expect(policy.attempt(&user, passwordMatches: { true }, at: start) == .success)
        #expect(policy.attempt(&user, passwordMatches: { false }, at: start) == .wrongPassword(remainingAttempts: 2))
    }

    @Test func disabledAndPasswordlessAccountsCannotSignIn() {
        var disabled = user()
        disabled.isDisabled = true
        #expect(LoginPolicy().attempt(&disabled, passwordMatches: { true }, at: start) == .notAllowed)
        var client = User(username: "crm", displayName: "CRM", kind: .apiClient, createdAt: start)
        #expect(LoginPolicy().attempt(&client, passwordMatches: { true }, at: start) == .notAllowed)
    }

    @Test func sessionsEndAtTheirExpiryOrWhenIdle() {
        let policy = LoginPolicy(sessionSeconds: 3600, idleSeconds: 600)
        var session = Session(userID: "u", tokenHash: "h", createdAt: start, lastUsedAt: start, expiresAt: start.addingTimeInterval(3600))
        #expect(session.isValid(at: start.addingTimeInterval(599), policy: policy))
        #expect(!session.isValid(at: start.addingTimeInterval(600), policy: policy))
        session.lastUsedAt = start.addingTimeInterval(3500)
        #expect(session.isValid(at: start.addingTimeInterval(3599), policy: policy))
        #expect(!session.isValid(at: start.addingTimeInterval(3600), policy: policy))
    }

    @Test(arguments: [
        ("short", "the password must have at least 10 characters"),
        ("li.hua-2026-secret", "the password must not contain the user name"),
        ("aaaaaaaaaaaa", "the password must use at least 4 different characters"),
        (String(repeating: "密码ab", count: 10), "the password must have at most 72 bytes in UTF-8"),
    ])
    func passwordRulesExplainTheProblem(password: String, problem: String) {
        #expect(PasswordRules().problem(with: password, username: "li.hua") == problem)
        #expect(PasswordRules().problem(with: "Tax-12366-hotline", username: "li.hua") == nil)
    }

    @Test func tokensAreRandomAndStoredAsSHA256() {
        let a = SecretToken.generate(prefix: "hls_")
        let b = SecretToken.generate(prefix: "hls_")
        #expect(a != b)
        #expect(a.hasPrefix("hls_") && a.count == 4 + 43)
        // FIPS 180-4 test vector "abc".
        #expect(SecretToken.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
