public import Logging
public import NIOCore

/// Configuration of a ``UserAgent``.
public struct UserAgentConfiguration: Sendable {
    /// The user part of our Contact.
    public var contactUser: String
    /// The value of the User-Agent/Server header, or `nil` for none.
    public var productName: String?
    /// The registrar's realm and users (`user → password`), or `nil` when not a registrar.
    public var registrar: Registrar?
    /// Whether INVITEs must carry valid digest credentials of a registrar user (phones calling in).
    public var authenticateInvites: Bool
    /// The current time in seconds (injected clock) for registrations and nonces.
    public var now: @Sendable () -> UInt64

    /// Registrar settings.
    public struct Registrar: Sendable {
        /// The digest realm.
        public var realm: String
        /// User names and passwords.
        public var users: [String: String]
        /// The nonce lifetime in seconds.
        public var nonceLifetime: UInt64
        /// Algorithms offered (SHA-256 first; MD5 for phones that know nothing else).
        public var algorithms: [DigestAlgorithm]

        /// Creates registrar settings.
        /// - Parameters:
        ///   - realm: the realm.
        ///   - users: users and passwords.
        ///   - nonceLifetime: seconds.
        ///   - algorithms: offered digest algorithms.
        public init(realm: String, users: [String: String], nonceLifetime: UInt64 = 300,
                    algorithms: [DigestAlgorithm] = [.sha256, .md5]) {
            self.realm = realm
            self.users = users
            self.nonceLifetime = nonceLifetime
            self.algorithms = algorithms
        }
    }

    /// Creates a configuration.
    /// - Parameters:
    ///   - contactUser: user part of our Contact.
    ///   - productName: User-Agent/Server value.
    ///   - registrar: registrar settings, or `nil`.
    ///   - authenticateInvites: whether to challenge INVITEs.
    ///   - now: the clock, in seconds.
    public init(contactUser: String = "hotline", productName: String? = "Hotline", registrar: Registrar? = nil,
                authenticateInvites: Bool = false, now: @escaping @Sendable () -> UInt64) {
        self.contactUser = contactUser
        self.productName = productName
        self.registrar = registrar
        self.authenticateInvites = authenticateInvites
        self.now = now
    }
}

/// The SIP user agent core (RFC 3261 §8, §12–§15): UAS and UAC for calls (INVITE, ACK, CANCEL,
/// BYE, re-INVITE, UPDATE, INFO, REFER/NOTIFY), OPTIONS, and a registrar with digest
/// authentication (RFC 3261 §10, RFC 8760). Runs on its endpoint's event loop.
public final class UserAgent: @unchecked Sendable {
    /// The endpoint below.
    public let endpoint: SIPEndpoint
    /// The configuration.
    public let configuration: UserAgentConfiguration
    let logger: Logger
    /// The loop all state lives on.
    public var eventLoop: any EventLoop { endpoint.eventLoop }

    /// Called on the event loop for each new incoming call. Answer, ring or reject it (now or later).
    public var onIncomingCall: (@Sendable (Call) -> Void)?
    /// Called on the event loop after a successful REGISTER, with the address of record and bindings.
    public var onRegistration: (@Sendable (String, [RegistrationBinding]) -> Void)?

    var calls: [DialogID: Call] = [:]
    var incomingByRemote: [String: Call] = [:]
    private var outgoingByCallID: [String: Call] = [:]
    /// The registrar's bindings (read on the event loop).
    public private(set) var locationService = LocationService()
    private let authenticator: DigestAuthenticator?

    /// Methods we answer (Allow header).
    public static let allowedMethods: [SIPMethod] = [.invite, .ack, .cancel, .bye, .options, .info, .update, .refer, .notify, .prack, .register]

