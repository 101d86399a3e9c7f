public import Foundation

/// The casework desk: opens and moves work orders through ``WorkOrderStateMachine`` and stores the
/// result — the order, its events and an audit entry — so an API handler or a CLI command is one
/// call. Time is passed in.
public struct WorkOrderDesk: Sendable {
    /// Where orders live.
    public let store: any WorkOrderStore
    /// The audit log.
    public let audit: any AuditLog
    /// SLA rules.
    public let policy: ServiceLevelPolicy
    /// The working-time calendar.
    public let calendar: any WorkingTimeCalendar

    /// Creates the desk.
    ///
    /// - Parameters:
    ///   - store: Work-order storage.
    ///   - audit: Audit log.
    ///   - policy: SLA rules.
    ///   - calendar: Working-time calendar (the official ``BusinessCalendar``).
    public init(store: any WorkOrderStore, audit: any AuditLog, policy: ServiceLevelPolicy = .standard,
                calendar: any WorkingTimeCalendar) {
        self.store = store
        self.audit = audit
        self.policy = policy
        self.calendar = calendar
    }

    /// Opens a work order.
    ///
    /// - Parameters:
    ///   - draft: What it is about.
    ///   - principal: Who opens it.
    ///   - now: When.
    /// - Returns: The stored order.
    /// - Throws: ``WorkOrderError`` or a storage error.
    public func open(_ draft: WorkOrderDraft, by principal: Principal, at now: Date) async throws -> WorkOrder {
        guard principal.can(.workOrderCreate) else { throw WorkOrderError.permissionDenied(.workOrderCreate) }
        if let problem = draft.problems.first { throw problem }
        let number = try await store.nextNumber(at: now)
        let (machine, event) = try WorkOrderStateMachine.open(draft, number: number, by: principal, at: now, policy: policy, calendar: calendar)
        try await store.create(machine.order, events: [event.recorded(at: now)])
        try await audit.append([AuditEntry(at: now, actor: principal.userID, action: "workorder.create",
                                           subject: "workorder:\(machine.order.id)", before: WorkOrder?.none, after: machine.order)])
        return machine.order
    }

    /// Makes a transition.
    ///
    /// - Parameters:
    ///   - idOrNumber: The order.
    ///   - request: Transition, comment, assignee.
    ///   - expectedVersion: When given, refuse if the order changed since this version (HTTP `If-Match`).
    ///   - principal: Who.
    ///   - now: When.
    /// - Returns: The updated order.
    /// - Throws: ``WorkOrderError`` (not found, not allowed with the allowed list, forbidden, conflict) or a storage error.
    public func transition(_ idOrNumber: String, _ request: WorkOrderTransitionRequest, expectedVersion: Int? = nil,
                           by principal: Principal, at now: Date) async throws -> WorkOrder {
        try await change(idOrNumber, expectedVersion: expectedVersion, action: "workorder.\(request.transition.rawValue)",
                         by: principal, at: now) { machine throws(WorkOrderError) in
            try machine.handle(request, by: principal, at: now)
        }
    }

    /// Urges an order by hand (催办).
    ///
    /// - Parameters:
    ///   - idOrNumber: The order.
    ///   - comment: The message.
    ///   - principal: Who.
    ///   - now: When.
    /// - Returns: The updated order.
    /// - Throws: ``WorkOrderError`` or a storage error.
    public func urge(_ idOrNumber: String, comment: String, by principal: Principal, at now: Date) async throws -> WorkOrder {
        try await change(idOrNumber, expectedVersion: nil, action: "workorder.urge", by: principal, at: now) { machine throws(WorkOrderError) in
            try machine.urge(comment: comment, by: principal, at: now)
        }
    }

    /// Records a field-dispatch step.
    ///
    /// - Parameters:
    ///   - idOrNumber: The order.
    ///   - stage: The step.
    ///   - note: Free text.
    ///   - principal: Who.
    ///   - now: When.
    /// - Returns: The updated order.
    /// - Throws: ``WorkOrderError`` or a storage error.
    public func recordDispatch(_ idOrNumber: String, _ stage: FieldDispatch.Stage, note: String, by principal: Principal,
                               at now: Date) async throws -> WorkOrder {
        try await change(idOrNumber, expectedVersion: nil, action: "workorder.dispatch.\(stage.rawValue)", by: principal, at: now) { machine throws(WorkOrderError) in
            try machine.recordDispatch(stage, note: note, by: principal, at: now)
        }
    }

