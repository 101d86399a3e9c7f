/// The timers of RFC 3261 §17 (Table 4) and RFC 6026 (L, M).
public enum TransactionTimer: String, Sendable, Hashable, CaseIterable {
    /// INVITE request retransmission (client, unreliable transport).
    case A
    /// INVITE transaction timeout (client).
    case B
    /// Wait time for response retransmissions (client INVITE, completed).
    case D
    /// Non-INVITE request retransmission (client, unreliable transport).
    case E
    /// Non-INVITE transaction timeout (client).
    case F
    /// INVITE final response retransmission (server, unreliable transport).
    case G
    /// Wait time for ACK receipt (server INVITE).
    case H
    /// Wait time for ACK retransmissions (server INVITE, confirmed).
    case I
    /// Wait time for non-INVITE request retransmissions (server).
    case J
    /// Wait time for response retransmissions (client non-INVITE).
    case K
    /// Wait time for accepted INVITE request retransmissions (server, RFC 6026).
    case L
    /// Wait time for retransmission of 2xx to INVITE (client, RFC 6026).
    case M
}

/// The base intervals T1, T2, T4 of RFC 3261 §17.1.1.1 (defaults 500 ms, 4 s, 5 s).
public struct TransactionTimerValues: Sendable, Hashable {
    /// RTT estimate.
    public var t1: Duration
    /// Maximum retransmission interval for non-INVITE requests and INVITE responses.
    public var t2: Duration
    /// Maximum time a message stays in the network.
    public var t4: Duration

    /// Creates timer values.
    /// - Parameters:
    ///   - t1: RTT estimate.
    ///   - t2: retransmission cap.
    ///   - t4: network lifetime.
    public init(t1: Duration = .milliseconds(500), t2: Duration = .seconds(4), t4: Duration = .seconds(5)) {
        self.t1 = t1
        self.t2 = t2
        self.t4 = t4
    }

    /// RFC 3261's recommended values.
    public static let standard = TransactionTimerValues()
}

/// What a transaction state machine asks its driver to do.
public enum TransactionAction: Sendable, Hashable {
    /// Send (or re-send) a message on the transaction's transport and destination.
    case send(SIPMessage)
    /// Start (or restart) a timer; fire ``TransactionEvent/timerFired(_:)`` when it expires.
    case startTimer(TransactionTimer, Duration)
    /// Cancel a timer.
    case cancelTimer(TransactionTimer)
    /// Pass a response up to the transaction user (client transactions).
    case passResponse(SIPResponse)
    /// Tell the transaction user that the transaction timed out (Timer B, F or H).
    case timedOut
    /// Tell the transaction user that the transport failed.
    case transportFailed
    /// The transaction is over: remove it from the transaction table.
    case terminated
}

/// What can happen to a transaction.
public enum TransactionEvent: Sendable, Hashable {
    /// Client transactions: send the request for the first time.
    case start
    /// A response arrived that matched this (client) transaction.
    case receivedResponse(SIPResponse)
    /// A request arrived that matched this (server) transaction: a retransmission, or the ACK.
    case receivedRequest(SIPRequest)
    /// The transaction user answers (server transactions).
    case respond(SIPResponse)
    /// A timer started by this transaction fired.
    case timerFired(TransactionTimer)
    /// The transport reported a failure while sending.
    case transportError
}

/// The key under which a transaction is found (RFC 3261 §17.1.3, §17.2.3).
public struct TransactionKey: Sendable, Hashable, CustomStringConvertible {
    /// The matching text: branch, sent-by and method; or the RFC 2543 fields.
    public let value: String

    public var description: String { value }

    /// The key of a client transaction: top Via branch and CSeq method (§17.1.3).
    /// - Parameters:
    ///   - branch: the branch of the top Via.
    ///   - method: the CSeq method (`ACK`/`CANCEL` keep their own).
    public static func client(branch: String, method: SIPMethod) -> TransactionKey {
        TransactionKey(value: "c|\(branch)|\(method.rawValue)")
    }

    /// The key of the client transaction a response belongs to.
    /// - Parameter response: the response.
    /// - Throws: ``SIPParseError`` when Via or CSeq is missing or malformed.
    public static func client(for response: SIPResponse) throws(SIPParseError) -> TransactionKey {
        let via = try response.topVia()
        return client(branch: via.branch ?? "", method: try response.cseq().method)
    }

    /// The key of the server transaction a request belongs to (§17.2.3): branch, sent-by and
    /// method (an ACK matches its INVITE), or for RFC 2543 peers (no magic cookie) the
    /// Request-URI, From tag, Call-ID, CSeq number, top Via and To tag (ignored for ACK).
    /// - Parameter request: the request.
    /// - Throws: ``SIPParseError`` when a header needed for matching is malformed.
    public static func server(for request: SIPRequest) throws(SIPParseError) -> TransactionKey {
        let via = try request.topVia()
        let method = request.method == .ack ? SIPMethod.invite : request.method
        if let branch = via.branch, branch.hasPrefix(Via.magicCookie) {
            return TransactionKey(value: "s|\(branch)|\(via.sentBy.lowercased())|\(method.rawValue)")
        }
        let cseq = try request.cseq()
        let fromTag = try request.from().tag ?? ""
        let toTag = request.method == .ack ? "" : (try request.to().tag ?? "")
        return TransactionKey(value: "s2543|\(request.uri)|\(fromTag)|\(toTag)|\(request.callID ?? "")|\(cseq.number)|\(method.rawValue)|\(via.sentBy.lowercased())")
    }
}
