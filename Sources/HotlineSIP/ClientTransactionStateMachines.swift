/// The INVITE client transaction of RFC 3261 §17.1.1 with the Accepted state of RFC 6026 §8.4.
///
/// A pure state machine: feed ``TransactionEvent``s, perform the returned actions. It sends the
/// ACK for non-2xx final responses itself (§17.1.1.3); the ACK for 2xx belongs to the dialog.
public struct ClientInviteTransactionStateMachine: Sendable {
    /// The states of Figure 5 plus Accepted.
    public enum State: Sendable, Hashable { case idle, calling, proceeding, accepted, completed, terminated }

    /// The current state.
    public private(set) var state: State = .idle
    /// The INVITE this transaction sends.
    public let request: SIPRequest
    private let reliable: Bool
    private let timers: TransactionTimerValues
    private var timerAInterval: Duration
    private var ack: SIPRequest?

    /// Creates the transaction.
    /// - Parameters:
    ///   - request: the INVITE (with its top Via and branch already set).
    ///   - reliable: whether the transport is reliable (TCP): no retransmissions then.
    ///   - timers: T1, T2, T4.
    public init(request: SIPRequest, reliable: Bool, timers: TransactionTimerValues = .standard) {
        self.request = request
        self.reliable = reliable
        self.timers = timers
        self.timerAInterval = timers.t1
    }

    /// Handles an event.
    /// - Parameter event: what happened.
    /// - Returns: what to do, in order.
    public mutating func handle(_ event: TransactionEvent) -> [TransactionAction] {
        switch (state, event) {
        case (.idle, .start):
            state = .calling
            var actions: [TransactionAction] = [.send(.request(request))]
            if !reliable { actions.append(.startTimer(.A, timerAInterval)) }
            actions.append(.startTimer(.B, timers.t1 * 64))
            return actions
        case (.calling, .timerFired(.A)):
            timerAInterval = timerAInterval * 2
            return [.send(.request(request)), .startTimer(.A, timerAInterval)]
        case (.calling, .timerFired(.B)):
            state = .terminated
            return [.timedOut, .terminated]
        case (.calling, .transportError), (.proceeding, .transportError):
            state = .terminated
            return [.cancelTimer(.A), .cancelTimer(.B), .transportFailed, .terminated]
        case (.calling, .receivedResponse(let response)), (.proceeding, .receivedResponse(let response)):
            let wasCalling = state == .calling
            var actions: [TransactionAction] = wasCalling && !reliable ? [.cancelTimer(.A)] : []
            switch response.statusCode {
            case 100..<200:
                state = .proceeding
                actions.append(.passResponse(response))
            case 200..<300:
                state = .accepted
                actions += [.cancelTimer(.B), .passResponse(response), .startTimer(.M, timers.t1 * 64)]
            default:
                let ack = Self.ack(for: request, response: response)
                self.ack = ack
                actions += [.cancelTimer(.B), .send(.request(ack)), .passResponse(response)]
                if reliable {
                    state = .terminated
                    actions.append(.terminated)
                } else {
                    state = .completed
                    actions.append(.startTimer(.D, .seconds(32)))
                }
            }
            return actions
        case (.accepted, .receivedResponse(let response)) where (200..<300).contains(response.statusCode):
            return [.passResponse(response)]
        case (.accepted, .timerFired(.M)), (.completed, .timerFired(.D)):
            state = .terminated
            return [.terminated]
        case (.completed, .receivedResponse(let response)) where response.statusCode >= 300:
            return ack.map { [.send(.request($0))] } ?? []
        default:
            return []
        }
    }

    /// Builds the ACK for a non-2xx final response (RFC 3261 §17.1.1.3).
    /// - Parameters:
    ///   - invite: the INVITE.
    ///   - response: the final response.
    /// - Returns: the ACK.
    public static func ack(for invite: SIPRequest, response: SIPResponse) -> SIPRequest {
        var headers = SIPHeaders()
        if let via = try? invite.topVia() { headers.add("Via", via.description) }
        headers.add("Max-Forwards", "70")
        for field in invite.headers where field.key == "route" { headers.fields.append(field) }
        if let from = invite.headers["from"] { headers.add("From", from) }
        if let to = response.headers["to"] { headers.add("To", to) }
        if let callID = invite.callID { headers.add("Call-ID", callID) }
        let number = (try? invite.cseq().number) ?? 1
        headers.add("CSeq", "\(number) ACK")
        headers.add("Content-Length", "0")
        return SIPRequest(method: .ack, uri: invite.uri, headers: headers)
    }
}

/// The non-INVITE client transaction of RFC 3261 §17.1.2 (Figure 6).
public struct ClientNonInviteTransactionStateMachine: Sendable {
    /// The states of Figure 6.
    public enum State: Sendable, Hashable { case idle, trying, proceeding, completed, terminated }

    /// The current state.
    public private(set) var state: State = .idle
    /// The request this transaction sends.
    public let request: SIPRequest
    private let reliable: Bool
    private let timers: TransactionTimerValues
    private var timerEInterval: Duration

    /// Creates the transaction.
    /// - Parameters:
    ///   - request: the request (not INVITE or ACK).
    ///   - reliable: whether the transport is reliable.
    ///   - timers: T1, T2, T4.
    public init(request: SIPRequest, reliable: Bool, timers: TransactionTimerValues = .standard) {
        self.request = request
        self.reliable = reliable
        self.timers = timers
        self.timerEInterval = timers.t1
    }

    /// Handles an event.
    /// - Parameter event: what happened.
    /// - Returns: what to do, in order.
    public mutating func handle(_ event: TransactionEvent) -> [TransactionAction] {
        switch (state, event) {
        case (.idle, .start):
            state = .trying
            var actions: [TransactionAction] = [.send(.request(request))]
            if !reliable { actions.append(.startTimer(.E, timerEInterval)) }
            actions.append(.startTimer(.F, timers.t1 * 64))
            return actions
        case (.trying, .timerFired(.E)):
            timerEInterval = min(timerEInterval * 2, timers.t2)
            return [.send(.request(request)), .startTimer(.E, timerEInterval)]
        case (.proceeding, .timerFired(.E)):
            return [.send(.request(request)), .startTimer(.E, timers.t2)]
        case (.trying, .timerFired(.F)), (.proceeding, .timerFired(.F)):
            state = .terminated
            return [.cancelTimer(.E), .timedOut, .terminated]
        case (.trying, .transportError), (.proceeding, .transportError):
            state = .terminated
            return [.cancelTimer(.E), .cancelTimer(.F), .transportFailed, .terminated]
        case (.trying, .receivedResponse(let response)), (.proceeding, .receivedResponse(let response)):
            if response.statusCode < 200 {
                state = .proceeding
                return [.passResponse(response)]
            }
            var actions: [TransactionAction] = [.cancelTimer(.E), .cancelTimer(.F), .passResponse(response)]
            if reliable {
                state = .terminated
                actions.append(.terminated)
            } else {
                state = .completed
                actions.append(.startTimer(.K, timers.t4))
            }
            return actions
        case (.completed, .timerFired(.K)):
            state = .terminated
            return [.terminated]
        default:
            return []
        }
    }
}