    /// Creates a user agent on an endpoint and takes over the endpoint's handlers.
    /// - Parameters:
    ///   - endpoint: the endpoint (not started yet, or started: handlers are set on its loop).
    ///   - configuration: settings.
    ///   - logger: where to log.
    public init(endpoint: SIPEndpoint, configuration: UserAgentConfiguration, logger: Logger) {
        self.endpoint = endpoint
        self.configuration = configuration
        self.logger = logger
        if let registrar = configuration.registrar {
            var secret = [UInt8](repeating: 0, count: 32)
            for i in secret.indices { secret[i] = UInt8.random(in: 0...255) }
            authenticator = DigestAuthenticator(realm: registrar.realm, secret: secret, nonceLifetime: registrar.nonceLifetime,
                                                algorithms: registrar.algorithms)
        } else {
            authenticator = nil
        }
        endpoint.requestHandler = { [unowned self] in handle($0) }
        endpoint.strayHandler = { [unowned self] in handleStray($0, from: $1) }
    }

    /// The number of calls in progress (read on the loop).
    public var activeCallCount: Int { calls.count }

    /// Our Contact for a transport.
    /// - Parameter transport: UDP or TCP.
    /// - Returns: `<sip:user@host:port[;transport=tcp]>`.
    public func contact(for transport: SIPTransportKind) -> NameAddress {
        var uri = SIPURI(user: configuration.contactUser, host: endpoint.configuration.host, port: endpoint.port(for: transport))
        if transport == .tcp { uri.setParameter("transport", "tcp") }
        return NameAddress(uri: uri)
    }

    // MARK: Incoming requests

    func handle(_ incoming: IncomingRequest) {
        let request = incoming.request
        if request.method == .register { return handleRegister(incoming) }
        if request.method == .cancel { return handleCancel(incoming) }
        if request.method == .options && (try? request.to().tag) == nil {
            var response = makeResponse(to: request, status: 200, call: nil)
            response.headers.add("Accept", "application/sdp")
            return incoming.respond(response)
        }
        let toTag = try? request.to().tag
        if toTag == nil {
            if request.method == .invite { return handleNewInvite(incoming) }
            let known = UserAgent.allowedMethods.contains(request.method)
            var response = makeResponse(to: request, status: known ? 405 : 501, call: nil)
            if known && request.method == .bye { response = makeResponse(to: request, status: 481, call: nil) }
            return incoming.respond(response)
        }
        guard let id = DialogID.forReceived(request), let call = calls[id], var dialog = call.dialog else {
            return incoming.respond(makeResponse(to: request, status: 481, call: nil))
        }
        guard dialog.receive(request) == .accepted else {
            return incoming.respond(makeResponse(to: request, status: 500, reason: "CSeq Out of Order", call: nil))
        }
        call.dialog = dialog
        switch request.method {
        case .bye:
            incoming.respond(makeResponse(to: request, status: 200, call: call))
            end(call, .remoteHangUp)
        case .invite:
            handleReinvite(incoming, call: call)
        case .update:
            let answer = answerOffer(request.body, call: call)
            guard let answer else { return incoming.respond(makeResponse(to: request, status: 488, call: call)) }
            var response = makeResponse(to: request, status: 200, call: call)
            if !request.body.isEmpty { response.setBody(answer, contentType: "application/sdp"); call.localBody = answer }
            applySessionTimer(request: request, response: &response, call: call)
            incoming.respond(response)
        case .info:
            let type = request.contentType
            guard request.body.isEmpty || type == "application/dtmf-relay" || type == "application/dtmf" else {
                var response = makeResponse(to: request, status: 415, call: call)
                response.headers.add("Accept", "application/dtmf-relay, application/dtmf")
                return incoming.respond(response)
            }
            incoming.respond(makeResponse(to: request, status: 200, call: call))
            call.onInfo?(call, request)
        case .refer:
            guard let value = request.headers["refer-to"], let target = try? NameAddress(parsing: value) else {
                return incoming.respond(makeResponse(to: request, status: 400, reason: "Missing or malformed Refer-To header", call: call))
            }
            guard call.onRefer?(call, target) == true else {
                return incoming.respond(makeResponse(to: request, status: 603, call: call))
            }
            incoming.respond(makeResponse(to: request, status: 202, call: call))
            call.notifyTransferProgress(status: 100, final: false)
        case .notify:
            incoming.respond(makeResponse(to: request, status: 200, call: call))
            call.onNotify?(call, request)
        case .prack:
            handlePRACK(incoming, call: call)
        case .options, .message:
            incoming.respond(makeResponse(to: request, status: 200, call: call))
        default:
            incoming.respond(makeResponse(to: request, status: 501, call: call))
        }
    }

