/// An agent's state, as the ACD tracks it.
public enum AgentState: Sendable, Hashable, Codable {
    /// Not working.
    case loggedOut
    /// Waiting for a call.
    case ready
    /// Logged in but not taking calls, with a reason code (e.g. `"lunch"`, `"training"`, `"no-answer"`).
    case notReady(reason: String)
    /// A call is ringing on the agent's phone (the agent is reserved for it).
    case ringing(CallID)
    /// Talking to a caller.
    case onCall(CallID)
    /// After-call work; the agent becomes ready (or what was asked for) when it ends.
    case wrapUp(until: Timestamp)
}

/// Something that happened, fed into ``RoutingStateMachine/handle(_:at:into:)``.
public enum RoutingInput: Sendable, Hashable {
    /// A caller joins a queue (from the IVR).
    case callArrived(CallID, queue: QueueID, caller: Caller)
    /// The caller hung up (while waiting, ringing, or connected).
    case callerHungUp(CallID)
    /// The caller asked for a callback (e.g. pressed 1): the line ends, the place in the queue stays.
    case callbackRequested(CallID)
    /// The agent answered an offered call.
    case agentAnswered(AgentID, CallID)
    /// The agent rejected an offered call (or the phone reported busy / no answer).
    case agentDeclined(AgentID, CallID)
    /// A connected call ended (either side hung up).
    case callEnded(CallID)
    /// The agent logs in (and becomes ready).
    case logIn(AgentID)
    /// The agent logs out (after the current call if on one).
    case logOut(AgentID)
    /// A supervisor logs the agent out (after the current call if on one).
    case forceLogOut(AgentID, supervisor: String)
    /// The agent becomes ready (also ends wrap-up early).
    case ready(AgentID)
    /// The agent becomes not ready with a reason code (after the current call if on one).
    case notReady(AgentID, reason: String)
    /// The agent asks to be set not ready once the current call (and its wrap-up) is over.
    case notReadyAfterCall(AgentID, reason: String)
    /// The agent picks a particular waiting caller from the queue view, or picks up a call ringing at
    /// other agents (抢接: it stops ringing there without counting as unanswered).
    case pick(AgentID, CallID)
}

/// What the driver must do; returned by ``RoutingStateMachine/handle(_:at:into:)``.
public enum RoutingAction: Sendable, Hashable {
    /// Ring the agent with the call (for a callback: reserve the agent, then dial the caller's number).
    case offer(CallID, agent: AgentID, isCallback: Bool)
    /// Stop ringing the agent (another agent answered, the caller left, or the offer timed out).
    case stopRinging(CallID, agent: AgentID)
    /// Bridge the caller and the agent (the agent answered).
    case connect(CallID, agent: AgentID)
    /// Tell the waiting caller their position (1 is next) and estimated wait (a hint for the IVR).
    case announce(CallID, position: Int, estimatedWait: Duration)
    /// The call leaves by a limit: play voicemail, transfer, or confirm the callback and hang up.
    /// (`.queue` overflow is done inside the ACD and only recorded.)
    case overflow(CallID, reason: OverflowReason, action: OverflowAction)
    /// A domain event to append to the log.
    case record(RoutingEvent)
}

/// Input the ACD cannot accept in its current state; nothing was changed.
public struct RoutingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong, naming the agent, call or queue.
    public var message: String
    /// Creates an error.
    /// - Parameter message: What was wrong.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
