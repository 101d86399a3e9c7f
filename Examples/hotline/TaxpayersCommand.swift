import ArgumentParser
import Foundation
import HotlineCore
import HotlineSQLite

/// `hotline taxpayers …`: import, export, search and show taxpayer records.
struct TaxpayersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taxpayers",
        abstract: "Import, export, search and show taxpayer records.",
        subcommands: [TaxpayersImport.self, TaxpayersExport.self, TaxpayersSearch.self, TaxpayersShow.self]
    )
}

struct TaxpayersImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import taxpayers from CSV (UTF-8 or GB18030; English or Chinese headers); upsert by taxpayer number.",
        discussion: """
            All-or-nothing: if any row is invalid nothing is imported, every bad row is listed with its line, \
            column and reason, and the exit code is 1. With --skip-invalid the valid rows are imported and the \
            rejected ones written to --report. Column names: Docs/SQLite.md.
            """
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The CSV file.") var file: String
    @Flag(help: "Import the valid rows even if some rows are invalid.") var skipInvalid = false
    @Option(help: ArgumentHelp("Write rejected rows (with line, column and reason) to this CSV file.", valueName: "FILE"))
    var report: String?
    @Flag(help: "Print progress lines on stderr even when it is not a terminal.") var progress = false

    func run() async throws {
        let database = try global.openDatabase()
        let data = try readFile(file)
        let bar = ProgressReporter(label: "importing", forceLines: progress)
        do {
            let summary = try database.importTaxpayers(csv: data, source: URL(fileURLWithPath: file).lastPathComponent,
                                                       skipInvalid: skipInvalid, at: Date(), progress: bar.update)
            bar.finish()
            try await database.optimize()
            print("imported \(summary.rows - summary.rejected.count) of \(summary.rows) rows (\(summary.encoding.rawValue)):"
                  + " \(summary.inserted) new, \(summary.updated) updated, \(summary.rejected.count) rejected")
            if !summary.rejected.isEmpty {
                try writeRejectionReport(summary, to: report)
            }
        } catch let failure as ImportFailure {
            bar.finish()
            printProblems(failure, file: file)
            throw ExitCode(1)
        }
    }
}

struct TaxpayersExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export all taxpayers to CSV (UTF-8 with BOM); importing the file into an empty data directory gives identical records."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The CSV file to write.") var file: String

    func run() async throws {
        let database = try global.openDatabase()
        let count = try database.exportTaxpayers(to: URL(fileURLWithPath: file))
        print("exported \(count) taxpayers to \(file)")
    }
}

struct TaxpayersSearch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search by name, enterprise name, taxpayer number, ID number, phone, region or address (one character is enough)."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "What to look for.") var query: String
    @Option(help: "The most results to show.") var limit = 20
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let database = try global.openDatabase()
        let results = try await database.search(query, limit: max(1, limit))
        if json {
            try printJSON(results.map { SearchResultView(match: $0.match.rawValue, taxpayer: TaxpayerView($0.taxpayer)) })
            return
        }
        if results.isEmpty {
            print("no taxpayer matches '\(query)'")
            return
        }
        for result in results {
            let taxpayer = result.taxpayer
            let phones = taxpayer.phoneNumbers.map(\.description).joined(separator: " ")
            let marker = result.match == .text ? " " : "*"
            print("\(marker) \(taxpayer.number)  \(taxpayer.name)  \(taxpayer.enterpriseName ?? "")  \(phones)  \(taxpayer.region ?? "")\(taxpayer.address ?? "")")
        }
    }
}

