/// Identifies a dialog: Call-ID and the two tags (RFC 3261 §12).
public struct DialogID: Sendable, Hashable, CustomStringConvertible {
    /// The Call-ID.
    public var callID: String
    /// Our tag.
    public var localTag: String
    /// The peer's tag.
    public var remoteTag: String

    /// Creates an identifier.
    /// - Parameters:
    ///   - callID: Call-ID.
    ///   - localTag: our tag.
    ///   - remoteTag: the peer's tag.
    public init(callID: String, localTag: String, remoteTag: String) {
        self.callID = callID
        self.localTag = localTag
        self.remoteTag = remoteTag
    }

    /// The identifier of the dialog a request received belongs to (To tag is ours).
    /// - Parameter request: a mid-dialog request.
    /// - Returns: the identifier, or `nil` when a tag is missing.
    public static func forReceived(_ request: SIPRequest) -> DialogID? {
        guard let callID = request.callID, let local = try? request.to().tag, let remote = try? request.from().tag else { return nil }
        return DialogID(callID: callID, localTag: local, remoteTag: remote)
    }

    /// The identifier of the dialog a response received belongs to (From tag is ours).
    /// - Parameter response: a response to our request.
    /// - Returns: the identifier, or `nil` when a tag is missing.
    public static func forReceived(_ response: SIPResponse) -> DialogID? {
        guard let callID = response.callID, let local = try? response.from().tag, let remote = try? response.to().tag else { return nil }
        return DialogID(callID: callID, localTag: local, remoteTag: remote)
    }

    public var description: String { "\(callID);local=\(localTag);remote=\(remoteTag)" }
}

/// The state of a dialog (RFC 3261 §12): identifiers, sequence numbers, addresses, target and
/// route set, with the rules for building requests in it and accepting requests from the peer.
/// A pure value: no I/O.
public struct Dialog: Sendable, Hashable {
    /// Early (from a 1xx with tag) or confirmed (from a 2xx).
    public enum State: Sendable, Hashable { case early, confirmed }

    /// The identifier.
    public var id: DialogID
    /// Early or confirmed.
    public var state: State
    /// Our last CSeq number (the next request uses one more).
    public var localSequence: UInt32
    /// The peer's last CSeq number, once it has sent a request.
    public var remoteSequence: UInt32?
    /// Our address (From of our requests) without tag.
    public var localAddress: NameAddress
    /// The peer's address (To of our requests) without tag.
    public var remoteAddress: NameAddress
    /// Where our requests go: the peer's Contact.
    public var remoteTarget: SIPURI
    /// Our Contact, put in target-refresh requests.
    public var localContact: NameAddress
    /// The route set, in the order our requests traverse it.
    public var routeSet: [NameAddress]

    /// Creates the UAS side of a dialog from the request that establishes it (RFC 3261 §12.1.1).
    /// - Parameters:
    ///   - request: the INVITE (or other dialog-creating request).
    ///   - localTag: the tag we put on To.
    ///   - localContact: our Contact.
    ///   - state: early (for 1xx) or confirmed (for 2xx).
    /// - Throws: ``SIPParseError`` when From, To, Contact, CSeq or Record-Route is malformed or missing.
    public init(uas request: SIPRequest, localTag: String, localContact: NameAddress, state: State) throws(SIPParseError) {
        let from = try request.from()
        guard let remoteTag = from.tag else { throw SIPParseError("From header without tag") }
        guard let contact = try request.contacts().first else { throw SIPParseError("missing Contact header") }
        var local = try request.to()
        local.tag = nil
        var remote = from
        remote.tag = nil
        id = DialogID(callID: request.callID ?? "", localTag: localTag, remoteTag: remoteTag)
        self.state = state
        localSequence = UInt32.random(in: 1...(1 << 20))
        remoteSequence = try request.cseq().number
        localAddress = local
        remoteAddress = remote
        remoteTarget = contact.uri
        self.localContact = localContact
        routeSet = try request.addresses("record-route")
    }

