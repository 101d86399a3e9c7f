public import Foundation

/// Why a sign-in or user-administration request failed; ``code`` is stable for the API.
public enum AccessError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Unknown user or wrong password (deliberately not saying which).
    case invalidCredentials
    /// Too many failures: the account is locked until the date.
    case locked(until: Date)
    /// The account is disabled or cannot sign in with a password.
    case signInNotAllowed
    /// The token is unknown, expired or revoked.
    case invalidToken
    /// The principal lacks a permission.
    case permissionDenied(Permission)
    /// The user name is already used.
    case usernameTaken(String)
    /// The user name is not acceptable.
    case invalidUsername(String)
    /// The password is not acceptable (the reason).
    case weakPassword(String)
    /// A role name is unknown or not acceptable.
    case invalidRoleName(String)
    /// No such user.
    case userNotFound(String)

    /// A stable machine-readable code.
    public var code: String {
        switch self {
        case .invalidCredentials: "invalid_credentials"
        case .locked: "account_locked"
        case .signInNotAllowed: "sign_in_not_allowed"
        case .invalidToken: "invalid_token"
        case .permissionDenied: "permission_denied"
        case .usernameTaken: "username_taken"
        case .invalidUsername: "invalid_username"
        case .weakPassword: "weak_password"
        case .invalidRoleName: "invalid_role"
        case .userNotFound: "not_found"
        }
    }

    /// The HTTP status an API answers with.
    public var httpStatus: Int {
        switch self {
        case .invalidCredentials, .invalidToken, .signInNotAllowed: 401
        case .locked: 423
        case .permissionDenied: 403
        case .usernameTaken: 409
        case .invalidUsername, .weakPassword, .invalidRoleName: 422
        case .userNotFound: 404
        }
    }

    /// A sentence.
    public var description: String {
        switch self {
        case .invalidCredentials: "unknown user name or wrong password"
        case .locked(let until): "the account is locked after too many failed sign-ins until \(until.formatted(.iso8601))"
        case .signInNotAllowed: "this account cannot sign in with a password"
        case .invalidToken: "the token is unknown, expired or revoked; sign in again"
        case .permissionDenied(let permission): "permission '\(permission.rawValue)' is required"
        case .usernameTaken(let name): "the user name '\(name)' is already taken"
        case .invalidUsername(let name): "'\(name)' is not a valid user name (1–64 letters, digits, '.', '_', '-', '@')"
        case .weakPassword(let reason): reason
        case .invalidRoleName(let name): "unknown or invalid role '\(name)'"
        case .userNotFound(let id): "no user '\(id)'"
        }
    }
}

/// A session just opened: the token to hand to the client (shown once) and its record.
public struct IssuedSession: Sendable, Hashable {
    /// The bearer token (`hls_…`); only its hash is stored.
    public var token: String
    /// The stored session.
    public var session: Session
    /// The user signed in.
    public var user: User
}

/// Sign-in, sessions, API keys and user administration over the storage protocols, with lockout,
/// password rules and an audit entry for every change. Time is passed in; nothing here reads a clock.
public struct Authenticator: Sendable {
    /// Users and roles.
    public let users: any UserStore
    /// Sessions and API keys.
    public let sessions: any SessionStore
    /// The audit log.
    public let audit: any AuditLog
    /// The password hash algorithm.
    public let hasher: any PasswordHasher
    /// Lockout and session limits.
    public let policy: LoginPolicy
    /// Password rules.
    public let passwordRules: PasswordRules

    /// Prefix of session tokens.
    public static let sessionTokenPrefix = "hls_"
    /// Prefix of API keys.
    public static let apiKeyPrefix = "hlk_"

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - users: Users and roles.
    ///   - sessions: Sessions and API keys.
    ///   - audit: Audit log.
    ///   - hasher: Password hashing.
    ///   - policy: Lockout and session limits.
    ///   - passwordRules: Password rules.
    public init(users: any UserStore, sessions: any SessionStore, audit: any AuditLog, hasher: any PasswordHasher,
                policy: LoginPolicy = LoginPolicy(), passwordRules: PasswordRules = PasswordRules()) {
        self.users = users
        self.sessions = sessions
        self.audit = audit
        self.hasher = hasher
        self.policy = policy
        self.passwordRules = passwordRules
    }