    private func handleNewInvite(_ incoming: IncomingRequest) {
        let request = incoming.request
        if configuration.authenticateInvites, let authenticator {
            guard authenticate(incoming, authenticator: authenticator) != nil else { return }
        }
        if !request.body.isEmpty, request.contentType != "application/sdp" {
            var response = makeResponse(to: request, status: 415, call: nil)
            response.headers.add("Accept", "application/sdp")
            return incoming.respond(response)
        }
        guard let fromTag = try? request.from().tag, (try? request.contacts().first) != nil else {
            return incoming.respond(makeResponse(to: request, status: 400, reason: "INVITE needs a From tag and a Contact", call: nil))
        }
        if let interval = Self.requestedSessionInterval(request), interval < Self.minimumSessionInterval {
            var response = makeResponse(to: request, status: 422, call: nil)
            response.headers.add("Min-SE", String(Self.minimumSessionInterval))
            return incoming.respond(response)
        }
        var replaced: Call? = nil
        if let value = request.headers["replaces"] {
            guard let target = replacedCall(value) else {
                return incoming.respond(makeResponse(to: request, status: 481, reason: "Replaced dialog does not exist", call: nil))
            }
            replaced = target
        }
        let call = Call(direction: .incoming, invite: request, source: incoming.source, localTag: SIPEndpoint.randomToken(), userAgent: self)
        call.incoming = incoming
        call.replacedCall = replaced
        let id = DialogID(callID: call.callID, localTag: call.localTag, remoteTag: fromTag)
        calls[id] = call
        incomingByRemote["\(call.callID)|\(fromTag)"] = call
        guard let onIncomingCall else {
            reject(call, status: 480)
            return
        }
        onIncomingCall(call)
        if call.state == .offered {
            // The application answers later: stop INVITE retransmissions (RFC 3261 §8.2.6.1).
            incoming.respond(makeResponse(to: request, status: 100, call: nil))
        }
    }

    private func handleCancel(_ incoming: IncomingRequest) {
        let cancel = incoming.request
        guard let invite = endpoint.inviteTransaction(matching: cancel) else {
            return incoming.respond(makeResponse(to: cancel, status: 481, call: nil))
        }
        incoming.respond(makeResponse(to: cancel, status: 200, call: nil))
        guard !invite.answered else { return }
        let fromTag = (try? cancel.from().tag) ?? ""
        let call = incomingByRemote["\(cancel.callID ?? "")|\(fromTag)"]
        invite.respond(makeResponse(to: invite.request, status: 487, call: call))
        if let call { end(call, .cancelled) }
    }

    private func handleReinvite(_ incoming: IncomingRequest, call: Call) {
        let request = incoming.request
        if call.reinviteInProgress || call.pendingAckTimer != nil {
            var response = makeResponse(to: request, status: 491, call: call)
            response.headers.add("Retry-After", "1")
            return incoming.respond(response)
        }
        let body: [UInt8]
        if request.body.isEmpty {
            body = call.localBody
        } else {
            guard let answer = answerOffer(request.body, call: call) else {
                return incoming.respond(makeResponse(to: request, status: 488, call: call))
            }
            body = answer
        }
        call.localBody = body
        var response = makeResponse(to: request, status: 200, call: call)
        response.setBody(body, contentType: "application/sdp")
        applySessionTimer(request: request, response: &response, call: call)
        sendReliably2xx(response, via: incoming, call: call)
    }

    private func answerOffer(_ offer: [UInt8], call: Call) -> [UInt8]? {
        if offer.isEmpty { return call.localBody }
        call.remoteBody = offer
        if let onOffer = call.onOffer { return onOffer(call, offer) }
        return call.localBody
    }

