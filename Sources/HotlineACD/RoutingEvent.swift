public import HotlineCore
public import Foundation

/// Every routing fact the ACD reports, for the event log (see ``HotlineCore/DomainEvent``).
public enum RoutingEvent: Sendable, Hashable {
    /// An agent's state changed.
    case agentStateChanged(AgentStateChanged)
    /// A caller joined a queue.
    case callQueued(CallQueued)
    /// A call was offered to (rung at) an agent.
    case callOffered(CallOffered)
    /// An offer was not answered (declined, timed out, or withdrawn).
    case offerUnanswered(OfferUnanswered)
    /// A caller and an agent were connected.
    case callAnswered(CallAnswered)
    /// A connected call ended.
    case callCompleted(CallCompleted)
    /// A waiting caller hung up.
    case callAbandoned(CallAbandoned)
    /// A caller left the queue by a limit.
    case callOverflowed(CallOverflowed)
}

/// An agent's state changed, with the reason.
public struct AgentStateChanged: DomainEvent, Hashable {
    public static let eventType = "acd.agent.stateChanged"
    /// The agent.
    public var agent: AgentID
    /// The state before.
    public var from: AgentState
    /// The state after.
    public var to: AgentState
    /// Why, e.g. `"login"`, `"call offered"`, `"wrap-up finished"`, `"3 unanswered offers"`.
    public var reason: String
    /// When.
    public var at: Timestamp
}

/// A caller joined a queue.
public struct CallQueued: DomainEvent, Hashable {
    public static let eventType = "acd.call.queued"
    /// The call.
    public var call: CallID
    /// The queue.
    public var queue: QueueID
    /// The caller's priority.
    public var priority: Int
    /// When.
    public var at: Timestamp
}

/// A call was offered to an agent.
public struct CallOffered: DomainEvent, Hashable {
    public static let eventType = "acd.call.offered"
    /// The call.
    public var call: CallID
    /// The agent.
    public var agent: AgentID
    /// The queue the call waited in.
    public var queue: QueueID
    /// Why this agent: the strategy, `"sticky"`, or `"picked"`.
    public var reason: String
    /// When.
    public var at: Timestamp
}

/// An offer was not answered.
public struct OfferUnanswered: DomainEvent, Hashable {
    public static let eventType = "acd.call.offerUnanswered"
    /// The call.
    public var call: CallID
    /// The agent.
    public var agent: AgentID
    /// `"declined"`, `"ring timeout"`, `"answered elsewhere"`, `"caller hung up"`, `"agent logged out"`.
    public var reason: String
    /// When.
    public var at: Timestamp
}

/// A caller and an agent were connected.
public struct CallAnswered: DomainEvent, Hashable {
    public static let eventType = "acd.call.answered"
    /// The call.
    public var call: CallID
    /// The agent.
    public var agent: AgentID
    /// The queue.
    public var queue: QueueID
    /// How long the caller waited, in microseconds (from first joining any queue).
    public var waitedMicroseconds: Int64
    /// When.
    public var at: Timestamp
}

/// A connected call ended.
public struct CallCompleted: DomainEvent, Hashable {
    public static let eventType = "acd.call.completed"
    /// The call.
    public var call: CallID
    /// The agent.
    public var agent: AgentID
    /// The queue.
    public var queue: QueueID
    /// Talk time in microseconds.
    public var talkMicroseconds: Int64
    /// When.
    public var at: Timestamp
}

/// A waiting caller hung up.
public struct CallAbandoned: DomainEvent, Hashable {
    public static let eventType = "acd.call.abandoned"
    /// The call.
    public var call: CallID
    /// The queue.
    public var queue: QueueID
    /// How long the caller waited, in microseconds.
    public var waitedMicroseconds: Int64
    /// When.
    public var at: Timestamp
}

/// A caller left the queue by a limit.
public struct CallOverflowed: DomainEvent, Hashable {
    public static let eventType = "acd.call.overflowed"
    /// The call.
    public var call: CallID
    /// The queue it left.
    public var queue: QueueID
    /// Which limit.
    public var reason: OverflowReason
    /// Where it went.
    public var action: OverflowAction
    /// When.
    public var at: Timestamp
}

extension RoutingEvent {
    /// What the event is about, for ``HotlineCore/RecordedEvent/subject``: `"agent:ID"` or `"call:ID"`.
    public var subject: String {
        switch self {
        case .agentStateChanged(let e): "agent:\(e.agent.rawValue)"
        case .callQueued(let e): "call:\(e.call.rawValue)"
        case .callOffered(let e): "call:\(e.call.rawValue)"
        case .offerUnanswered(let e): "call:\(e.call.rawValue)"
        case .callAnswered(let e): "call:\(e.call.rawValue)"
        case .callCompleted(let e): "call:\(e.call.rawValue)"
        case .callAbandoned(let e): "call:\(e.call.rawValue)"
        case .callOverflowed(let e): "call:\(e.call.rawValue)"
        }
    }

    /// Wraps the event for the event log.
    /// - Parameter occurredAt: The wall-clock time of the event (the driver maps ``Timestamp`` to `Date`).
    /// - Returns: The recorded event.
    /// - Throws: `EncodingError` if the payload cannot be encoded.
    public func recorded(occurredAt: Date) throws -> RecordedEvent {
        switch self {
        case .agentStateChanged(let e): try RecordedEvent(e, occurredAt: occurredAt, subject: subject)
        case .callQueued(let e): try RecordedEvent(e, occurredAt: occurredAt, subject: subject)
        case .callOffered(let e): try RecordedEvent(e, occurredAt: occurredAt, subject: subject)
        case .offerUnanswered(let e): try RecordedEvent(e, occurredAt: occurredAt, subject: subject)
        case .callAnswered(let e): try RecordedEvent(e, occurredAt: occurredAt, subject: subject)
        case .callCompleted(let e): try RecordedEvent(e, occurredAt: occurredAt, subject: subject)
        case .callAbandoned(let e): try RecordedEvent(e, occurredAt: occurredAt, subject: subject)
        case .callOverflowed(let e): try RecordedEvent(e, occurredAt: occurredAt, subject: subject)
        }
    }
}
