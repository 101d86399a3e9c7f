public import Foundation

/// A move in a work order's life; raw values are the API's names for them.
public enum WorkOrderTransition: String, Sendable, Hashable, Codable, CaseIterable {
    /// new/assigned/in progress/returned → assigned: give it to a department or person (派单/改派).
    case assign
    /// assigned/returned → in progress: the handler takes it up.
    case startWork
    /// in progress → awaiting approval: the handling is done and goes to the approver (报批).
    case submitForApproval
    /// awaiting approval → approved (批示同意).
    case approve
    /// awaiting approval → returned: rework needed (退回).
    case returnForRework
    /// approved → replied to caller: the caller has been answered (回复).
    case replyToCaller
    /// replied to caller → closed (办结).
    case close
    /// replied to caller/closed → assigned (or new without assignee): the matter is not settled (重办).
    case reopen

    /// The statuses the transition may start from.
    public var sources: Set<WorkOrder.Status> {
        switch self {
        case .assign: [.new, .assigned, .inProgress, .returned]
        case .startWork: [.assigned, .returned]
        case .submitForApproval: [.inProgress]
        case .approve, .returnForRework: [.awaitingApproval]
        case .replyToCaller: [.approved]
        case .close: [.repliedToCaller]
        case .reopen: [.repliedToCaller, .closed]
        }
    }

    /// The permission needed.
    public var permission: Permission {
        switch self {
        case .assign: .workOrderAssign
        case .startWork: .workOrderStart
        case .submitForApproval: .workOrderSubmit
        case .approve: .workOrderApprove
        case .returnForRework: .workOrderReturn
        case .replyToCaller: .workOrderReply
        case .close: .workOrderClose
        case .reopen: .workOrderReopen
        }
    }

    /// Whether only the order's assignee (person, or member of the department) may make it, unless
    /// the principal holds ``Permission/workOrderHandleAny``.
    public var requiresAssignee: Bool { self == .startWork || self == .submitForApproval }
}

/// A request to move a work order, as the API receives it.
public struct WorkOrderTransitionRequest: Sendable, Hashable, Codable {
    /// The move.
    public var transition: WorkOrderTransition
    /// Why (required, 1–4000 characters); for ``WorkOrderTransition/replyToCaller`` what was answered.
    public var comment: String
    /// The new assignee (required for ``WorkOrderTransition/assign``).
    public var assignee: WorkOrder.Assignee?

    /// Creates a request.
    ///
    /// - Parameters:
    ///   - transition: The move.
    ///   - comment: Why.
    ///   - assignee: New assignee for `assign`.
    public init(_ transition: WorkOrderTransition, comment: String, assignee: WorkOrder.Assignee? = nil) {
        self.transition = transition
        self.comment = comment
        self.assignee = assignee
    }
}

/// The work-order workflow as a pure state machine: every change to a ``WorkOrder`` goes through
/// it, is checked against the status and the acting principal's permissions, and returns the
/// events to record. No I/O and no clock: the time of each change is passed in.
///
/// ```
/// new → assigned → inProgress → awaitingApproval → approved → repliedToCaller → closed
///                      ↑               │ returnForRework          reopen ↓ (from replied/closed)
///                      └── returned ←──┘                            assigned
/// ```
public struct WorkOrderStateMachine: Sendable {
    /// The order in its current state.
    public private(set) var order: WorkOrder
    /// Due dates and escalation rules.
    public let policy: ServiceLevelPolicy
    /// The working-time calendar due dates are counted in.
    public let calendar: any WorkingTimeCalendar

    /// Wraps an existing order.
    ///
    /// - Parameters:
    ///   - order: The order.
    ///   - policy: SLA rules.
    ///   - calendar: Working-time calendar.
    public init(order: WorkOrder, policy: ServiceLevelPolicy = .standard, calendar: any WorkingTimeCalendar) {
        self.order = order
        self.policy = policy
        self.calendar = calendar
    }