    // MARK: Users

    /// Adds a user.
    ///
    /// - Parameters:
    ///   - username: Sign-in name.
    ///   - displayName: Name shown.
    ///   - kind: Account kind.
    ///   - password: Initial password (`nil` for API clients).
    ///   - roles: Role names (default: the kind's role).
    ///   - department: Department.
    ///   - agentNumber: Agent work number.
    ///   - principal: Who adds it (needs ``Permission/userAdmin``).
    ///   - now: When.
    /// - Returns: The stored user.
    /// - Throws: ``AccessError`` or a storage error.
    public func addUser(username: String, displayName: String, kind: User.Kind, password: String?, roles: [String]? = nil,
                        department: String? = nil, agentNumber: String? = nil, by principal: Principal, at now: Date) async throws -> User {
        guard principal.can(.userAdmin) else { throw AccessError.permissionDenied(.userAdmin) }
        guard User.isValidUsername(username) else { throw AccessError.invalidUsername(username) }
        try await checkRoles(roles ?? [kind.defaultRole.id])
        var hash: String?
        if let password {
            if let problem = passwordRules.problem(with: password, username: username) { throw AccessError.weakPassword(problem) }
            hash = hasher.hash(password)
        }
        let user = User(username: username, displayName: displayName.isEmpty ? username : displayName, kind: kind, roles: roles,
                        department: department, agentNumber: agentNumber, passwordHash: hash, createdAt: now)
        try await users.create(user)
        try await audit.append([AuditEntry(at: now, actor: principal.userID, action: "user.create", subject: "user:\(user.id)",
                                           before: User?.none, after: user)])
        return user
    }

    private func checkRoles(_ names: [String]) async throws {
        let known = try await users.roles()
        for name in names where !known.contains(where: { $0.id == name }) { throw AccessError.invalidRoleName(name) }
    }

    /// Sets a new password. Users may change their own when they give the current one; holders of
    /// ``Permission/userAdmin`` may set anyone's. All the user's sessions end.
    ///
    /// - Parameters:
    ///   - userID: Whose password.
    ///   - newPassword: The new password.
    ///   - currentPassword: The current password (required when changing one's own without admin rights).
    ///   - principal: Who does it.
    ///   - now: When.
    /// - Throws: ``AccessError`` or a storage error.
    public func setPassword(userID: String, to newPassword: String, currentPassword: String? = nil,
                            by principal: Principal, at now: Date) async throws {
        guard var user = try await users.user(id: userID) else { throw AccessError.userNotFound(userID) }
        if !principal.can(.userAdmin) {
            guard principal.userID == userID else { throw AccessError.permissionDenied(.userAdmin) }
            guard let currentPassword, let stored = user.passwordHash, hasher.verify(currentPassword, against: stored) else {
                throw AccessError.invalidCredentials
            }
        }
        if let problem = passwordRules.problem(with: newPassword, username: user.username) { throw AccessError.weakPassword(problem) }
        let before = user
        user.passwordHash = hasher.hash(newPassword)
        user.passwordChangedAt = now
        user.failedLoginCount = 0
        user.lockedUntil = nil
        try await users.update(user)
        try await sessions.deleteSessions(id: nil, userID: userID)
        try await audit.append([AuditEntry(at: now, actor: principal.userID, action: "user.password", subject: "user:\(userID)",
                                           before: before, after: user)])
    }

