import ArgumentParser
import Foundation
import HotlineCore
import HotlineSQLite

/// `hotline bench import`: time a CSV import of N demo taxpayers into an empty data directory.
struct BenchImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Generate N demo taxpayers as CSV, import them into an empty data directory, report time and file size."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "How many taxpayers.") var taxpayers = 1_000_000
    @Option(help: "Reuse or keep the generated CSV at this path.") var csv: String?

    func run() async throws {
        let directory = global.dataDirectory
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent(HotlineDatabase.fileName).path) {
            printError("\(directory.path) already holds a database; bench import needs an empty --data-dir")
            throw ExitCode(1)
        }
        let csvURL = URL(fileURLWithPath: csv ?? NSTemporaryDirectory() + "hotline-bench-\(taxpayers).csv")
        if !FileManager.default.fileExists(atPath: csvURL.path) {
            let start = Date()
            var writer = CSVWriter()
            writer.write(TaxpayerCSV.exportHeader(customKeys: ["industry_code"]))
            let demo = DemoData(seed: 2026, today: LocalDate.today(), pinCount: 0)
            _ = FileManager.default.createFile(atPath: csvURL.path, contents: nil)
            let handle = try FileHandle(forWritingTo: csvURL)
            try demo.generate(count: taxpayers, includeHistory: false) { entry in
                writer.write(TaxpayerCSV.exportRow(entry.taxpayer, customKeys: ["industry_code"]))
                if writer.bytes.count > 1 << 22 { try handle.write(contentsOf: writer.take()) }
            }
            try handle.write(contentsOf: writer.take())
            try handle.close()
            print("generated \(csvURL.path) in \(format(Date().timeIntervalSince(start))) s")
        }
        let size = (try FileManager.default.attributesOfItem(atPath: csvURL.path)[.size] as? Int) ?? 0
        let start = Date()
        let database = try global.openDatabase()
        let data = try readFile(csvURL.path)
        let summary = try database.importTaxpayers(csv: data, source: csvURL.lastPathComponent, at: Date())
        let imported = Date().timeIntervalSince(start)
        try await database.optimize()
        let total = Date().timeIntervalSince(start)
        let dbSize = (try FileManager.default.attributesOfItem(
            atPath: directory.appendingPathComponent(HotlineDatabase.fileName).path)[.size] as? Int) ?? 0
        print("imported \(summary.inserted) taxpayers from \(size / 1_000_000) MB CSV in \(format(imported)) s "
              + "(\(Int(Double(summary.inserted) / imported)) rows/s); with checkpoint and optimize \(format(total)) s")
        print("database file: \(dbSize / 1_000_000) MB (\(dbSize / max(1, summary.inserted)) bytes per taxpayer)")
    }
}

func format(_ seconds: Double) -> String { String(format: "%.1f", seconds) }
