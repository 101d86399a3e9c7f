public import Foundation

/// A subscription of another system's URL to event types of the event log: every matching event
/// appended after the subscription was made is POSTed to the URL, signed with the secret.
public struct WebhookSubscription: Sendable, Hashable, Codable, Identifiable {
    /// Identifier (`wh_` + random).
    public var id: String
    /// Where deliveries are POSTed (`http` or `https`).
    public var url: URL
    /// Event types delivered: exact types (`workorder.transitioned`), prefixes (`workorder.*`) or `*` for all.
    public var eventTypes: [String]
    /// The HMAC-SHA256 key deliveries are signed with (kept to sign; shown to the client only when created).
    public var secret: String
    /// Free text, e.g. which system receives.
    public var description: String
    /// When it was made.
    public var createdAt: Date
    /// Who made it (``User/id``).
    public var createdBy: String
    /// The event log's last sequence when it was made; only later events are delivered.
    public var startsAfterSequence: Int64

    /// Creates a subscription.
    ///
    /// - Parameters:
    ///   - id: Identifier.
    ///   - url: Target URL.
    ///   - eventTypes: Types, prefixes (`x.*`) or `*`.
    ///   - secret: Signing key.
    ///   - description: Free text.
    ///   - createdAt: When made.
    ///   - createdBy: Who made it.
    ///   - startsAfterSequence: The event log head when made.
    public init(id: String = "wh_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""), url: URL,
                eventTypes: [String], secret: String, description: String = "", createdAt: Date, createdBy: String,
                startsAfterSequence: Int64) {
        self.id = id
        self.url = url
        self.eventTypes = eventTypes
        self.secret = secret
        self.description = description
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.startsAfterSequence = startsAfterSequence
    }

    /// Whether an event of a type (with a sequence) is delivered to this subscription.
    ///
    /// - Parameters:
    ///   - type: The event's type.
    ///   - sequence: The event's sequence in the log.
    /// - Returns: `true` when a delivery is due.
    public func wants(_ type: String, sequence: Int64) -> Bool {
        sequence > startsAfterSequence && eventTypes.contains { Self.pattern($0, matches: type) }
    }

    /// Whether a pattern (`*`, `prefix.*` or an exact type) matches an event type.
    ///
    /// - Parameters:
    ///   - pattern: The pattern.
    ///   - type: The event type.
    /// - Returns: `true` on a match.
    public static func pattern(_ pattern: String, matches type: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasSuffix(".*") { return type.hasPrefix(pattern.dropLast()) }
        return pattern == type
    }

    /// What is wrong with a proposed subscription, field by field; empty when it may be saved.
    ///
    /// - Parameters:
    ///   - url: The target as given.
    ///   - eventTypes: The patterns.
    ///   - secret: The client's secret, when it sets one.
    ///   - description: Free text.
    /// - Returns: `(field, reason)` pairs.
    public static func problems(url: String, eventTypes: [String], secret: String?, description: String) -> [(field: String, reason: String)] {
        var problems: [(String, String)] = []
        if let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
           let host = parsed.host, !host.isEmpty, url.count <= 2000, parsed.user == nil, parsed.password == nil, parsed.fragment == nil {
            // acceptable
        } else {
            problems.append(("url", "must be an absolute http:// or https:// URL with a host, without credentials or fragment, at most 2000 characters; '\(url.prefix(100))' is not"))
        }
        if eventTypes.isEmpty || eventTypes.count > 50 {
            problems.append(("eventTypes", "must list 1–50 event types, prefixes like 'workorder.*', or '*'"))
        }
        for (index, pattern) in eventTypes.enumerated() where !isValidPattern(pattern) {
            problems.append(("eventTypes[\(index)]", "'\(pattern.prefix(100))' is not an event type ('workorder.transitioned'), a prefix ('workorder.*') or '*'"))
        }
        if let secret, !((16...256).contains(secret.utf8.count) && secret.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E })) {
            problems.append(("secret", "must be 16–256 visible ASCII characters (or leave it out and one is generated)"))
        }
        if description.count > 500 { problems.append(("description", "is \(description.count) characters; at most 500")) }
        return problems
    }

    static func isValidPattern(_ pattern: String) -> Bool {
        if pattern == "*" { return true }
        let body = pattern.hasSuffix(".*") ? String(pattern.dropLast(2)) : pattern
        guard (1...100).contains(body.utf8.count), !body.hasPrefix("."), !body.hasSuffix("."), !body.contains("..") else { return false }
        return body.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "." || scalar == "_" || scalar == "-"
        }
    }
}

