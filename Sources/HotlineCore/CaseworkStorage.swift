public import Foundation

/// Which work orders to list; every field narrows the result, `nil`/empty means "any".
public struct WorkOrderQuery: Sendable, Hashable, Codable {
    /// Only these statuses.
    public var statuses: Set<WorkOrder.Status>
    /// Only these kinds.
    public var kinds: Set<WorkOrder.Kind>
    /// Only orders assigned to this department or person.
    public var assignee: WorkOrder.Assignee?
    /// Only orders about this taxpayer.
    public var taxpayerNumber: TaxpayerNumber?
    /// Only orders due at or before this instant.
    public var dueBefore: Date?
    /// Only orders with a number before this one (the page cursor; results are newest first).
    public var beforeNumber: String?
    /// Page size (1–1000).
    public var limit: Int

    /// Creates a query.
    ///
    /// - Parameters:
    ///   - statuses: Statuses.
    ///   - kinds: Kinds.
    ///   - assignee: Assignee.
    ///   - taxpayerNumber: Taxpayer.
    ///   - dueBefore: Due at or before.
    ///   - beforeNumber: Cursor.
    ///   - limit: Page size.
    public init(statuses: Set<WorkOrder.Status> = [], kinds: Set<WorkOrder.Kind> = [], assignee: WorkOrder.Assignee? = nil,
                taxpayerNumber: TaxpayerNumber? = nil, dueBefore: Date? = nil, beforeNumber: String? = nil, limit: Int = 50) {
        self.statuses = statuses
        self.kinds = kinds
        self.assignee = assignee
        self.taxpayerNumber = taxpayerNumber
        self.dueBefore = dueBefore
        self.beforeNumber = beforeNumber
        self.limit = min(1000, max(1, limit))
    }

    /// The statuses in which the SLA clock runs (what the SLA monitor scans).
    public static let openStatuses: Set<WorkOrder.Status> = Set(WorkOrder.Status.allCases.filter(\.slaRuns))

    /// Whether an order satisfies the query (ignoring the cursor and limit).
    ///
    /// - Parameter order: The order.
    /// - Returns: `true` when it matches.
    public func matches(_ order: WorkOrder) -> Bool {
        (statuses.isEmpty || statuses.contains(order.status))
            && (kinds.isEmpty || kinds.contains(order.kind))
            && (assignee == nil || order.assignee == assignee)
            && (taxpayerNumber == nil || order.taxpayerNumber == taxpayerNumber)
            && (dueBefore.map { due in order.dueAt.map { $0 <= due } ?? false } ?? true)
    }
}

/// Where work orders live; implementations append the given events to the event log in the same
/// transaction as the change.
public protocol WorkOrderStore: Sendable {
    /// The next work-order number, e.g. `GD2026-000124` (unique, increasing).
    ///
    /// - Parameter now: The time (its year, in China time, goes into the number).
    /// - Returns: The number.
    /// - Throws: A storage error.
    func nextNumber(at now: Date) async throws -> String

    /// Stores a new order.
    ///
    /// - Parameters:
    ///   - order: The order.
    ///   - events: Its events, appended to the event log.
    /// - Throws: ``WorkOrderError/invalidField(_:_:)`` for a duplicate id or number, or a storage error.
    func create(_ order: WorkOrder, events: [RecordedEvent]) async throws

    /// Replaces an order if nobody changed it since `expectedVersion` was read.
    ///
    /// - Parameters:
    ///   - order: The changed order (its ``WorkOrder/version`` already increased).
    ///   - expectedVersion: The version it was read at.
    ///   - events: Events of the change.
    /// - Throws: ``WorkOrderError/versionConflict(expected:actual:)``, ``WorkOrderError/notFound(_:)``, or a storage error.
    func update(_ order: WorkOrder, expectedVersion: Int, events: [RecordedEvent]) async throws

    /// The order with an identifier or number.
    ///
    /// - Parameter idOrNumber: Its ``WorkOrder/id`` or ``WorkOrder/number``.
    /// - Returns: The order, or `nil`.
    /// - Throws: A storage error.
    func workOrder(_ idOrNumber: String) async throws -> WorkOrder?

    /// Orders matching a query, newest (highest number) first.
    ///
    /// - Parameter query: The filter and page.
    /// - Returns: Up to `query.limit` orders.
    /// - Throws: A storage error.
    func workOrders(_ query: WorkOrderQuery) async throws -> [WorkOrder]