    private func handleRegister(_ incoming: IncomingRequest) {
        let request = incoming.request
        guard let registrar = configuration.registrar, let authenticator else {
            return incoming.respond(makeResponse(to: request, status: 405, call: nil))
        }
        guard let username = authenticate(incoming, authenticator: authenticator) else { return }
        // Only a user's own address of record may be registered (RFC 3261 §10.3 step 6).
        if let to = try? request.to(), to.uri.decodedUser != username {
            return incoming.respond(makeResponse(to: request, status: 403, reason: "Forbidden: \(username) may not register \(to.uri)", call: nil))
        }
        _ = registrar
        let now = configuration.now()
        switch locationService.register(request, source: incoming.source, now: now) {
        case .refused(let status, let reason, let headers):
            var response = makeResponse(to: request, status: status, reason: reason, call: nil)
            for (name, value) in headers { response.headers.add(name, value) }
            incoming.respond(response)
        case .registered(let bindings):
            var response = makeResponse(to: request, status: 200, call: nil)
            for binding in bindings {
                var contact = binding.contact
                contact.parameters.set("expires", String(binding.expiresAt > now ? binding.expiresAt - now : 0))
                response.headers.add("Contact", contact.description)
            }
            incoming.respond(response)
            if let to = try? request.to() { onRegistration?(LocationService.addressOfRecord(to.uri), bindings) }
        }
    }

    /// Checks Authorization; answers 401 (or 401 stale) and returns `nil` when it fails.
    private func authenticate(_ incoming: IncomingRequest, authenticator: DigestAuthenticator) -> String? {
        let request = incoming.request
        let users = configuration.registrar?.users ?? [:]
        let now = configuration.now()
        // Several Authorization fields may be present (one per realm); take the one for our realm.
        let values = request.headers.fields.filter { $0.key == "authorization" }.map(\.value)
        let mine = values.first { (try? DigestParameters(parsing: $0))?["realm"] == authenticator.realm }
        switch authenticator.verify(mine, method: request.method, now: now, password: { users[$0] }) {
        case .authenticated(let username):
            return username
        case .stale:
            incoming.respond(challenge(request, authenticator: authenticator, stale: true))
        case .rejected(let reason):
            logger.debug("authentication failed", metadata: ["reason": "\(reason)"])
            incoming.respond(challenge(request, authenticator: authenticator, stale: false))
        }
        return nil
    }

    private func challenge(_ request: SIPRequest, authenticator: DigestAuthenticator, stale: Bool) -> SIPResponse {
        var response = makeResponse(to: request, status: 401, call: nil)
        for value in authenticator.challenges(now: configuration.now(), stale: stale) { response.headers.add("WWW-Authenticate", value) }
        return response
    }

    private func handleStray(_ message: SIPMessage, from source: SIPTransportAddress) {
        switch message {
        case .request(let ack):
            guard let id = DialogID.forReceived(ack), let call = calls[id] else { return }
            if call.pendingAckTimer != nil, let cseq = try? ack.cseq(), cseq.number == call.pendingAckResponse.flatMap({ try? $0.cseq().number }) {
                call.pendingAckTimer?.stop()
                call.pendingAckTimer = nil
                call.pendingAckResponse = nil
                if !ack.body.isEmpty { call.remoteBody = ack.body }
                if call.state == .answered { call.setState(.established) }
            }
        case .response(let response):
            // A retransmitted 2xx after the INVITE transaction ended: ACK again (RFC 3261 §13.2.2.4).
            guard let id = DialogID.forReceived(response), let call = calls[id], let ack = call.lastACK,
                  (try? response.cseq().number) == (try? ack.cseq().number) else { return }
            endpoint.sendACK(ack, to: call.destination)
        }
    }

    // MARK: UAS actions

