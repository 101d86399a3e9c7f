public import Logging
public import NIOCore

/// Configuration of a ``SIPEndpoint``.
public struct SIPEndpointConfiguration: Sendable {
    /// The IP address to bind and to put in Via and Contact.
    public var host: String
    /// The port for UDP and TCP (0 picks a free one, the same for both when possible).
    public var port: Int
    /// The transports to listen on.
    public var transports: Set<SIPTransportKind>
    /// T1, T2, T4.
    public var timers: TransactionTimerValues
    /// Parser limits (413, 414, 513).
    public var limits: SIPParserLimits
    /// SO_RCVBUF/SO_SNDBUF of the UDP socket: large, so bursts are not dropped by the kernel.
    public var udpBufferSize: Int
    /// Option tags this endpoint supports; a Require with any other gets 420 (RFC 3261 §8.2.2.3).
    public var supportedExtensions: Set<String>

    /// Creates a configuration.
    /// - Parameters:
    ///   - host: bind address (an IP literal).
    ///   - port: port, or 0.
    ///   - transports: transports.
    ///   - timers: timer values.
    ///   - limits: parser limits.
    ///   - udpBufferSize: UDP socket buffer size in bytes.
    ///   - supportedExtensions: option tags understood.
    public init(host: String = "127.0.0.1", port: Int = 5060, transports: Set<SIPTransportKind> = [.udp, .tcp],
                timers: TransactionTimerValues = .standard, limits: SIPParserLimits = .standard,
                udpBufferSize: Int = 4 << 20, supportedExtensions: Set<String> = ["100rel", "replaces", "timer"]) {
        self.host = host
        self.port = port
        self.transports = transports
        self.timers = timers
        self.limits = limits
        self.udpBufferSize = udpBufferSize
        self.supportedExtensions = supportedExtensions
    }
}

/// What became of a request sent through ``SIPEndpoint/send(_:to:handler:)``.
public enum ClientTransactionEvent: Sendable {
    /// A response (provisional or final; for INVITE, 2xx retransmissions too).
    case response(SIPResponse)
    /// No final response in time (Timer B or F): treat as 408 (RFC 3261 §8.1.3.1).
    case timeout
    /// The transport failed: treat as 503 (RFC 3261 §8.1.3.1).
    case transportError
}

/// A request received in a new server transaction, to be answered with ``respond(_:)``.
public final class IncomingRequest: @unchecked Sendable {
    /// The request (with `received`/`rport` already added to its top Via).
    public let request: SIPRequest
    /// Where it came from.
    public let source: SIPTransportAddress
    let key: TransactionKey
    weak var endpoint: SIPEndpoint?

    init(request: SIPRequest, source: SIPTransportAddress, key: TransactionKey, endpoint: SIPEndpoint) {
        self.request = request
        self.source = source
        self.key = key
        self.endpoint = endpoint
    }

    /// Sends a response through the server transaction (on the endpoint's event loop).
    /// - Parameter response: the response; build it with ``SIPResponse/init(to:statusCode:reason:toTag:)``.
    public func respond(_ response: SIPResponse) {
        endpoint?.respond(response, key: key)
    }
}

/// The transport and transaction layers of RFC 3261 (§17, §18) on one NIO event loop.
///
/// Incoming requests are validated (400 naming the problem, 416, 420, 482, 483, 505, 413, 513),
/// given `received`/`rport` (RFC 3581), matched to server transactions (retransmissions absorbed),
/// and passed to ``requestHandler`` as ``IncomingRequest``s; ACKs for 2xx and stray 2xx responses go
/// to ``strayHandler``. Responses are routed back by Via. All state lives on ``eventLoop``; the
/// handlers are called there, and every other method may be called from anywhere.
public final class SIPEndpoint: @unchecked Sendable {
    /// The loop that owns all state.
    public let eventLoop: any EventLoop
    /// The configuration.
    public let configuration: SIPEndpointConfiguration
    let logger: Logger
    let transport: SIPTransport

    /// Called on the event loop for every request that opens a new server transaction.
    /// Set before ``start()``.
    public var requestHandler: (@Sendable (IncomingRequest) -> Void)?
    /// Called on the event loop for an ACK to a 2xx (no transaction) and for 2xx responses to
    /// INVITE that match no transaction (RFC 3261 §13.2.2.4, RFC 6026). Set before ``start()``.
    public var strayHandler: (@Sendable (SIPMessage, SIPTransportAddress) -> Void)?

