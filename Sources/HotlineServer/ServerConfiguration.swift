public import Foundation
import Yams

/// Everything `hotline serve` needs to know, read from a YAML file; every field has a default, so an
/// empty file (or none) gives the demo hotline on 127.0.0.1.
///
/// ```yaml
/// sip: { host: 127.0.0.1, port: 5060, transports: [udp, tcp], realm: hotline }
/// rtp: { host: 127.0.0.1, first-port: 20000, last-port: 29999 }
/// prompts: prompts        # relative to the data directory
/// flows: flows
/// queues:
///   - { name: consultation, ring-timeout: 15, wrap-up: 5 }
/// agents:
///   - { id: 1001, name: 坐席1001, password: agent1001, queues: [consultation, complaints] }
/// supervisor: { user: supervisor, password: hotline-12366 }
/// ```
public struct ServerConfiguration: Sendable, Hashable, Codable {
    /// SIP listening.
    public struct SIP: Sendable, Hashable, Codable {
        /// The address SIP listens on (also put into Contact and Via).
        public var host: String
        /// The port (0 picks a free one).
        public var port: Int
        /// `udp`, `tcp` or both.
        public var transports: [String]
        /// The digest realm agents' phones authenticate in.
        public var realm: String
        /// Digest algorithms the registrar offers, strongest first (`sha256`, `md5`). The default is MD5
        /// alone: baresip 1.0 gives up on a challenge set that names an algorithm it lacks.
        public var digestAlgorithms: [String]

        /// Creates SIP settings.
        /// - Parameters:
        ///   - host: The listening address.
        ///   - port: The port.
        ///   - transports: `udp`, `tcp`.
        ///   - realm: The digest realm.
        ///   - digestAlgorithms: `sha256`, `md5`.
        public init(host: String = "127.0.0.1", port: Int = 5060, transports: [String] = ["udp", "tcp"], realm: String = "hotline",
                    digestAlgorithms: [String] = ["md5"]) {
            self.host = host
            self.port = port
            self.transports = transports
            self.realm = realm
            self.digestAlgorithms = digestAlgorithms
        }

        enum CodingKeys: String, CodingKey {
            case host, port, transports, realm
            case digestAlgorithms = "digest-algorithms"
        }

