import Foundation
import HotlineCore
import Testing
@testable import HotlineIVR

@Suite struct StoredSelfServiceProviderTests {
    static let asked = instant("2026-12-01T09:30:00+08:00")

    static func request(_ function: SelfServiceFunction, _ arguments: [String: FlowValue]) -> LookupRequest {
        LookupRequest(id: 7, callID: "c1", function: function, arguments: arguments, date: asked)
    }

    @Test func authenticationChecksThePINHash() async throws {
        let (store, log) = try await FlowRehearsalTests.store()
        let provider = StoredSelfServiceProvider(taxpayers: store, bills: store, eventLog: log)
        let number = FlowValue.text("11010519491231002*")
        let ok = await provider.perform(Self.request(.authenticate, ["taxpayerNumber": number, "pin": .text("123456")]))
        #expect(ok.status == .ok)
        #expect(ok.requestID == 7)
        #expect(ok.values["name"] == .text("张三"))
        let wrong = await provider.perform(Self.request(.authenticate, ["taxpayerNumber": number, "pin": .text("654321")]))
        #expect(wrong.status == .rejected)
        let unknown = await provider.perform(Self.request(.authenticate, ["taxpayerNumber": .text(digitCreditCode), "pin": .text("123456")]))
        #expect(unknown.status == .rejected)
    }

    @Test func billsGiveArrearsStatusAndAmountDue() async throws {
        let (store, log) = try await FlowRehearsalTests.store()
        let provider = StoredSelfServiceProvider(taxpayers: store, bills: store, eventLog: log, announcements: ["12月15日前完成申报"])
        let taxpayer: [String: FlowValue] = ["taxpayer": .text(FlowRehearsalTests.identityNumber)]
        let arrears = await provider.perform(Self.request(.arrears, taxpayer))
        #expect(arrears.values["arrears"] == .money(fen: 123_450))
        #expect(arrears.values["hasArrears"] == .flag(true))
        if case .money(let surcharge)? = arrears.values["surcharge"] { #expect(surcharge > 0) } else { Issue.record("no surcharge") }
        let status = await provider.perform(Self.request(.paymentStatus, taxpayer))
        #expect(status.values["status"] == .text("unpaid"))
        #expect(status.values["period"] == .text("2026-11"))
        let due = await provider.perform(Self.request(.amountDue, taxpayer))
        #expect(due.values["total"] == .money(fen: 50_000))
        #expect(due.values["dueDate"] == .date(LocalDate("2026-12-15")!))
        let notices = await provider.perform(Self.request(.notices, [:]))
        #expect(notices.values["latest"] == .text("12月15日前完成申报"))
        let nobody = await provider.perform(Self.request(.arrears, ["taxpayer": .text(digitCreditCode)]))
        #expect(nobody.status == .notFound)
    }

    @Test func reportedFigureGoesToTheEventLog() async throws {
        let (store, log) = try await FlowRehearsalTests.store()
        let provider = StoredSelfServiceProvider(taxpayers: store, bills: store, eventLog: log)
        let result = await provider.perform(Self.request(.reportFigure, ["taxpayer": .text(FlowRehearsalTests.identityNumber),
                                                                         "figure": .money(fen: 4200)]))
        #expect(result.status == .ok)
        let events = try await log.events(after: 0, subject: nil, limit: 100).compactMap { try $0.decode(as: FigureReported.self) }
        #expect(events == [FigureReported(callID: "c1", taxpayerNumber: FlowRehearsalTests.identityNumber, value: 4200, unit: "money")])
        let withoutLog = StoredSelfServiceProvider(taxpayers: store, bills: store)
        #expect(await withoutLog.perform(Self.request(.reportFigure, ["figure": .money(fen: 1)])).status == .rejected)
    }
}