    /// The bound UDP port, after ``start()``.
    public private(set) var udpPort: Int?
    /// The bound TCP port, after ``start()``.
    public private(set) var tcpPort: Int?

    private var clientTransactions: [TransactionKey: ClientEntry] = [:]
    private var serverTransactions: [TransactionKey: ServerEntry] = [:]
    /// Requests without To tag by (From tag, Call-ID, CSeq), for merged-request detection (§8.2.2.2).
    private var mergeTable: [String: TransactionKey] = [:]

    /// Counters, for benchmarks and health checks (read on the loop).
    public private(set) var statistics = Statistics()

    /// Counters of the endpoint's work.
    public struct Statistics: Sendable, Hashable {
        /// Messages received and parsed.
        public var messagesReceived = 0
        /// Messages rejected or dropped as malformed.
        public var messagesRejected = 0
        /// Live client transactions.
        public var clientTransactions = 0
        /// Live server transactions.
        public var serverTransactions = 0
    }

    /// Creates an endpoint; call ``start()`` to bind.
    /// - Parameters:
    ///   - configuration: addresses, transports, timers, limits.
    ///   - eventLoop: the loop to run on.
    ///   - logger: where to log (per-message logging is `.trace`).
    public init(configuration: SIPEndpointConfiguration, eventLoop: any EventLoop, logger: Logger) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.logger = logger
        self.transport = SIPTransport(eventLoop: eventLoop, limits: configuration.limits, logger: logger)
        transport.endpoint = self
    }

    /// Binds the configured transports.
    /// - Throws: when a socket cannot be bound.
    public func start() async throws {
        let ports = try await transport.bind(host: configuration.host, port: configuration.port,
                                             transports: configuration.transports,
                                             receiveBufferSize: configuration.udpBufferSize)
        udpPort = ports.udp
        tcpPort = ports.tcp
    }

    /// Closes all sockets and cancels all timers.
    public func stop() async {
        try? await eventLoop.submit { [self] in
            for entry in clientTransactions.values { entry.cancelTimers() }
            for entry in serverTransactions.values { entry.cancelTimers() }
            clientTransactions.removeAll()
            serverTransactions.removeAll()
        }.get()
        await transport.close()
    }

    /// The port to advertise for a transport.
    /// - Parameter kind: the transport.
    /// - Returns: the bound port.
    public func port(for kind: SIPTransportKind) -> Int {
        (kind == .tcp ? tcpPort : udpPort) ?? configuration.port
    }

    /// A fresh branch with the RFC 3261 magic cookie (§8.1.1.7).
    public static func makeBranch() -> String { Via.magicCookie + randomToken() }

    /// A random token for tags and Call-IDs (64 random bits, hex).
    public static func randomToken() -> String { String(UInt64.random(in: .min ... .max), radix: 16) }

    // MARK: Sending requests

    /// Sends a request in a new client transaction (RFC 3261 §17.1), adding the top Via with a new
    /// branch and `rport`. ACK is sent without a transaction. The destination is the first Route
    /// (loose routing) or the Request-URI, unless given.
    /// - Parameters:
    ///   - request: the request (without our Via).
    ///   - destination: where to send; `nil` to derive it from Route or Request-URI.
    ///   - handler: called on the event loop with responses, timeout or transport error.
    /// - Returns: the request as sent (with Via), so CANCEL can be built from it.
    @discardableResult
    public func send(_ request: SIPRequest, to destination: SIPTransportAddress? = nil,
                     handler: @escaping @Sendable (ClientTransactionEvent) -> Void) -> SIPRequest {
        var request = request
        let target: SIPTransportAddress
        do {
            target = try destination ?? SIPEndpoint.destination(of: request)
        } catch {
            eventLoop.execute { handler(.transportError) }
            return request
        }
        let branch = (request.method == .cancel ? (try? request.topVia().branch) : nil) ?? SIPEndpoint.makeBranch()
        if request.method == .cancel { try? request.headers.removeFirstValue("via") }
        var via = Via(transport: target.transport.rawValue, host: configuration.host, port: port(for: target.transport), branch: branch)
        via.rport = ""
        request.headers.addFirst("Via", via.description)
        if request.headers["max-forwards"] == nil { request.headers.add("Max-Forwards", "70") }
        let sent = request
        eventLoop.execute { [self] in startClientTransaction(sent, branch: branch, destination: target, handler: handler) }
        return sent
    }

    /// Sends an ACK for a 2xx (no transaction, RFC 3261 §13.2.2.4), adding a Via with a new branch.
    /// - Parameters:
    ///   - ack: the ACK built by the dialog.
    ///   - destination: where to send, or `nil` for Route/Request-URI.
    public func sendACK(_ ack: SIPRequest, to destination: SIPTransportAddress? = nil) {
        var ack = ack
        guard let target = try? destination ?? SIPEndpoint.destination(of: ack) else { return }
        if (try? ack.topVia())?.host != configuration.host {
            var via = Via(transport: target.transport.rawValue, host: configuration.host, port: port(for: target.transport),
                          branch: SIPEndpoint.makeBranch())
            via.rport = ""
            ack.headers.addFirst("Via", via.description)
        }
        if ack.headers["max-forwards"] == nil { ack.headers.add("Max-Forwards", "70") }
        let message = SIPMessage.request(ack)
        eventLoop.execute { [self] in write(message, to: target, onError: {}) }
    }

    /// Where a request goes: the first Route (if loose routing) or the Request-URI (RFC 3261 §8.1.2).
    /// - Parameter request: the request.
    /// - Throws: ``SIPParseError`` when the target host is not an IP literal or the URI not SIP.
    public static func destination(of request: SIPRequest) throws(SIPParseError) -> SIPTransportAddress {
        if let route = try request.addresses("route").first {
            return try SIPTransportAddress(uri: route.uri)
        }
        return try SIPTransportAddress(uri: request.uri)
    }

    private func startClientTransaction(_ request: SIPRequest, branch: String, destination: SIPTransportAddress,
                                        handler: @escaping @Sendable (ClientTransactionEvent) -> Void) {
        if request.method == .ack {
            write(.request(request), to: destination, onError: {})
            return
        }
        let key = TransactionKey.client(branch: branch, method: request.method)
        let reliable = destination.transport.isReliable
        let machine: ClientEntry.Machine = request.method == .invite
            ? .invite(ClientInviteTransactionStateMachine(request: request, reliable: reliable, timers: configuration.timers))
            : .nonInvite(ClientNonInviteTransactionStateMachine(request: request, reliable: reliable, timers: configuration.timers))
        let entry = ClientEntry(machine: machine, destination: destination, handler: handler)
        clientTransactions[key] = entry
        statistics.clientTransactions = clientTransactions.count
        perform(entry.handle(.start), client: entry, key: key)
    }

    private func perform(_ actions: [TransactionAction], client entry: ClientEntry, key: TransactionKey) {
        for action in actions {
            switch action {
            case .send(let message):
                write(message, to: entry.destination) { [self] in
                    if let entry = clientTransactions[key] { perform(entry.handle(.transportError), client: entry, key: key) }
                }
            case .startTimer(let timer, let duration):
                entry.timers[timer]?.cancel()
                entry.timers[timer] = eventLoop.scheduleTask(in: TimeAmount(duration)) { [self] in
                    guard let entry = clientTransactions[key] else { return }
                    entry.timers[timer] = nil
                    perform(entry.handle(.timerFired(timer)), client: entry, key: key)
                }
            case .cancelTimer(let timer):
                entry.timers[timer]?.cancel()
                entry.timers[timer] = nil
            case .passResponse(let response): entry.handler(.response(response))
            case .timedOut: entry.handler(.timeout)
            case .transportFailed: entry.handler(.transportError)
            case .terminated:
                entry.cancelTimers()
                clientTransactions[key] = nil
                statistics.clientTransactions = clientTransactions.count
            }
        }
    }

    // MARK: Receiving

    func received(_ bytes: [UInt8], from source: SIPTransportAddress, isStream: Bool) {
        let message: SIPMessage
        do {
            message = try SIPMessage(parsing: bytes, isStream: isStream, limits: configuration.limits)
        } catch {
            rejectUnparseable(bytes, error: error, from: source)
            return
        }
        statistics.messagesReceived += 1
        switch message {
        case .request(let request): receivedRequest(request, from: source)
        case .response(let response): receivedResponse(response, from: source)
        }
    }

    /// Answers a message that could not be parsed with the status its error implies, when enough
    /// of it is readable to address a response; unparseable responses are dropped (RFC 3261 §18.1.2).
    func rejectUnparseable(_ bytes: [UInt8], error: SIPParseError, from source: SIPTransportAddress) {
        statistics.messagesRejected += 1
        logger.debug("rejecting malformed message", metadata: ["from": "\(source)", "error": "\(error)"])
        guard let headers = SIPEndpoint.salvageHeaders(bytes) else { return }
        var response = SIPResponse(statusCode: error.statusCode, reason: error.reasonPhrase)
        for (name, value) in headers { response.headers.add(name, value) }
        write(.response(response), to: responseDestination(viaValue: headers.first { $0.0 == "Via" }?.1, source: source), onError: {})
    }

    /// Reads Via, From, To, Call-ID and CSeq lines from a request that failed to parse.
    static func salvageHeaders(_ bytes: [UInt8]) -> [(String, String)]? {
        let text = String(decoding: bytes.prefix(8192), as: UTF8.self)
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        guard let first = lines.first, !first.hasPrefix("SIP/"), first.split(separator: " ").count == 3 else { return nil }
        var result: [(String, String)] = []
        let wanted = ["via": "Via", "from": "From", "to": "To", "call-id": "Call-ID", "cseq": "CSeq"]
        for line in lines.dropFirst() {
            if line.trimmingWhitespace().isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = SIPHeaders.canonicalKey(String(line[..<colon].trimmingWhitespace()))
            if let name = wanted[key], key != "via" || !result.contains(where: { $0.0 == "Via" }) {
                let value = String(line[line.index(after: colon)...].trimmingWhitespace())
                if key == "via", (try? Via(parsing: value)) == nil { return nil }
                result.append((name, value))
            }
        }
        return result.contains { $0.0 == "Via" } ? result : nil
    }

    private func receivedRequest(_ request: SIPRequest, from source: SIPTransportAddress) {
        var request = request
        // Validate mandatory headers (RFC 3261 §8.2.1–§8.2.2).
        do {
            try request.validate()
        } catch {
            statistics.messagesRejected += 1
            if request.method != .ack { respondStatelessly(to: request, from: source, status: error.statusCode, reason: error.reasonPhrase) }
            return
        }
        // received / rport (RFC 3261 §18.2.1, RFC 3581 §4).
        if var via = try? request.topVia() {
            var changed = false
            if via.rport != nil {
                via.rport = String(source.port)
                via.received = source.host
                changed = true
            } else if via.host != source.host {
                via.received = source.host
                changed = true
            }
            if changed { try? request.headers.replaceFirstValue("via", with: via.description) }
        }
        let key: TransactionKey
        do { key = try TransactionKey.server(for: request) } catch {
            respondStatelessly(to: request, from: source, status: 400, reason: error.reasonPhrase)
            return
        }
        if let entry = serverTransactions[key] {
            if request.method == .ack, case .invite(let machine) = entry.machine, machine.state != .completed {
                // ACK for a 2xx that reused the INVITE's branch: belongs to the dialog.
                strayHandler?(.request(request), source)
                return
            }
            perform(entry.handle(.receivedRequest(request)), server: entry, key: key)
            return
        }
        if request.method == .ack {
            strayHandler?(.request(request), source)
            return
        }
        // Checks that precede the transaction user (RFC 3261 §8.2.1–§8.2.2).
        if !(request.uri.scheme == "sip" || request.uri.scheme == "sips" || request.uri.scheme == "tel") {
            respondStatelessly(to: request, from: source, status: 416, reason: "Unsupported URI Scheme \(request.uri.scheme)")
            return
        }
        if let maxForwards = try? request.maxForwards(), maxForwards == 0, request.method != .options {
            respondStatelessly(to: request, from: source, status: 483, reason: nil)
            return
        }
        if request.method != .cancel {
            let unsupported = request.optionTags("require").filter { !configuration.supportedExtensions.contains($0) }
            if !unsupported.isEmpty {
                respondStatelessly(to: request, from: source, status: 420, reason: nil,
                                   extra: [("Unsupported", unsupported.joined(separator: ", "))])
                return
            }
        }
        var mergeKey: String? = nil
        if (try? request.to().tag) == nil, let fromTag = try? request.from().tag, let cseq = try? request.cseq() {
            let merge = "\(fromTag)|\(request.callID ?? "")|\(cseq.number)|\(cseq.method.rawValue)"
            if let existing = mergeTable[merge], existing != key {
                respondStatelessly(to: request, from: source, status: 482, reason: "Loop Detected (merged request)")
                return
            }
            mergeTable[merge] = key
            mergeKey = merge
        }
        let reliable = source.transport.isReliable
        let machine: ServerEntry.Machine = request.method == .invite
            ? .invite(ServerInviteTransactionStateMachine(request: request, reliable: reliable, timers: configuration.timers))
            : .nonInvite(ServerNonInviteTransactionStateMachine(request: request, reliable: reliable, timers: configuration.timers))
        let entry = ServerEntry(machine: machine, source: source, via: try? request.topVia(), mergeKey: mergeKey)
        serverTransactions[key] = entry
        statistics.serverTransactions = serverTransactions.count
        let incoming = IncomingRequest(request: request, source: source, key: key, endpoint: self)
        if let requestHandler {
            requestHandler(incoming)
        } else {
            respond(SIPResponse(to: request, statusCode: 501, toTag: SIPEndpoint.randomToken()), key: key)
        }
    }

    private func respondStatelessly(to request: SIPRequest, from source: SIPTransportAddress, status: Int, reason: String?,
                                    extra: [(String, String)] = []) {
        var response = SIPResponse(to: request, statusCode: status, reason: reason, toTag: SIPEndpoint.randomToken())
        for (name, value) in extra { response.headers.add(name, value) }
        write(.response(response), to: responseDestination(viaValue: request.headers["via"].map { v in
            (try? HeaderSyntax.split(v[...], on: ",").first.map(String.init)) ?? nil } ?? nil, source: source), onError: {})
    }

    private func receivedResponse(_ response: SIPResponse, from source: SIPTransportAddress) {
        guard (try? response.validate()) != nil, let key = try? TransactionKey.client(for: response) else {
            statistics.messagesRejected += 1
            logger.debug("dropping malformed response", metadata: ["from": "\(source)"])
            return
        }
        if let entry = clientTransactions[key] {
            perform(entry.handle(.receivedResponse(response)), client: entry, key: key)
        } else if (200..<300).contains(response.statusCode), (try? response.cseq().method) == .invite {
            strayHandler?(.response(response), source)
        } else {
            logger.trace("response matches no transaction", metadata: ["from": "\(source)"])
        }
    }

    // MARK: Responding

    /// Looks up the server INVITE transaction a CANCEL refers to (RFC 3261 §9.2).
    /// - Parameter cancel: the CANCEL.
    /// - Returns: the INVITE's transaction, if still there, and whether it has sent a final response.
    public func inviteTransaction(matching cancel: SIPRequest) -> (request: SIPRequest, answered: Bool, respond: (SIPResponse) -> Void)? {
        var invite = cancel
        invite.method = .invite
        guard let key = try? TransactionKey.server(for: invite), let entry = serverTransactions[key],
              case .invite(let machine) = entry.machine else { return nil }
        return (machine.request, machine.state != .proceeding, { [self] in respond($0, key: key) })
    }

    func respond(_ response: SIPResponse, key: TransactionKey) {
        guard eventLoop.inEventLoop else {
            eventLoop.execute { [self] in respond(response, key: key) }
            return
        }
        guard let entry = serverTransactions[key] else { return }
        perform(entry.handle(.respond(response)), server: entry, key: key)
    }

    private func perform(_ actions: [TransactionAction], server entry: ServerEntry, key: TransactionKey) {
        for action in actions {
            switch action {
            case .send(let message):
                write(message, to: responseDestination(via: entry.via, source: entry.source)) { [self] in
                    if let entry = serverTransactions[key] { perform(entry.handle(.transportError), server: entry, key: key) }
                }
            case .startTimer(let timer, let duration):
                entry.timers[timer]?.cancel()
                entry.timers[timer] = eventLoop.scheduleTask(in: TimeAmount(duration)) { [self] in
                    guard let entry = serverTransactions[key] else { return }
                    entry.timers[timer] = nil
                    perform(entry.handle(.timerFired(timer)), server: entry, key: key)
                }
            case .cancelTimer(let timer):
                entry.timers[timer]?.cancel()
                entry.timers[timer] = nil
            case .passResponse: break
            case .timedOut, .transportFailed:
                logger.debug("server transaction ended without confirmation", metadata: ["key": "\(key)"])
            case .terminated:
                entry.cancelTimers()
                serverTransactions[key] = nil
                if let merge = entry.mergeKey { mergeTable[merge] = nil }
                statistics.serverTransactions = serverTransactions.count
            }
        }
    }

    /// Where a response goes (RFC 3261 §18.2.2, RFC 3581 §4): back over the connection for TCP;
    /// for UDP to `received` (or the sent-by host) at `rport` (or the sent-by port, or 5060).
    func responseDestination(via: Via?, source: SIPTransportAddress) -> SIPTransportAddress {
        guard source.transport == .udp, let via else { return source }
        // rport requested (even if not yet filled in): reply to the source (RFC 3581 §4).
        if let rport = via.rport, Int(rport) ?? source.port == source.port { return source }
        let host = via.received ?? via.host
        let port = via.rport.flatMap { Int($0) } ?? via.port ?? 5060
        if host == source.host && port == source.port { return source }
        return (try? SIPTransportAddress(transport: .udp, host: host, port: port)) ?? source
    }

    func responseDestination(viaValue: String?, source: SIPTransportAddress) -> SIPTransportAddress {
        responseDestination(via: viaValue.flatMap { try? Via(parsing: $0) }, source: source)
    }

    func write(_ message: SIPMessage, to destination: SIPTransportAddress, onError: @escaping @Sendable () -> Void) {
        var buffer = ByteBufferAllocator().buffer(capacity: 1024)
        message.write(into: &buffer)
        if destination.transport == .udp && buffer.readableBytes > 1300, case .request = message {
            // RFC 3261 §18.1.1 would switch to TCP; we log and send anyway (loopback MTU is large).
            logger.trace("large UDP request", metadata: ["bytes": "\(buffer.readableBytes)"])
        }
        logger.trace("send", metadata: ["to": "\(destination)", "bytes": "\(buffer.readableBytes)"])
        transport.send(buffer, to: destination, onError: onError)
    }
}

