public import Foundation

/// An in-memory ``WorkOrderStore`` for tests and simulations, with the SQLite store's semantics.
public actor InMemoryWorkOrderStore: WorkOrderStore {
    private var orders: [String: WorkOrder] = [:]
    private var idByNumber: [String: String] = [:]
    private var sequence: Int64 = 0
    private let eventLog: (any EventLog)?

    /// Creates an empty store.
    ///
    /// - Parameter eventLog: Where events go, if anywhere.
    public init(eventLog: (any EventLog)? = nil) { self.eventLog = eventLog }

    /// The next number.
    ///
    /// - Parameter now: The time.
    /// - Returns: The number.
    public func nextNumber(at now: Date) -> String {
        sequence += 1
        return WorkOrderNumber.format(sequence: sequence, at: now)
    }

    /// Stores a new order.
    ///
    /// - Parameters:
    ///   - order: The order.
    ///   - events: Its events.
    /// - Throws: ``WorkOrderError/invalidField(_:_:)`` for a duplicate.
    public func create(_ order: WorkOrder, events: [RecordedEvent]) async throws {
        guard orders[order.id] == nil, idByNumber[order.number] == nil else {
            throw WorkOrderError.invalidField("id", "'\(order.id)' or number '\(order.number)' already exists")
        }
        orders[order.id] = order
        idByNumber[order.number] = order.id
        if let eventLog, !events.isEmpty { try await eventLog.append(events) }
    }

    /// Replaces an order if unchanged since `expectedVersion`.
    ///
    /// - Parameters:
    ///   - order: The order.
    ///   - expectedVersion: Version read.
    ///   - events: Events.
    /// - Throws: ``WorkOrderError``.
    public func update(_ order: WorkOrder, expectedVersion: Int, events: [RecordedEvent]) async throws {
        guard let current = orders[order.id] else { throw WorkOrderError.notFound(order.id) }
        guard current.version == expectedVersion else { throw WorkOrderError.versionConflict(expected: expectedVersion, actual: current.version) }
        orders[order.id] = order
        if let eventLog, !events.isEmpty { try await eventLog.append(events) }
    }

    /// The order with an identifier or number.
    ///
    /// - Parameter idOrNumber: Identifier or number.
    /// - Returns: The order.
    public func workOrder(_ idOrNumber: String) -> WorkOrder? {
        orders[idOrNumber] ?? idByNumber[idOrNumber].flatMap { orders[$0] }
    }

    /// Orders matching a query, newest first.
    ///
    /// - Parameter query: The query.
    /// - Returns: The orders.
    public func workOrders(_ query: WorkOrderQuery) -> [WorkOrder] {
        Array(orders.values.filter { order in
            query.matches(order) && (query.beforeNumber.map { order.number < $0 } ?? true)
        }.sorted { $0.number > $1.number }.prefix(query.limit))
    }

    /// Orders linked to an item, newest first.
    ///
    /// - Parameter link: The linked item.
    /// - Returns: The orders.
    public func workOrders(linkedTo link: WorkOrder.Link) -> [WorkOrder] {
        orders.values.filter { $0.links.contains(link) }.sorted { $0.number > $1.number }
    }
}

