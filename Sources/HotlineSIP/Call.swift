import NIOCore

/// One INVITE dialog usage, incoming or outgoing: a phone call as the SIP stack sees it
/// (RFC 3261 §13–§15). Created by ``UserAgent``; its methods may be called from any thread
/// (they run on the user agent's event loop), and its callbacks run on that loop.
public final class Call: @unchecked Sendable {
    /// Who sent the INVITE.
    public enum Direction: Sendable, Hashable {
        /// The peer called us.
        case incoming
        /// We called the peer.
        case outgoing
    }

    /// Why a call ended.
    public enum EndReason: Sendable, Hashable {
        /// We hung up (BYE sent).
        case localHangUp
        /// The peer hung up (BYE received).
        case remoteHangUp
        /// The caller cancelled before the answer (487 sent or received).
        case cancelled
        /// The INVITE was refused with this status (by us or by the peer).
        case rejected(Int)
        /// Our 2xx was never acknowledged (RFC 3261 §13.3.1.4).
        case noACK
        /// The INVITE got no final response (Timer B).
        case timeout
        /// The transport failed.
        case transportError
        /// The session timer ran out without a refresh (RFC 4028 §10).
        case sessionExpired
        /// Another call took this one's place (INVITE with Replaces, RFC 3891).
        case replaced
        /// A reliable provisional response was never acknowledged with PRACK (RFC 3262 §3).
        case noPRACK
    }

    /// Where the call is.
    public enum State: Sendable, Hashable {
        /// Incoming, not answered yet: call ``ring()``, ``answer(body:contentType:)`` or ``reject(status:)``.
        case offered
        /// Outgoing, no response with a tag yet.
        case calling
        /// Early dialog: ringing or session progress.
        case early
        /// We sent 2xx and wait for the ACK.
        case answered
        /// Confirmed dialog.
        case established
        /// Over.
        case terminated(EndReason)

        /// Whether the call is over.
        public var isTerminated: Bool { if case .terminated = self { true } else { false } }
    }

    /// Incoming or outgoing.
    public let direction: Direction
    /// The Call-ID.
    public let callID: String
    /// The INVITE that started the call (as received, or as sent without Via).
    public internal(set) var invite: SIPRequest
    /// Where an incoming INVITE came from.
    public let source: SIPTransportAddress?
    /// The state.
    public internal(set) var state: State
    /// The dialog, once one exists.
    public internal(set) var dialog: Dialog?
    /// The peer's last session description (offer or answer).
    public internal(set) var remoteBody: [UInt8]
    /// Our last session description.
    public internal(set) var localBody: [UInt8] = []
    /// Our tag.
    public let localTag: String

    /// Called on every state change.
    public var onStateChange: (@Sendable (Call) -> Void)?
    /// Called with the body of a re-INVITE or UPDATE offer; return the answer, or `nil` to refuse
    /// with 488. When unset, offers are answered with our last body (RFC 3264 allows re-using it).
    public var onOffer: (@Sendable (Call, [UInt8]) -> [UInt8]?)?
    /// Called for each INFO (e.g. `application/dtmf-relay`) after it is answered 200.
    public var onInfo: (@Sendable (Call, SIPRequest) -> Void)?
    /// Called for a REFER (RFC 3515) with its Refer-To; return `true` to accept (202 + NOTIFY).
    public var onRefer: (@Sendable (Call, NameAddress) -> Bool)?
    /// Called for each NOTIFY in the dialog (e.g. progress of a transfer we asked for).
    public var onNotify: (@Sendable (Call, SIPRequest) -> Void)?

    /// The call an incoming INVITE with `Replaces` asks to take over (RFC 3891): answering this
    /// call ends that one with BYE. `nil` for ordinary calls.
    public internal(set) var replacedCall: Call?
    /// The negotiated session interval in seconds (RFC 4028), when session timers are in use.
    public internal(set) var sessionInterval: Int?

    weak var userAgent: UserAgent?
    var sessionTimer: Scheduled<Void>?
    var sessionRefresher = false
    var reliableSequence: UInt32 = 0
    var pendingPRACK: (rseq: UInt32, timer: RetransmissionTimer)?
    var lastRSeqAcknowledged: UInt32?
    var incoming: IncomingRequest?
    var sentInvite: SIPRequest?
    var inviteSequence: UInt32 = 1
    var lastACK: SIPRequest?
    var pendingAckResponse: SIPResponse?
    var pendingAckTimer: RetransmissionTimer?
    var reinviteInProgress = false
    var cancelRequested = false
    var authenticationAttempts = 0
    var credentials: DigestCredentials?
    var destination: SIPTransportAddress?

    init(direction: Direction, invite: SIPRequest, source: SIPTransportAddress?, localTag: String, userAgent: UserAgent) {
        self.direction = direction
        self.callID = invite.callID ?? ""
        self.invite = invite
        self.source = source
        self.localTag = localTag
        self.state = direction == .incoming ? .offered : .calling
        self.remoteBody = direction == .incoming ? invite.body : []
        self.userAgent = userAgent
    }

    /// Sends `180 Ringing` (an early dialog).
    public func ring() { onLoop { $0.provisional(180) } }

    /// Sends `183 Session Progress` with early media.
    /// - Parameters:
    ///   - body: the session description.
    ///   - contentType: its media type.
    public func progress(body: [UInt8], contentType: String = "application/sdp") {
        onLoop { $0.provisional(183, body: body, contentType: contentType) }
    }