    /// Changes a user's roles, department or disabled flag (disabling ends their sessions).
    ///
    /// - Parameters:
    ///   - userID: The user.
    ///   - roles: New role names, when given.
    ///   - department: New department, when given (empty string clears it).
    ///   - disabled: New disabled flag, when given.
    ///   - principal: Who does it (needs ``Permission/userAdmin``).
    ///   - now: When.
    /// - Returns: The updated user.
    /// - Throws: ``AccessError`` or a storage error.
    @discardableResult
    public func updateUser(_ userID: String, roles: [String]? = nil, department: String? = nil, disabled: Bool? = nil,
                           by principal: Principal, at now: Date) async throws -> User {
        guard principal.can(.userAdmin) else { throw AccessError.permissionDenied(.userAdmin) }
        guard var user = try await users.user(id: userID) else { throw AccessError.userNotFound(userID) }
        let before = user
        if let roles {
            try await checkRoles(roles)
            user.roles = roles
        }
        if let department { user.department = department.isEmpty ? nil : department }
        if let disabled { user.isDisabled = disabled }
        try await users.update(user)
        if user.isDisabled { try await sessions.deleteSessions(id: nil, userID: userID) }
        try await audit.append([AuditEntry(at: now, actor: principal.userID, action: "user.update", subject: "user:\(userID)",
                                           before: before, after: user)])
        return user
    }

    // MARK: Sign-in

    /// Signs in with a password, applying the lockout policy.
    ///
    /// - Parameters:
    ///   - username: Sign-in name.
    ///   - password: Password.
    ///   - now: When.
    /// - Returns: The new session and its token.
    /// - Throws: ``AccessError/invalidCredentials``, ``AccessError/locked(until:)``, ``AccessError/signInNotAllowed``.
    public func signIn(username: String, password: String, at now: Date) async throws -> IssuedSession {
        guard var user = try await users.user(username: username) else {
            try await audit.append([AuditEntry(at: now, actor: username, action: "login.failed", subject: "user:?")])
            throw AccessError.invalidCredentials
        }
        let stored = user.passwordHash ?? ""
        let outcome = policy.attempt(&user, passwordMatches: { hasher.verify(password, against: stored) }, at: now)
        switch outcome {
        case .success:
            try await users.update(user)
            let token = SecretToken.generate(prefix: Self.sessionTokenPrefix)
            let session = Session(userID: user.id, tokenHash: SecretToken.hash(token), createdAt: now, lastUsedAt: now,
                                  expiresAt: now.addingTimeInterval(TimeInterval(policy.sessionSeconds)))
            try await sessions.create(session)
            try await audit.append([AuditEntry(at: now, actor: user.id, action: "login.succeeded", subject: "user:\(user.id)")])
            return IssuedSession(token: token, session: session, user: user)
        case .wrongPassword:
            try await users.update(user)
            try await audit.append([AuditEntry(at: now, actor: user.id, action: "login.failed", subject: "user:\(user.id)")])
            throw AccessError.invalidCredentials
        case .lockedNow(let until):
            try await users.update(user)
            try await audit.append([AuditEntry(at: now, actor: user.id, action: "login.locked", subject: "user:\(user.id)")])
            throw AccessError.locked(until: until)
        case .locked(let until):
            throw AccessError.locked(until: until)
        case .notAllowed:
            throw AccessError.signInNotAllowed
        }
    }