/// What the endpoint's transaction tables need of a transaction state machine.
protocol TransactionMachine {
    mutating func handle(_ event: TransactionEvent) -> [TransactionAction]
}

extension ClientInviteTransactionStateMachine: TransactionMachine {}
extension ClientNonInviteTransactionStateMachine: TransactionMachine {}
extension ServerInviteTransactionStateMachine: TransactionMachine {}
extension ServerNonInviteTransactionStateMachine: TransactionMachine {}

/// One live transaction: its state machine (INVITE or not) and its running timers.
class TransactionEntry<Invite: TransactionMachine, NonInvite: TransactionMachine> {
    enum Machine {
        case invite(Invite)
        case nonInvite(NonInvite)
    }
    var machine: Machine
    var timers: [TransactionTimer: Scheduled<Void>] = [:]

    init(machine: Machine) {
        self.machine = machine
    }

    func handle(_ event: TransactionEvent) -> [TransactionAction] {
        switch machine {
        case .invite(var m):
            let actions = m.handle(event)
            machine = .invite(m)
            return actions
        case .nonInvite(var m):
            let actions = m.handle(event)
            machine = .nonInvite(m)
            return actions
        }
    }

    func cancelTimers() {
        for timer in timers.values { timer.cancel() }
        timers.removeAll()
    }
}

/// A client transaction: where its request went and who hears its responses.
final class ClientEntry: TransactionEntry<ClientInviteTransactionStateMachine, ClientNonInviteTransactionStateMachine> {
    let destination: SIPTransportAddress
    let handler: @Sendable (ClientTransactionEvent) -> Void

    init(machine: Machine, destination: SIPTransportAddress, handler: @escaping @Sendable (ClientTransactionEvent) -> Void) {
        self.destination = destination
        self.handler = handler
        super.init(machine: machine)
    }
}

/// A server transaction: where its request came from, for responses and merged-request detection.
final class ServerEntry: TransactionEntry<ServerInviteTransactionStateMachine, ServerNonInviteTransactionStateMachine> {
    let source: SIPTransportAddress
    let via: Via?
    let mergeKey: String?

    init(machine: Machine, source: SIPTransportAddress, via: Via?, mergeKey: String?) {
        self.source = source
        self.via = via
        self.mergeKey = mergeKey
        super.init(machine: machine)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