    /// Validates a draft and opens a work order from it.
    ///
    /// - Parameters:
    ///   - draft: What the order is about.
    ///   - id: The new order's identifier.
    ///   - number: The number told to the caller (from the store's sequence).
    ///   - principal: Who opens it (needs ``Permission/workOrderCreate``).
    ///   - now: When.
    ///   - policy: SLA rules.
    ///   - calendar: Working-time calendar.
    /// - Returns: The state machine holding the new order, and the creation event.
    /// - Throws: ``WorkOrderError/permissionDenied(_:)`` or the draft's first problem.
    public static func open(_ draft: WorkOrderDraft, id: String = UUID().uuidString.lowercased(), number: String,
                            by principal: Principal, at now: Date, policy: ServiceLevelPolicy = .standard,
                            calendar: any WorkingTimeCalendar) throws(WorkOrderError) -> (WorkOrderStateMachine, WorkOrderEvent) {
        guard principal.can(.workOrderCreate) else { throw .permissionDenied(.workOrderCreate) }
        if let problem = draft.problems.first { throw problem }
        let due = policy.dueDate(for: draft.kind, priority: draft.priority, from: now, calendar: calendar)
        let order = WorkOrder(id: id, number: number, draft: draft, createdBy: principal.userID, createdAt: now, dueAt: due)
        return (WorkOrderStateMachine(order: order, policy: policy, calendar: calendar), .created(WorkOrderCreated(order: order)))
    }

    /// The transitions possible from a status, in workflow order.
    ///
    /// - Parameter status: The status.
    /// - Returns: The transitions whose ``WorkOrderTransition/sources`` include it.
    public static func transitions(from status: WorkOrder.Status) -> [WorkOrderTransition] {
        WorkOrderTransition.allCases.filter { $0.sources.contains(status) }
    }

    /// The transitions a principal may make on the order now (status, permission and assignment checked).
    ///
    /// - Parameter principal: Who asks.
    /// - Returns: The transitions.
    public func allowedTransitions(for principal: Principal) -> [WorkOrderTransition] {
        Self.transitions(from: order.status).filter { authorise($0, principal) == nil }
    }

    private func authorise(_ transition: WorkOrderTransition, _ principal: Principal) -> WorkOrderError? {
        guard principal.can(transition.permission) else { return .permissionDenied(transition.permission) }
        if transition.requiresAssignee && !isAssigned(to: principal) { return .notAssignedToPrincipal(order.assignee) }
        return nil
    }

    /// Whether the order is the principal's to handle: assigned to them or their department, or
    /// they may handle any order.
    ///
    /// - Parameter principal: Who asks.
    /// - Returns: `true` when they may work on it.
    public func isAssigned(to principal: Principal) -> Bool {
        if principal.can(.workOrderHandleAny) { return true }
        guard let assignee = order.assignee else { return false }
        switch assignee.kind {
        case .person: return assignee.id == principal.userID
        case .department: return principal.department.map { $0 == assignee.id } ?? false
        }
    }

