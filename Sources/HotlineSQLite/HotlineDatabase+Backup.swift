public import Foundation
import GRDB

extension HotlineDatabase {
    /// Writes a consistent copy of the whole database to a file while the database stays in use
    /// (SQLite online backup API, run inside one read transaction, so concurrent writers neither
    /// block nor leak half-done changes into the copy).
    ///
    /// - Parameter destination: The backup file; replaced if it exists.
    /// - Throws: File-system or SQLite errors.
    public func backup(to destination: URL) throws {
        let fileManager = FileManager.default
        let temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        try? fileManager.removeItem(at: temporary)
        do {
            let target = try DatabaseQueue(path: temporary.path)
            try pool.backup(to: target)
            try target.writeWithoutTransaction { db in
                // A backup is one self-contained file: leave WAL mode so no -wal file is needed.
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
            }
            try target.close()
            if fileManager.fileExists(atPath: destination.path) { try fileManager.removeItem(at: destination) }
            try fileManager.moveItem(at: temporary, to: destination)
        } catch {
            try? fileManager.removeItem(at: temporary)
            throw error
        }
    }

    /// Checks that a file is a hotline backup this version can restore.
    ///
    /// - Parameter file: The candidate backup.
    /// - Returns: The number of taxpayers it holds.
    /// - Throws: ``HotlineDatabaseError`` naming the problem.
    @discardableResult
    public static func validateBackup(at file: URL) throws -> Int {
        guard FileManager.default.fileExists(atPath: file.path) else { throw HotlineDatabaseError.fileNotFound(file.path) }
        var configuration = Configuration()
        configuration.readonly = true
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: file.path, configuration: configuration) } catch {
            throw HotlineDatabaseError.notAHotlineDatabase(file.path)
        }
        defer { try? queue.close() }
        do {
            return try queue.read { db in
                let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                guard applicationID == HotlineDatabase.applicationID else { throw HotlineDatabaseError.notAHotlineDatabase(file.path) }
                guard try db.tableExists("grdb_migrations"), try db.tableExists("taxpayer") else {
                    throw HotlineDatabaseError.notAHotlineDatabase(file.path)
                }
                let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
                let unknown = applied.filter { !knownMigrations.contains($0) }
                guard unknown.isEmpty else { throw HotlineDatabaseError.newerSchema(path: file.path, unknownMigrations: unknown) }
                return try Int.fetchOne(db, sql: "SELECT count(*) FROM taxpayer") ?? 0
            }
        } catch let error as HotlineDatabaseError {
            throw error
        } catch {
            throw HotlineDatabaseError.notAHotlineDatabase(file.path)
        }
    }

    /// Replaces the whole database with a backup's contents, atomically (one write transaction of
    /// the SQLite backup API): readers see either the old or the restored data, never a mix.
    ///
    /// - Parameter file: A file written by ``backup(to:)``.
    /// - Returns: The number of taxpayers restored.
    /// - Throws: ``HotlineDatabaseError`` when the file is not a hotline backup, or SQLite errors.
    @discardableResult
    public func restore(from file: URL) throws -> Int {
        let count = try Self.validateBackup(at: file)
        var configuration = Configuration()
        configuration.readonly = true
        let source = try DatabaseQueue(path: file.path, configuration: configuration)
        defer { try? source.close() }
        try source.backup(to: pool)
        try Self.migrator.migrate(pool)
        return count
    }
}
