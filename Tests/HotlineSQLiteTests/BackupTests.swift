import Foundation
import GRDB
import HotlineCore
import HotlineSQLite
import Testing

@Suite struct BackupTests {
    @Test func backupWhileWritingIsConsistentAndRestoreBringsItBack() async throws {
        let directory = try TemporaryDirectory()
        let database = try HotlineDatabase(directory: directory.url)
        let today = try #require(LocalDate("2026-11-29"))
        try database.insertDemoData(DemoData(seed: 1, today: today, pinCount: 0), count: 500, at: testDate)

        // Keep writing from another task while the backup runs.
        let writer = Task {
            for index in 0..<200 {
                let taxpayer = Taxpayer(number: try number(identityNumber(index)), name: "并发\(index)", kind: .individual)
                try await database.save(taxpayer, at: testDate)
            }
        }
        let backup = directory.file("backup.sqlite")
        try database.backup(to: backup)
        _ = try await writer.value

        // The backup is a self-contained hotline database whose counts agree with each other.
        let count = try HotlineDatabase.validateBackup(at: backup)
        #expect(count >= 500 && count <= 700)
        let copy = try DatabaseQueue(path: backup.path)
        let (events, integrity, mode) = try await copy.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM event WHERE type = 'taxpayer.saved'") ?? -1,
             try String.fetchOne(db, sql: "PRAGMA integrity_check"),
             try String.fetchOne(db, sql: "PRAGMA journal_mode"))
        }
        try copy.close()
        #expect(events == count - 500) // each concurrent save is one transaction: row and event together
        #expect(integrity == "ok")
        #expect(mode == "delete")

        // Change the live database, then restore: back to the backup's state.
        for index in 200..<260 {
            try await database.save(Taxpayer(number: try number(identityNumber(index)), name: "之后\(index)", kind: .individual),
                                    at: testDate)
        }
        #expect(try database.restore(from: backup) == count)
        #expect(try await database.taxpayerCount() == count)
        #expect(try await database.search("之后", limit: 5).isEmpty)
        #expect(try await database.search("王", limit: 1).count == 1)
    }

    @Test func restoreRefusesFilesThatAreNotHotlineBackups() throws {
        let directory = try TemporaryDirectory()
        let database = try HotlineDatabase(directory: directory.url)
        let text = directory.file("notes.txt")
        try Data("这不是数据库".utf8).write(to: text)
        #expect(throws: HotlineDatabaseError.notAHotlineDatabase(text.path)) { try database.restore(from: text) }

        let foreign = directory.file("foreign.sqlite")
        let queue = try DatabaseQueue(path: foreign.path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE taxpayer(x); CREATE TABLE grdb_migrations(identifier)") }
        try queue.close()
        #expect(throws: HotlineDatabaseError.notAHotlineDatabase(foreign.path)) { try database.restore(from: foreign) }

        let missing = directory.file("missing.sqlite")
        #expect(throws: HotlineDatabaseError.fileNotFound(missing.path)) { try database.restore(from: missing) }
    }

    @Test func restoreRefusesABackupFromANewerSchema() throws {
        let directory = try TemporaryDirectory()
        let database = try HotlineDatabase(directory: directory.url)
        let backup = directory.file("newer.sqlite")
        try database.backup(to: backup)
        let queue = try DatabaseQueue(path: backup.path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('2099-01-01 from the future')") }
        try queue.close()
        #expect(throws: HotlineDatabaseError.newerSchema(path: backup.path, unknownMigrations: ["2099-01-01 from the future"])) {
            try database.restore(from: backup)
        }
    }
}
