import Foundation
import GRDB
import HotlineCore
import HotlineSQLite
import Testing

/// The `hotline` executable built next to the test bundle (`swift build` builds it with the tests).
func hotlineExecutable() throws -> URL {
    let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = testBinary.deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = directory.appendingPathComponent("hotline")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    let fallback = URL(fileURLWithPath: ".build/debug/hotline")
    if FileManager.default.isExecutableFile(atPath: fallback.path) { return fallback }
    throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "build the hotline executable first: swift build --product hotline"])
}

@Suite struct KilledImportTests {
    @Test func killDashNineInTheMiddleLeavesTheDatabaseAsBefore() async throws {
        let directory = try TemporaryDirectory()
        let dataDirectory = directory.file("data")
        let today = try #require(LocalDate("2026-11-29"))
        do {
            let database = try HotlineDatabase(directory: dataDirectory)
            try database.insertDemoData(DemoData(seed: 5, today: today, pinCount: 0), count: 100, at: testDate)
        }
        // A large file of other taxpayers.
        var writer = CSVWriter()
        writer.write(TaxpayerCSV.exportHeader(customKeys: []))
        DemoData(seed: 6, today: today, pinCount: 0).generate(count: 20_000, includeHistory: false) { entry in
            var taxpayer = entry.taxpayer
            taxpayer.customFields = [:]
            taxpayer.name = "被杀导入" + taxpayer.name
            writer.write(TaxpayerCSV.exportRow(taxpayer, customKeys: []))
        }
        let file = directory.file("big.csv")
        try Data(writer.bytes).write(to: file)

        let before = try snapshot(dataDirectory)
        #expect(before.taxpayers == 100)

        let process = Process()
        process.executableURL = try hotlineExecutable()
        process.arguments = ["taxpayers", "import", file.path, "--data-dir", dataDirectory.path, "--progress"]
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        // Wait until the import is well inside its transaction (progress lines come from the write loop).
        var seen = ""
        var killed = false
        while !killed {
            let chunk = stderr.fileHandleForReading.availableData
            if chunk.isEmpty { break } // the process ended on its own
            seen += String(decoding: chunk, as: UTF8.self)
            let percents = seen.split(separator: "\n").compactMap { line -> Int? in
                line.hasPrefix("importing ") ? Int(line.dropFirst(10).dropLast()) : nil
            }
            if let latest = percents.last, latest >= 5 {
                kill(process.processIdentifier, SIGKILL)
                killed = true
            }
        }
        process.waitUntilExit()
        #expect(killed, "the import finished before it could be killed; output: \(seen)")
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == SIGKILL)

        // The database is exactly as before, and usable.
        let after = try snapshot(dataDirectory)
        #expect(after == before)
        let database = try HotlineDatabase(directory: dataDirectory)
        #expect(try await database.search("被杀导入", limit: 5).isEmpty)
        let summary = try database.importTaxpayers(csv: csv(["taxpayer_number,name", "\(creditCode(1)),之后"]),
                                                   source: "after.csv", at: testDate)
        #expect(summary.inserted == 1)
    }

    struct Snapshot: Equatable {
        var taxpayers: Int
        var events: Int
        var gramRows: Int
        var integrity: String
    }

    func snapshot(_ directory: URL) throws -> Snapshot {
        let queue = try DatabaseQueue(path: directory.appendingPathComponent(HotlineDatabase.fileName).path)
        defer { try? queue.close() }
        return try queue.read { db in
            Snapshot(
                taxpayers: try Int.fetchOne(db, sql: "SELECT count(*) FROM taxpayer") ?? -1,
                events: try Int.fetchOne(db, sql: "SELECT count(*) FROM event") ?? -1,
                gramRows: try Int.fetchOne(db, sql: "SELECT count(*) FROM taxpayer_gram WHERE taxpayer_gram MATCH '\"王\"'") ?? -1,
                integrity: try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "")
        }
    }
}