        /// Decodes the settings; missing fields take their defaults.
        /// - Parameter decoder: The decoder.
        /// - Throws: `DecodingError` for a field of the wrong type.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = SIP()
            host = try c.decodeIfPresent(String.self, forKey: .host) ?? d.host
            port = try c.decodeIfPresent(Int.self, forKey: .port) ?? d.port
            transports = try c.decodeIfPresent([String].self, forKey: .transports) ?? d.transports
            realm = try c.decodeIfPresent(String.self, forKey: .realm) ?? d.realm
            digestAlgorithms = try c.decodeIfPresent([String].self, forKey: .digestAlgorithms) ?? d.digestAlgorithms
        }
    }

    /// RTP ports.
    public struct RTP: Sendable, Hashable, Codable {
        /// The address media sockets bind to (and the SDP `c=` line).
        public var host: String
        /// The lowest port used.
        public var firstPort: Int
        /// The highest port used.
        public var lastPort: Int

        /// Creates RTP settings.
        /// - Parameters:
        ///   - host: The media address.
        ///   - firstPort: The lowest port.
        ///   - lastPort: The highest port.
        public init(host: String = "127.0.0.1", firstPort: Int = 20000, lastPort: Int = 29999) {
            self.host = host
            self.firstPort = firstPort
            self.lastPort = lastPort
        }

        enum CodingKeys: String, CodingKey {
            case host
            case firstPort = "first-port"
            case lastPort = "last-port"
        }

        /// Decodes the settings; missing fields take their defaults.
        /// - Parameter decoder: The decoder.
        /// - Throws: `DecodingError` for a field of the wrong type.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = RTP()
            host = try c.decodeIfPresent(String.self, forKey: .host) ?? d.host
            firstPort = try c.decodeIfPresent(Int.self, forKey: .firstPort) ?? d.firstPort
            lastPort = try c.decodeIfPresent(Int.self, forKey: .lastPort) ?? d.lastPort
        }
    }

    /// One ACD queue.
    public struct Queue: Sendable, Hashable, Codable {
        /// The name flows enqueue to (`consultation`, `complaints`, `vip`).
        public var name: String
        /// Seconds an offer rings at an agent before the caller goes back to the head of the queue.
        public var ringTimeout: Int
        /// Seconds of after-call work before the agent is offered the next call.
        public var wrapUp: Int
        /// Seconds between position announcements (0: none).
        public var announcementInterval: Int

        /// Creates a queue.
        /// - Parameters:
        ///   - name: The queue's name.
        ///   - ringTimeout: Ring time in seconds.
        ///   - wrapUp: Wrap-up in seconds.
        ///   - announcementInterval: Seconds between announcements, 0 for none.
        public init(name: String, ringTimeout: Int = 15, wrapUp: Int = 5, announcementInterval: Int = 0) {
            self.name = name
            self.ringTimeout = ringTimeout
            self.wrapUp = wrapUp
            self.announcementInterval = announcementInterval
        }

        enum CodingKeys: String, CodingKey {
            case name
            case ringTimeout = "ring-timeout"
            case wrapUp = "wrap-up"
            case announcementInterval = "announcement-interval"
        }

        /// Decodes the settings; missing fields take their defaults.
        /// - Parameter decoder: The decoder.
        /// - Throws: `DecodingError` for a field of the wrong type.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            ringTimeout = try c.decodeIfPresent(Int.self, forKey: .ringTimeout) ?? 15
            wrapUp = try c.decodeIfPresent(Int.self, forKey: .wrapUp) ?? 5
            announcementInterval = try c.decodeIfPresent(Int.self, forKey: .announcementInterval) ?? 0
        }
    }

    /// One agent: a SIP account and the ACD's view of it.
    public struct Agent: Sendable, Hashable, Codable {
        /// The agent number, also the SIP user name its phone registers as.
        public var id: Int
        /// Display name.
        public var name: String
        /// The SIP digest password.
        public var password: String
        /// The queues served.
        public var queues: [String]

        /// Creates an agent.
        /// - Parameters:
        ///   - id: The agent number and SIP user.
        ///   - name: Display name.
        ///   - password: SIP password.
        ///   - queues: Queues served.
        public init(id: Int, name: String, password: String, queues: [String]) {
            self.id = id
            self.name = name
            self.password = password
            self.queues = queues
        }
    }

    /// The supervisor's account (used by the HTTP API; its SIP phone may register too).
    public struct Supervisor: Sendable, Hashable, Codable {
        /// User name.
        public var user: String
        /// Password.
        public var password: String

        /// Creates the account.
        /// - Parameters:
        ///   - user: User name.
        ///   - password: Password.
        public init(user: String = "supervisor", password: String = "hotline-12366") {
            self.user = user
            self.password = password
        }
    }

    /// SIP settings.
    public var sip: SIP
    /// RTP settings.
    public var rtp: RTP
    /// The prompts directory (relative paths are under the data directory).
    public var prompts: String
    /// The flows directory (relative paths are under the data directory); every `*.yaml` in it is loaded.
    public var flows: String
    /// The ACD queues.
    public var queues: [Queue]
    /// The agents.
    public var agents: [Agent]
    /// The supervisor.
    public var supervisor: Supervisor
    /// Whether both legs of each bridged call are recorded (stereo: caller left, agent right).
    public var recordCalls: Bool
    /// The outbound SIP trunk for click-to-dial, call-backs and transfers to external numbers (none by default).
    public var trunk: Trunk?

    /// The demo hotline: queues consultation, complaints and VIP; agents 1001–1010 (password
    /// `agent<ID>`); a supervisor.
    public init() {
        sip = SIP()
        rtp = RTP()
        prompts = "prompts"
        flows = "flows"
        queues = [Queue(name: "consultation", announcementInterval: 60), Queue(name: "complaints", announcementInterval: 60),
                  Queue(name: "vip", announcementInterval: 60)]
        agents = (1001...1010).map { id in
            Agent(id: id, name: "坐席\(id)", password: "agent\(id)",
                  queues: id <= 1007 ? ["consultation", "complaints", "vip"] : ["complaints", "vip"])
        }
        supervisor = Supervisor()
        recordCalls = true
    }

    enum CodingKeys: String, CodingKey {
        case sip, rtp, prompts, flows, queues, agents, supervisor
        case recordCalls = "record-calls"
        case trunk
    }

    /// Decodes a configuration; missing fields take the demo's defaults.
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError` for a field of the wrong type.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ServerConfiguration()
        sip = try c.decodeIfPresent(SIP.self, forKey: .sip) ?? d.sip
        rtp = try c.decodeIfPresent(RTP.self, forKey: .rtp) ?? d.rtp
        prompts = try c.decodeIfPresent(String.self, forKey: .prompts) ?? d.prompts
        flows = try c.decodeIfPresent(String.self, forKey: .flows) ?? d.flows
        queues = try c.decodeIfPresent([Queue].self, forKey: .queues) ?? d.queues
        agents = try c.decodeIfPresent([Agent].self, forKey: .agents) ?? d.agents
        supervisor = try c.decodeIfPresent(Supervisor.self, forKey: .supervisor) ?? d.supervisor
        recordCalls = try c.decodeIfPresent(Bool.self, forKey: .recordCalls) ?? d.recordCalls
        trunk = try c.decodeIfPresent(Trunk.self, forKey: .trunk)
    }

    /// Reads a configuration file.
    /// - Parameter url: The YAML file.
    /// - Returns: The configuration, defaults filled in.
    /// - Throws: ``ServerConfigurationError`` naming the file and the field.
    public static func load(contentsOf url: URL) throws -> ServerConfiguration {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ServerConfigurationError(message: "\(url.path): cannot read (\(error.localizedDescription))")
        }
        return try parse(yaml: text, file: url.path)
    }

    /// Parses YAML text.
    /// - Parameters:
    ///   - yaml: The text.
    ///   - file: The file name used in error messages.
    /// - Returns: The configuration.
    /// - Throws: ``ServerConfigurationError`` naming the file and the field.
    public static func parse(yaml: String, file: String = "<config>") throws -> ServerConfiguration {
        if yaml.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return ServerConfiguration() }
        let configuration: ServerConfiguration
        do {
            configuration = try YAMLDecoder().decode(ServerConfiguration.self, from: yaml)
        } catch let error as DecodingError {
            throw ServerConfigurationError(message: "\(file): \(describe(error))")
        } catch {
            throw ServerConfigurationError(message: "\(file): \(error)")
        }
        try configuration.validate(file: file)
        return configuration
    }

    /// The configuration as YAML (what the first start writes to `<data-dir>/hotline.yaml`).
    /// - Returns: The YAML text.
    /// - Throws: `EncodingError` (not expected for this type).
    public func yaml() throws -> String {
        try YAMLEncoder().encode(self)
    }

    func validate(file: String) throws {
        if rtp.firstPort < 1 || rtp.lastPort > 65535 || rtp.firstPort > rtp.lastPort {
            throw ServerConfigurationError(message: "\(file): rtp: first-port \(rtp.firstPort) … last-port \(rtp.lastPort) is not a port range")
        }
        for t in sip.transports where t != "udp" && t != "tcp" {
            throw ServerConfigurationError(message: "\(file): sip.transports: '\(t)' is neither udp nor tcp")
        }
        for a in sip.digestAlgorithms where a != "md5" && a != "sha256" {
            throw ServerConfigurationError(message: "\(file): sip.digest-algorithms: '\(a)' is neither md5 nor sha256")
        }
        try trunk?.validate(file: file)
        let names = Set(queues.map(\.name))
        for agent in agents {
            for q in agent.queues where !names.contains(q) {
                throw ServerConfigurationError(message: "\(file): agents: agent \(agent.id) serves unknown queue '\(q)'")
            }
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ p: [any CodingKey]) -> String {
            p.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])): missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// A configuration file that cannot be used.
public struct ServerConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, the field and what is wrong.
    public var message: String
    /// The message.
    public var description: String { message }
}