/// One event to be delivered to one subscription, with the history of its attempts.
public struct WebhookDelivery: Sendable, Hashable, Codable, Identifiable {
    /// Where a delivery stands.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Not yet delivered; attempted again at ``WebhookDelivery/nextAttemptAt``.
        case pending
        /// The receiver answered 2xx.
        case delivered
        /// Every attempt failed; given up.
        case failed
    }

    /// Identifier, increasing in the order deliveries were made (0 before stored).
    public var id: Int64
    /// The subscription.
    public var subscriptionID: String
    /// The event's sequence in the event log.
    public var eventSequence: Int64
    /// The event's type.
    public var eventType: String
    /// Where it stands.
    public var status: Status
    /// Attempts made so far.
    public var attempts: Int
    /// When it was queued.
    public var createdAt: Date
    /// When it is (next) attempted; `nil` once delivered or given up.
    public var nextAttemptAt: Date?
    /// When it was last attempted.
    public var lastAttemptAt: Date?
    /// The HTTP status of the last attempt, when the receiver answered.
    public var lastStatusCode: Int?
    /// Why the last attempt failed, when it did (status, timeout, connection error).
    public var lastError: String?
    /// When the receiver accepted it.
    public var deliveredAt: Date?

    /// Creates a pending delivery, due at once.
    ///
    /// - Parameters:
    ///   - id: Identifier (0 until stored).
    ///   - subscriptionID: The subscription.
    ///   - eventSequence: The event.
    ///   - eventType: The event's type.
    ///   - createdAt: When queued (and first due).
    public init(id: Int64 = 0, subscriptionID: String, eventSequence: Int64, eventType: String, createdAt: Date) {
        self.id = id
        self.subscriptionID = subscriptionID
        self.eventSequence = eventSequence
        self.eventType = eventType
        self.status = .pending
        self.attempts = 0
        self.createdAt = createdAt
        self.nextAttemptAt = createdAt
        self.lastAttemptAt = nil
        self.lastStatusCode = nil
        self.lastError = nil
        self.deliveredAt = nil
    }

    /// Records the outcome of an attempt: delivered on a 2xx status, otherwise pending again after
    /// the policy's backoff, or failed when the policy gives up.
    ///
    /// - Parameters:
    ///   - statusCode: The receiver's status, when it answered.
    ///   - error: Why it failed, when it did.
    ///   - now: When the attempt ended.
    ///   - policy: The retry policy.
    public mutating func recordAttempt(statusCode: Int?, error: String?, at now: Date, policy: WebhookRetryPolicy) {
        attempts += 1
        lastAttemptAt = now
        lastStatusCode = statusCode
        if let statusCode, (200..<300).contains(statusCode), error == nil {
            status = .delivered
            lastError = nil
            deliveredAt = now
            nextAttemptAt = nil
        } else {
            lastError = error ?? statusCode.map { "the receiver answered HTTP \($0)" } ?? "no response"
            if let delay = policy.delay(afterAttempt: attempts) {
                status = .pending
                nextAttemptAt = now.addingTimeInterval(delay)
            } else {
                status = .failed
                nextAttemptAt = nil
            }
        }
    }
}

/// How failed deliveries are retried: exponential backoff from ``initialDelay``, doubling up to
/// ``maximumDelay``, giving up after ``maximumAttempts``.
public struct WebhookRetryPolicy: Sendable, Hashable, Codable {
    /// Attempts in all, the first included (1–50).
    public var maximumAttempts: Int
    /// Seconds before the second attempt.
    public var initialDelay: TimeInterval
    /// The longest wait between attempts, in seconds.
    public var maximumDelay: TimeInterval

    /// Creates a policy.
    ///
    /// - Parameters:
    ///   - maximumAttempts: Attempts in all (clamped to 1–50).
    ///   - initialDelay: Seconds before the second attempt.
    ///   - maximumDelay: Longest wait in seconds.
    public init(maximumAttempts: Int = 10, initialDelay: TimeInterval = 30, maximumDelay: TimeInterval = 3600) {
        self.maximumAttempts = min(50, max(1, maximumAttempts))
        self.initialDelay = max(0, initialDelay)
        self.maximumDelay = max(self.initialDelay, maximumDelay)
    }

