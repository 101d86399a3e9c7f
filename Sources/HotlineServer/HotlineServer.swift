public import Foundation
import HotlineACD
import HotlineCore
import HotlineIVR
import HotlineMedia
import HotlineSIP
public import HotlineSQLite
public import Logging
import NIOCore
import NIOPosix

/// The reference hotline server: SIP (registrar for agents' phones, user agent for callers and agents),
/// media anchored on its own RTP sockets, the IVR interpreter, the ACD and the SQLite event log,
/// composed into the inbound call path
/// INVITE → flow → IVR → queue (music on hold) → agent's phone rung → bridged and recorded → CDR.
///
/// Every piece of call state lives on one event loop; a 5 ms tick drives all media (prompt playback,
/// DTMF detection, music on hold, the bridge mixer and the recorders; each call every fourth tick, so
/// every 20 ms) and the ACD's timers.
///
/// ```swift
/// let server = try HotlineServer(dataDirectory: dir, configuration: ServerConfiguration(), logger: logger)
/// try await server.start()
/// // … calls …
/// await server.shutdown(grace: .seconds(30))
/// ```
public final class HotlineServer: @unchecked Sendable {
    /// The data directory (database, recordings, prompts, flows).
    public let dataDirectory: URL
    /// The configuration in force.
    public let configuration: ServerConfiguration
    let logger: Logger
    let now: @Sendable () -> Date
    let group: MultiThreadedEventLoopGroup
    let loop: any EventLoop
    let endpoint: SIPEndpoint
    let userAgent: UserAgent
    /// The server's database (taxpayers, events, CDRs, users), shared with the HTTP API.
    public let database: HotlineDatabase
    let callDetailRecords: SQLiteCallDetailRecordStore
    let selfService: StoredSelfServiceProvider
    let renderer: PromptRenderer
    let library: PromptLibrary
    let ports: PortAllocator
    let capabilities = AudioCapabilities(codecs: [.muLaw, .aLaw], telephoneEventPayloadType: 101)
    private let origin: Date
    private let warmsPromptCache: Bool
    let writer: StorageWriter

    // Loop-confined state.
    var flows = FlowRegistry()
    var acd = RoutingStateMachine()
    var queueIDs: [String: QueueID] = [:]
    var calls: [String: InboundCall] = [:]
    var callsByRoutingID: [HotlineACD.CallID: InboundCall] = [:]
    var nextRoutingID: UInt64 = 1
    var ticker: Scheduled<Void>?
    var acceptingCalls = true
    var cti = CTIState()
    /// The CTI's event stream (``CallCenterControl/subscribe()``).
    let callCenterEvents = CallCenterEventHub()
    let mediaStatistics = MediaStatistics()
    var mediaSchedule = MediaSchedule()
    var callStatistics = CallStatistics()
    /// The outbound trunk's registration and calls.
    var outbound = TrunkState()

