import Foundation
import HotlineAuth
import HotlineCore
import HotlineSQLite
import HotlineTestSupport
import Logging
@testable import HotlineServer

extension HotlineServerTests {
    /// Tuesday 2026-12-01 10:00 in Shanghai: the office schedule is open, whatever the machine's time.
    static let officeHours = Date(timeIntervalSince1970: 1_796_090_400)
    /// Tuesday 2026-12-01 22:00 in Shanghai (after hours).
    static let afterHours = officeHours.addingTimeInterval(12 * 3600)

    /// The reference server in-process on free ports over a fresh demo data directory (20 taxpayers,
    /// the 12366 flow, agents 1001–1010), its flow clock running from `base`. Every live suite uses it.
    struct Running {
        let server: HotlineServer
        let directory: URL
        let port: Int

        /// Starts the server.
        /// - Parameters:
        ///   - base: What the server's clock reads at start (it then runs with the real clock).
        ///   - announcementInterval: Position/EWT announcement interval of every queue (0: none).
        ///   - configure: Last changes to the configuration (trunk, queues …) before the server starts.
        static func start(at base: Date = officeHours, announcementInterval: Int = 0,
                          configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> Running {
            let directory = try Peers.temporaryDirectory("hotline-server")
            let report = try DemoSetup.prepare(dataDirectory: directory, flowsSource: Peers.flows,
                                               today: LocalDate(year: 2026, month: 12, day: 1) ?? LocalDate(daysSinceEpoch: 0),
                                               taxpayers: 20, pinCount: 0, generatePrompts: false)
            var configuration = report.configuration
            configuration.sip.port = Peers.freePort()
            configuration.sip.transports = ["udp"]
            let first = Int.random(in: 20_000...32_000) & ~1
            configuration.rtp = .init(host: "127.0.0.1", firstPort: first, lastPort: first + 400)
            configuration.queues = configuration.queues.map { queue in
                var queue = queue
                queue.wrapUp = 0
                queue.ringTimeout = 8
                queue.announcementInterval = announcementInterval
                return queue
            }
            configure(&configuration)
            let started = Date()
            var logger = Logger(label: "hotline.test")
            logger.logLevel = ProcessInfo.processInfo.environment["HOTLINE_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            let server = try HotlineServer(dataDirectory: directory, configuration: configuration,
                                           now: { base.addingTimeInterval(Date().timeIntervalSince(started)) },
                                           warmsPromptCache: false, logger: logger)
            try await server.start()
            return Running(server: server, directory: directory, port: server.sipUDPPort ?? configuration.sip.port)
        }

        func events(_ type: String) async throws -> [RecordedEvent] {
            try await server.database.events(after: 0, subject: nil, limit: 10_000).filter { $0.type == type }
        }

        /// Waits until the event log has an event of `type` whose payload contains `text`.
        func waitForEvent(_ type: String, containing text: String = "", seconds: Double = 20) async throws -> Bool {
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            while ContinuousClock.now < deadline {
                if try await events(type).contains(where: { text.isEmpty || String(decoding: $0.payload, as: UTF8.self).contains(text) }) {
                    return true
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }

        func stop() async {
            await server.shutdown(grace: .seconds(2))
        }

        func records() async throws -> [CallDetailRecord] {
            try await server.callDetailRecords.recentCallDetailRecords(limit: 100)
        }

        /// The HTTP API attached to this server (CTI, operations, voicemail), with an agent, a supervisor
        /// and an administrator (`agent`, `supervisor`, `administrator`, password `correct-horse-42`).
        func api() async throws -> APIApplication {
            try await apiWithAuthenticator().api
        }

        /// ``api()`` and the authenticator behind it (to issue API keys).
        func apiWithAuthenticator() async throws -> (api: APIApplication, authenticator: Authenticator) {
            let authenticator = Authenticator(users: server.database, sessions: server.database, audit: server.database,
                                              hasher: BcryptPasswordHasher(cost: 4))
            let bootstrap = Principal(userID: "bootstrap", username: "bootstrap", permissions: [.userAdmin])
            for (name, kind) in [("agent", User.Kind.agent), ("supervisor", .supervisor), ("administrator", .administrator)] {
                _ = try await authenticator.addUser(username: name, displayName: name.capitalized, kind: kind, password: APIFixture.password,
                                                    roles: [name], department: nil, by: bootstrap, at: Date())
            }
            var logger = Logger(label: "hotline.api.test")
            logger.logLevel = .critical
            var api = try APIApplication(stores: try APIStores(database: server.database), authenticator: authenticator, logger: logger,
                                         configuration: APIConfiguration(host: "127.0.0.1", port: 0), callCenter: server)
            api.operations = server
            return (api, authenticator)
        }
    }
}

/// A data directory for a real `hotline serve` process (the kill -9 tests): the demo (20 taxpayers),
/// DID 5555 straight into the consultation queue whatever the time, free SIP and HTTP ports, no wrap-up.
struct ServeDirectory {
    let directory: URL
    let configuration: ServerConfiguration
    let httpPort: Int
    /// `hotline` arguments that serve this directory.
    let arguments: [String]
    /// The API's base URL.
    var base: String { "http://127.0.0.1:\(httpPort)" }

    init(_ prefix: String) throws {
        directory = try Peers.temporaryDirectory(prefix)
        let report = try DemoSetup.prepare(dataDirectory: directory, flowsSource: Peers.flows,
                                           today: LocalDate(year: 2026, month: 12, day: 1) ?? LocalDate(daysSinceEpoch: 0),
                                           taxpayers: 20, pinCount: 0, generatePrompts: false)
        try """
        version: 1
        routes:
          "5555": direct
        flows:
          direct:
            languages: [zh]
            start: queue
            prompts:
              hold:
                zh: 请稍候。
            nodes:
              queue:
                type: enqueue
                queue: consultation
                prompt: hold
                on-unavailable: bye
              bye:
                type: hangup
                prompt: hold
                reason: completed
        """.write(to: directory.appendingPathComponent("flows/zz-direct.yaml"), atomically: true, encoding: .utf8)
        var configuration = report.configuration
        configuration.sip.port = Peers.freePort()
        configuration.sip.transports = ["udp"]
        let first = Int.random(in: 20_000...32_000) & ~1
        configuration.rtp = .init(host: "127.0.0.1", firstPort: first, lastPort: first + 400)
        configuration.queues = configuration.queues.map { queue in
            var queue = queue
            queue.wrapUp = 0
            return queue
        }
        self.configuration = configuration
        let configFile = directory.appendingPathComponent("test.yaml")
        try configuration.yaml().write(to: configFile, atomically: true, encoding: .utf8)
        httpPort = Peers.freePort()
        arguments = ["serve", "--data-dir", directory.path, "--config", configFile.path, "--http-port", "\(httpPort)", "--log-level", "info"]
    }

    /// Waits until `/health` answers 200 (up to 30 s).
    func healthy() async -> Bool {
        for _ in 0..<150 {
            if let curl = try? ChildProcess("/usr/bin/curl", ["-sf", "\(base)/health"]),
               await curl.exitStatus(within: 5) == 0 { return true }   // -f: 503 (degraded) fails
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }
}

/// curl against a `hotline serve` process.
enum Curl {
    /// What curl received: the response head and the file holding the body.
    struct Fetched {
        var head: String
        var body: URL
        var text: String { (try? String(contentsOf: body, encoding: .utf8)) ?? "" }
        var status: String { String(head.split(separator: " ").dropFirst().first ?? "") }
    }

    /// Runs curl with the head and body written to files in `directory` (read once curl has exited, so
    /// nothing is lost to a pipe still draining).
    static func fetch(_ arguments: [String], in directory: URL) async throws -> Fetched {
        let name = UUID().uuidString
        let head = directory.appendingPathComponent("curl-\(name).head")
        let body = directory.appendingPathComponent("curl-\(name).body")
        let process = try ChildProcess("/usr/bin/curl", ["-s", "-D", head.path, "-o", body.path] + arguments)
        guard await process.exitStatus(within: 20) == 0 else { throw PeerError("curl \(arguments): \(process.text)") }
        return Fetched(head: try String(contentsOf: head, encoding: .utf8), body: body)
    }

    static func json(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw PeerError("not a JSON object: \(text)")
        }
        return object
    }
}