    func makeResponse(to request: SIPRequest, status: Int, reason: String? = nil, call: Call?) -> SIPResponse {
        let tag = call?.localTag ?? ((try? request.to().tag) == nil ? SIPEndpoint.randomToken() : nil)
        var response = SIPResponse(to: request, statusCode: status, reason: reason, toTag: status == 100 ? nil : tag)
        if status == 100 { return response }
        if let call, request.method == .invite || request.method == .update || request.method == .refer,
           status < 300, status > 100 {
            for field in request.headers where field.key == "record-route" { response.headers.fields.append(field) }
            response.headers.add("Contact", contact(for: call.source?.transport ?? .udp).description)
        }
        if status == 405 || status == 200 && (request.method == .invite || request.method == .options) {
            response.headers.add("Allow", UserAgent.allowedMethods.map(\.rawValue).joined(separator: ", "))
        }
        if status == 200 && request.method == .options || status == 420 {
            response.headers.add("Supported", endpoint.configuration.supportedExtensions.sorted().joined(separator: ", "))
        }
        if let product = configuration.productName { response.headers.add("Server", product) }
        return response
    }

    func answer(_ call: Call, body: [UInt8], contentType: String) {
        guard call.direction == .incoming, call.state == .offered || call.state == .early, let incoming = call.incoming else { return }
        let request = incoming.request
        if call.dialog == nil {
            call.dialog = try? Dialog(uas: request, localTag: call.localTag, localContact: contact(for: incoming.source.transport), state: .confirmed)
        }
        call.dialog?.state = .confirmed
        call.localBody = body
        var response = makeResponse(to: request, status: 200, call: call)
        response.setBody(body, contentType: contentType)
        applySessionTimer(request: request, response: &response, call: call)
        if let fromTag = try? request.from().tag { incomingByRemote["\(call.callID)|\(fromTag)"] = nil }
        call.pendingPRACK?.timer.stop()
        call.pendingPRACK = nil
        call.setState(.answered)
        sendReliably2xx(response, via: incoming, call: call)
        if let replaced = call.replacedCall, !replaced.state.isTerminated {
            // RFC 3891 §3: the new call takes the old one's place; the old one ends with BYE.
            switch replaced.state {
            case .answered, .established:
                replaced.pendingAckTimer?.stop()
                replaced.pendingAckTimer = nil
                sendBye(replaced)
            case .calling, .early:
                cancel(replaced)
            default:
                break
            }
            end(replaced, .replaced)
        }
    }

    /// Sends a 2xx to INVITE and retransmits it (UDP) until the ACK arrives (RFC 3261 §13.3.1.4).
    private func sendReliably2xx(_ response: SIPResponse, via incoming: IncomingRequest, call: Call) {
        incoming.respond(response)
        call.pendingAckResponse = response
        let timer = RetransmissionTimer(interval: endpoint.configuration.timers.t1)
        call.pendingAckTimer = timer
        scheduleRetransmission(timer, response: response, via: incoming, call: call)
    }

    private func scheduleRetransmission(_ timer: RetransmissionTimer, response: SIPResponse, via incoming: IncomingRequest, call: Call) {
        let timers = endpoint.configuration.timers
        let delay = incoming.source.transport.isReliable ? timers.t1 * 64 : timer.interval
        timer.task = eventLoop.scheduleTask(in: TimeAmount(delay)) { [weak self, weak call] in
            guard let self, let call, !timer.stopped else { return }
            timer.elapsed += delay
            if timer.elapsed >= timers.t1 * 64 {
                call.pendingAckTimer = nil
                logger.info("no ACK for 2xx; ending the call", metadata: ["call-id": "\(call.callID)"])
                sendBye(call)
                end(call, .noACK)
                return
            }
            incoming.respond(response)
            timer.interval = min(timer.interval * 2, timers.t2)
            scheduleRetransmission(timer, response: response, via: incoming, call: call)
        }
    }

    func reject(_ call: Call, status: Int) {
        guard call.direction == .incoming, call.state == .offered || call.state == .early, let incoming = call.incoming else { return }
        incoming.respond(makeResponse(to: incoming.request, status: max(300, status), call: call))
        end(call, .rejected(status))
    }