/// An in-memory ``KnowledgeBaseStore``: substring search ranked like the SQLite store (title matches
/// above tag matches above text matches).
public actor InMemoryKnowledgeBase: KnowledgeBaseStore {
    private var articlesByID: [String: KnowledgeArticle] = [:]
    private var uses: [KnowledgeUse] = []

    /// Creates an empty knowledge base.
    public init() {}

    /// Upserts an article.
    ///
    /// - Parameters:
    ///   - article: The article.
    ///   - now: When.
    /// - Returns: Whether it is new.
    /// - Throws: ``KnowledgeBaseError/invalidArticle(_:_:)``.
    @discardableResult
    public func save(_ article: KnowledgeArticle, at now: Date) throws -> Bool {
        let problems = article.problems
        guard problems.isEmpty else { throw KnowledgeBaseError.invalidArticle(article.id, problems) }
        var stored = article
        let existing = articlesByID[article.id]
        stored.usedInCallCount = existing?.usedInCallCount ?? 0
        articlesByID[article.id] = stored
        return existing == nil
    }

    /// The article with an identifier.
    ///
    /// - Parameter id: Identifier.
    /// - Returns: The article.
    public func article(_ id: String) -> KnowledgeArticle? { articlesByID[id] }

    /// A page of articles.
    ///
    /// - Parameters:
    ///   - category: Category filter.
    ///   - id: Cursor.
    ///   - limit: Page size.
    /// - Returns: The articles.
    public func articles(category: KnowledgeArticle.Category?, after id: String?, limit: Int) -> [KnowledgeArticle] {
        Array(articlesByID.values.filter { article in
            (category == nil || article.category == category) && (id.map { article.id > $0 } ?? true)
        }.sorted { $0.id < $1.id }.prefix(max(0, limit)))
    }

    /// Searches articles in force on a day.
    ///
    /// - Parameters:
    ///   - query: The query.
    ///   - day: The day.
    ///   - category: Category filter.
    ///   - limit: Most hits.
    /// - Returns: The hits, best first.
    public func search(_ query: String, inForceOn day: LocalDate, category: KnowledgeArticle.Category?, limit: Int) -> [KnowledgeSearchHit] {
        let terms = KnowledgeText.terms(of: query)
        guard !terms.isEmpty, limit > 0 else { return [] }
        var hits: [KnowledgeSearchHit] = []
        for article in articlesByID.values where category == nil || article.category == category {
            guard let version = article.version(inForceOn: day) else { continue }
            let text = version.plainText
            guard let score = KnowledgeText.score(terms: terms, title: version.title, tags: article.tags, text: text) else { continue }
            hits.append(KnowledgeSearchHit(articleID: article.id, category: article.category, versionNumber: version.number,
                                           title: version.title, snippet: KnowledgeText.snippet(of: text, terms: terms), score: score))
        }
        return Array(hits.sorted { ($0.score, $1.articleID) > ($1.score, $0.articleID) }.prefix(limit))
    }

    /// Records a use.
    ///
    /// - Parameter use: The use.
    /// - Throws: ``KnowledgeBaseError/notFound(_:)``.
    public func recordUse(_ use: KnowledgeUse) throws {
        guard articlesByID[use.articleID] != nil else { throw KnowledgeBaseError.notFound(use.articleID) }
        articlesByID[use.articleID]?.usedInCallCount += 1
        uses.append(use)
    }

    /// Uses per article in a period.
    ///
    /// - Parameters:
    ///   - start: Start.
    ///   - end: End.
    /// - Returns: Counts, most used first.
    public func usage(from start: Date, to end: Date) -> [KnowledgeUsageCount] {
        var counts: [String: Int] = [:]
        for use in uses where use.at >= start && use.at < end { counts[use.articleID, default: 0] += 1 }
        return counts.map { KnowledgeUsageCount(articleID: $0.key, count: $0.value) }
            .sorted { ($0.count, $1.articleID) > ($1.count, $0.articleID) }
    }

    /// The number of articles.
    ///
    /// - Returns: The count.
    public func articleCount() -> Int { articlesByID.count }
}

/// An in-memory ``UserStore`` (the built-in roles are present from the start).
public actor InMemoryUserStore: UserStore {
    private var usersByID: [String: User] = [:]
    private var rolesByID: [String: Role] = Dictionary(uniqueKeysWithValues: Role.builtIn.map { ($0.id, $0) })

    /// Creates a store with only the built-in roles.
    public init() {}

    /// Stores a new user.
    ///
    /// - Parameter user: The user.
    /// - Throws: ``AccessError/usernameTaken(_:)``.
    public func create(_ user: User) throws {
        guard usersByID[user.id] == nil, !taken(user.username, except: nil) else { throw AccessError.usernameTaken(user.username) }
        usersByID[user.id] = user
    }

    private func taken(_ username: String, except id: String?) -> Bool {
        usersByID.values.contains { $0.username.lowercased() == username.lowercased() && $0.id != id }
    }

    /// Replaces a user.
    ///
    /// - Parameter user: The user.
    /// - Throws: ``AccessError``.
    public func update(_ user: User) throws {
        guard usersByID[user.id] != nil else { throw AccessError.userNotFound(user.id) }
        guard !taken(user.username, except: user.id) else { throw AccessError.usernameTaken(user.username) }
        usersByID[user.id] = user
    }

    /// The user with an identifier.
    ///
    /// - Parameter id: Identifier.
    /// - Returns: The user.
    public func user(id: String) -> User? { usersByID[id] }

    /// The user with a name.
    ///
    /// - Parameter username: Name (case-insensitive).
    /// - Returns: The user.
    public func user(username: String) -> User? {
        usersByID.values.first { $0.username.lowercased() == username.lowercased() }
    }

    /// A page of users.
    ///
    /// - Parameters:
    ///   - username: Cursor.
    ///   - limit: Page size.
    /// - Returns: The users.
    public func users(after username: String?, limit: Int) -> [User] {
        Array(usersByID.values.filter { user in username.map { user.username.lowercased() > $0.lowercased() } ?? true }
            .sorted { $0.username.lowercased() < $1.username.lowercased() }.prefix(max(0, limit)))
    }

    /// All roles.
    ///
    /// - Returns: Roles by name.
    public func roles() -> [Role] { rolesByID.values.sorted { $0.id < $1.id } }

    /// Upserts a role.
    ///
    /// - Parameter role: The role.
    /// - Throws: ``AccessError/invalidRoleName(_:)``.
    public func save(_ role: Role) throws {
        guard Role.isValidName(role.id) else { throw AccessError.invalidRoleName(role.id) }
        rolesByID[role.id] = role
    }
}

