import Foundation
import HotlineCore
import Testing

@Suite struct FieldDispatchTests {
    let start = Casework.at(10, 8, 9)

    func assignedDispatch() throws -> WorkOrderStateMachine {
        var (machine, _) = try WorkOrderStateMachine.open(Casework.draft(.fieldDispatch), number: "GD2026-000002",
                                                          by: Casework.agent, at: start, calendar: Casework.calendar)
        _ = try machine.handle(.init(.assign, comment: "派征管科上门", assignee: .department("征管科")), by: Casework.supervisor, at: start)
        return machine
    }

    @Test func aVisitIsTrackedStepByStepWithTimesAndWho() throws {
        var machine = try assignedDispatch()
        for (offset, stage) in FieldDispatch.Stage.allCases.enumerated() {
            let events = try machine.recordDispatch(stage, note: "step \(offset)", by: Casework.handler,
                                                    at: start.addingTimeInterval(Double(offset) * 900))
            guard case .fieldDispatch(let event) = events.first else { Issue.record("no event"); return }
            #expect(event.step.stage == stage)
            #expect(event.dispatchIndex == 0)
        }
        let visit = try #require(machine.order.dispatches.first)
        #expect(visit.isFinished)
        #expect(visit.time(of: .onSite) == start.addingTimeInterval(1800))
        #expect(visit.steps.allSatisfy { $0.by == "handler-1" })
        // A second visit may start after the first returned.
        _ = try machine.recordDispatch(.dispatched, note: "复查", by: Casework.handler, at: start.addingTimeInterval(7200))
        #expect(machine.order.dispatches.count == 2)
    }

    @Test func stepsOutOfOrderAreRefusedNamingTheNextOne() throws {
        var machine = try assignedDispatch()
        #expect(throws: WorkOrderError.dispatchStepNotAllowed(.onSite, expected: [.dispatched])) {
            try machine.recordDispatch(.onSite, note: "", by: Casework.handler, at: start)
        }
        _ = try machine.recordDispatch(.dispatched, note: "", by: Casework.handler, at: start)
        #expect(throws: WorkOrderError.dispatchStepNotAllowed(.resultReported, expected: [.departed])) {
            try machine.recordDispatch(.resultReported, note: "", by: Casework.handler, at: start)
        }
        #expect(throws: WorkOrderError.notAssignedToPrincipal(.department("征管科"))) {
            try machine.recordDispatch(.departed, note: "", by: Casework.otherHandler, at: start)
        }
        #expect(throws: WorkOrderError.permissionDenied(.workOrderDispatch)) {
            try machine.recordDispatch(.departed, note: "", by: Casework.agent, at: start)
        }
    }

    @Test func onlyFieldDispatchOrdersHaveVisits() throws {
        var (machine, _) = try WorkOrderStateMachine.open(Casework.draft(.consultation), number: "n", by: Casework.agent,
                                                          at: start, calendar: Casework.calendar)
        _ = try machine.handle(.init(.assign, comment: "a", assignee: .department("征管科")), by: Casework.supervisor, at: start)
        #expect(throws: WorkOrderError.dispatchStepNotAllowed(.dispatched, expected: [])) {
            try machine.recordDispatch(.dispatched, note: "", by: Casework.handler, at: start)
        }
    }
}