    func hangUp(_ call: Call) {
        switch call.state {
        case .offered:
            reject(call, status: 603)
        case .early where call.direction == .incoming:
            reject(call, status: 603)
        case .calling, .early:
            cancel(call)
        case .answered, .established:
            call.pendingAckTimer?.stop()
            call.pendingAckTimer = nil
            sendBye(call)
            end(call, .localHangUp)
        default:
            break
        }
    }

    func sendBye(_ call: Call) {
        guard var dialog = call.dialog else { return }
        let bye = dialog.makeRequest(.bye)
        call.dialog = dialog
        sendAuthenticated(bye, call: call) { _ in }
    }

    func end(_ call: Call, _ reason: Call.EndReason) {
        if let dialog = call.dialog { calls[dialog.id] = nil }
        if let fromTag = try? call.invite.from().tag {
            calls[DialogID(callID: call.callID, localTag: call.localTag, remoteTag: fromTag)] = nil
            incomingByRemote["\(call.callID)|\(fromTag)"] = nil
        }
        if call.direction == .outgoing { outgoingByCallID[call.callID] = nil }
        call.pendingAckTimer?.stop()
        call.pendingAckTimer = nil
        call.pendingPRACK?.timer.stop()
        call.pendingPRACK = nil
        call.sessionTimer?.cancel()
        call.sessionTimer = nil
        call.incoming = nil
        call.replacedCall = nil
        call.setState(.terminated(reason))
        call.onStateChange = nil
        call.onOffer = nil
        call.onInfo = nil
        call.onRefer = nil
        call.onNotify = nil
    }

    // MARK: UAC

    /// Places a call (RFC 3261 §13.2): sends the INVITE, answers digest challenges with
    /// `credentials`, creates the dialog from 1xx-with-tag or 2xx, ACKs the 2xx.
    /// - Parameters:
    ///   - target: the Request-URI.
    ///   - from: our identity (a tag is added).
    ///   - body: the offer.
    ///   - contentType: its media type.
    ///   - credentials: for 401/407 challenges (a trunk or registrar).
    ///   - destination: where to send; `nil` for the Request-URI's host.
    ///   - headers: extra headers (e.g. `Replaces`, `Referred-By`).
    ///   - onStateChange: set on the call before the INVITE leaves.
    /// - Returns: the call.
    @discardableResult
    public func call(_ target: SIPURI, from: NameAddress, body: [UInt8], contentType: String = "application/sdp",
                     credentials: DigestCredentials? = nil, destination: SIPTransportAddress? = nil,
                     headers: [(String, String)] = [], onStateChange: (@Sendable (Call) -> Void)? = nil) -> Call {
        let localTag = SIPEndpoint.randomToken()
        var fromAddress = from
        fromAddress.tag = localTag
        let transport = destination?.transport ?? (target.parameter("transport")?.lowercased() == "tcp" ? .tcp : .udp)
        var request = SIPRequest(method: .invite, uri: target)
        request.headers.add("Max-Forwards", "70")
        request.headers.add("From", fromAddress.description)
        request.headers.add("To", NameAddress(uri: target).description)
        request.headers.add("Call-ID", SIPEndpoint.randomToken() + SIPEndpoint.randomToken())
        request.headers.add("CSeq", "1 INVITE")
        request.headers.add("Contact", contact(for: transport).description)
        request.headers.add("Allow", UserAgent.allowedMethods.map(\.rawValue).joined(separator: ", "))
        request.headers.add("Supported", "100rel, replaces, timer")
        for (name, value) in headers { request.headers.add(name, value) }
        if let product = configuration.productName { request.headers.add("User-Agent", product) }
        request.setBody(body, contentType: contentType)
        let call = Call(direction: .outgoing, invite: request, source: nil, localTag: localTag, userAgent: self)
        call.localBody = body
        call.credentials = credentials
        call.destination = destination
        call.onStateChange = onStateChange
        eventLoop.execute { [self] in
            outgoingByCallID[call.callID] = call
            sendInvite(call)
        }
        return call
    }

