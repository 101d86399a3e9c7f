public import Foundation

/// Turns passwords into stored hashes and checks them; implemented with bcrypt in `HotlineAuth`.
public protocol PasswordHasher: Sendable {
    /// Hashes a password with a fresh salt.
    ///
    /// - Parameter password: The password (already checked by ``PasswordRules``).
    /// - Returns: The hash in the algorithm's own text format (salt and cost included).
    func hash(_ password: String) -> String

    /// Checks a password against a stored hash, in time independent of where they differ.
    ///
    /// - Parameters:
    ///   - password: The password given.
    ///   - hash: The stored hash.
    /// - Returns: `true` when they match.
    func verify(_ password: String, against hash: String) -> Bool
}

/// What a password must be like.
public struct PasswordRules: Sendable, Hashable, Codable {
    /// Fewest characters.
    public var minimumLength: Int
    /// Most UTF-8 bytes (bcrypt reads only the first 72).
    public var maximumBytes: Int

    /// Creates rules.
    ///
    /// - Parameters:
    ///   - minimumLength: Fewest characters (default 10).
    ///   - maximumBytes: Most UTF-8 bytes (default 72).
    public init(minimumLength: Int = 10, maximumBytes: Int = 72) {
        self.minimumLength = minimumLength
        self.maximumBytes = maximumBytes
    }

    /// Why a password is not acceptable, or `nil` when it is.
    ///
    /// - Parameters:
    ///   - password: The proposed password.
    ///   - username: The user's name (the password may not contain it).
    /// - Returns: A sentence, or `nil`.
    public func problem(with password: String, username: String) -> String? {
        if password.count < minimumLength { return "the password must have at least \(minimumLength) characters" }
        if password.utf8.count > maximumBytes { return "the password must have at most \(maximumBytes) bytes in UTF-8" }
        if !username.isEmpty, password.lowercased().contains(username.lowercased()) { return "the password must not contain the user name" }
        if Set(password).count < 4 { return "the password must use at least 4 different characters" }
        return nil
    }
}

/// When repeated failed sign-ins lock an account, and how long sessions last.
public struct LoginPolicy: Sendable, Hashable, Codable {
    /// Failed attempts in a row that lock the account.
    public var maximumFailures: Int
    /// How long the lock lasts.
    public var lockoutSeconds: Int
    /// How long a session lasts after sign-in.
    public var sessionSeconds: Int
    /// How long a session lasts after its last use (sliding idle limit; use is recorded at most once a
    /// minute, so the limit is exact to a minute).
    public var idleSeconds: Int

    /// Creates a policy.
    ///
    /// - Parameters:
    ///   - maximumFailures: Failures that lock (default 5).
    ///   - lockoutSeconds: Lock duration (default 15 minutes).
    ///   - sessionSeconds: Absolute session lifetime (default 12 hours, one shift).
    ///   - idleSeconds: Idle limit (default 30 minutes).
    public init(maximumFailures: Int = 5, lockoutSeconds: Int = 900, sessionSeconds: Int = 43_200, idleSeconds: Int = 1800) {
        self.maximumFailures = maximumFailures
        self.lockoutSeconds = lockoutSeconds
        self.sessionSeconds = sessionSeconds
        self.idleSeconds = idleSeconds
    }

    /// The result of one sign-in attempt on a user record.
    public enum Outcome: Sendable, Hashable {
        /// Signed in.
        case success
        /// Wrong password; the account is not (yet) locked.
        case wrongPassword(remainingAttempts: Int)
        /// Wrong password, and this attempt locked the account until the date.
        case lockedNow(until: Date)
        /// The account was already locked; the password was not even checked.
        case locked(until: Date)
        /// The account is disabled or has no password (API clients).
        case notAllowed
    }

    /// Applies one attempt to a user record (pure): counts failures, locks, unlocks after the lock
    /// expired, resets on success.
    ///
    /// - Parameters:
    ///   - user: The user record, updated in place.
    ///   - passwordMatches: Whether the password was right (evaluated only when needed).
    ///   - now: The attempt's time.
    /// - Returns: The outcome.
    public func attempt(_ user: inout User, passwordMatches: () -> Bool, at now: Date) -> Outcome {
        guard !user.isDisabled, user.passwordHash != nil else { return .notAllowed }
        if let until = user.lockedUntil {
            if now < until { return .locked(until: until) }
            user.lockedUntil = nil
            user.failedLoginCount = 0
        }
        if passwordMatches() {
            user.failedLoginCount = 0
            user.lastLoginAt = now
            return .success
        }
        user.failedLoginCount += 1
        if user.failedLoginCount >= maximumFailures {
            let until = now.addingTimeInterval(TimeInterval(lockoutSeconds))
            user.lockedUntil = until
            user.failedLoginCount = 0
            return .lockedNow(until: until)
        }
        return .wrongPassword(remainingAttempts: maximumFailures - user.failedLoginCount)
    }
}

/// A signed-in session; the token itself is given to the client once and only its hash is stored.
public struct Session: Sendable, Hashable, Codable, Identifiable {
    /// Identifier.
    public var id: String
    /// Whose session.
    public var userID: String
    /// Lower-case hex SHA-256 of the token.
    public var tokenHash: String
    /// When it was opened.
    public var createdAt: Date
    /// When it was last used.
    public var lastUsedAt: Date
    /// When it ends regardless of use.
    public var expiresAt: Date

