import ArgumentParser
import Foundation
import HotlineSQLite

/// `hotline db …`: backup and restore.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Back up and restore the database.",
        subcommands: [DatabaseBackup.self, DatabaseRestore.self]
    )
}

struct DatabaseBackup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the database to FILE, online (the hotline may keep running)."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The backup file to write.") var file: String

    func run() async throws {
        let database = try global.openDatabase()
        try database.backup(to: URL(fileURLWithPath: file))
        let count = try HotlineDatabase.validateBackup(at: URL(fileURLWithPath: file))
        print("backed up \(count) taxpayers to \(file)")
    }
}

struct DatabaseRestore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the database with a backup made by 'hotline db backup' (refuses any other file)."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The backup file.") var file: String

    func run() async throws {
        let url = URL(fileURLWithPath: file)
        do {
            try HotlineDatabase.validateBackup(at: url)
        } catch let error as HotlineDatabaseError {
            printError("refusing to restore: \(error.description)")
            throw ExitCode(1)
        }
        let database = try global.openDatabase()
        let count = try database.restore(from: url)
        print("restored \(count) taxpayers from \(file)")
    }
}
