import ArgumentParser
import Dispatch
import Foundation
import HotlineCore
import HotlineSQLite
import HotlineServer
import Logging

/// `hotline serve`: the reference hotline server (SIP, RTP, IVR, ACD, recording, CDRs).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the hotline: SIP registrar and calls, IVR, queues, agents, recordings, CDRs.",
        discussion: """
            Without --config, the data directory's hotline.yaml is used; on the first start it is created with a \
            working demo (taxpayers, the 12366 flow, prompts, queues, agents 1001–1010 with passwords agent1001…). \
            SIGTERM or SIGINT stops taking calls and lets calls in progress finish (up to --grace seconds).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The YAML configuration file (default: <data-dir>/hotline.yaml, created on first start).", valueName: "FILE"))
    var config: String?

    @Option(help: ArgumentHelp("Where the first start copies the demo flows from.", valueName: "DIR"))
    var flowsSource = "Flows"

    @Flag(help: "On first start, skip rendering the prompt set (free text is still spoken by espeak-ng).")
    var noPromptSet = false

    @Option(name: .customLong("http-port"), help: "Port of the HTTP API on the SIP host (0: no HTTP API).")
    var httpPort = 8080

    @Option(help: "Seconds calls in progress may go on after SIGTERM.")
    var grace = 30

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel = "info"

    @Flag(help: "Run the event loop (SIP, IVR, media) under the real-time scheduler (SCHED_RR), so a busy machine does not delay RTP packets; needs CAP_SYS_NICE.")
    var realtime = false

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "hotline.serve")
        let dataDirectory = global.dataDirectory
        let configuration: ServerConfiguration
        do {
            if let config {
                configuration = try ServerConfiguration.load(contentsOf: URL(fileURLWithPath: config))
                try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
            } else {
                let report = try DemoSetup.prepare(
                    dataDirectory: dataDirectory, flowsSource: URL(fileURLWithPath: flowsSource, isDirectory: true),
                    today: LocalDate.today(), generatePrompts: !noPromptSet, progress: { print($0) })
                if report.created { print("created the demo hotline in \(dataDirectory.path)") }
                configuration = report.configuration
            }
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        let server = try HotlineServer(dataDirectory: dataDirectory, configuration: configuration, logger: logger)
        try await server.start()
        if realtime, let problem = await server.useRealtimeScheduling() {
            printError("--realtime: the real-time scheduler could not be used (\(problem)); running at normal priority")
        }
        print("hotline serving: SIP \(configuration.sip.host) udp \(server.sipUDPPort ?? 0) tcp \(server.sipTCPPort ?? 0), data \(dataDirectory.path)")
        print(DemoSetup.howToCall(configuration, sipPort: server.sipUDPPort ?? configuration.sip.port))
        let api = httpPort == 0 ? nil : try await startAPI(server: server, configuration: configuration)
        await Self.waitForTermination()
        api?.cancel()
        print("stopping: no new calls; waiting up to \(grace) s for calls in progress")
        await server.shutdown(grace: .seconds(grace))
        print("stopped")
    }

    /// Starts the HTTP API on the server's database; the configured supervisor may sign in to it.
    ///
    /// - Returns: The task running the API; cancelling it stops the API.
    func startAPI(server: HotlineServer, configuration: ServerConfiguration) async throws -> Task<Void, any Error> {
        let database = server.database
        let authenticator = database.authenticator
        let supervisor = configuration.supervisor
        if try await database.user(username: supervisor.user) == nil {
            do {
                _ = try await authenticator.addUser(
                    username: supervisor.user, displayName: "Supervisor", kind: .supervisor, password: supervisor.password,
                    by: localOperator, at: Date())
            } catch {
                printError("the supervisor \(supervisor.user) could not be added to the API's users: \(error)")
            }
        }
        var api = try APIApplication(
            stores: APIStores(database: database), authenticator: authenticator, logger: Logger(label: "hotline.api"),
            configuration: APIConfiguration(host: configuration.sip.host, port: httpPort), callCenter: server)
        api.operations = server
        print("HTTP API on http://\(configuration.sip.host):\(httpPort) (sign in as \(supervisor.user); Docs/API.md)")
        return Task { try await api.run() }
    }

    /// Returns on SIGTERM or SIGINT.
    static func waitForTermination() async {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let queue = DispatchQueue(label: "hotline.signals")
            let once = SignalOnce(continuation)
            for number in [SIGTERM, SIGINT] {
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { once.fire() }
                source.resume()
                once.sources.append(source)
            }
        }
    }
}

/// Resumes a continuation once, on the first signal (touched only on the signal queue).
private final class SignalOnce: @unchecked Sendable {
    private var continuation: CheckedContinuation<Void, Never>?
    var sources: [any DispatchSourceSignal] = []

    init(_ continuation: CheckedContinuation<Void, Never>) {
        self.continuation = continuation
    }

    func fire() {
        continuation?.resume()
        continuation = nil
    }
}
