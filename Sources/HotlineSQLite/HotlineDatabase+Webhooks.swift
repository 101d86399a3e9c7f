public import Foundation
import GRDB
public import HotlineCore

extension HotlineDatabase: WebhookStore {
    /// Stores a new subscription; it starts after the event log's last sequence, read in the same transaction.
    ///
    /// - Parameter subscription: The subscription.
    /// - Returns: The subscription as stored.
    /// - Throws: SQLite errors.
    @discardableResult
    public func create(_ subscription: WebhookSubscription) async throws -> WebhookSubscription {
        try await pool.write { db in
            var stored = subscription
            stored.startsAfterSequence = try Int64.fetchOne(db, sql: "SELECT coalesce(max(sequence), 0) FROM event") ?? 0
            try db.execute(sql: """
                INSERT INTO webhook_subscription (id, url, event_types, secret, description, created_at, created_by, starts_after_sequence)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [stored.id, stored.url.absoluteString, try Self.encodeDocument(stored.eventTypes), stored.secret,
                                 stored.description, stored.createdAt.timeIntervalSince1970, stored.createdBy, stored.startsAfterSequence])
            return stored
        }
    }

    /// The subscription with an identifier.
    ///
    /// - Parameter id: Identifier.
    /// - Returns: It, or `nil`.
    /// - Throws: SQLite errors, or ``StorageError/corruptRecord(_:)``.
    public func subscription(_ id: String) async throws -> WebhookSubscription? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM webhook_subscription WHERE id = ?", arguments: [id]).map(Self.subscription(from:))
        }
    }

    /// A page of subscriptions in identifier order.
    ///
    /// - Parameters:
    ///   - id: Start after this identifier.
    ///   - limit: Page size.
    /// - Returns: The subscriptions.
    /// - Throws: SQLite errors, or ``StorageError/corruptRecord(_:)``.
    public func subscriptions(after id: String?, limit: Int) async throws -> [WebhookSubscription] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM webhook_subscription WHERE id > ? ORDER BY id LIMIT ?",
                             arguments: [id ?? "", limit]).map(Self.subscription(from:))
        }
    }

    /// Deletes a subscription and (by cascade) its deliveries.
    ///
    /// - Parameter id: Identifier.
    /// - Returns: `true` when it existed.
    /// - Throws: SQLite errors.
    @discardableResult
    public func deleteSubscription(_ id: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM webhook_subscription WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    /// The last event-log sequence turned into deliveries.
    ///
    /// - Returns: The sequence.
    /// - Throws: SQLite errors.
    public func deliveryCursor() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT sequence FROM webhook_cursor WHERE id = 1") ?? 0 }
    }

    /// Queues deliveries and moves the cursor in one transaction, if the cursor is unchanged.
    ///
    /// - Parameters:
    ///   - deliveries: New deliveries.
    ///   - cursor: The cursor as read.
    ///   - newCursor: The last sequence read.
    /// - Returns: `false` when the cursor had moved (nothing queued).
    /// - Throws: SQLite errors.
    public func enqueue(_ deliveries: [WebhookDelivery], movingCursorFrom cursor: Int64, to newCursor: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE webhook_cursor SET sequence = ? WHERE id = 1 AND sequence = ?",
                           arguments: [max(cursor, newCursor), cursor])
            guard db.changesCount == 1 else { return false }
            for delivery in deliveries {
                // A subscription deleted since it was read gets nothing; a repeat of the same event is ignored.
                try db.cachedStatement(sql: """
                    INSERT OR IGNORE INTO webhook_delivery (subscription_id, event_sequence, event_type, status, attempts, created_at,
                                                            next_attempt_at)
                    SELECT id, ?, ?, ?, 0, ?, ? FROM webhook_subscription WHERE id = ?
                    """).execute(arguments: [delivery.eventSequence, delivery.eventType, delivery.status.rawValue,
                                             delivery.createdAt.timeIntervalSince1970, delivery.nextAttemptAt?.timeIntervalSince1970,
                                             delivery.subscriptionID])
            }
            return true
        }
    }

    /// Pending deliveries due at an instant, oldest due first.
    ///
    /// - Parameters:
    ///   - now: The instant.
    ///   - limit: The most to return.
    /// - Returns: The deliveries.
    /// - Throws: SQLite errors.
    public func dueDeliveries(at now: Date, limit: Int) async throws -> [WebhookDelivery] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM webhook_delivery WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
                """, arguments: [now.timeIntervalSince1970, limit]).map(Self.delivery(from:))
        }
    }