struct TaxpayersShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one taxpayer with bills, arrears and late-payment surcharge as of today, and recent contacts."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The taxpayer number.") var number: String
    @Option(help: ArgumentHelp("Compute arrears as of this day instead of today.", valueName: "YYYY-MM-DD")) var asOf: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let taxpayerNumber: TaxpayerNumber
        do { taxpayerNumber = try TaxpayerNumber(number) } catch {
            printError("'\(number)' is not a valid taxpayer number: \(error.description)")
            throw ExitCode(1)
        }
        let day: LocalDate
        if let asOf {
            guard let parsed = LocalDate(asOf) else {
                printError("--as-of '\(asOf)' is not a date YYYY-MM-DD")
                throw ExitCode(1)
            }
            day = parsed
        } else {
            day = LocalDate.today()
        }
        let database = try global.openDatabase()
        guard let taxpayer = try await database.taxpayer(taxpayerNumber) else {
            printError("no taxpayer with number \(taxpayerNumber) is on record")
            throw ExitCode(1)
        }
        let bills = try await database.bills(of: taxpayerNumber)
        let arrears = ArrearsSummary(bills: bills, of: taxpayerNumber, asOf: day)
        let history = try await database.history(of: taxpayerNumber, limit: 10)
        if json {
            try printJSON(ShowView(taxpayer: TaxpayerView(taxpayer), asOf: day.description, arrears: arrears.arrears.yuanText,
                                   surcharge: arrears.surcharge.yuanText, total: arrears.total.yuanText,
                                   bills: bills.map { BillView($0, asOf: day) },
                                   contacts: history.map(ContactView.init)))
            return
        }
        let view = TaxpayerView(taxpayer)
        print("\(view.name)  (\(view.taxpayer_number), \(view.kind), \(view.category))")
        for (label, value) in view.lines where !value.isEmpty { print("  \(label): \(value)") }
        print("Arrears as of \(day): ¥\(arrears.arrears.yuanText) + surcharge ¥\(arrears.surcharge.yuanText) = ¥\(arrears.total.yuanText)")
        for bill in bills {
            print("  \(bill.period) \(bill.taxType): due ¥\(bill.amountDue.yuanText) by \(bill.dueDate), paid ¥\(bill.amountPaid.yuanText), "
                  + "arrears ¥\(bill.arrears(asOf: day).yuanText), surcharge ¥\(bill.surcharge(asOf: day).yuanText)")
        }
        if !history.isEmpty { print("Recent contacts:") }
        for contact in history {
            print("  \(ISO8601DateFormatter().string(from: contact.occurredAt)) \(contact.channel.rawValue) \(contact.agent ?? "-"): \(contact.summary)")
        }
    }
}

// MARK: - Shared helpers

extension GlobalOptions {
    /// Opens (creating if needed) the database in the data directory.
    func openDatabase() throws -> HotlineDatabase {
        do { return try HotlineDatabase(directory: dataDirectory) } catch let error as HotlineDatabaseError {
            printError(error.description)
            throw ExitCode(1)
        }
    }
}

extension LocalDate {
    /// Today in the machine's time zone (only executables ask the clock).
    static func today() -> LocalDate {
        let parts = Calendar.current.dateComponents([.year, .month, .day], from: Date())
        return LocalDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1) ?? LocalDate(daysSinceEpoch: 0)
    }
}

func readFile(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        printError("cannot read \(path)")
        throw ExitCode(1)
    }
    return [UInt8](data)
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data(("hotline: " + message + "\n").utf8))
}

func printProblems(_ failure: ImportFailure, file: String) {
    printError("\(file): nothing imported; \(failure.problems.count) problem(s):")
    for problem in failure.problems {
        FileHandle.standardError.write(Data("  \(file):\(problem.description)\n".utf8))
    }
}