    /// The default: 10 attempts over about five hours (30 s, 1, 2, 4, 8, 16, 32 min, then hourly).
    public static let standard = WebhookRetryPolicy()

    /// The wait after a failed attempt.
    ///
    /// - Parameter attempt: The attempt that failed (1 for the first).
    /// - Returns: Seconds until the next attempt, or `nil` to give up.
    public func delay(afterAttempt attempt: Int) -> TimeInterval? {
        guard attempt >= 1, attempt < maximumAttempts else { return nil }
        let exponent = Double(min(attempt - 1, 40))
        return min(maximumDelay, initialDelay * pow(2, exponent))
    }
}

/// The deliveries a batch of events makes for a set of subscriptions: one per event and
/// subscription that wants it, in event order.
///
/// - Parameters:
///   - events: Events read from the log after the delivery cursor.
///   - subscriptions: The current subscriptions.
///   - now: When they are queued.
/// - Returns: The new deliveries (ids 0 until stored).
public func webhookDeliveries(for events: [RecordedEvent], subscriptions: [WebhookSubscription], at now: Date) -> [WebhookDelivery] {
    var deliveries: [WebhookDelivery] = []
    for event in events {
        for subscription in subscriptions where subscription.wants(event.type, sequence: event.sequence) {
            deliveries.append(WebhookDelivery(subscriptionID: subscription.id, eventSequence: event.sequence, eventType: event.type,
                                              createdAt: now))
        }
    }
    return deliveries
}

/// Where webhook subscriptions, their deliveries and the delivery cursor over the event log live.
public protocol WebhookStore: Sendable {
    /// Stores a new subscription, setting its ``WebhookSubscription/startsAfterSequence`` to the event
    /// log's last sequence in the same transaction, so exactly the later events are delivered.
    ///
    /// - Parameter subscription: The subscription.
    /// - Returns: The subscription as stored.
    /// - Throws: A storage error.
    @discardableResult
    func create(_ subscription: WebhookSubscription) async throws -> WebhookSubscription

    /// The subscription with an identifier.
    ///
    /// - Parameter id: Identifier.
    /// - Returns: It, or `nil`.
    /// - Throws: A storage error.
    func subscription(_ id: String) async throws -> WebhookSubscription?

    /// A page of subscriptions in identifier order.
    ///
    /// - Parameters:
    ///   - id: Start after this identifier.
    ///   - limit: Page size.
    /// - Returns: The subscriptions.
    /// - Throws: A storage error.
    func subscriptions(after id: String?, limit: Int) async throws -> [WebhookSubscription]

    /// Deletes a subscription and its deliveries.
    ///
    /// - Parameter id: Identifier.
    /// - Returns: `true` when it existed.
    /// - Throws: A storage error.
    @discardableResult
    func deleteSubscription(_ id: String) async throws -> Bool

    /// The delivery cursor: the last event-log sequence turned into deliveries.
    ///
    /// - Returns: The sequence (0 at the start).
    /// - Throws: A storage error.
    func deliveryCursor() async throws -> Int64

    /// Queues deliveries and moves the cursor, atomically, if the cursor is still where it was read.
    ///
    /// - Parameters:
    ///   - deliveries: New deliveries (their ids are assigned).
    ///   - cursor: The cursor as read by ``deliveryCursor()``.
    ///   - newCursor: The last sequence the deliveries were made from.
    /// - Returns: `false` when another worker moved the cursor first (nothing was queued).
    /// - Throws: A storage error.
    func enqueue(_ deliveries: [WebhookDelivery], movingCursorFrom cursor: Int64, to newCursor: Int64) async throws -> Bool

    /// Pending deliveries due at an instant, oldest due first.
    ///
    /// - Parameters:
    ///   - now: The instant.
    ///   - limit: The most to return.
    /// - Returns: The deliveries.
    /// - Throws: A storage error.
    func dueDeliveries(at now: Date, limit: Int) async throws -> [WebhookDelivery]