    /// Orders linked to a call, recording, voicemail, fax or e-mail (for the call's screen and the
    /// recording's page).
    ///
    /// - Parameter link: The linked item.
    /// - Returns: The orders, newest first.
    /// - Throws: A storage error.
    func workOrders(linkedTo link: WorkOrder.Link) async throws -> [WorkOrder]
}

/// How often an article was used in calls over a period.
public struct KnowledgeUsageCount: Sendable, Hashable, Codable {
    /// The article.
    public var articleID: String
    /// Uses.
    public var count: Int

    /// Creates a count.
    ///
    /// - Parameters:
    ///   - articleID: Article.
    ///   - count: Uses.
    public init(articleID: String, count: Int) {
        self.articleID = articleID
        self.count = count
    }
}

/// Where knowledge articles live, with Chinese full-text search scoped to a day.
public protocol KnowledgeBaseStore: Sendable {
    /// Inserts or replaces an article (the use count is kept by the store and not overwritten).
    ///
    /// - Parameters:
    ///   - article: The article.
    ///   - now: When (for the event log).
    /// - Returns: `true` when the article is new.
    /// - Throws: ``KnowledgeBaseError/invalidArticle(_:_:)`` or a storage error.
    @discardableResult
    func save(_ article: KnowledgeArticle, at now: Date) async throws -> Bool

    /// The article with an identifier.
    ///
    /// - Parameter id: Identifier.
    /// - Returns: The article, or `nil`.
    /// - Throws: A storage error.
    func article(_ id: String) async throws -> KnowledgeArticle?

    /// A page of articles in identifier order.
    ///
    /// - Parameters:
    ///   - category: Only this category, when given.
    ///   - id: Start after this identifier.
    ///   - limit: Page size.
    /// - Returns: The articles.
    /// - Throws: A storage error.
    func articles(category: KnowledgeArticle.Category?, after id: String?, limit: Int) async throws -> [KnowledgeArticle]

    /// Searches the versions in force on a day; every term of the query must occur (title, tags or
    /// text); one- and two-character Chinese terms work. Best first.
    ///
    /// - Parameters:
    ///   - query: What the agent typed.
    ///   - day: The day the answer must be in force on.
    ///   - category: Only this category, when given.
    ///   - limit: The most hits.
    /// - Returns: The hits.
    /// - Throws: A storage error.
    func search(_ query: String, inForceOn day: LocalDate, category: KnowledgeArticle.Category?, limit: Int) async throws -> [KnowledgeSearchHit]

    /// Records that an agent used an article in a call, and counts it.
    ///
    /// - Parameter use: The use.
    /// - Throws: ``KnowledgeBaseError/notFound(_:)`` or a storage error.
    func recordUse(_ use: KnowledgeUse) async throws

    /// Uses per article in `[start, end)`, most used first.
    ///
    /// - Parameters:
    ///   - start: Period start.
    ///   - end: Period end.
    /// - Returns: The counts.
    /// - Throws: A storage error.
    func usage(from start: Date, to end: Date) async throws -> [KnowledgeUsageCount]

    /// How many articles there are.
    ///
    /// - Returns: The count.
    /// - Throws: A storage error.
    func articleCount() async throws -> Int
}

/// Why a knowledge-base request failed.
public enum KnowledgeBaseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The article has problems (its id and the list).
    case invalidArticle(String, [String])
    /// No such article.
    case notFound(String)

    /// A stable code for the API.
    public var code: String {
        switch self {
        case .invalidArticle: "invalid_article"
        case .notFound: "not_found"
        }
    }

    /// A sentence.
    public var description: String {
        switch self {
        case .invalidArticle(let id, let problems): "article '\(id)': " + problems.joined(separator: "; ")
        case .notFound(let id): "no knowledge article '\(id)'"
        }
    }
}

/// Where users and roles live.
public protocol UserStore: Sendable {
    /// Stores a new user.
    ///
    /// - Parameter user: The user.
    /// - Throws: ``AccessError/usernameTaken(_:)`` or a storage error.
    func create(_ user: User) async throws

    /// Replaces a user record.
    ///
    /// - Parameter user: The user.
    /// - Throws: ``AccessError/userNotFound(_:)`` or ``AccessError/usernameTaken(_:)``, or a storage error.
    func update(_ user: User) async throws