    /// Creates the UAC side of a dialog from our request and a 1xx-with-tag or 2xx response
    /// (RFC 3261 §12.1.2).
    /// - Parameters:
    ///   - request: our INVITE.
    ///   - response: the response that creates the dialog.
    ///   - localContact: our Contact.
    /// - Throws: ``SIPParseError`` when a needed header is malformed or missing.
    public init(uac request: SIPRequest, response: SIPResponse, localContact: NameAddress) throws(SIPParseError) {
        var local = try request.from()
        guard let localTag = local.tag else { throw SIPParseError("From header without tag") }
        var remote = try response.to()
        guard let remoteTag = remote.tag else { throw SIPParseError("To header without tag") }
        local.tag = nil
        remote.tag = nil
        id = DialogID(callID: request.callID ?? "", localTag: localTag, remoteTag: remoteTag)
        state = response.statusCode < 200 ? .early : .confirmed
        localSequence = try request.cseq().number
        remoteSequence = nil
        localAddress = local
        remoteAddress = remote
        remoteTarget = try response.contacts().first?.uri ?? request.uri
        self.localContact = localContact
        routeSet = try response.addresses("record-route").reversed()
    }

    /// Builds a request within the dialog (RFC 3261 §12.2.1.1): Request-URI and Route from the
    /// remote target and route set (loose or strict routing), tags, Call-ID, the next CSeq.
    /// - Parameter method: the method (for ACK use ``makeACK(for:)``).
    /// - Returns: the request, without Via (the endpoint adds it).
    public mutating func makeRequest(_ method: SIPMethod) -> SIPRequest {
        localSequence += 1
        return makeRequest(method, sequence: localSequence)
    }

    /// Builds the ACK for a 2xx to the INVITE with this CSeq number (RFC 3261 §13.2.2.4).
    /// - Parameter sequence: the INVITE's CSeq number.
    /// - Returns: the ACK, without Via.
    public func makeACK(for sequence: UInt32) -> SIPRequest {
        makeRequest(.ack, sequence: sequence)
    }

    private func makeRequest(_ method: SIPMethod, sequence: UInt32) -> SIPRequest {
        var headers = SIPHeaders()
        var uri = remoteTarget
        var routes = routeSet
        if let first = routeSet.first, first.uri.parameter("lr") == nil {
            // Strict routing (RFC 3261 §12.2.1.1): the first route becomes the Request-URI.
            uri = first.uri
            uri.headers = []
            routes = Array(routeSet.dropFirst()) + [NameAddress(uri: remoteTarget)]
        }
        headers.add("Max-Forwards", "70")
        for route in routes { headers.add("Route", route.description) }
        var from = localAddress
        from.tag = id.localTag
        var to = remoteAddress
        to.tag = id.remoteTag
        headers.add("From", from.description)
        headers.add("To", to.description)
        headers.add("Call-ID", id.callID)
        headers.add("CSeq", "\(sequence) \(method.rawValue)")
        if method == .invite || method == .update || method == .refer || method == .subscribe || method == .notify {
            headers.add("Contact", localContact.description)
        }
        return SIPRequest(method: method, uri: uri, headers: headers)
    }

    /// What a request from the peer means for the dialog (RFC 3261 §12.2.2).
    public enum RemoteRequestCheck: Sendable, Hashable {
        /// In order: process it.
        case accepted
        /// CSeq lower than the last one: answer 500 (RFC 3261 §12.2.2).
        case outOfOrder
    }

    /// Checks and records a request from the peer: CSeq order, and for target-refresh requests
    /// (re-INVITE, UPDATE) a new remote target from Contact.
    /// - Parameter request: the request.
    /// - Returns: whether to process it.
    public mutating func receive(_ request: SIPRequest) -> RemoteRequestCheck {
        guard let cseq = try? request.cseq() else { return .outOfOrder }
        if request.method != .ack && request.method != .cancel {
            if let last = remoteSequence, cseq.number <= last {
                return .outOfOrder
            }
            remoteSequence = cseq.number
        }
        if request.method == .invite || request.method == .update,
           let contact = (try? request.contacts())?.first {
            remoteTarget = contact.uri
        }
        return .accepted
    }

    /// Records a 2xx to our target-refresh request: a new remote target from its Contact.
    /// - Parameter response: the response.
    public mutating func receiveTargetRefresh(_ response: SIPResponse) {
        if let contact = (try? response.contacts())?.first { remoteTarget = contact.uri }
        if response.statusCode >= 200 { state = .confirmed }
    }
}