func writeRejectionReport(_ summary: ImportSummary, to report: String?) throws {
    guard let report else {
        printError("\(summary.rejected.count) row(s) rejected; use --report FILE to keep them")
        for row in summary.rejected { for problem in row.problems { printError("  " + problem.description) } }
        return
    }
    var writer = CSVWriter(byteOrderMark: true)
    writer.write(["line", "column", "reason"] + summary.header)
    for row in summary.rejected {
        writer.write([String(row.line), row.problems.compactMap(\.column).joined(separator: ";"),
                      row.problems.map(\.reason).joined(separator: "; ")] + row.fields)
    }
    try Data(writer.bytes).write(to: URL(fileURLWithPath: report))
    print("rejected rows written to \(report)")
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// A progress bar on stderr when it is a terminal (or plain lines with `forceLines`).
final class ProgressReporter: @unchecked Sendable {
    let label: String
    let isTerminal = isatty(STDERR_FILENO) == 1
    let forceLines: Bool
    var lastPercent = -1

    init(label: String, forceLines: Bool = false) {
        self.label = label
        self.forceLines = forceLines
    }

    func update(_ fraction: Double) {
        let percent = Int(fraction * 100)
        guard percent != lastPercent else { return }
        lastPercent = percent
        if isTerminal {
            let width = 40
            let filled = min(width, Int(fraction * Double(width)))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(percent)%".utf8))
        } else if forceLines {
            FileHandle.standardError.write(Data("\(label) \(percent)%\n".utf8))
        }
    }

    func finish() {
        if isTerminal && lastPercent >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

// MARK: - JSON views (no PIN hash in output)

struct TaxpayerView: Encodable {
    var taxpayer_number: String
    var name: String
    var kind: String
    var enterprise_name: String?
    var legal_representative: String?
    var phone: String?
    var mobile: String?
    var email: String?
    var region: String?
    var address: String?
    var building: String?
    var floor: String?
    var room: String?
    var bank_name: String?
    var bank_account: String?
    var category: String
    var tax_office: String?
    var assigned_agent: String?
    var has_pin: Bool
    var custom: [String: String]

    init(_ taxpayer: Taxpayer) {
        taxpayer_number = taxpayer.number.value
        name = taxpayer.name
        kind = taxpayer.kind.rawValue
        enterprise_name = taxpayer.enterpriseName
        legal_representative = taxpayer.legalRepresentative
        phone = taxpayer.phone?.description
        mobile = taxpayer.mobile?.description
        email = taxpayer.email
        region = taxpayer.region
        address = taxpayer.address
        building = taxpayer.building
        floor = taxpayer.floor
        room = taxpayer.room
        bank_name = taxpayer.bankName
        bank_account = taxpayer.bankAccount
        category = taxpayer.category.rawValue
        tax_office = taxpayer.taxOffice
        assigned_agent = taxpayer.assignedAgent
        has_pin = taxpayer.pinHash != nil
        custom = taxpayer.customFields
    }

    var lines: [(String, String)] {
        [("enterprise", enterprise_name ?? ""), ("legal representative", legal_representative ?? ""),
         ("phone", phone ?? ""), ("mobile", mobile ?? ""), ("e-mail", email ?? ""),
         ("address", [region, address, building, floor, room].compactMap { $0 }.joined(separator: " ")),
         ("bank", [bank_name, bank_account].compactMap { $0 }.joined(separator: " ")),
         ("tax office", tax_office ?? ""), ("assigned agent", assigned_agent ?? ""),
         ("self-service PIN", has_pin ? "set" : "not set")]
            + custom.sorted { $0.key < $1.key }.map { ("custom.\($0.key)", $0.value) }
    }
}

struct SearchResultView: Encodable {
    var match: String
    var taxpayer: TaxpayerView
}

struct BillView: Encodable {
    var period: String
    var tax_type: String
    var amount_due: String
    var amount_paid: String
    var due_date: String
    var arrears: String
    var surcharge: String
    var days_overdue: Int

    init(_ bill: TaxBill, asOf day: LocalDate) {
        period = bill.period.description
        tax_type = bill.taxType
        amount_due = bill.amountDue.yuanText
        amount_paid = bill.amountPaid.yuanText
        due_date = bill.dueDate.description
        arrears = bill.arrears(asOf: day).yuanText
        surcharge = bill.surcharge(asOf: day).yuanText
        days_overdue = bill.daysOverdue(asOf: day)
    }
}

struct ContactView: Encodable {
    var occurred_at: String
    var channel: String
    var summary: String
    var agent: String?
    var call_id: String?
    var work_order_id: String?

    init(_ contact: ContactRecord) {
        occurred_at = ISO8601DateFormatter().string(from: contact.occurredAt)
        channel = contact.channel.rawValue
        summary = contact.summary
        agent = contact.agent
        call_id = contact.callID
        work_order_id = contact.workOrderID
    }
}

struct ShowView: Encodable {
    var taxpayer: TaxpayerView
    var asOf: String
    var arrears: String
    var surcharge: String
    var total: String
    var bills: [BillView]
    var contacts: [ContactView]
}
