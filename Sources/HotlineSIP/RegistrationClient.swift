import NIOCore

/// Keeps a registration with a registrar alive (RFC 3261 §10.2): the trunk or upstream
/// registrar side of a hotline. Answers digest challenges, follows 423 Min-Expires, refreshes at
/// half the granted interval, retries after failures, and un-registers on ``stop()``.
/// Runs on the user agent's event loop; ``onStateChange`` is called there.
public final class RegistrationClient: @unchecked Sendable {
    /// Where the registration stands.
    public enum State: Sendable, Hashable {
        /// Not started, or stopped and un-registered.
        case idle
        /// A REGISTER is in flight.
        case registering
        /// Registered until the given number of seconds from the last success.
        case registered(expires: Int)
        /// The last attempt failed with this status (0: timeout or transport error); retrying.
        case failed(status: Int)
    }

    /// The state.
    public private(set) var state: State = .idle
    /// Called on every state change.
    public var onStateChange: (@Sendable (State) -> Void)?

    private let agent: UserAgent
    private let registrar: SIPURI
    private let addressOfRecord: SIPURI
    private let credentials: DigestCredentials?
    private var requestedExpires: Int
    private let callID = SIPEndpoint.randomToken() + SIPEndpoint.randomToken()
    private let localTag = SIPEndpoint.randomToken()
    private var sequence: UInt32 = 0
    private var timer: Scheduled<Void>?
    private let transport: SIPTransportKind
    private let destination: SIPTransportAddress?
    private var stopping = false

    /// Creates a registration; call ``start()``.
    /// - Parameters:
    ///   - agent: the user agent whose Contact is registered.
    ///   - registrar: the registrar's URI (Request-URI of REGISTER), e.g. `sip:192.0.2.10`.
    ///   - addressOfRecord: the AOR (To/From), e.g. `sip:hotline@trunk.example`.
    ///   - credentials: for 401/407, or `nil`.
    ///   - expires: the interval asked for, in seconds.
    ///   - destination: where to send the requests when the registrar's host is a name (the caller
    ///     resolves it; this stack does no DNS), or `nil` to send to the registrar URI's IP address.
    public init(agent: UserAgent, registrar: SIPURI, addressOfRecord: SIPURI, credentials: DigestCredentials?, expires: Int = 3600,
                destination: SIPTransportAddress? = nil) {
        self.agent = agent
        self.destination = destination
        self.registrar = registrar
        self.addressOfRecord = addressOfRecord
        self.credentials = credentials
        self.requestedExpires = expires
        self.transport = registrar.parameter("transport")?.lowercased() == "tcp" ? .tcp : .udp
    }

    /// Registers now and keeps the registration fresh.
    public func start() {
        agent.eventLoop.execute { [self] in
            stopping = false
            register(expires: requestedExpires, authorization: nil)
        }
    }

    /// Cancels refreshes and un-registers (`Expires: 0`).
    public func stop() {
        agent.eventLoop.execute { [self] in
            stopping = true
            timer?.cancel()
            timer = nil
            register(expires: 0, authorization: nil)
        }
    }

    private func makeRequest(expires: Int) -> SIPRequest {
        sequence += 1
        var request = SIPRequest(method: .register, uri: registrar)
        request.headers.add("Max-Forwards", "70")
        request.headers.add("From", NameAddress(uri: addressOfRecord, parameters: [HeaderParameter(name: "tag", value: localTag)]).description)
        request.headers.add("To", NameAddress(uri: addressOfRecord).description)
        request.headers.add("Call-ID", callID)
        request.headers.add("CSeq", "\(sequence) REGISTER")
        request.headers.add("Contact", agent.contact(for: transport).description)
        request.headers.add("Expires", String(expires))
        if let product = agent.configuration.productName { request.headers.add("User-Agent", product) }
        return request
    }

    private func register(expires: Int, authorization: SIPRequest?) {
        let request = authorization ?? makeRequest(expires: expires)
        if expires > 0 { setState(.registering) }
        agent.endpoint.send(request, to: destination) { [weak self] event in
            guard let self else { return }
            switch event {
            case .response(let response):
                guard response.statusCode >= 200 else { return }
                handle(response, to: request, expires: expires, authenticated: authorization != nil)
            case .timeout, .transportError:
                failed(status: 0, expires: expires)
            }
        }
    }

    private func handle(_ response: SIPResponse, to request: SIPRequest, expires: Int, authenticated: Bool) {
        switch response.statusCode {
        case 200..<300:
            if expires == 0 {
                setState(.idle)
                return
            }
            // The granted interval: our Contact's expires parameter, else Expires, else ours.
            let mine = agent.contact(for: transport).uri
            let granted = ((try? response.contacts()) ?? []).first { $0.uri.isEquivalent(to: mine) }?
                .parameters.value("expires").flatMap { Int($0) } ?? response.expires ?? expires
            setState(.registered(expires: granted))
            scheduleRefresh(after: max(1, granted / 2))
        case 401 where !authenticated, 407 where !authenticated:
            guard let credentials else { return failed(status: response.statusCode, expires: expires) }
            sequence += 1
            guard let retry = agent.authorize(request, response: response, credentials: credentials, sequence: sequence) else {
                return failed(status: response.statusCode, expires: expires)
            }
            register(expires: expires, authorization: retry)
        case 423:
            if let minimum = response.headers["min-expires"].flatMap({ Int($0.trimmingWhitespace()) }), minimum > requestedExpires {
                requestedExpires = minimum
                register(expires: minimum, authorization: nil)
            } else {
                failed(status: 423, expires: expires)
            }
        default:
            failed(status: response.statusCode, expires: expires)
        }
    }

    private func failed(status: Int, expires: Int) {
        if expires == 0 {
            setState(.idle)
            return
        }
        setState(.failed(status: status))
        scheduleRefresh(after: 30)
    }

    private func scheduleRefresh(after seconds: Int) {
        timer?.cancel()
        guard !stopping else { return }
        timer = agent.eventLoop.scheduleTask(in: .seconds(Int64(seconds))) { [weak self] in
            guard let self, !stopping else { return }
            register(expires: requestedExpires, authorization: nil)
        }
    }

    private func setState(_ newState: State) {
        guard newState != state else { return }
        state = newState
        onStateChange?(newState)
    }
}
