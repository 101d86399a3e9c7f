public import Foundation
public import HotlineCore
import HotlineMedia
import HotlineSQLite
import Logging

/// What the first start of `hotline serve` puts into an empty data directory so that a call works at
/// once: the configuration file (queues consultation, complaints and VIP; agents 1001–1010; a
/// supervisor), the demo taxpayers (the foundation's ``HotlineSQLite/DemoData`` generator), the 12366
/// flow files and the prompt set (espeak-ng + sox through ``HotlineMedia/PromptSetGenerator``).
public enum DemoSetup {
    /// The configuration file's name in the data directory.
    public static let configurationFileName = "hotline.yaml"

    /// What was prepared.
    public struct Report: Sendable {
        /// The configuration in force.
        public var configuration: ServerConfiguration
        /// Whether the demo was created now (false: the data directory already had a configuration).
        public var created: Bool
        /// Demo taxpayers inserted.
        public var taxpayers: Int
        /// Prompt files written.
        public var prompts: Int
    }

    /// Prepares the data directory, creating the demo when it has no configuration file.
    /// - Parameters:
    ///   - dataDirectory: The data directory.
    ///   - flowsSource: Where the demo flow files are copied from (the repository's `Flows`).
    ///   - today: The day the demo bills are due around.
    ///   - taxpayers: How many demo taxpayers.
    ///   - pinCount: How many demo taxpayers get the demo PIN (hashing PINs is deliberately slow).
    ///   - generatePrompts: Whether to render the prompt set with espeak-ng and sox.
    ///   - progress: Told about each step (for the command's output).
    /// - Returns: What was prepared.
    /// - Throws: File, database, configuration or prompt-generation errors naming the file.
    public static func prepare(dataDirectory: URL, flowsSource: URL, today: LocalDate, taxpayers: Int = 1000,
                               pinCount: Int = 20, generatePrompts: Bool = true, progress: (String) -> Void = { _ in }) throws -> Report {
        let fm = FileManager.default
        let configurationFile = dataDirectory.appendingPathComponent(configurationFileName)
        if fm.fileExists(atPath: configurationFile.path) {
            return Report(configuration: try ServerConfiguration.load(contentsOf: configurationFile),
                          created: false, taxpayers: 0, prompts: 0)
        }
        try fm.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let configuration = ServerConfiguration()

        let flows = HotlineServer.resolve(configuration.flows, in: dataDirectory)
        try fm.createDirectory(at: flows, withIntermediateDirectories: true)
        let sources = ((try? fm.contentsOfDirectory(at: flowsSource, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "yaml" }
        guard !sources.isEmpty else {
            throw ServerConfigurationError(message: "demo: no flow files in \(flowsSource.path) (run from the repository root, or pass --flows-source)")
        }
        for source in sources {
            let target = flows.appendingPathComponent(source.lastPathComponent)
            if !fm.fileExists(atPath: target.path) { try fm.copyItem(at: source, to: target) }
        }
        progress("flows: \(sources.map(\.lastPathComponent).joined(separator: ", ")) → \(flows.path)")

        let database = try HotlineDatabase(directory: dataDirectory, logger: Logger(label: "hotline.demo"))
        let totals = try database.insertDemoData(DemoData(today: today, pinCount: max(0, min(pinCount, taxpayers))), count: taxpayers, at: Date())
        progress("demo data: \(totals.taxpayers) taxpayers, \(totals.bills) bills, \(totals.contacts) contacts")

        var written = 0
        if generatePrompts {
            let library = PromptLibrary(root: HotlineServer.resolve(configuration.prompts, in: dataDirectory))
            progress("prompts: rendering the prompt set with espeak-ng and sox into \(library.root.path) …")
            written = try PromptSetGenerator(library: library).generate().written
            progress("prompts: \(written) files")
        }
        try configuration.yaml().write(to: configurationFile, atomically: true, encoding: .utf8)
        progress("configuration: \(configurationFile.path)")
        return Report(configuration: configuration, created: true, taxpayers: totals.taxpayers, prompts: written)
    }

    /// How to call the demo with baresip, for the first start's output and the docs.
    /// - Parameters:
    ///   - configuration: The configuration.
    ///   - sipPort: The bound SIP port.
    /// - Returns: A few lines of instructions.
    public static func howToCall(_ configuration: ServerConfiguration, sipPort: Int) -> String {
        let host = configuration.sip.host
        let agent = configuration.agents.first
        return """
            Call the hotline (any SIP phone; baresip shown):
              caller:  baresip, then  /dial sip:12366@\(host):\(sipPort)   (keys: 1 consultation, 2 self-service, 3 complaints)
              agent:   /uanew <sip:\(agent.map { String($0.id) } ?? "1001")@\(host):\(sipPort)>;auth_pass=\(agent?.password ?? "")
                       (a registered agent phone is logged in and ready; it rings when a caller reaches its queue)
            """
    }
}
