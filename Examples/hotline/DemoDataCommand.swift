import ArgumentParser
import Foundation
import HotlineCore
import HotlineSQLite

/// `hotline demo-data`: fictitious taxpayers, bills and history to try things with.
struct DemoDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Generate realistic fictitious Chinese taxpayers (valid check characters), bills and contact history.",
        discussion: "Deterministic: the same --seed gives the same data. The first --with-pin taxpayers get the PIN \(DemoData.demoPIN)."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "How many taxpayers.") var taxpayers = 1000
    @Option(help: "The random seed.") var seed: UInt64 = 12366
    @Option(help: "How many taxpayers get the demo PIN.") var withPin = 20
    @Option(help: ArgumentHelp("Bills and history relative to this day instead of today.", valueName: "YYYY-MM-DD"))
    var today: String?

    func run() async throws {
        let day: LocalDate
        if let today {
            guard let parsed = LocalDate(today) else {
                printError("--today '\(today)' is not a date YYYY-MM-DD")
                throw ExitCode(1)
            }
            day = parsed
        } else {
            day = LocalDate.today()
        }
        let database = try global.openDatabase()
        let demo = DemoData(seed: seed, today: day, pinCount: max(0, min(withPin, taxpayers)))
        let totals = try database.insertDemoData(demo, count: max(0, taxpayers), at: Date())
        try await database.optimize()
        print("generated \(totals.taxpayers) taxpayers, \(totals.bills) bills, \(totals.contacts) contacts in \(global.dataDirectory.path)")
        print("try: hotline taxpayers search 王 --data-dir \(global.dataDirectory.path)")
    }
}
