public import Foundation
public import GRDB
public import Logging

/// The hotline's embedded database: one SQLite file in WAL mode behind a GRDB `DatabasePool`
/// (one writer, concurrent readers), holding taxpayers, bills, contact history and the event log.
///
/// It implements the storage protocols of HotlineCore (``TaxpayerStore``-family and ``EventLog``);
/// every change appends its domain event in the same transaction.
///
/// ```swift
/// let database = try HotlineDatabase(directory: URL(fileURLWithPath: "hotline-data"))
/// let hits = try await database.search("王伟", limit: 10)
/// ```
public final class HotlineDatabase: Sendable {
    /// SQLite's `application_id` of a hotline database: the bytes `HOTL`.
    public static let applicationID: Int32 = 0x484F_544C
    /// The database file name inside the data directory.
    public static let fileName = "hotline.sqlite"

    /// The GRDB pool, for modules that add their own tables (through their own migrations).
    public let pool: DatabasePool
    /// The database file.
    public let url: URL
    let logger: Logger

    /// Opens (creating if needed) the database in a data directory and migrates it to the current schema.
    ///
    /// - Parameters:
    ///   - directory: The data directory; created when missing.
    ///   - logger: Where to log.
    /// - Throws: File-system or SQLite errors, or ``HotlineDatabaseError/notAHotlineDatabase(_:)``
    ///   when the file belongs to another application.
    public convenience init(directory: URL, logger: Logger = Logger(label: "hotline.sqlite")) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try self.init(url: directory.appendingPathComponent(Self.fileName), logger: logger)
    }

    /// Opens (creating if needed) a database file and migrates it to the current schema.
    ///
    /// - Parameters:
    ///   - url: The SQLite file.
    ///   - logger: Where to log.
    /// - Throws: SQLite errors, or ``HotlineDatabaseError/notAHotlineDatabase(_:)``.
    public init(url: URL, logger: Logger = Logger(label: "hotline.sqlite")) throws {
        self.url = url
        self.logger = logger
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -65536") // 64 MiB per connection
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            try db.execute(sql: "PRAGMA mmap_size = 268435456")
        }
        configuration.maximumReaderCount = 4
        pool = try DatabasePool(path: url.path, configuration: configuration)
        try pool.writeWithoutTransaction { db in
            let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
            let tableCount = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
            if applicationID == 0 && tableCount == 0 {
                try db.execute(sql: "PRAGMA application_id = \(Self.applicationID)")
            } else if applicationID != Self.applicationID {
                throw HotlineDatabaseError.notAHotlineDatabase(url.path)
            }
        }
        try Self.migrator.migrate(pool)
    }

    /// The schema's migrations, oldest first. Shipped migrations are never edited; changes are new
    /// migrations appended at the end (GRDB `Migrations.md`).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-29 taxpayers, bills, contacts, events") { db in
            try db.execute(sql: """
                CREATE TABLE taxpayer (
                    id INTEGER PRIMARY KEY,
                    number TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    enterprise_name TEXT,
                    legal_representative TEXT,
                    phone TEXT,
                    phone_extension TEXT,
                    mobile TEXT,
                    email TEXT,
                    region TEXT,
                    address TEXT,
                    building TEXT,
                    floor TEXT,
                    room TEXT,
                    bank_name TEXT,
                    bank_account TEXT,
                    category TEXT NOT NULL,
                    tax_office TEXT,
                    assigned_agent TEXT,
                    pin_hash TEXT,
                    custom_fields TEXT
                );
                CREATE INDEX taxpayer_by_name ON taxpayer(name);
                CREATE INDEX taxpayer_by_phone ON taxpayer(phone) WHERE phone IS NOT NULL;
                CREATE INDEX taxpayer_by_mobile ON taxpayer(mobile) WHERE mobile IS NOT NULL;
                CREATE VIRTUAL TABLE taxpayer_trigram USING fts5(
                    text, tokenize = 'trigram', content = '', detail = 'none');
                CREATE VIRTUAL TABLE taxpayer_gram USING fts5(
                    text, tokenize = 'unicode61', content = '', detail = 'none');
                INSERT INTO taxpayer_gram (taxpayer_gram, rank) VALUES ('hashsize', 33554432);
                CREATE TABLE tax_bill (
                    taxpayer_number TEXT NOT NULL REFERENCES taxpayer(number) ON DELETE CASCADE,
                    period TEXT NOT NULL,
                    tax_type TEXT NOT NULL,
                    amount_due INTEGER NOT NULL,
                    amount_paid INTEGER NOT NULL,
                    due_date TEXT NOT NULL,
                    PRIMARY KEY (taxpayer_number, period, tax_type)
                ) WITHOUT ROWID;
                CREATE TABLE contact_record (
                    id TEXT PRIMARY KEY,
                    taxpayer_number TEXT NOT NULL REFERENCES taxpayer(number) ON DELETE CASCADE,
                    occurred_at REAL NOT NULL,
                    channel TEXT NOT NULL,
                    summary TEXT NOT NULL,
                    agent TEXT,
                    call_id TEXT,
                    work_order_id TEXT
                );
                CREATE INDEX contact_record_by_taxpayer ON contact_record(taxpayer_number, occurred_at);
                CREATE TABLE event (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    type TEXT NOT NULL,
                    occurred_at REAL NOT NULL,
                    subject TEXT NOT NULL,
                    payload BLOB NOT NULL
                );
                CREATE INDEX event_by_subject ON event(subject, sequence);
                CREATE TRIGGER event_is_append_only_update BEFORE UPDATE ON event
                    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
                CREATE TRIGGER event_is_append_only_delete BEFORE DELETE ON event
                    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
                """)
        }
        registerCaseworkMigrations(in: &migrator)
        registerSearchMigrations(in: &migrator)
        registerWebhookMigrations(in: &migrator)
        registerOperationsMigrations(in: &migrator)
        registerCallMigrations(in: &migrator)
        registerOutboundMigrations(in: &migrator)
        return migrator
    }

    /// The identifiers of the migrations this version knows, oldest first.
    public static var knownMigrations: [String] { migrator.migrations }

    /// Runs a WAL checkpoint and refreshes the query planner's statistics; call after bulk imports.
    ///
    /// - Throws: SQLite errors.
    public func optimize() async throws {
        try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA optimize")
            try db.checkpoint(.truncate)
        }
    }
}

/// Errors of the SQLite store.
public enum HotlineDatabaseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file exists but is not a hotline database (another application's SQLite file, or not SQLite).
    case notAHotlineDatabase(String)
    /// The backup file was made by a newer hotline whose schema this version does not know.
    case newerSchema(path: String, unknownMigrations: [String])
    /// The file does not exist.
    case fileNotFound(String)

    /// A sentence explaining the problem.
    public var description: String {
        switch self {
        case .notAHotlineDatabase(let path):
            return "\(path) is not a hotline database (its SQLite application_id is not 'HOTL' or it is not SQLite)"
        case .newerSchema(let path, let unknown):
            return "\(path) was written by a newer hotline (unknown migrations: \(unknown.joined(separator: ", "))); upgrade first"
        case .fileNotFound(let path):
            return "\(path) does not exist"
        }
    }
}
