import GRDB

extension HotlineDatabase {
    /// The casework migrations (work orders, knowledge base, users, sessions, audit log), appended
    /// after the foundation's. Shipped migrations are never edited.
    ///
    /// - Parameter migrator: The migrator to register them with.
    static func registerCaseworkMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-11-29 casework: work orders, knowledge base, users, sessions, audit") { db in
            try db.execute(sql: """
                CREATE TABLE work_order (
                    id TEXT PRIMARY KEY,
                    number TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    status TEXT NOT NULL,
                    priority TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    taxpayer_number TEXT,
                    assignee_kind TEXT,
                    assignee_id TEXT,
                    summary TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    due_at REAL,
                    version INTEGER NOT NULL,
                    document TEXT NOT NULL
                );
                CREATE INDEX work_order_by_status_due ON work_order(status, due_at);
                CREATE INDEX work_order_by_assignee ON work_order(assignee_kind, assignee_id, number);
                CREATE INDEX work_order_by_taxpayer ON work_order(taxpayer_number, number) WHERE taxpayer_number IS NOT NULL;
                CREATE TABLE work_order_link (
                    work_order_id TEXT NOT NULL REFERENCES work_order(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL,
                    reference TEXT NOT NULL,
                    PRIMARY KEY (kind, reference, work_order_id)
                ) WITHOUT ROWID;
                CREATE TABLE work_order_sequence (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    value INTEGER NOT NULL
                );
                INSERT INTO work_order_sequence (id, value) VALUES (1, 0);

                CREATE TABLE kb_article (
                    id TEXT PRIMARY KEY,
                    category TEXT NOT NULL,
                    tags TEXT NOT NULL,
                    attachments TEXT NOT NULL,
                    used_in_call_count INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE kb_version (
                    id INTEGER PRIMARY KEY,
                    article_id TEXT NOT NULL REFERENCES kb_article(id) ON DELETE CASCADE,
                    number INTEGER NOT NULL,
                    title TEXT NOT NULL,
                    body TEXT NOT NULL,
                    format TEXT NOT NULL,
                    effective_from TEXT NOT NULL,
                    effective_until TEXT,
                    author TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    UNIQUE (article_id, number)
                );
                CREATE VIRTUAL TABLE kb_trigram USING fts5(title, tags, body, tokenize = 'trigram', content = '');
                CREATE VIRTUAL TABLE kb_gram USING fts5(title, tags, body, tokenize = 'unicode61', content = '');
                CREATE TABLE kb_use (
                    article_id TEXT NOT NULL REFERENCES kb_article(id) ON DELETE CASCADE,
                    version_number INTEGER NOT NULL,
                    call_id TEXT,
                    user_id TEXT NOT NULL,
                    at REAL NOT NULL
                );
                CREATE INDEX kb_use_by_time ON kb_use(at, article_id);

                CREATE TABLE app_user (
                    id TEXT PRIMARY KEY,
                    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    display_name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    roles TEXT NOT NULL,
                    department TEXT,
                    agent_number TEXT,
                    password_hash TEXT,
                    disabled INTEGER NOT NULL DEFAULT 0,
                    failed_login_count INTEGER NOT NULL DEFAULT 0,
                    locked_until REAL,
                    created_at REAL NOT NULL,
                    password_changed_at REAL,
                    last_login_at REAL
                );
                CREATE TABLE app_role (
                    id TEXT PRIMARY KEY,
                    title TEXT NOT NULL,
                    permissions TEXT NOT NULL
                );
                CREATE TABLE app_session (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
                    token_hash TEXT NOT NULL UNIQUE,
                    created_at REAL NOT NULL,
                    last_used_at REAL NOT NULL,
                    expires_at REAL NOT NULL
                );
                CREATE INDEX app_session_by_user ON app_session(user_id);
                CREATE INDEX app_session_by_expiry ON app_session(expires_at);
                CREATE TABLE api_key (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    user_id TEXT NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
                    secret_hash TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    expires_at REAL,
                    revoked_at REAL,
                    last_used_at REAL
                );
                CREATE INDEX api_key_by_user ON api_key(user_id, created_at);

                CREATE TABLE audit_entry (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    before TEXT,
                    after TEXT
                );
                CREATE INDEX audit_entry_by_actor ON audit_entry(actor, sequence);
                CREATE INDEX audit_entry_by_subject ON audit_entry(subject, sequence);
                CREATE TRIGGER audit_entry_is_append_only_update BEFORE UPDATE ON audit_entry
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_entry_is_append_only_delete BEFORE DELETE ON audit_entry
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
        }
    }
}