/// An in-memory ``SessionStore``.
public actor InMemorySessionStore: SessionStore {
    private var sessionsByID: [String: Session] = [:]
    private var keys: [String: APIKey] = [:]

    /// Creates an empty store.
    public init() {}

    /// Stores a session.
    ///
    /// - Parameter session: The session.
    public func create(_ session: Session) { sessionsByID[session.id] = session }

    /// The session with a token hash.
    ///
    /// - Parameter tokenHash: The hash.
    /// - Returns: The session.
    public func session(tokenHash: String) -> Session? { sessionsByID.values.first { $0.tokenHash == tokenHash } }

    /// Marks a session used.
    ///
    /// - Parameters:
    ///   - id: The session.
    ///   - now: When.
    public func touchSession(_ id: String, at now: Date) { sessionsByID[id]?.lastUsedAt = now }

    /// Ends sessions.
    ///
    /// - Parameters:
    ///   - id: One session.
    ///   - userID: A user's sessions.
    public func deleteSessions(id: String?, userID: String?) {
        if let id { sessionsByID[id] = nil }
        if let userID { sessionsByID = sessionsByID.filter { $0.value.userID != userID } }
    }

    /// Removes expired sessions.
    ///
    /// - Parameter now: The instant.
    /// - Returns: How many.
    @discardableResult
    public func deleteExpiredSessions(before now: Date) -> Int {
        let before = sessionsByID.count
        sessionsByID = sessionsByID.filter { $0.value.expiresAt > now }
        return before - sessionsByID.count
    }

    /// Upserts a key.
    ///
    /// - Parameter key: The key.
    public func save(_ key: APIKey) { keys[key.id] = key }

    /// The key with an identifier.
    ///
    /// - Parameter id: Identifier.
    /// - Returns: The key.
    public func apiKey(id: String) -> APIKey? { keys[id] }

    /// A user's keys.
    ///
    /// - Parameter userID: The user.
    /// - Returns: The keys.
    public func apiKeys(userID: String) -> [APIKey] {
        keys.values.filter { $0.userID == userID }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }
}

/// An in-memory ``AuditLog``.
public actor InMemoryAuditLog: AuditLog {
    private var stored: [AuditEntry] = []

    /// Creates an empty log.
    public init() {}

    /// Appends entries.
    ///
    /// - Parameter entries: The entries.
    /// - Returns: The entries with sequences.
    @discardableResult
    public func append(_ entries: [AuditEntry]) -> [AuditEntry] {
        var appended: [AuditEntry] = []
        for var entry in entries {
            entry.sequence = Int64(stored.count + 1)
            stored.append(entry)
            appended.append(entry)
        }
        return appended
    }

    /// Entries after a sequence.
    ///
    /// - Parameters:
    ///   - sequence: Cursor.
    ///   - actor: Actor filter.
    ///   - subject: Subject filter.
    ///   - limit: Most entries.
    /// - Returns: The entries.
    public func entries(after sequence: Int64, actor: String?, subject: String?, limit: Int) -> [AuditEntry] {
        let start = Int(max(0, min(sequence, Int64(stored.count))))
        return Array(stored[start...].lazy.filter { entry in
            (actor == nil || entry.actor == actor) && (subject == nil || entry.subject == subject)
        }.prefix(max(0, limit)))
    }
}
