public import Foundation

/// A person or system that signs in to the hotline: agent, supervisor, department handler,
/// administrator or API client.
public struct User: Sendable, Hashable, Codable, Identifiable {
    /// What sort of account this is; it decides the default role.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A hotline agent (坐席).
        case agent
        /// A supervisor (班长/值班长).
        case supervisor
        /// A handler in one of the tax authority's departments.
        case departmentHandler
        /// A system administrator.
        case administrator
        /// Another system using the API with keys; cannot sign in with a password.
        case apiClient

        /// The built-in role that accounts of this kind get by default.
        public var defaultRole: Role {
            switch self {
            case .agent: .agent
            case .supervisor: .supervisor
            case .departmentHandler: .departmentHandler
            case .administrator: .administrator
            case .apiClient: .apiClient
            }
        }
    }

    /// The user's stable identifier (a UUID string).
    public var id: String
    /// The sign-in name: 1–64 characters of letters, digits, `.`, `_`, `-`, `@`.
    public var username: String
    /// The name shown to people, e.g. `张敏`.
    public var displayName: String
    /// What sort of account this is.
    public var kind: Kind
    /// Names (``Role/id``) of the roles granted.
    public var roles: [String]
    /// The department the user belongs to (for department handlers: the one orders are assigned to).
    public var department: String?
    /// The agent's work number (工号), if any.
    public var agentNumber: String?
    /// The password hash in the hasher's own format (bcrypt `$2b$…`), or `nil` for API clients.
    public var passwordHash: String?
    /// Whether the account may be used at all.
    public var isDisabled: Bool
    /// Failed password attempts since the last success or lockout.
    public var failedLoginCount: Int
    /// Until when sign-in is refused after too many failures.
    public var lockedUntil: Date?
    /// When the account was created.
    public var createdAt: Date
    /// When the password was last set.
    public var passwordChangedAt: Date?
    /// When the user last signed in.
    public var lastLoginAt: Date?

    /// Creates a user.
    ///
    /// - Parameters:
    ///   - id: Stable identifier.
    ///   - username: Sign-in name (see ``isValidUsername(_:)``).
    ///   - displayName: Name shown to people.
    ///   - kind: Account kind.
    ///   - roles: Role names; defaults to the kind's default role.
    ///   - department: Department, if any.
    ///   - agentNumber: Agent work number, if any.
    ///   - passwordHash: Stored password hash.
    ///   - createdAt: Creation time.
    public init(id: String = UUID().uuidString.lowercased(), username: String, displayName: String, kind: Kind,
                roles: [String]? = nil, department: String? = nil, agentNumber: String? = nil,
                passwordHash: String? = nil, createdAt: Date) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.kind = kind
        self.roles = roles ?? [kind.defaultRole.id]
        self.department = department
        self.agentNumber = agentNumber
        self.passwordHash = passwordHash
        self.isDisabled = false
        self.failedLoginCount = 0
        self.lockedUntil = nil
        self.createdAt = createdAt
        self.passwordChangedAt = passwordHash == nil ? nil : createdAt
        self.lastLoginAt = nil
    }

    /// Whether a sign-in name is acceptable.
    ///
    /// - Parameter name: The proposed name.
    /// - Returns: `true` for 1–64 characters of ASCII letters, digits, `.`, `_`, `-`, `@`.
    public static func isValidUsername(_ name: String) -> Bool {
        let scalars = name.unicodeScalars
        guard (1...64).contains(scalars.count) else { return false }
        return scalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ".-_@".unicodeScalars.contains($0)) }
    }

    /// This user as the acting party of an action, with the permissions its roles grant.
    ///
    /// - Parameter roles: The roles known to the hotline (unknown names grant nothing).
    /// - Returns: The principal; a disabled user gets no permissions.
    public func principal(roles known: [Role]) -> Principal {
        var permissions = Set<Permission>()
        if !isDisabled {
            for name in roles {
                if let role = known.first(where: { $0.id == name }) { permissions.formUnion(role.permissions) }
            }
        }
        return Principal(userID: id, username: username, displayName: displayName, department: department,
                         permissions: permissions)
    }
}

/// Who is acting: a signed-in user or an API client, with the permissions they hold right now.
///
/// Every work-order transition, knowledge edit and administrative change is made by a principal;
/// its ``userID`` is what the audit log and the events record.
public struct Principal: Sendable, Hashable, Codable {
    /// The acting user's identifier (``User/id``), or `"system"` for the hotline itself.
    public var userID: String
    /// The acting user's sign-in name.
    public var username: String
    /// The acting user's display name.
    public var displayName: String
    /// The user's department, used to decide whether an order is "theirs".
    public var department: String?
    /// What the principal may do.
    public var permissions: Set<Permission>

    /// Creates a principal.
    ///
    /// - Parameters:
    ///   - userID: The user's identifier.
    ///   - username: Sign-in name.
    ///   - displayName: Display name.
    ///   - department: Department, if any.
    ///   - permissions: Granted permissions.
    public init(userID: String, username: String, displayName: String? = nil, department: String? = nil,
                permissions: Set<Permission>) {
        self.userID = userID
        self.username = username
        self.displayName = displayName ?? username
        self.department = department
        self.permissions = permissions
    }

    /// Whether the principal holds a permission.
    ///
    /// - Parameter permission: The permission.
    /// - Returns: `true` when one of its roles grants it.
    public func can(_ permission: Permission) -> Bool { permissions.contains(permission) }

    /// The hotline itself, acting on its own schedule (SLA reminders and escalation).
    public static let system = Principal(userID: "system", username: "system", displayName: "Hotline",
                                         permissions: [.workOrderRead, .workOrderUrge])
}