    /// Who a bearer token (session token or API key) belongs to, with their current permissions.
    ///
    /// - Parameters:
    ///   - token: The token from the `Authorization: Bearer` header.
    ///   - now: When.
    /// - Returns: The principal.
    /// - Throws: ``AccessError/invalidToken`` when unknown, expired, revoked, or the user is disabled.
    public func principal(forToken token: String, at now: Date) async throws -> Principal {
        let userID: String
        if token.hasPrefix(Self.sessionTokenPrefix) {
            guard let session = try await sessions.session(tokenHash: SecretToken.hash(token)) else { throw AccessError.invalidToken }
            guard session.isValid(at: now, policy: policy) else {
                try await sessions.deleteSessions(id: session.id, userID: nil)
                throw AccessError.invalidToken
            }
            // Record use at most once a minute: an API request should not always cost a write.
            if now.timeIntervalSince(session.lastUsedAt) >= 60 { try await sessions.touchSession(session.id, at: now) }
            userID = session.userID
        } else if token.hasPrefix(Self.apiKeyPrefix) {
            let parts = token.dropFirst(Self.apiKeyPrefix.count).split(separator: "_", maxSplits: 1)
            guard parts.count == 2, var key = try await sessions.apiKey(id: String(parts[0])), key.isValid(at: now),
                  Self.constantTimeEqual(key.secretHash, SecretToken.hash(String(parts[1]))) else { throw AccessError.invalidToken }
            if key.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
                key.lastUsedAt = now
                try await sessions.save(key)
            }
            userID = key.userID
        } else {
            throw AccessError.invalidToken
        }
        guard let user = try await users.user(id: userID), !user.isDisabled else { throw AccessError.invalidToken }
        return user.principal(roles: try await users.roles())
    }

    /// Ends the session of a token.
    ///
    /// - Parameters:
    ///   - token: The session token.
    ///   - now: When.
    /// - Throws: A storage error.
    public func signOut(token: String, at now: Date) async throws {
        guard let session = try await sessions.session(tokenHash: SecretToken.hash(token)) else { return }
        try await sessions.deleteSessions(id: session.id, userID: nil)
        try await audit.append([AuditEntry(at: now, actor: session.userID, action: "logout", subject: "user:\(session.userID)")])
    }

    // MARK: API keys

    /// Makes an API key for an API-client user.
    ///
    /// - Parameters:
    ///   - name: What it is for.
    ///   - userID: The API-client user.
    ///   - expiresAt: Expiry, if any.
    ///   - principal: Who makes it (needs ``Permission/apiKeyAdmin``).
    ///   - now: When.
    /// - Returns: The record and the full key (`hlk_<id>_<secret>`, shown once).
    /// - Throws: ``AccessError`` or a storage error.
    public func createAPIKey(name: String, userID: String, expiresAt: Date? = nil, by principal: Principal,
                             at now: Date) async throws -> (key: APIKey, token: String) {
        guard principal.can(.apiKeyAdmin) else { throw AccessError.permissionDenied(.apiKeyAdmin) }
        guard try await users.user(id: userID) != nil else { throw AccessError.userNotFound(userID) }
        let id = String(SecretToken.generate(prefix: "").filter { $0.isLetter || $0.isNumber }.prefix(12))
        let secret = SecretToken.generate(prefix: "")
        let key = APIKey(id: id, name: name, userID: userID, secretHash: SecretToken.hash(secret), createdAt: now, expiresAt: expiresAt)
        try await sessions.save(key)
        try await audit.append([AuditEntry(at: now, actor: principal.userID, action: "apikey.create", subject: "apikey:\(id)",
                                           before: APIKey?.none, after: key)])
        return (key, "\(Self.apiKeyPrefix)\(id)_\(secret)")
    }

    /// Revokes an API key.
    ///
    /// - Parameters:
    ///   - id: The key.
    ///   - principal: Who (needs ``Permission/apiKeyAdmin``).
    ///   - now: When.
    /// - Throws: ``AccessError`` or a storage error.
    public func revokeAPIKey(_ id: String, by principal: Principal, at now: Date) async throws {
        guard principal.can(.apiKeyAdmin) else { throw AccessError.permissionDenied(.apiKeyAdmin) }
        guard var key = try await sessions.apiKey(id: id) else { throw AccessError.invalidToken }
        let before = key
        key.revokedAt = now
        try await sessions.save(key)
        try await audit.append([AuditEntry(at: now, actor: principal.userID, action: "apikey.revoke", subject: "apikey:\(id)",
                                           before: before, after: key)])
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