    /// Makes a transition.
    ///
    /// - Parameters:
    ///   - request: The transition, comment and (for `assign`) the assignee.
    ///   - principal: Who makes it.
    ///   - now: When.
    /// - Returns: The events to record (one ``WorkOrderEvent/transitioned(_:)``).
    /// - Throws: ``WorkOrderError/transitionNotAllowed(from:transition:allowed:)`` with the allowed
    ///   transitions when the status does not permit it; ``WorkOrderError/permissionDenied(_:)`` or
    ///   ``WorkOrderError/notAssignedToPrincipal(_:)`` when the principal may not; ``WorkOrderError/invalidField(_:_:)``
    ///   for a missing comment or assignee.
    public mutating func handle(_ request: WorkOrderTransitionRequest, by principal: Principal,
                                at now: Date) throws(WorkOrderError) -> [WorkOrderEvent] {
        let transition = request.transition
        let from = order.status
        guard transition.sources.contains(from) else {
            throw .transitionNotAllowed(from: from, transition: transition, allowed: Self.transitions(from: from))
        }
        if let refusal = authorise(transition, principal) { throw refusal }
        let comment = request.comment.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !comment.isEmpty else { throw .invalidField("comment", "is required for \(transition.rawValue)") }
        guard comment.count <= 4000 else { throw .invalidField("comment", "is \(comment.count) characters; at most 4000") }

        let to: WorkOrder.Status
        var newDue: Date?
        switch transition {
        case .assign:
            guard let assignee = request.assignee, !assignee.id.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw .invalidField("assignee", "is required for assign")
            }
            order.assignee = assignee
            to = .assigned
        case .startWork: to = .inProgress
        case .submitForApproval: to = .awaitingApproval
        case .approve: to = .approved
        case .returnForRework: to = .returned
        case .replyToCaller: to = .repliedToCaller
        case .close: to = .closed
        case .reopen:
            to = order.assignee == nil ? .new : .assigned
            newDue = policy.dueDate(for: order.kind, priority: order.priority, from: now, calendar: calendar)
            order.dueAt = newDue
            order.escalationLevel = 0
            order.reminderSent = false
        }
        let event = WorkOrderTransitioned(workOrderID: order.id, transition: transition, from: from, to: to,
                                          by: principal.userID, comment: comment,
                                          assignee: transition == .assign ? order.assignee : nil, at: now, dueAt: newDue)
        order.status = to
        order.history.append(event)
        touch(now)
        return [.transitioned(event)]
    }

    /// Urges the order by hand (催办), e.g. after the caller phoned again.
    ///
    /// - Parameters:
    ///   - comment: The message to the assignee.
    ///   - principal: Who urges (needs ``Permission/workOrderUrge``).
    ///   - now: When.
    /// - Returns: One ``WorkOrderEvent/urged(_:)``.
    /// - Throws: ``WorkOrderError`` when not permitted, the order is finished, or the comment is empty.
    public mutating func urge(comment: String, by principal: Principal, at now: Date) throws(WorkOrderError) -> [WorkOrderEvent] {
        guard principal.can(.workOrderUrge) else { throw .permissionDenied(.workOrderUrge) }
        guard order.status.slaRuns else { throw .invalidField("status", "is \(order.status.rawValue); only open orders can be urged") }
        let text = comment.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw .invalidField("comment", "is required to urge") }
        let overdue = order.dueAt.map { now > $0 ? calendar.workingTime(from: $0, to: now) : .zero } ?? .zero
        let event = WorkOrderUrged(workOrderID: order.id, reason: .manual, level: order.escalationLevel, by: principal.userID,
                                   comment: text, dueAt: order.dueAt, overdueWorkingSeconds: overdue.components.seconds,
                                   assignee: order.assignee, at: now)
        order.urgeCount += 1
        touch(now)
        return [.urged(event)]
    }

    /// Applies the SLA at `now`: sends the "due soon" reminder once, and escalates one level per
    /// ``ServiceLevelPolicy/escalationIntervalMinutes`` of working time past the due date.
    ///
    /// Call it periodically (the server does, every minute) with the injected clock's time; calling
    /// it again at the same `now` yields nothing.
    ///
    /// - Parameter now: The current instant.
    /// - Returns: Zero or one ``WorkOrderEvent/urged(_:)`` made by ``Principal/system``.
    public mutating func checkServiceLevel(at now: Date) -> [WorkOrderEvent] {
        let assessment = policy.assess(order, now: now, calendar: calendar)
        switch assessment.state {
        case .overdue where assessment.escalationLevel > order.escalationLevel:
            let level = assessment.escalationLevel
            let who = level == 1 ? "assignee" : level == 2 ? "supervisors" : "director"
            let event = WorkOrderUrged(workOrderID: order.id, reason: .overdue, level: level, by: Principal.system.userID,
                                       comment: "Work order \(order.number) is overdue; escalated to the \(who) (level \(level)).",
                                       dueAt: order.dueAt, overdueWorkingSeconds: assessment.overdue.components.seconds,
                                       assignee: order.assignee, at: now)
            order.escalationLevel = level
            order.reminderSent = true
            order.urgeCount += 1
            touch(now)
            return [.urged(event)]
        case .dueSoon where !order.reminderSent:
            let event = WorkOrderUrged(workOrderID: order.id, reason: .dueSoon, level: 0, by: Principal.system.userID,
                                       comment: "Work order \(order.number) is due soon.", dueAt: order.dueAt,
                                       overdueWorkingSeconds: 0, assignee: order.assignee, at: now)
            order.reminderSent = true
            touch(now)
            return [.urged(event)]
        default:
            return []
        }
    }

    /// Records a step of a field visit; ``FieldDispatch/Stage/dispatched`` starts a new visit once
    /// the previous one has returned.
    ///
    /// - Parameters:
    ///   - stage: The step.
    ///   - note: Who went, what was found, the result.
    ///   - principal: Who reports it (needs ``Permission/workOrderDispatch`` and the order assigned to them).
    ///   - now: When it happened.
    /// - Returns: One ``WorkOrderEvent/fieldDispatch(_:)``.
    /// - Throws: ``WorkOrderError/dispatchStepNotAllowed(_:expected:)`` with the expected step when out of order.
    public mutating func recordDispatch(_ stage: FieldDispatch.Stage, note: String, by principal: Principal,
                                        at now: Date) throws(WorkOrderError) -> [WorkOrderEvent] {
        guard principal.can(.workOrderDispatch) else { throw .permissionDenied(.workOrderDispatch) }
        guard order.kind == .fieldDispatch, order.status == .assigned || order.status == .inProgress else {
            throw .dispatchStepNotAllowed(stage, expected: [])
        }
        guard isAssigned(to: principal) else { throw .notAssignedToPrincipal(order.assignee) }
        let expected: FieldDispatch.Stage? = if let last = order.dispatches.last, !last.isFinished {
            last.steps.last?.stage.next
        } else {
            .dispatched
        }
        guard let expected, stage == expected else { throw .dispatchStepNotAllowed(stage, expected: expected.map { [$0] } ?? []) }
        let step = FieldDispatch.Step(stage: stage, at: now, by: principal.userID, note: note)
        if stage == .dispatched {
            order.dispatches.append(FieldDispatch(steps: [step]))
        } else {
            order.dispatches[order.dispatches.count - 1].steps.append(step)
        }
        touch(now)
        return [.fieldDispatch(FieldDispatchRecorded(workOrderID: order.id, dispatchIndex: order.dispatches.count - 1, step: step))]
    }

    /// Adds links to calls, recordings, voicemails, faxes or e-mails (no status change, no event).
    ///
    /// - Parameters:
    ///   - links: The links to add (duplicates are ignored).
    ///   - principal: Who adds them (needs ``Permission/workOrderCreate`` or ``Permission/workOrderStart``).
    ///   - now: When.
    /// - Throws: ``WorkOrderError/permissionDenied(_:)``.
    public mutating func addLinks(_ links: [WorkOrder.Link], by principal: Principal, at now: Date) throws(WorkOrderError) {
        guard principal.can(.workOrderCreate) || principal.can(.workOrderStart) else { throw .permissionDenied(.workOrderCreate) }
        for link in links where !order.links.contains(link) {
            guard !link.reference.isEmpty else { throw .invalidField("links.reference", "must not be empty") }
            order.links.append(link)
        }
        touch(now)
    }

    /// Attaches a file's record (the bytes are stored by the caller first).
    ///
    /// - Parameters:
    ///   - attachment: The record.
    ///   - principal: Who attaches it (needs create or start, like links).
    ///   - now: When.
    /// - Returns: The event to record.
    /// - Throws: ``WorkOrderError/permissionDenied(_:)`` or ``WorkOrderError/invalidField(_:_:)``.
    public mutating func addAttachment(_ attachment: WorkOrder.Attachment, by principal: Principal,
                                       at now: Date) throws(WorkOrderError) -> WorkOrderAttachmentAdded {
        guard principal.can(.workOrderCreate) || principal.can(.workOrderStart) else { throw .permissionDenied(.workOrderCreate) }
        try Self.validate(attachment)
        guard order.attachments.count < Self.maximumAttachments else {
            throw .invalidField("attachments", "an order carries at most \(Self.maximumAttachments) files")
        }
        guard !order.attachments.contains(where: { $0.id == attachment.id }) else {
            throw .invalidField("attachments", "'\(attachment.id)' is already attached")
        }
        order.attachments.append(attachment)
        touch(now)
        return WorkOrderAttachmentAdded(workOrderID: order.id, number: order.number, attachment: attachment)
    }

    private mutating func touch(_ now: Date) {
        order.updatedAt = now
        order.version += 1
    }
}
