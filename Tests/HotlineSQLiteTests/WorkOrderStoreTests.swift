import Foundation
import HotlineCore
import HotlineSQLite
import Testing

@Suite struct WorkOrderStoreTests {
    let agent = Principal(userID: "agent-1", username: "agent", permissions: Role.agent.permissions)
    let supervisor = Principal(userID: "sup-1", username: "sup", permissions: Role.supervisor.permissions)

    func draft(_ summary: String, taxpayer: TaxpayerNumber? = nil) -> WorkOrderDraft {
        WorkOrderDraft(kind: .complaint, taxpayerNumber: taxpayer, caller: .init(name: "王先生", phone: try? PhoneNumber("13800138000")),
                       category: ["纳税服务"], summary: summary, description: "详细情况",
                       links: [.init(kind: .call, reference: "call-\(summary)"), .init(kind: .recording, reference: "rec-\(summary)")])
    }

    @Test(arguments: CaseworkBackend.allCases)
    func ordersRoundTripWithEventsInOneTransaction(backend: CaseworkBackend) async throws {
        let temporary = try CaseworkTemporaryDatabase()
        let memoryLog = InMemoryEventLog()
        let store: any WorkOrderStore = backend == .sqlite ? temporary.database : InMemoryWorkOrderStore(eventLog: memoryLog)
        let events: any EventLog = backend == .sqlite ? temporary.database : memoryLog
        let desk = WorkOrderDesk(store: store, audit: InMemoryAuditLog(), calendar: CaseworkCalendar.calendar)
        let taxpayer = try TaxpayerNumber("91350100M000100Y43")

        let first = try await desk.open(draft("一", taxpayer: taxpayer), by: agent, at: CaseworkCalendar.at(9, 30, 10))
        let second = try await desk.open(draft("二"), by: agent, at: CaseworkCalendar.at(9, 30, 11))
        #expect(first.number == "GD2026-000001" && second.number == "GD2026-000002")
        let assigned = try await desk.transition(first.number, .init(.assign, comment: "转办", assignee: .department("征管科")),
                                                 by: supervisor, at: CaseworkCalendar.at(9, 30, 12))
        #expect(try await store.workOrder(first.id) == assigned)
        #expect(try await store.workOrder(first.number) == assigned)
        #expect(try await store.workOrder("GD2026-000404") == nil)

        #expect(try await store.workOrders(WorkOrderQuery()).map(\.number) == ["GD2026-000002", "GD2026-000001"])
        #expect(try await store.workOrders(WorkOrderQuery(limit: 1)).map(\.number) == ["GD2026-000002"])
        #expect(try await store.workOrders(WorkOrderQuery(beforeNumber: "GD2026-000002")).map(\.number) == ["GD2026-000001"])
        #expect(try await store.workOrders(WorkOrderQuery(statuses: [.assigned])).map(\.id) == [first.id])
        #expect(try await store.workOrders(WorkOrderQuery(assignee: .department("征管科"))).map(\.id) == [first.id])
        #expect(try await store.workOrders(WorkOrderQuery(taxpayerNumber: taxpayer)).map(\.id) == [first.id])
        #expect(try await store.workOrders(WorkOrderQuery(dueBefore: first.dueAt)).map(\.id) == [first.id])
        #expect(try await store.workOrders(WorkOrderQuery(dueBefore: CaseworkCalendar.at(10, 8, 9))).isEmpty)
        #expect(try await store.workOrders(linkedTo: .init(kind: .recording, reference: "rec-二")).map(\.id) == [second.id])

        let logged = try await events.events(after: 0, subject: "workorder:\(first.id)", limit: 10)
        #expect(logged.map(\.type) == ["workorder.created", "workorder.transitioned"])
        let transitioned = try #require(try logged[1].decode(as: WorkOrderTransitioned.self))
        #expect(transitioned.assignee == .department("征管科") && transitioned.by == "sup-1")
    }

    @Test(arguments: CaseworkBackend.allCases)
    func staleUpdatesAreRefused(backend: CaseworkBackend) async throws {
        let temporary = try CaseworkTemporaryDatabase()
        let store: any WorkOrderStore = backend == .sqlite ? temporary.database : InMemoryWorkOrderStore()
        let desk = WorkOrderDesk(store: store, audit: InMemoryAuditLog(), calendar: CaseworkCalendar.calendar)
        let order = try await desk.open(draft("三"), by: agent, at: CaseworkCalendar.at(9, 30, 10))
        var stale = order
        stale.summary = "changed elsewhere"
        stale.version += 1
        try await store.update(stale, expectedVersion: 1, events: [])
        var late = order
        late.summary = "too late"
        late.version += 1
        await #expect(throws: WorkOrderError.versionConflict(expected: 1, actual: 2)) {
            try await store.update(late, expectedVersion: 1, events: [])
        }
        await #expect(throws: WorkOrderError.self) { try await store.create(order, events: []) }
        var ghost = order
        ghost.id = "ghost"
        await #expect(throws: WorkOrderError.notFound("ghost")) { try await store.update(ghost, expectedVersion: 1, events: []) }
        #expect(try await store.workOrder(order.id)?.summary == "changed elsewhere")
    }

    @Test func theSLAMonitorWorksOnTheDatabase() async throws {
        let temporary = try CaseworkTemporaryDatabase()
        let desk = WorkOrderDesk(store: temporary.database, audit: temporary.database, calendar: CaseworkCalendar.calendar)
        var urgent = draft("四")
        urgent.priority = .urgent
        let order = try await desk.open(urgent, by: agent, at: CaseworkCalendar.at(9, 30, 17))
        #expect(order.dueAt == CaseworkCalendar.at(10, 8, 10, 30))
        #expect(try await desk.checkServiceLevels(at: CaseworkCalendar.at(10, 7, 12)).isEmpty)
        #expect(try await desk.checkServiceLevels(at: CaseworkCalendar.at(10, 8, 10)).map(\.reason) == [.dueSoon])
        #expect(try await desk.checkServiceLevels(at: CaseworkCalendar.at(10, 8, 10, 31)).map(\.level) == [1])
        #expect(try await desk.checkServiceLevels(at: CaseworkCalendar.at(10, 8, 10, 32)).isEmpty)
        let audit = try await temporary.database.entries(after: 0, actor: "system", subject: nil, limit: 10)
        #expect(audit.map(\.action) == ["workorder.urge", "workorder.urge"])
        #expect(try await temporary.database.workOrder(order.id)?.escalationLevel == 1)
    }
}