    private func sendInvite(_ call: Call) {
        call.sentInvite = endpoint.send(call.invite, to: call.destination) { [weak self, weak call] event in
            guard let self, let call else { return }
            inviteEvent(event, call: call)
        }
    }

    private func inviteEvent(_ event: ClientTransactionEvent, call: Call) {
        switch event {
        case .timeout:
            if !call.state.isTerminated && call.state != .established { end(call, .timeout) }
        case .transportError:
            if !call.state.isTerminated && call.state != .established { end(call, .transportError) }
        case .response(let response):
            let status = response.statusCode
            if status == 100 { return }
            if status < 200 {
                if call.dialog == nil, (try? response.to().tag) != nil,
                   let dialog = try? Dialog(uac: call.invite, response: response, localContact: contact(for: call.sentTransport)) {
                    call.dialog = dialog
                    calls[dialog.id] = call
                }
                if !response.body.isEmpty { call.remoteBody = response.body }
                if response.optionTags("require").contains("100rel") { sendPRACK(for: response, call: call) }
                if call.state == .calling { call.setState(.early) }
                if call.cancelRequested { cancel(call) }
                return
            }
            if status < 300 {
                if let id = DialogID.forReceived(response), let ack = call.lastACK, call.dialog?.id == id {
                    endpoint.sendACK(ack, to: call.destination)   // retransmitted 2xx
                    return
                }
                guard var dialog = try? Dialog(uac: call.invite, response: response, localContact: contact(for: call.sentTransport)) else {
                    logger.warning("2xx without usable dialog headers", metadata: ["call-id": "\(call.callID)"])
                    return
                }
                if let early = call.dialog, early.id == dialog.id { dialog.localSequence = max(dialog.localSequence, early.localSequence) }
                else if let early = call.dialog { calls[early.id] = nil }
                call.dialog = dialog
                calls[dialog.id] = call
                call.remoteBody = response.body
                let ack = dialog.makeACK(for: call.inviteSequence)
                call.lastACK = ack
                endpoint.sendACK(ack, to: call.destination)
                if call.state.isTerminated {
                    // Answered after we gave up: hang up at once.
                    sendBye(call)
                } else if call.cancelRequested {
                    sendBye(call)
                    end(call, .localHangUp)
                } else {
                    call.setState(.established)
                    startSessionTimer(from: response, call: call, weAreUAC: true)
                }
                return
            }
            if (status == 401 || status == 407), let credentials = call.credentials, call.authenticationAttempts < 2,
               let authorized = authorize(call.invite, response: response, credentials: credentials, sequence: call.inviteSequence + 1) {
                call.authenticationAttempts += 1
                call.inviteSequence += 1
                call.invite = authorized
                if let early = call.dialog { calls[early.id] = nil; call.dialog = nil }
                sendInvite(call)
                return
            }
            end(call, status == 487 ? .cancelled : .rejected(status))
        }
    }

    /// Adds Authorization/Proxy-Authorization for a 401/407 and a new CSeq (RFC 3261 §22.2).
    func authorize(_ request: SIPRequest, response: SIPResponse, credentials: DigestCredentials, sequence: UInt32) -> SIPRequest? {
        let isProxy = response.statusCode == 407
        let challenges = response.headers.fields.filter { $0.key == (isProxy ? "proxy-authenticate" : "www-authenticate") }
            .compactMap { try? DigestParameters(parsing: $0.value) }
        // Prefer SHA-256, then MD5 (RFC 8760 §2.4).
        guard let challenge = challenges.first(where: { $0.algorithm == .sha256 }) ?? challenges.first(where: { $0.algorithm == .md5 }),
              let value = credentials.authorization(for: challenge, method: request.method, uri: request.uri,
                                                    cnonce: SIPEndpoint.randomToken()) else { return nil }
        var request = request
        try? request.headers.removeFirstValue("via")
        request.headers.remove("via")
        request.headers.set(isProxy ? "Proxy-Authorization" : "Authorization", value)
        request.headers.set("CSeq", "\(sequence) \(request.method.rawValue)")
        return request
    }