    /// Links calls, recordings, voicemails, faxes or e-mails to an order.
    ///
    /// - Parameters:
    ///   - idOrNumber: The order.
    ///   - links: The links.
    ///   - principal: Who.
    ///   - now: When.
    /// - Returns: The updated order.
    /// - Throws: ``WorkOrderError`` or a storage error.
    public func addLinks(_ idOrNumber: String, _ links: [WorkOrder.Link], by principal: Principal, at now: Date) async throws -> WorkOrder {
        try await change(idOrNumber, expectedVersion: nil, action: "workorder.link", by: principal, at: now) { machine throws(WorkOrderError) in
            try machine.addLinks(links, by: principal, at: now)
            return []
        }
    }

    /// Attaches a stored file's record to an order, with its event and an audit entry.
    ///
    /// - Parameters:
    ///   - attachment: The record (bytes already stored at its ``WorkOrder/Attachment/storagePath``).
    ///   - idOrNumber: The order.
    ///   - principal: Who.
    ///   - now: When.
    /// - Returns: The updated order.
    /// - Throws: ``WorkOrderError`` or a storage error.
    public func attach(_ attachment: WorkOrder.Attachment, to idOrNumber: String, by principal: Principal,
                       at now: Date) async throws -> WorkOrder {
        guard principal.can(.workOrderRead) else { throw WorkOrderError.permissionDenied(.workOrderRead) }
        guard let order = try await store.workOrder(idOrNumber) else { throw WorkOrderError.notFound(idOrNumber) }
        var machine = WorkOrderStateMachine(order: order, policy: policy, calendar: calendar)
        let event = try machine.addAttachment(attachment, by: principal, at: now)
        try await store.update(machine.order, expectedVersion: order.version,
                               events: [try RecordedEvent(event, occurredAt: now, subject: "workorder:\(order.id)")])
        try await audit.append([AuditEntry(at: now, actor: principal.userID, action: "workorder.attach", subject: "workorder:\(order.id)",
                                           before: order, after: machine.order)])
        return machine.order
    }

    /// Runs the SLA check over open orders due before the end of the reminder window: sends reminders
    /// and escalations (催办) as events. Call it periodically with the injected clock's time.
    ///
    /// - Parameters:
    ///   - now: The current instant.
    ///   - limit: The most orders to examine in one run.
    /// - Returns: The urge events produced.
    /// - Throws: A storage error.
    @discardableResult
    public func checkServiceLevels(at now: Date, limit: Int = 1000) async throws -> [WorkOrderUrged] {
        // Reminders come before the due date: look ahead by the longest allowance's reminder share.
        let longest = policy.targets.map(\.workingMinutes).max() ?? 0
        let lookAhead = calendar.date(addingWorkingTime: .seconds(Int64(Double(longest * 60) * (1 - policy.reminderFraction)) + 60), to: now) ?? now
        let candidates = try await store.workOrders(WorkOrderQuery(statuses: WorkOrderQuery.openStatuses, dueBefore: lookAhead, limit: limit))
        var urged: [WorkOrderUrged] = []
        for order in candidates {
            var machine = WorkOrderStateMachine(order: order, policy: policy, calendar: calendar)
            let events = machine.checkServiceLevel(at: now)
            guard !events.isEmpty else { continue }
            do {
                try await store.update(machine.order, expectedVersion: order.version, events: events.map { try $0.recorded(at: now) })
            } catch WorkOrderError.versionConflict {
                continue // changed meanwhile; the next run sees the new state
            }
            try await audit.append([AuditEntry(at: now, actor: Principal.system.userID, action: "workorder.urge",
                                               subject: "workorder:\(order.id)", before: order, after: machine.order)])
            for case .urged(let event) in events { urged.append(event) }
        }
        return urged
    }

    private func change(_ idOrNumber: String, expectedVersion: Int?, action: String, by principal: Principal, at now: Date,
                        _ body: (inout WorkOrderStateMachine) throws(WorkOrderError) -> [WorkOrderEvent]) async throws -> WorkOrder {
        guard principal.can(.workOrderRead) else { throw WorkOrderError.permissionDenied(.workOrderRead) }
        guard let order = try await store.workOrder(idOrNumber) else { throw WorkOrderError.notFound(idOrNumber) }
        if let expectedVersion, expectedVersion != order.version {
            throw WorkOrderError.versionConflict(expected: expectedVersion, actual: order.version)
        }
        var machine = WorkOrderStateMachine(order: order, policy: policy, calendar: calendar)
        let events = try body(&machine)
        try await store.update(machine.order, expectedVersion: order.version, events: try events.map { try $0.recorded(at: now) })
        try await audit.append([AuditEntry(at: now, actor: principal.userID, action: action, subject: "workorder:\(order.id)",
                                           before: order, after: machine.order)])
        return machine.order
    }
}