    /// Replaces a delivery's state after an attempt (nothing happens when it was deleted meanwhile).
    ///
    /// - Parameter delivery: The delivery.
    /// - Throws: A storage error.
    func update(_ delivery: WebhookDelivery) async throws

    /// The delivery with an identifier.
    ///
    /// - Parameter id: Identifier.
    /// - Returns: It, or `nil`.
    /// - Throws: A storage error.
    func delivery(_ id: Int64) async throws -> WebhookDelivery?

    /// A subscription's deliveries, newest first.
    ///
    /// - Parameters:
    ///   - subscriptionID: The subscription.
    ///   - status: Only this status, when given.
    ///   - id: Only deliveries with a smaller identifier (the page cursor), when given.
    ///   - limit: Page size.
    /// - Returns: The deliveries.
    /// - Throws: A storage error.
    func deliveries(subscriptionID: String, status: WebhookDelivery.Status?, before id: Int64?, limit: Int) async throws -> [WebhookDelivery]
}

/// An in-memory ``WebhookStore`` for tests, with the SQLite store's semantics.
public actor InMemoryWebhookStore: WebhookStore {
    private var subscriptionsByID: [String: WebhookSubscription] = [:]
    private var deliveriesByID: [Int64: WebhookDelivery] = [:]
    private var nextID: Int64 = 1
    private var cursor: Int64 = 0
    private let eventLog: (any EventLog)?

    /// Creates an empty store.
    ///
    /// - Parameter eventLog: The log whose last sequence a new subscription starts after (without
    ///   one, it starts after the delivery cursor).
    public init(eventLog: (any EventLog)? = nil) { self.eventLog = eventLog }

    /// Stores a subscription, starting after the event log's last sequence.
    public func create(_ subscription: WebhookSubscription) async throws -> WebhookSubscription {
        var stored = subscription
        stored.startsAfterSequence = cursor
        var after = cursor
        while let eventLog, let last = try await eventLog.events(after: after, subject: nil, limit: 1000).last?.sequence {
            after = last
        }
        stored.startsAfterSequence = after
        subscriptionsByID[stored.id] = stored
        return stored
    }

    public func subscription(_ id: String) -> WebhookSubscription? { subscriptionsByID[id] }

    public func subscriptions(after id: String?, limit: Int) -> [WebhookSubscription] {
        Array(subscriptionsByID.values.filter { subscription in id.map { subscription.id > $0 } ?? true }.sorted { $0.id < $1.id }.prefix(limit))
    }

    public func deleteSubscription(_ id: String) -> Bool {
        deliveriesByID = deliveriesByID.filter { $0.value.subscriptionID != id }
        return subscriptionsByID.removeValue(forKey: id) != nil
    }

    public func deliveryCursor() -> Int64 { cursor }

    public func enqueue(_ deliveries: [WebhookDelivery], movingCursorFrom cursor: Int64, to newCursor: Int64) -> Bool {
        guard self.cursor == cursor else { return false }
        for var delivery in deliveries where subscriptionsByID[delivery.subscriptionID] != nil {
            delivery.id = nextID
            nextID += 1
            deliveriesByID[delivery.id] = delivery
        }
        self.cursor = max(cursor, newCursor)
        return true
    }

    public func dueDeliveries(at now: Date, limit: Int) -> [WebhookDelivery] {
        Array(deliveriesByID.values.filter { $0.status == .pending && ($0.nextAttemptAt ?? .distantFuture) <= now }
            .sorted { ($0.nextAttemptAt ?? .distantFuture, $0.id) < ($1.nextAttemptAt ?? .distantFuture, $1.id) }.prefix(limit))
    }

    public func update(_ delivery: WebhookDelivery) {
        guard deliveriesByID[delivery.id] != nil else { return }
        deliveriesByID[delivery.id] = delivery
    }

    public func delivery(_ id: Int64) -> WebhookDelivery? { deliveriesByID[id] }

    public func deliveries(subscriptionID: String, status: WebhookDelivery.Status?, before id: Int64?, limit: Int) -> [WebhookDelivery] {
        Array(deliveriesByID.values
            .filter { $0.subscriptionID == subscriptionID && (status == nil || $0.status == status) && $0.id < (id ?? .max) }
            .sorted { $0.id > $1.id }.prefix(limit))
    }
}