    func cancel(_ call: Call) {
        guard call.direction == .outgoing else { return }
        guard call.state == .early, let invite = call.sentInvite else {
            // No provisional yet: CANCEL only after one (RFC 3261 §9.1).
            call.cancelRequested = true
            return
        }
        var cancel = SIPRequest(method: .cancel, uri: invite.uri)
        for field in invite.headers where field.key == "via" || field.key == "route" { cancel.headers.fields.append(field) }
        for name in ["From", "To", "Call-ID"] { if let v = invite.headers[name] { cancel.headers.add(name, v) } }
        cancel.headers.add("CSeq", "\(call.inviteSequence) CANCEL")
        cancel.headers.add("Max-Forwards", "70")
        call.cancelRequested = true
        endpoint.send(cancel, to: call.destination) { _ in }
    }

    func reinvite(_ call: Call, body: [UInt8], contentType: String, completion: (@Sendable (SIPResponse?) -> Void)?) {
        guard var dialog = call.dialog, call.state == .established, !call.reinviteInProgress else {
            completion?(nil)
            return
        }
        var request = dialog.makeRequest(.invite)
        call.dialog = dialog
        request.setBody(body, contentType: contentType)
        call.reinviteInProgress = true
        let previous = call.localBody
        call.localBody = body
        sendAuthenticated(request, call: call) { [weak self, weak call] response in
            guard let self, let call else { return }
            call.reinviteInProgress = false
            if let response, (200..<300).contains(response.statusCode), let d = call.dialog {
                call.dialog?.receiveTargetRefresh(response)
                if !response.body.isEmpty { call.remoteBody = response.body }
                let ack = d.makeACK(for: (try? response.cseq().number) ?? d.localSequence)
                call.lastACK = ack
                endpoint.sendACK(ack, to: call.destination)
            } else {
                call.localBody = previous
            }
            completion?(response)
        }
    }

    func sendInDialog(_ call: Call, method: SIPMethod, body: [UInt8], contentType: String?, headers: [(String, String)],
                      completion: (@Sendable (SIPResponse?) -> Void)?) {
        guard var dialog = call.dialog else { completion?(nil); return }
        var request = dialog.makeRequest(method)
        call.dialog = dialog
        for (name, value) in headers where !value.isEmpty { request.headers.add(name, value) }
        if !body.isEmpty { request.setBody(body, contentType: contentType) }
        sendAuthenticated(request, call: call) { completion?($0) }
    }

    /// Sends a request in a dialog, answering one digest challenge, and reports the final response.
    func sendAuthenticated(_ request: SIPRequest, call: Call, attempt: Int = 0,
                                   completion: @escaping @Sendable (SIPResponse?) -> Void) {
        let destination = call.destination ?? (call.direction == .incoming && call.dialog?.routeSet.isEmpty != false
            ? call.source.flatMap { source in source.transport == .tcp ? source : nil } : nil)
        endpoint.send(request, to: destination) { [weak self, weak call] event in
            guard let self else { return }
            switch event {
            case .response(let response):
                guard response.statusCode >= 200 else { return }
                if (response.statusCode == 401 || response.statusCode == 407), attempt == 0, let call, let credentials = call.credentials,
                   var dialog = call.dialog {
                    dialog.localSequence += 1
                    call.dialog = dialog
                    if let retry = authorize(request, response: response, credentials: credentials, sequence: dialog.localSequence) {
                        return sendAuthenticated(retry, call: call, attempt: 1, completion: completion)
                    }
                }
                completion(response)
            case .timeout, .transportError:
                completion(nil)
            }
        }
    }
}

extension Call {
    var sentTransport: SIPTransportKind {
        destination?.transport ?? (invite.uri.parameter("transport")?.lowercased() == "tcp" ? .tcp : .udp)
    }
}
