import GRDB

extension HotlineDatabase {
    /// The outbound trunk's migration: call detail records say who placed the call (`inbound` for callers,
    /// `outbound` for click-to-dial and call-backs through the trunk). Shipped migrations are never edited.
    ///
    /// - Parameter migrator: The migrator to register it with.
    static func registerOutboundMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-12-04 outbound: call direction") { db in
            try db.execute(sql: "ALTER TABLE call_detail_record ADD COLUMN direction TEXT NOT NULL DEFAULT 'inbound'")
        }
        // Outbound calls in progress are kept in `active_call` too, so a crash closes them as outbound.
        migrator.registerMigration("2026-12-04 outbound: calls in progress keep their direction") { db in
            try db.execute(sql: "ALTER TABLE active_call ADD COLUMN direction TEXT NOT NULL DEFAULT 'inbound'")
        }
    }
}
