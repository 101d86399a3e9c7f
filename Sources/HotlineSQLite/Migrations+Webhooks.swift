import GRDB

extension HotlineDatabase {
    /// The webhook migrations (subscriptions, deliveries with their retry state, the delivery cursor
    /// over the event log), appended after the casework ones. Shipped migrations are never edited.
    ///
    /// - Parameter migrator: The migrator to register them with.
    static func registerWebhookMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-12-04 webhooks: subscriptions, deliveries, cursor") { db in
            try db.execute(sql: """
                CREATE TABLE webhook_subscription (
                    id TEXT PRIMARY KEY,
                    url TEXT NOT NULL,
                    event_types TEXT NOT NULL,
                    secret TEXT NOT NULL,
                    description TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    created_by TEXT NOT NULL,
                    starts_after_sequence INTEGER NOT NULL
                );
                CREATE TABLE webhook_delivery (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    subscription_id TEXT NOT NULL REFERENCES webhook_subscription(id) ON DELETE CASCADE,
                    event_sequence INTEGER NOT NULL,
                    event_type TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    created_at REAL NOT NULL,
                    next_attempt_at REAL,
                    last_attempt_at REAL,
                    last_status_code INTEGER,
                    last_error TEXT,
                    delivered_at REAL,
                    UNIQUE (subscription_id, event_sequence)
                );
                CREATE INDEX webhook_delivery_due ON webhook_delivery(next_attempt_at) WHERE status = 'pending';
                CREATE INDEX webhook_delivery_by_subscription ON webhook_delivery(subscription_id, id);
                CREATE TABLE webhook_cursor (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    sequence INTEGER NOT NULL
                );
                INSERT INTO webhook_cursor (id, sequence) VALUES (1, (SELECT coalesce(max(sequence), 0) FROM event));
                """)
        }
    }
}
