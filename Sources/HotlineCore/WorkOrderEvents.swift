public import Foundation

/// A work order was opened.
public struct WorkOrderCreated: DomainEvent {
    /// `"workorder.created"`.
    public static let eventType = "workorder.created"
    /// The order's identifier.
    public var workOrderID: String
    /// The number told to the caller.
    public var number: String
    /// Its kind.
    public var kind: WorkOrder.Kind
    /// Its priority.
    public var priority: WorkOrder.Priority
    /// How it arrived.
    public var channel: WorkOrder.Channel
    /// Who opened it.
    public var createdBy: String
    /// When it is due.
    public var dueAt: Date?

    /// Creates the event.
    ///
    /// - Parameter order: The order just opened.
    public init(order: WorkOrder) {
        workOrderID = order.id
        number = order.number
        kind = order.kind
        priority = order.priority
        channel = order.channel
        createdBy = order.createdBy
        dueAt = order.dueAt
    }
}

/// A work order moved from one status to another (or was reassigned).
public struct WorkOrderTransitioned: DomainEvent, Hashable {
    /// `"workorder.transitioned"`.
    public static let eventType = "workorder.transitioned"
    /// The order's identifier.
    public var workOrderID: String
    /// What was done.
    public var transition: WorkOrderTransition
    /// The status before.
    public var from: WorkOrder.Status
    /// The status after.
    public var to: WorkOrder.Status
    /// Who did it (``User/id``).
    public var by: String
    /// Why, or what was answered (required for every transition).
    public var comment: String
    /// The new assignee, for ``WorkOrderTransition/assign``.
    public var assignee: WorkOrder.Assignee?
    /// When it happened.
    public var at: Date
    /// The new due date when the transition set one (reopen).
    public var dueAt: Date?

    /// Creates the event.
    ///
    /// - Parameters:
    ///   - workOrderID: The order.
    ///   - transition: What was done.
    ///   - from: Status before.
    ///   - to: Status after.
    ///   - by: Who.
    ///   - comment: Why.
    ///   - assignee: New assignee, if any.
    ///   - at: When.
    ///   - dueAt: New due date, if any.
    public init(workOrderID: String, transition: WorkOrderTransition, from: WorkOrder.Status, to: WorkOrder.Status,
                by: String, comment: String, assignee: WorkOrder.Assignee? = nil, at: Date, dueAt: Date? = nil) {
        self.workOrderID = workOrderID
        self.transition = transition
        self.from = from
        self.to = to
        self.by = by
        self.comment = comment
        self.assignee = assignee
        self.at = at
        self.dueAt = dueAt
    }
}

/// A work order was urged (催办): by a person, or by the SLA monitor as a reminder or escalation.
public struct WorkOrderUrged: DomainEvent {
    /// `"workorder.urged"`.
    public static let eventType = "workorder.urged"
    /// Why the order was urged.
    public enum Reason: String, Sendable, Hashable, Codable {
        /// A person urged it.
        case manual
        /// The due date is near (reminder before the deadline).
        case dueSoon
        /// The due date has passed (escalation).
        case overdue
    }

    /// The order's identifier.
    public var workOrderID: String
    /// Why.
    public var reason: Reason
    /// The escalation level reached (1: the assignee, 2: the supervisors, 3: the director); 0 for reminders.
    public var level: Int
    /// Who urged (`"system"` for the SLA monitor).
    public var by: String
    /// The message sent with it.
    public var comment: String
    /// The due date at the time.
    public var dueAt: Date?
    /// Working time past the due date, in seconds (0 before it).
    public var overdueWorkingSeconds: Int64
    /// The assignee being urged.
    public var assignee: WorkOrder.Assignee?
    /// When.
    public var at: Date

    /// Creates the event.
    ///
    /// - Parameters:
    ///   - workOrderID: The order.
    ///   - reason: Why.
    ///   - level: Escalation level.
    ///   - by: Who.
    ///   - comment: Message.
    ///   - dueAt: Due date.
    ///   - overdueWorkingSeconds: Working seconds past due.
    ///   - assignee: Who is urged.
    ///   - at: When.
    public init(workOrderID: String, reason: Reason, level: Int, by: String, comment: String, dueAt: Date?,
                overdueWorkingSeconds: Int64, assignee: WorkOrder.Assignee?, at: Date) {
        self.workOrderID = workOrderID
        self.reason = reason
        self.level = level
        self.by = by
        self.comment = comment
        self.dueAt = dueAt
        self.overdueWorkingSeconds = overdueWorkingSeconds
        self.assignee = assignee
        self.at = at
    }
}

/// Field staff reported a step of a visit (dispatched, departed, on site, result reported, returned).
public struct FieldDispatchRecorded: DomainEvent {
    /// `"workorder.dispatch.recorded"`.
    public static let eventType = "workorder.dispatch.recorded"
    /// The order's identifier.
    public var workOrderID: String
    /// Which visit (0-based index into ``WorkOrder/dispatches``).
    public var dispatchIndex: Int
    /// The step.
    public var step: FieldDispatch.Step

    /// Creates the event.
    ///
    /// - Parameters:
    ///   - workOrderID: The order.
    ///   - dispatchIndex: Which visit.
    ///   - step: The step recorded.
    public init(workOrderID: String, dispatchIndex: Int, step: FieldDispatch.Step) {
        self.workOrderID = workOrderID
        self.dispatchIndex = dispatchIndex
        self.step = step
    }
}

/// Any of the work-order events, as the state machine returns them.
public enum WorkOrderEvent: Sendable, Equatable {
    /// Opened.
    case created(WorkOrderCreated)
    /// Moved.
    case transitioned(WorkOrderTransitioned)
    /// Urged.
    case urged(WorkOrderUrged)
    /// Field visit step.
    case fieldDispatch(FieldDispatchRecorded)

    /// The order the event is about.
    public var workOrderID: String {
        switch self {
        case .created(let event): event.workOrderID
        case .transitioned(let event): event.workOrderID
        case .urged(let event): event.workOrderID
        case .fieldDispatch(let event): event.workOrderID
        }
    }

    /// The event wrapped for the event log, with subject `workorder:<id>`.
    ///
    /// - Parameter occurredAt: When it happened.
    /// - Returns: The recorded event (sequence 0 until stored).
    /// - Throws: `EncodingError` if the payload cannot be encoded.
    public func recorded(at occurredAt: Date) throws -> RecordedEvent {
        let subject = "workorder:\(workOrderID)"
        switch self {
        case .created(let event): return try RecordedEvent(event, occurredAt: occurredAt, subject: subject)
        case .transitioned(let event): return try RecordedEvent(event, occurredAt: occurredAt, subject: subject)
        case .urged(let event): return try RecordedEvent(event, occurredAt: occurredAt, subject: subject)
        case .fieldDispatch(let event): return try RecordedEvent(event, occurredAt: occurredAt, subject: subject)
        }
    }
}