    /// The user with an identifier.
    ///
    /// - Parameter id: Identifier.
    /// - Returns: The user, or `nil`.
    /// - Throws: A storage error.
    func user(id: String) async throws -> User?

    /// The user with a sign-in name (case-insensitive).
    ///
    /// - Parameter username: The name.
    /// - Returns: The user, or `nil`.
    /// - Throws: A storage error.
    func user(username: String) async throws -> User?

    /// A page of users in user-name order.
    ///
    /// - Parameters:
    ///   - username: Start after this name.
    ///   - limit: Page size.
    /// - Returns: The users.
    /// - Throws: A storage error.
    func users(after username: String?, limit: Int) async throws -> [User]

    /// All roles, built-in ones included.
    ///
    /// - Returns: The roles by name.
    /// - Throws: A storage error.
    func roles() async throws -> [Role]

    /// Inserts or replaces a role.
    ///
    /// - Parameter role: The role.
    /// - Throws: ``AccessError/invalidRoleName(_:)`` or a storage error.
    func save(_ role: Role) async throws
}

/// Where sessions and API keys live (hashes only).
public protocol SessionStore: Sendable {
    /// Stores a new session.
    ///
    /// - Parameter session: The session.
    /// - Throws: A storage error.
    func create(_ session: Session) async throws

    /// The session whose token has this hash.
    ///
    /// - Parameter tokenHash: Hex SHA-256 of the token.
    /// - Returns: The session, or `nil`.
    /// - Throws: A storage error.
    func session(tokenHash: String) async throws -> Session?

    /// Records that a session was used.
    ///
    /// - Parameters:
    ///   - id: The session.
    ///   - now: When.
    /// - Throws: A storage error.
    func touchSession(_ id: String, at now: Date) async throws

    /// Ends sessions: one, or all of a user's.
    ///
    /// - Parameters:
    ///   - id: The session, when given.
    ///   - userID: All of this user's sessions, when given.
    /// - Throws: A storage error.
    func deleteSessions(id: String?, userID: String?) async throws

    /// Removes sessions that expired before an instant.
    ///
    /// - Parameter now: The instant.
    /// - Returns: How many were removed.
    /// - Throws: A storage error.
    @discardableResult
    func deleteExpiredSessions(before now: Date) async throws -> Int

    /// Inserts or replaces an API key record.
    ///
    /// - Parameter key: The key.
    /// - Throws: A storage error.
    func save(_ key: APIKey) async throws

    /// The API key with an identifier.
    ///
    /// - Parameter id: Identifier.
    /// - Returns: The key, or `nil`.
    /// - Throws: A storage error.
    func apiKey(id: String) async throws -> APIKey?

    /// A user's API keys.
    ///
    /// - Parameter userID: The user.
    /// - Returns: The keys, oldest first.
    /// - Throws: A storage error.
    func apiKeys(userID: String) async throws -> [APIKey]
}

/// The append-only audit log.
public protocol AuditLog: Sendable {
    /// Appends entries, assigning sequences.
    ///
    /// - Parameter entries: The entries.
    /// - Returns: The entries as stored.
    /// - Throws: A storage error.
    @discardableResult
    func append(_ entries: [AuditEntry]) async throws -> [AuditEntry]

    /// Entries after a sequence, oldest first.
    ///
    /// - Parameters:
    ///   - sequence: Return entries with a greater sequence.
    ///   - actor: Only this actor, when given.
    ///   - subject: Only this subject, when given.
    ///   - limit: The most entries.
    /// - Returns: The entries.
    /// - Throws: A storage error.
    func entries(after sequence: Int64, actor: String?, subject: String?, limit: Int) async throws -> [AuditEntry]
}

/// Work-order numbers: `GD` + year (China time) + `-` + six-digit sequence.
public enum WorkOrderNumber {
    /// Formats a number.
    ///
    /// - Parameters:
    ///   - sequence: The store's sequence value (1, 2, …).
    ///   - now: The creation time.
    /// - Returns: E.g. `GD2026-000124`.
    public static func format(sequence: Int64, at now: Date) -> String {
        let chinaSeconds = Int(now.timeIntervalSince1970.rounded(.down)) + 8 * 3600
        let days = chinaSeconds >= 0 ? chinaSeconds / 86_400 : (chinaSeconds - 86_399) / 86_400
        let year = LocalDate(daysSinceEpoch: days).year
        let digits = String(sequence)
        return "GD\(year)-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