    /// Replaces a delivery's attempt state.
    ///
    /// - Parameter delivery: The delivery.
    /// - Throws: SQLite errors.
    public func update(_ delivery: WebhookDelivery) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE webhook_delivery SET status = ?, attempts = ?, next_attempt_at = ?, last_attempt_at = ?, last_status_code = ?,
                                            last_error = ?, delivered_at = ?
                WHERE id = ?
                """, arguments: [delivery.status.rawValue, delivery.attempts, delivery.nextAttemptAt?.timeIntervalSince1970,
                                 delivery.lastAttemptAt?.timeIntervalSince1970, delivery.lastStatusCode, delivery.lastError,
                                 delivery.deliveredAt?.timeIntervalSince1970, delivery.id])
        }
    }

    /// The delivery with an identifier.
    ///
    /// - Parameter id: Identifier.
    /// - Returns: It, or `nil`.
    /// - Throws: SQLite errors.
    public func delivery(_ id: Int64) async throws -> WebhookDelivery? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM webhook_delivery WHERE id = ?", arguments: [id]).map(Self.delivery(from:))
        }
    }

    /// A subscription's deliveries, newest first.
    ///
    /// - Parameters:
    ///   - subscriptionID: The subscription.
    ///   - status: Only this status, when given.
    ///   - id: Only smaller identifiers, when given.
    ///   - limit: Page size.
    /// - Returns: The deliveries.
    /// - Throws: SQLite errors.
    public func deliveries(subscriptionID: String, status: WebhookDelivery.Status?, before id: Int64?,
                           limit: Int) async throws -> [WebhookDelivery] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM webhook_delivery WHERE subscription_id = ? AND (? IS NULL OR status = ?) AND id < ?
                ORDER BY id DESC LIMIT ?
                """, arguments: [subscriptionID, status?.rawValue, status?.rawValue, id ?? Int64.max, limit]).map(Self.delivery(from:))
        }
    }

    static func subscription(from row: Row) throws -> WebhookSubscription {
        let id: String = row["id"]
        let text: String = row["url"]
        guard let url = URL(string: text) else { throw StorageError.corruptRecord("webhook_subscription \(id) url '\(text)'") }
        return WebhookSubscription(id: id, url: url,
                                   eventTypes: try decodeDocument([String].self, row["event_types"], what: "webhook_subscription \(id) event_types"),
                                   secret: row["secret"], description: row["description"],
                                   createdAt: Date(timeIntervalSince1970: row["created_at"]), createdBy: row["created_by"],
                                   startsAfterSequence: row["starts_after_sequence"])
    }

    static func delivery(from row: Row) throws -> WebhookDelivery {
        let id: Int64 = row["id"]
        let statusText: String = row["status"]
        guard let status = WebhookDelivery.Status(rawValue: statusText) else {
            throw StorageError.corruptRecord("webhook_delivery \(id) status '\(statusText)'")
        }
        func date(_ column: String) -> Date? { (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
        var delivery = WebhookDelivery(id: id, subscriptionID: row["subscription_id"], eventSequence: row["event_sequence"],
                                       eventType: row["event_type"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
        delivery.status = status
        delivery.attempts = row["attempts"]
        delivery.nextAttemptAt = date("next_attempt_at")
        delivery.lastAttemptAt = date("last_attempt_at")
        delivery.lastStatusCode = row["last_status_code"]
        delivery.lastError = row["last_error"]
        delivery.deliveredAt = date("delivered_at")
        return delivery
    }
}
