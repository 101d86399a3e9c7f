/// The INVITE server transaction of RFC 3261 §17.2.1 with the Accepted state of RFC 6026 §8.5.
///
/// Created when an INVITE arrives (state `proceeding`); the transaction user answers with
/// ``TransactionEvent/respond(_:)``. Retransmitted INVITEs are absorbed and answered with the last
/// response; the ACK to a non-2xx response ends it.
public struct ServerInviteTransactionStateMachine: Sendable {
    /// The states of Figure 7 plus Accepted.
    public enum State: Sendable, Hashable { case proceeding, completed, confirmed, accepted, terminated }

    /// The current state.
    public private(set) var state: State = .proceeding
    /// The INVITE received.
    public let request: SIPRequest
    /// The last response sent, if any.
    public private(set) var lastResponse: SIPResponse?
    private let reliable: Bool
    private let timers: TransactionTimerValues
    private var timerGInterval: Duration

    /// Creates the transaction for a newly received INVITE.
    /// - Parameters:
    ///   - request: the INVITE.
    ///   - reliable: whether the transport is reliable.
    ///   - timers: T1, T2, T4.
    public init(request: SIPRequest, reliable: Bool, timers: TransactionTimerValues = .standard) {
        self.request = request
        self.reliable = reliable
        self.timers = timers
        self.timerGInterval = timers.t1
    }

    /// Handles an event.
    /// - Parameter event: what happened.
    /// - Returns: what to do, in order.
    public mutating func handle(_ event: TransactionEvent) -> [TransactionAction] {
        switch (state, event) {
        case (.proceeding, .respond(let response)):
            lastResponse = response
            switch response.statusCode {
            case 100..<200:
                return [.send(.response(response))]
            case 200..<300:
                state = .accepted
                return [.send(.response(response)), .startTimer(.L, timers.t1 * 64)]
            default:
                state = .completed
                var actions: [TransactionAction] = [.send(.response(response))]
                if !reliable { actions.append(.startTimer(.G, timerGInterval)) }
                actions.append(.startTimer(.H, timers.t1 * 64))
                return actions
            }
        case (.accepted, .respond(let response)) where (200..<300).contains(response.statusCode):
            // The UAS core retransmits its 2xx until the ACK arrives (RFC 6026 §8.5).
            lastResponse = response
            return [.send(.response(response))]
        case (.proceeding, .receivedRequest(let request)) where request.method == .invite:
            return lastResponse.map { [.send(.response($0))] } ?? []
        case (.completed, .receivedRequest(let request)):
            if request.method == .ack {
                if reliable {
                    state = .terminated
                    return [.cancelTimer(.G), .cancelTimer(.H), .terminated]
                }
                state = .confirmed
                return [.cancelTimer(.G), .cancelTimer(.H), .startTimer(.I, timers.t4)]
            }
            return lastResponse.map { [.send(.response($0))] } ?? []
        case (.completed, .timerFired(.G)):
            timerGInterval = min(timerGInterval * 2, timers.t2)
            return (lastResponse.map { [TransactionAction.send(.response($0))] } ?? []) + [.startTimer(.G, timerGInterval)]
        case (.completed, .timerFired(.H)):
            state = .terminated
            return [.cancelTimer(.G), .timedOut, .terminated]
        case (.confirmed, .timerFired(.I)), (.accepted, .timerFired(.L)):
            state = .terminated
            return [.terminated]
        case (.proceeding, .transportError), (.completed, .transportError), (.accepted, .transportError):
            state = .terminated
            return [.cancelTimer(.G), .cancelTimer(.H), .cancelTimer(.L), .transportFailed, .terminated]
        default:
            return []
        }
    }
}

/// The non-INVITE server transaction of RFC 3261 §17.2.2 (Figure 8).
public struct ServerNonInviteTransactionStateMachine: Sendable {
    /// The states of Figure 8.
    public enum State: Sendable, Hashable { case trying, proceeding, completed, terminated }

    /// The current state.
    public private(set) var state: State = .trying
    /// The request received.
    public let request: SIPRequest
    /// The last response sent.
    public private(set) var lastResponse: SIPResponse?
    private let reliable: Bool
    private let timers: TransactionTimerValues

    /// Creates the transaction for a newly received request.
    /// - Parameters:
    ///   - request: the request.
    ///   - reliable: whether the transport is reliable.
    ///   - timers: T1, T2, T4.
    public init(request: SIPRequest, reliable: Bool, timers: TransactionTimerValues = .standard) {
        self.request = request
        self.reliable = reliable
        self.timers = timers
    }

    /// Handles an event.
    /// - Parameter event: what happened.
    /// - Returns: what to do, in order.
    public mutating func handle(_ event: TransactionEvent) -> [TransactionAction] {
        switch (state, event) {
        case (.trying, .respond(let response)), (.proceeding, .respond(let response)):
            lastResponse = response
            if response.statusCode < 200 {
                state = .proceeding
                return [.send(.response(response))]
            }
            if reliable {
                state = .terminated
                return [.send(.response(response)), .terminated]
            }
            state = .completed
            return [.send(.response(response)), .startTimer(.J, timers.t1 * 64)]
        case (.proceeding, .receivedRequest), (.completed, .receivedRequest):
            return lastResponse.map { [.send(.response($0))] } ?? []
        case (.completed, .timerFired(.J)):
            state = .terminated
            return [.terminated]
        case (.trying, .transportError), (.proceeding, .transportError), (.completed, .transportError):
            state = .terminated
            return [.cancelTimer(.J), .transportFailed, .terminated]
        default:
            return []
        }
    }
}
