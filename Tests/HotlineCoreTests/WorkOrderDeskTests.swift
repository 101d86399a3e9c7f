import Foundation
import HotlineCore
import Testing

@Suite struct WorkOrderDeskTests {
    @Test func changesAreStoredWithEventsAndAuditEntries() async throws {
        let events: any EventLog = InMemoryEventLog()
        let audit: any AuditLog = InMemoryAuditLog()
        let store: any WorkOrderStore = InMemoryWorkOrderStore(eventLog: events)
        let desk = WorkOrderDesk(store: store, audit: audit, calendar: Casework.calendar)
        let order = try await desk.open(Casework.draft(), by: Casework.agent, at: Casework.at(10, 8, 9))
        #expect(order.number == "GD2026-000001")
        _ = try await desk.transition(order.number, .init(.assign, comment: "转办", assignee: .department("征管科")),
                                      by: Casework.supervisor, at: Casework.at(10, 8, 9, 10))
        await #expect(throws: WorkOrderError.transitionNotAllowed(from: .assigned, transition: .approve, allowed: [.assign, .startWork])) {
            try await desk.transition(order.id, .init(.approve, comment: "x"), by: Casework.supervisor, at: Casework.at(10, 8, 9, 20))
        }
        await #expect(throws: WorkOrderError.versionConflict(expected: 1, actual: 2)) {
            try await desk.transition(order.id, .init(.startWork, comment: "x"), expectedVersion: 1, by: Casework.handler, at: Casework.at(10, 8, 9, 20))
        }
        let started = try await desk.transition(order.id, .init(.startWork, comment: "开始"), expectedVersion: 2, by: Casework.handler,
                                                at: Casework.at(10, 8, 9, 30))
        #expect(started.status == .inProgress)
        let stored = try await store.workOrder(order.id)
        #expect(stored == started)

        let logged = try await events.events(after: 0, subject: "workorder:\(order.id)", limit: 10)
        #expect(logged.map(\.type) == ["workorder.created", "workorder.transitioned", "workorder.transitioned"])
        let entries = try await audit.entries(after: 0, actor: nil, subject: "workorder:\(order.id)", limit: 10)
        #expect(entries.map(\.action) == ["workorder.create", "workorder.assign", "workorder.startWork"])
        #expect(entries.map(\.actor) == ["agent-1", "supervisor-1", "handler-1"])
        #expect(entries[2].before?.contains("\"assigned\"") == true && entries[2].after?.contains("\"inProgress\"") == true)

        let list = try await store.workOrders(WorkOrderQuery(statuses: [.inProgress], assignee: .department("征管科")))
        #expect(list.map(\.id) == [order.id])
        await #expect(throws: WorkOrderError.notFound("GD2026-999999")) {
            try await desk.urge("GD2026-999999", comment: "x", by: Casework.supervisor, at: Casework.at(10, 8, 10))
        }
    }

    @Test func theSLAMonitorUrgesLateOrdersOnce() async throws {
        let events: any EventLog = InMemoryEventLog()
        let store: any WorkOrderStore = InMemoryWorkOrderStore(eventLog: events)
        let desk = WorkOrderDesk(store: store, audit: InMemoryAuditLog(), calendar: Casework.calendar)
        let late = try await desk.open(Casework.draft(.consultation, priority: .urgent), by: Casework.agent, at: Casework.at(9, 30, 17))
        let onTime = try await desk.open(Casework.draft(.report), by: Casework.agent, at: Casework.at(9, 30, 17))
        // 2 working hours from 09-30 17:00, across the holiday: due 10-08 10:30.
        #expect(late.dueAt == Casework.at(10, 8, 10, 30))
        #expect(try await desk.checkServiceLevels(at: Casework.at(10, 6, 12)).isEmpty)
        let urged = try await desk.checkServiceLevels(at: Casework.at(10, 8, 11))
        #expect(urged.map(\.workOrderID) == [late.id])
        #expect(urged.first?.level == 1)
        #expect(try await desk.checkServiceLevels(at: Casework.at(10, 8, 11)).isEmpty)
        #expect(try await store.workOrder(onTime.id)?.urgeCount == 0)
        let logged = try await events.events(after: 0, subject: "workorder:\(late.id)", limit: 10)
        #expect(logged.map(\.type).contains("workorder.urged"))
    }
}