    /// Creates a session record.
    ///
    /// - Parameters:
    ///   - id: Identifier.
    ///   - userID: Owner.
    ///   - tokenHash: Hash of the token.
    ///   - createdAt: Opened.
    ///   - lastUsedAt: Last used.
    ///   - expiresAt: Absolute end.
    public init(id: String = UUID().uuidString.lowercased(), userID: String, tokenHash: String, createdAt: Date,
                lastUsedAt: Date, expiresAt: Date) {
        self.id = id
        self.userID = userID
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
    }

    /// Whether the session is still valid at `now` under the policy's absolute and idle limits.
    ///
    /// - Parameters:
    ///   - now: The time of use.
    ///   - policy: The limits.
    /// - Returns: `true` when usable.
    public func isValid(at now: Date, policy: LoginPolicy) -> Bool {
        now < expiresAt && now < lastUsedAt.addingTimeInterval(TimeInterval(policy.idleSeconds))
    }
}

/// A key another system uses to call the API, bound to an API-client user; only its hash is stored.
public struct APIKey: Sendable, Hashable, Codable, Identifiable {
    /// Identifier, also the key's visible prefix (`hlk_<id>_…`).
    public var id: String
    /// What the key is for, e.g. `CRM sync`.
    public var name: String
    /// The API-client user whose roles the key carries.
    public var userID: String
    /// Lower-case hex SHA-256 of the secret part.
    public var secretHash: String
    /// When it was made.
    public var createdAt: Date
    /// When it stops working, if ever.
    public var expiresAt: Date?
    /// When it was revoked, if it was.
    public var revokedAt: Date?
    /// When it was last used.
    public var lastUsedAt: Date?

    /// Creates a key record.
    ///
    /// - Parameters:
    ///   - id: Identifier.
    ///   - name: Purpose.
    ///   - userID: API-client user.
    ///   - secretHash: Hash of the secret.
    ///   - createdAt: Made.
    ///   - expiresAt: Expiry.
    public init(id: String, name: String, userID: String, secretHash: String, createdAt: Date, expiresAt: Date? = nil) {
        self.id = id
        self.name = name
        self.userID = userID
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = nil
        self.lastUsedAt = nil
    }

    /// Whether the key works at `now`.
    ///
    /// - Parameter now: The time of use.
    /// - Returns: `true` when neither revoked nor expired.
    public func isValid(at now: Date) -> Bool {
        revokedAt == nil && expiresAt.map { now < $0 } ?? true
    }
}

/// One entry of the audit log: who changed what, when, and the record before and after.
public struct AuditEntry: Sendable, Hashable, Codable {
    /// Position in the log (assigned by storage; 0 before).
    public var sequence: Int64
    /// When.
    public var at: Date
    /// Who (``User/id``, `"system"`, or the attempted user name for failed sign-ins).
    public var actor: String
    /// What was done, dotted, e.g. `"workorder.transition"`, `"user.create"`, `"login.failed"`.
    public var action: String
    /// What it was done to, e.g. `"workorder:…"`, `"user:…"`.
    public var subject: String
    /// The record before, as JSON (sorted keys), or `nil` for creations and events without a record.
    public var before: String?
    /// The record after, as JSON, or `nil` for deletions.
    public var after: String?

    /// Creates an entry.
    ///
    /// - Parameters:
    ///   - sequence: Log position.
    ///   - at: When.
    ///   - actor: Who.
    ///   - action: What.
    ///   - subject: To what.
    ///   - before: JSON before.
    ///   - after: JSON after.
    public init(sequence: Int64 = 0, at: Date, actor: String, action: String, subject: String, before: String? = nil, after: String? = nil) {
        self.sequence = sequence
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.before = before
        self.after = after
    }

    /// Creates an entry from the records before and after, encoding them as JSON; password and
    /// token hashes are never written (fields named `passwordHash`, `tokenHash`, `secretHash` are dropped).
    ///
    /// - Parameters:
    ///   - at: When.
    ///   - actor: Who.
    ///   - action: What.
    ///   - subject: To what.
    ///   - before: The record before.
    ///   - after: The record after.
    /// - Throws: `EncodingError`.
    public init(at: Date, actor: String, action: String, subject: String, before: (some Encodable)?, after: (some Encodable)?) throws {
        var beforeJSON: String?
        var afterJSON: String?
        if let before { beforeJSON = try Self.json(before) }
        if let after { afterJSON = try Self.json(after) }
        self.init(at: at, actor: actor, action: action, subject: subject, before: beforeJSON, after: afterJSON)
    }

    /// Encodes a record as JSON for the log, without secret hashes.
    ///
    /// - Parameter value: The record.
    /// - Returns: JSON text with sorted keys.
    /// - Throws: `EncodingError`.
    public static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        if var object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            for secret in ["passwordHash", "tokenHash", "secretHash"] { object.removeValue(forKey: secret) }
            let cleaned = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            return String(decoding: cleaned, as: UTF8.self)
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Secret tokens for sessions and API keys: random, URL-safe, stored only as SHA-256.
public enum SecretToken {
    /// A new random token of 32 bytes from the system's secure generator, base64url without padding,
    /// after a prefix.
    ///
    /// - Parameter prefix: E.g. `"hls_"` for sessions.
    /// - Returns: The token.
    public static func generate(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return prefix + text
    }

    /// The stored form of a token: lower-case hex SHA-256 (FIPS 180-4) of its UTF-8 bytes.
    ///
    /// - Parameter token: The token.
    /// - Returns: 64 hex digits.
    public static func hash(_ token: String) -> String {
        SHA256.hash(Array(token.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
