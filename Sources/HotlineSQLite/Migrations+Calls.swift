import GRDB

extension HotlineDatabase {
    /// The call search migrations: the reference server's call detail records (table
    /// `call_detail_record`, which `HotlineServer` used to create on first use with the same columns) and
    /// the indexes that `GET /api/v1/calls` filters by — caller, agent, queue and dialled number, each
    /// with the start time so that "newest first" reads them in order. Shipped migrations are never edited.
    ///
    /// - Parameter migrator: The migrator to register them with.
    static func registerCallMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-12-04 calls: call detail records and their search indexes") { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS call_detail_record (
                    call_id TEXT PRIMARY KEY,
                    caller TEXT NOT NULL,
                    dialled_number TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    answered_at REAL,
                    queued_at REAL,
                    queue TEXT,
                    agent INTEGER,
                    agent_answered_at REAL,
                    ended_at REAL NOT NULL,
                    disposition TEXT NOT NULL,
                    ended_by TEXT NOT NULL,
                    flow_outcome TEXT,
                    recording TEXT,
                    rating TEXT
                );
                CREATE INDEX IF NOT EXISTS call_detail_record_started ON call_detail_record(started_at);
                CREATE INDEX call_detail_record_by_caller ON call_detail_record(caller, started_at);
                CREATE INDEX call_detail_record_by_agent ON call_detail_record(agent, started_at) WHERE agent IS NOT NULL;
                CREATE INDEX call_detail_record_by_queue ON call_detail_record(queue, started_at) WHERE queue IS NOT NULL;
                CREATE INDEX call_detail_record_by_number ON call_detail_record(dialled_number, started_at);
                """)
        }
    }
}