    /// Opens the database and loads the flows; binds nothing yet (see ``start()``).
    /// - Parameters:
    ///   - dataDirectory: The data directory.
    ///   - configuration: The configuration.
    ///   - now: The wall clock for events, records and the flows' schedules (tests move it into office hours).
    ///   - warmsPromptCache: Whether ``start()`` speaks the flows' text prompts in the background at once
    ///     (espeak-ng runs one text at a time, so calls arriving during the warm-up wait for it).
    ///   - logger: Where the server logs.
    /// - Throws: Database errors, ``ServerConfigurationError`` or the IVR's `FlowValidationError`.
    public init(dataDirectory: URL, configuration: ServerConfiguration, now: @escaping @Sendable () -> Date = { Date() },
                warmsPromptCache: Bool = true, logger: Logger) throws {
        self.warmsPromptCache = warmsPromptCache
        self.dataDirectory = dataDirectory
        self.configuration = configuration
        self.logger = logger
        self.now = now
        origin = now()
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
        database = try HotlineDatabase(directory: dataDirectory, logger: logger)
        callDetailRecords = try SQLiteCallDetailRecordStore(database: database)
        try Self.recoverInterruptedCalls(database: database, dataDirectory: dataDirectory, logger: logger)
        selfService = StoredSelfServiceProvider(taxpayers: database, bills: database, eventLog: database)
        library = PromptLibrary(root: Self.resolve(configuration.prompts, in: dataDirectory))
        renderer = PromptRenderer(library: library, synthesizer: EspeakSynthesizer())
        ports = PortAllocator(first: configuration.rtp.firstPort, last: configuration.rtp.lastPort)
        writer = StorageWriter(database: database, logger: logger)

        let flowsDirectory = Self.resolve(configuration.flows, in: dataDirectory)
        let files = ((try? FileManager.default.contentsOfDirectory(at: flowsDirectory, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "yaml" || $0.pathExtension == "yml" }
            .sorted { $0.path < $1.path }
        guard !files.isEmpty else {
            throw ServerConfigurationError(message: "flows: no *.yaml flow file in \(flowsDirectory.path)")
        }
        let flowSet = try FlowLoader.load(contentsOf: files)
        _ = try flows.install(flowSet, at: now(), label: files.map(\.lastPathComponent).joined(separator: ","))

        var acd = RoutingStateMachine()
        var queueIDs: [String: QueueID] = [:]
        for queue in configuration.queues {
            let id = try acd.addQueue(QueueConfiguration(
                name: queue.name, ringTimeout: .seconds(queue.ringTimeout), wrapUp: .seconds(queue.wrapUp),
                announcementInterval: queue.announcementInterval > 0 ? .seconds(queue.announcementInterval) : nil))
            queueIDs[queue.name] = id
        }
        let personal = try Self.addPersonalQueues(to: &acd, for: configuration, queueIDs: queueIDs)
        for agent in configuration.agents {
            try acd.addAgent(AgentConfiguration(
                id: AgentID(agent.id), name: agent.name,
                memberships: agent.queues.compactMap { queueIDs[$0].map { QueueMembership(queue: $0) } }
                    + [personal[AgentID(agent.id)]].compactMap { $0 },
                maximumUnansweredOffers: nil))
        }
        self.acd = acd
        self.queueIDs = queueIDs

        var users: [String: String] = [:]
        for agent in configuration.agents { users[String(agent.id)] = agent.password }
        users[configuration.supervisor.user] = configuration.supervisor.password
        let transports = Set(configuration.sip.transports.compactMap { SIPTransportKind(rawValue: $0.uppercased()) })
        endpoint = SIPEndpoint(
            configuration: SIPEndpointConfiguration(host: configuration.sip.host, port: configuration.sip.port,
                                                    transports: transports.isEmpty ? [.udp, .tcp] : transports),
            eventLoop: loop, logger: logger)
        userAgent = UserAgent(
            endpoint: endpoint,
            configuration: UserAgentConfiguration(
                contactUser: "hotline", productName: "Hotline",
                registrar: .init(realm: configuration.sip.realm, users: users,
                                 algorithms: configuration.sip.digestAlgorithms.map { $0 == "sha256" ? .sha256 : .md5 }),
                authenticateInvites: false, now: { UInt64(Date().timeIntervalSince1970) }),
            logger: logger)
    }

    static func resolve(_ path: String, in directory: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path, isDirectory: true)
            : directory.appendingPathComponent(path, isDirectory: true)
    }

    /// The UDP port SIP listens on (after ``start()``).
    public var sipUDPPort: Int? { endpoint.udpPort }
    /// The TCP port SIP listens on (after ``start()``).
    public var sipTCPPort: Int? { endpoint.tcpPort }

    /// Binds SIP and starts the media tick.
    /// - Throws: NIO's error when the SIP port cannot be bound.
    public func start() async throws {
        userAgent.onIncomingCall = { [self] call in incoming(call) }
        userAgent.onRegistration = { [self] aor, bindings in registered(aor, bindings) }
        try await endpoint.start()
        let address = configuration.trunk.map { Self.resolveTrunk($0, logger: logger) }
        try await loop.submit { [self] in
            outbound.address = address
            startMediaClock()
            startTrunk()
        }.get()
        if warmsPromptCache { warmPromptCache() }
        logger.notice("hotline serving", metadata: [
            "sip": "\(configuration.sip.host) udp \(endpoint.udpPort ?? 0) tcp \(endpoint.tcpPort ?? 0)",
            "data": "\(dataDirectory.path)",
        ])
    }

    /// Stops taking calls, lets calls in progress finish for up to `grace`, hangs up the rest, writes
    /// their records, and closes the sockets and the database writer.
    /// - Parameter grace: How long calls may go on.
    public func shutdown(grace: Duration = .seconds(30)) async {
        _ = try? await loop.submit { [self] in acceptingCalls = false }.get()
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            let active = (try? await loop.submit { [self] in calls.count + outbound.calls.count }.get()) ?? 0
            if active == 0 { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        _ = try? await loop.submit { [self] in
            for call in Array(calls.values) {
                call.sip.hangUp()
                finish(call, endedBy: "server")
            }
            endOutboundCalls()
            stopTrunk()
            ticker?.cancel()
            ticker = nil
        }.get()
        await endpoint.stop()
        callCenterEvents.finish()
        await writer.close()
        try? await group.shutdownGracefully()
    }

    /// Speaks every fixed text prompt of the installed flows once, in the background, so the first
    /// callers do not wait for espeak-ng.
    private func warmPromptCache() {
        guard let flowSet = flows.current?.flowSet else { return }
        var texts: [(String, SpokenLanguage)] = []
        for flow in flowSet.flows.values {
            for prompt in flow.prompts.values {
                for (language, items) in prompt.variants {
                    for case .text(let text) in items { texts.append((text, PromptRenderer.spoken(language))) }
                }
            }
        }
        let renderer = self.renderer
        let logger = self.logger
        Task.detached(priority: .background) {
            let started = ContinuousClock.now
            for (text, language) in texts {
                _ = try? await renderer.speak(text, language: language)
            }
            logger.debug("prompt cache warm", metadata: ["prompts": "\(texts.count)", "took": "\(ContinuousClock.now - started)"])
        }
    }

    /// The current instant on the ACD's clock.
    func timestamp() -> Timestamp {
        Timestamp(microseconds: Int64(now().timeIntervalSince(origin) * 1_000_000))
    }

    // MARK: Storage

    func append(_ events: [RecordedEvent]) {
        writer.submit(.events(events))
    }

    func save(_ record: CallDetailRecord) {
        writer.submit(.record(record))
    }

    // MARK: Agents

    private func registered(_ aor: String, _ bindings: [RegistrationBinding]) {
        guard let uri = try? SIPURI(parsing: aor), let user = uri.user, let number = Int(user),
              configuration.agents.contains(where: { $0.id == number }) else { return }
        let agent = AgentID(number)
        let state = acd.state(of: agent)
        if !bindings.isEmpty, state == .loggedOut {
            logger.info("agent logged in by registration", metadata: ["agent": "\(number)"])
            route(.logIn(agent))
        } else if bindings.isEmpty, let state, state != .loggedOut {
            logger.info("agent logged out by un-registration", metadata: ["agent": "\(number)"])
            route(.logOut(agent))
        }
    }

    /// The registered contact of an agent's phone, if any.
    func contact(of agent: AgentID) -> RegistrationBinding? {
        userAgent.locationService.bindings(forUser: phone(of: agent), now: UInt64(Date().timeIntervalSince1970)).first
    }
}
