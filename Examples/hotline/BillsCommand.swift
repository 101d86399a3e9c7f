import ArgumentParser
import Foundation
import HotlineSQLite

/// `hotline bills …`: tax bills.
struct BillsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bills",
        abstract: "Import tax bills (what taxpayers owe).",
        subcommands: [BillsImport.self]
    )
}

struct BillsImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import tax bills from CSV: taxpayer_number, period (YYYY-MM), tax_type, amount_due, amount_paid (yuan), due_date (YYYY-MM-DD).",
        discussion: "Same all-or-nothing rules as 'taxpayers import'; upsert by taxpayer number, period and tax type."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The CSV file.") var file: String
    @Flag(help: "Import the valid rows even if some rows are invalid.") var skipInvalid = false
    @Option(help: ArgumentHelp("Write rejected rows to this CSV file.", valueName: "FILE")) var report: String?
    @Flag(help: "Print progress lines on stderr even when it is not a terminal.") var progress = false

    func run() async throws {
        let database = try global.openDatabase()
        let data = try readFile(file)
        let bar = ProgressReporter(label: "importing", forceLines: progress)
        do {
            let summary = try database.importBills(csv: data, source: URL(fileURLWithPath: file).lastPathComponent,
                                                   skipInvalid: skipInvalid, at: Date(), progress: bar.update)
            bar.finish()
            print("imported \(summary.rows - summary.rejected.count) of \(summary.rows) bills (\(summary.encoding.rawValue)):"
                  + " \(summary.inserted) new, \(summary.updated) updated, \(summary.rejected.count) rejected")
            if !summary.rejected.isEmpty { try writeRejectionReport(summary, to: report) }
        } catch let failure as ImportFailure {
            bar.finish()
            printProblems(failure, file: file)
            throw ExitCode(1)
        }
    }
}