    /// Answers an incoming call with `200 OK` and retransmits it until the ACK (RFC 3261 §13.3.1.4).
    /// - Parameters:
    ///   - body: our answer (or offer, when the INVITE had none).
    ///   - contentType: its media type.
    public func answer(body: [UInt8], contentType: String = "application/sdp") {
        onLoop { $0.userAgent?.answer($0, body: body, contentType: contentType) }
    }

    /// Refuses an incoming call.
    /// - Parameter status: a final status, 300–699 (486 Busy Here, 603 Decline, …).
    public func reject(status: Int = 603) {
        onLoop { $0.userAgent?.reject($0, status: status) }
    }

    /// Ends the call whatever its state: BYE when answered, CANCEL when ringing out, 603 when offered.
    public func hangUp() { onLoop { $0.userAgent?.hangUp($0) } }

    /// Sends a re-INVITE with a new offer (hold: `a=sendonly`; resume: `a=sendrecv`).
    /// - Parameters:
    ///   - body: the new offer.
    ///   - contentType: its media type.
    ///   - completion: called with the final response, or `nil` on timeout or transport error.
    public func reinvite(body: [UInt8], contentType: String = "application/sdp",
                         completion: (@Sendable (SIPResponse?) -> Void)? = nil) {
        onLoop { $0.userAgent?.reinvite($0, body: body, contentType: contentType, completion: completion) }
    }

    /// Sends a request in the dialog (INFO, UPDATE, REFER, MESSAGE, NOTIFY …).
    /// - Parameters:
    ///   - method: the method.
    ///   - body: the body.
    ///   - contentType: its media type.
    ///   - headers: extra header fields.
    ///   - completion: called with the final response, or `nil` on timeout or transport error.
    public func send(_ method: SIPMethod, body: [UInt8] = [], contentType: String? = nil, headers: [(String, String)] = [],
                     completion: (@Sendable (SIPResponse?) -> Void)? = nil) {
        onLoop { $0.userAgent?.sendInDialog($0, method: method, body: body, contentType: contentType, headers: headers, completion: completion) }
    }

    /// Asks the peer to call `target` (blind transfer, RFC 3515); its NOTIFYs arrive at ``onNotify``.
    /// - Parameters:
    ///   - target: the Refer-To address; add a `Replaces` URI header for attended transfer (RFC 3891).
    ///   - completion: called with the final response to the REFER.
    public func refer(to target: NameAddress, completion: (@Sendable (SIPResponse?) -> Void)? = nil) {
        send(.refer, headers: [("Refer-To", target.description), ("Referred-By", dialog.map { NameAddress(uri: $0.localAddress.uri).description } ?? "")],
             completion: completion)
    }

    /// Reports the progress of a transfer we accepted (RFC 3515 §2.4.5): a NOTIFY carrying the
    /// status line of the new call as `message/sipfrag`.
    /// - Parameters:
    ///   - status: the status code of the new call (100, 180, 200, 486 …).
    ///   - final: whether the subscription ends with this NOTIFY.
    public func notifyTransferProgress(status: Int, final: Bool) {
        let body = Array("SIP/2.0 \(status) \(SIPResponse.standardReason(status))\r\n".utf8)
        send(.notify, body: body, contentType: "message/sipfrag;version=2.0",
             headers: [("Event", "refer"), ("Subscription-State", final ? "terminated;reason=noresource" : "active;expires=60")])
    }

    func onLoop(_ body: @escaping @Sendable (Call) -> Void) {
        guard let ua = userAgent else { return }
        if ua.eventLoop.inEventLoop { body(self) } else { ua.eventLoop.execute { body(self) } }
    }

    func provisional(_ status: Int, body: [UInt8] = [], contentType: String? = nil) {
        guard state == .offered || state == .early, let incoming, let ua = userAgent else { return }
        var response = ua.makeResponse(to: incoming.request, status: status, call: self)
        if !body.isEmpty { response.setBody(body, contentType: contentType) }
        if dialog == nil, let d = try? Dialog(uas: incoming.request, localTag: localTag, localContact: ua.contact(for: incoming.source.transport), state: .early) {
            dialog = d
        }
        if incoming.request.optionTags("require").contains("100rel") {
            // Reliable provisional response (RFC 3262 §3); one at a time.
            guard pendingPRACK == nil else { return }
            if reliableSequence == 0 { reliableSequence = UInt32.random(in: 1...(1 << 30)) } else { reliableSequence += 1 }
            response.headers.add("Require", "100rel")
            response.headers.add("RSeq", String(reliableSequence))
            ua.sendReliableProvisional(response, call: self)
        } else {
            incoming.respond(response)
        }
        setState(.early)
    }

    func setState(_ newState: State) {
        guard state != newState else { return }
        state = newState
        onStateChange?(self)
    }
}

/// Retransmits a 2xx (or reliable 1xx) with T1 doubling up to T2 until stopped, and reports a
/// give-up after 64·T1 (RFC 3261 §13.3.1.4).
final class RetransmissionTimer: @unchecked Sendable {
    var task: Scheduled<Void>?
    var stopped = false
    var interval: Duration
    var elapsed: Duration = .zero

    init(interval: Duration) { self.interval = interval }

    func stop() {
        stopped = true
        task?.cancel()
        task = nil
    }
}
