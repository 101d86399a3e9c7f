import ArgumentParser
import Foundation
import HotlineAuth
import HotlineCore
import HotlineSQLite
import HotlineServer
import Logging

/// `hotline bench api`: HTTP API requests per second for typical reads, measured with wrk on loopback.
struct BenchAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "API reads per second under load: wrk against GET /api/v1/workorders/{number} and the work-order list.",
        discussion: """
            Starts the API (with its webhook worker and SLA check, as `hotline serve` does) on a free port of 127.0.0.1 \
            over a fresh temporary database with N work orders, authenticates with an API key (X-API-Key) and runs wrk \
            (Debian's /usr/bin/wrk) for each read.
            """
    )
    @Option(help: "Work orders to open first.") var orders = 1000
    @Option(help: "Seconds each wrk run lasts.") var duration = 10
    @Option(help: "wrk connections.") var connections = 32
    @Option(help: "wrk threads.") var threads = 2
    @Option(help: "The wrk executable.") var wrk = "/usr/bin/wrk"

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-bench-api-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try HotlineDatabase(directory: directory)
        let authenticator = Authenticator(users: database, sessions: database, audit: database, hasher: BcryptPasswordHasher())
        let root = Principal(userID: "bench", username: "bench", permissions: Set(Permission.allCases))
        let client = try await authenticator.addUser(username: "crm", displayName: "CRM", kind: .apiClient, password: nil, by: root, at: Date())
        let (_, key) = try await authenticator.createAPIKey(name: "bench", userID: client.id, by: root, at: Date())
        let desk = WorkOrderDesk(store: database, audit: database, calendar: BusinessCalendar.weekdayOffice())
        var numbers: [String] = []
        for index in 0..<orders {
            let order = try await desk.open(WorkOrderDraft(kind: .complaint, caller: .init(name: "来电人\(index)"), category: ["纳税服务"],
                                                           summary: "压测工单 \(index)", description: "办税服务厅排队时间过长，来电人要求答复。"),
                                            by: root, at: Date())
            numbers.append(order.number)
        }
        var logger = Logger(label: "hotline.bench.api")
        logger.logLevel = .warning
        let api = try APIApplication(stores: try APIStores(database: database), authenticator: authenticator, logger: logger,
                                     configuration: APIConfiguration(host: "127.0.0.1", port: 0))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = Task { try await api.run(onServerRunning: { continuation.yield($0) }) }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ExitCode(1) }
        let base = "http://127.0.0.1:\(port)/api/v1"
        let middle = numbers.isEmpty ? "none" : numbers[numbers.count / 2]
        for (label, url) in [("one work order", "\(base)/workorders/\(middle)"), ("work-order list, 20 a page", "\(base)/workorders?limit=20")] {
            BenchCaseworkCommand.say("== \(label): GET \(url.replacingOccurrences(of: base, with: "/api/v1"))")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: wrk)
            process.arguments = ["-t", String(threads), "-c", String(connections), "-d", "\(duration)s", "--latency", "-H", "X-API-Key: \(key)", url]
            try process.run()
            while process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        }
    }
}
