import ArgumentParser
import Foundation
import HotlineMedia
import HotlineSIP
import Logging
import NIOCore
import NIOPosix

/// `sip-echo`: answers every call, echoes the caller's RTP back, logs DTMF, and serves as a
/// registrar with digest authentication. The demo, benchmark target and test fixture of HotlineSIP.
@main
struct SIPEcho: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sip-echo",
        abstract: "A SIP echo server: answers INVITEs, echoes RTP, logs RFC 4733 digits, registers users."
    )

    @Option(help: "IP address to listen on (UDP and TCP).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one; the bound port is printed).")
    var port = 5060

    @Option(help: "File of user:password lines; makes sip-echo a registrar that challenges REGISTER.")
    var users: String?

    @Option(help: "Digest realm for the registrar.")
    var realm = "hotline"

    @Flag(help: "Challenge INVITEs too (phones must authenticate as a registrar user).")
    var authenticateInvites = false

    @Option(help: "Digest algorithms offered, strongest first (sha256, md5).")
    var algorithms = "sha256,md5"

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel = "info"

    @Flag(help: "Send 180 Ringing before 200 OK.")
    var ring = false

    @Option(help: "Ring, then answer after this many milliseconds (0: answer at once).")
    var answerAfter = 0

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "sip-echo")
        var registrar: UserAgentConfiguration.Registrar? = nil
        if let users {
            let accounts = try Self.readUsers(users)
            let offered = algorithms.split(separator: ",").compactMap { name -> DigestAlgorithm? in
                switch name.lowercased() {
                case "md5": .md5
                case "sha256", "sha-256": .sha256
                default: nil
                }
            }
            registrar = .init(realm: realm, users: accounts, algorithms: offered.isEmpty ? [.sha256, .md5] : offered)
        }
        // One loop for SIP and RTP: no cross-thread hops per call (measured cheaper than two).
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let sipLoop = group.next()
        let rtpLoop = sipLoop
        let endpoint = SIPEndpoint(
            configuration: SIPEndpointConfiguration(host: host, port: port),
            eventLoop: sipLoop, logger: logger)
        let agent = UserAgent(
            endpoint: endpoint,
            configuration: UserAgentConfiguration(
                contactUser: "echo", productName: "hotline-sip-echo", registrar: registrar,
                authenticateInvites: authenticateInvites,
                now: { UInt64(Date().timeIntervalSince1970) }),
            logger: logger)
        let echo = EchoService(host: host, sipLoop: sipLoop, rtpLoop: rtpLoop, ring: ring, answerDelay: answerAfter, logger: logger)
        try await echo.start()
        agent.onIncomingCall = { call in echo.incoming(call) }
        agent.onRegistration = { aor, bindings in
            logger.info("REGISTER \(aor): \(bindings.count) contact(s)")
        }
        try await endpoint.start()
        // Tests and scripts read this line to learn the ports.
        logger.notice("sip-echo listening on \(host) udp \(endpoint.udpPort ?? 0) tcp \(endpoint.tcpPort ?? 0)")
        // Run until killed.
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
    }

    static func readUsers(_ path: String) throws -> [String: String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var users: [String: String] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let colon = trimmed.firstIndex(of: ":"), colon != trimmed.startIndex else {
                throw ValidationError("\(path) line \(index + 1): expected user:password")
            }
            users[String(trimmed[..<colon])] = String(trimmed[trimmed.index(after: colon)...])
        }
        return users
    }
}
