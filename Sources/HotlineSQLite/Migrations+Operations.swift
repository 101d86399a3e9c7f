import GRDB

extension HotlineDatabase {
    /// The reference server's operations migrations: calls in progress (so a restart after a crash can
    /// close them as interrupted) and the per-queue voicemail boxes. Shipped migrations are never edited.
    ///
    /// - Parameter migrator: The migrator to register them with.
    static func registerOperationsMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-12-04 operations: calls in progress, voicemail") { db in
            try db.execute(sql: """
                CREATE TABLE active_call (
                    call_id TEXT PRIMARY KEY,
                    caller TEXT NOT NULL,
                    dialled_number TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    answered_at REAL,
                    queued_at REAL,
                    queue TEXT,
                    agent INTEGER,
                    agent_answered_at REAL,
                    updated_at REAL NOT NULL,
                    flow_outcome TEXT,
                    recording TEXT
                );
                CREATE TABLE voicemail (
                    id TEXT PRIMARY KEY,
                    queue TEXT NOT NULL,
                    call_id TEXT NOT NULL,
                    caller TEXT NOT NULL,
                    dialled_number TEXT NOT NULL,
                    recorded_at REAL NOT NULL,
                    duration_ms INTEGER NOT NULL,
                    reference TEXT NOT NULL,
                    handled_at REAL,
                    handled_by TEXT
                );
                CREATE INDEX voicemail_by_queue ON voicemail(queue, handled_at, recorded_at);
                CREATE INDEX voicemail_by_time ON voicemail(recorded_at);
                """)
        }
    }
}
