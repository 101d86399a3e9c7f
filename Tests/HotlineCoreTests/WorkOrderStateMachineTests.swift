import Foundation
import HotlineCore
import Testing

@Suite struct WorkOrderStateMachineTests {
    let opened = Casework.at(9, 28, 10)

    func openComplaint() throws -> WorkOrderStateMachine {
        try WorkOrderStateMachine.open(Casework.draft(), number: "GD2026-000001", by: Casework.agent, at: opened,
                                       calendar: Casework.calendar).0
    }

    @Test func aComplaintGoesRoundTheWholeLoop() throws {
        var machine = try openComplaint()
        #expect(machine.order.status == .new)
        let steps: [(WorkOrderTransitionRequest, Principal, WorkOrder.Status)] = [
            (.init(.assign, comment: "转征管科办理", assignee: .department("征管科")), Casework.supervisor, .assigned),
            (.init(.startWork, comment: "已联系办税服务厅"), Casework.handler, .inProgress),
            (.init(.submitForApproval, comment: "已增开窗口，拟回复"), Casework.handler, .awaitingApproval),
            (.init(.returnForRework, comment: "请补充整改时限"), Casework.supervisor, .returned),
            (.init(.startWork, comment: "补充整改时限"), Casework.handler, .inProgress),
            (.init(.submitForApproval, comment: "两周内完成整改"), Casework.handler, .awaitingApproval),
            (.init(.approve, comment: "同意"), Casework.supervisor, .approved),
            (.init(.replyToCaller, comment: "已电话回复王先生"), Casework.agent, .repliedToCaller),
            (.init(.close, comment: "来电人满意"), Casework.agent, .closed),
            (.init(.reopen, comment: "来电人再次来电，问题未解决"), Casework.supervisor, .assigned),
        ]
        for (index, (request, principal, expected)) in steps.enumerated() {
            let before = machine.order.status
            let at = opened.addingTimeInterval(Double(index + 1) * 600)
            let events = try machine.handle(request, by: principal, at: at)
            #expect(machine.order.status == expected)
            #expect(events == [.transitioned(WorkOrderTransitioned(
                workOrderID: machine.order.id, transition: request.transition, from: before, to: expected,
                by: principal.userID, comment: request.comment,
                assignee: request.transition == .assign ? request.assignee : nil, at: at,
                dueAt: request.transition == .reopen ? machine.order.dueAt : nil))])
        }
        #expect(machine.order.history.count == steps.count)
        #expect(machine.order.version == steps.count + 1)
        #expect(machine.order.assignee == .department("征管科"))
    }

    @Test(arguments: [
        (WorkOrder.Status.new, WorkOrderTransition.approve, [WorkOrderTransition.assign]),
        (.assigned, .close, [.assign, .startWork]),
        (.inProgress, .replyToCaller, [.assign, .submitForApproval]),
        (.awaitingApproval, .startWork, [.approve, .returnForRework]),
        (.approved, .close, [.replyToCaller]),
        (.repliedToCaller, .approve, [.close, .reopen]),
        (.closed, .startWork, [.reopen]),
    ] as [(WorkOrder.Status, WorkOrderTransition, [WorkOrderTransition])])
    func aTransitionNotAllowedNamesTheAllowedOnes(status: WorkOrder.Status, transition: WorkOrderTransition,
                                                  allowed: [WorkOrderTransition]) throws {
        var order = try openComplaint().order
        order.status = status
        order.assignee = .department("征管科")
        var machine = WorkOrderStateMachine(order: order, calendar: Casework.calendar)
        #expect(throws: WorkOrderError.transitionNotAllowed(from: status, transition: transition, allowed: allowed)) {
            try machine.handle(.init(transition, comment: "x"), by: Casework.administrator, at: opened)
        }
        #expect(machine.order == order)
        let error = WorkOrderError.transitionNotAllowed(from: status, transition: transition, allowed: allowed)
        #expect(error.httpStatus == 409)
        #expect(error.description.contains(allowed[0].rawValue))
    }

    /// Which built-in roles may make each transition (the status permitting it).
    @Test(arguments: [
        (WorkOrderTransition.assign, WorkOrder.Status.new, Set(["supervisor", "administrator"])),
        (.startWork, .assigned, ["agent", "supervisor", "department-handler", "administrator"]),
        (.submitForApproval, .inProgress, ["agent", "supervisor", "department-handler", "administrator"]),
        (.approve, .awaitingApproval, ["supervisor", "administrator"]),
        (.returnForRework, .awaitingApproval, ["supervisor", "administrator"]),
        (.replyToCaller, .approved, ["agent", "supervisor", "administrator"]),
        (.close, .repliedToCaller, ["agent", "supervisor", "administrator"]),
        (.reopen, .closed, ["supervisor", "administrator"]),
    ] as [(WorkOrderTransition, WorkOrder.Status, Set<String>)])
    func transitionsArePermittedPerRole(transition: WorkOrderTransition, status: WorkOrder.Status, roles: Set<String>) throws {
        for role in Role.builtIn {
            var order = try openComplaint().order
            order.status = status
            // Assigned to the acting user, so that only the permission decides.
            order.assignee = .person(role.id)
            var machine = WorkOrderStateMachine(order: order, calendar: Casework.calendar)
            let principal = Casework.principal(role)
            let result = Result { () throws(WorkOrderError) in
                try machine.handle(.init(transition, comment: "ok", assignee: .department("征管科")), by: principal, at: opened)
            }
            if roles.contains(role.id) {
                #expect((try? result.get()) != nil, "\(role.id) should be able to \(transition)")
            } else {
                #expect(throws: WorkOrderError.permissionDenied(transition.permission), "\(role.id) must not \(transition)") { try result.get() }
            }
        }
    }

    @Test func handlersWorkOnlyOnTheirDepartmentsOrders() throws {
        var machine = try openComplaint()
        _ = try machine.handle(.init(.assign, comment: "转办", assignee: .department("征管科")), by: Casework.supervisor, at: opened)
        #expect(throws: WorkOrderError.notAssignedToPrincipal(.department("征管科"))) {
            try machine.handle(.init(.startWork, comment: "x"), by: Casework.otherHandler, at: opened)
        }
        #expect(machine.allowedTransitions(for: Casework.otherHandler).isEmpty)
        #expect(machine.allowedTransitions(for: Casework.handler) == [.startWork])
        #expect(machine.allowedTransitions(for: Casework.supervisor) == [.assign, .startWork])
        _ = try machine.handle(.init(.startWork, comment: "开始办理"), by: Casework.handler, at: opened)
        #expect(machine.order.status == .inProgress)
    }

    @Test func everyTransitionNeedsAComment() throws {
        var machine = try openComplaint()
        #expect(throws: WorkOrderError.invalidField("comment", "is required for assign")) {
            try machine.handle(.init(.assign, comment: "  \n", assignee: .department("征管科")), by: Casework.supervisor, at: opened)
        }
        #expect(throws: WorkOrderError.invalidField("assignee", "is required for assign")) {
            try machine.handle(.init(.assign, comment: "转办"), by: Casework.supervisor, at: opened)
        }
        #expect(machine.order.status == .new)
    }

    @Test func reopeningStartsANewDueDate() throws {
        var machine = try openComplaint()
        for (request, principal) in [
            (WorkOrderTransitionRequest(.assign, comment: "a", assignee: .person("handler-1")), Casework.supervisor),
            (.init(.startWork, comment: "b"), Casework.supervisor), (.init(.submitForApproval, comment: "c"), Casework.supervisor),
            (.init(.approve, comment: "d"), Casework.supervisor), (.init(.replyToCaller, comment: "e"), Casework.supervisor),
            (.init(.close, comment: "f"), Casework.supervisor),
        ] { _ = try machine.handle(request, by: principal, at: opened) }
        let reopenedAt = Casework.at(10, 12, 9)
        _ = try machine.handle(.init(.reopen, comment: "未解决"), by: Casework.supervisor, at: reopenedAt)
        // Complaint, normal: 5 working days of 7 hours from Monday 2026-10-12 09:00 → Friday 17:30.
        #expect(machine.order.dueAt == Casework.at(10, 16, 17, 30))
        #expect(machine.order.status == .assigned)
        #expect(machine.order.escalationLevel == 0)
    }

    @Test func openingChecksPermissionAndDraft() {
        #expect(throws: WorkOrderError.permissionDenied(.workOrderCreate)) {
            try WorkOrderStateMachine.open(Casework.draft(), number: "n", by: Casework.handler, at: opened, calendar: Casework.calendar)
        }
        var draft = Casework.draft()
        draft.summary = " "
        #expect(throws: WorkOrderError.invalidField("summary", "must not be empty")) {
            try WorkOrderStateMachine.open(draft, number: "n", by: Casework.agent, at: opened, calendar: Casework.calendar)
        }
        draft = Casework.draft()
        draft.attachments = [.init(fileName: "a.exe", mediaType: "application/x-msdownload", byteCount: 10, storagePath: "x", addedAt: opened, addedBy: "a")]
        #expect(draft.problems.map(\.code) == ["invalid_field"])
    }

    @Test func theCreatedEventRoundTripsThroughTheLog() throws {
        let (machine, event) = try WorkOrderStateMachine.open(Casework.draft(), number: "GD2026-000009", by: Casework.apiClient,
                                                              at: opened, calendar: Casework.calendar)
        let recorded = try event.recorded(at: opened)
        #expect(recorded.type == "workorder.created")
        #expect(recorded.subject == "workorder:\(machine.order.id)")
        let decoded = try #require(try recorded.decode(as: WorkOrderCreated.self))
        #expect(decoded.number == "GD2026-000009")
        #expect(decoded.dueAt == machine.order.dueAt)
        #expect(decoded.createdBy == "crm")
    }
}
