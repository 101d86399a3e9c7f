import Foundation
import HotlineCore
import Testing

@Suite struct InMemoryStoresTests {
    let at = Date(timeIntervalSince1970: 1_800_000_000)

    func sample() throws -> [Taxpayer] {
        [
            Taxpayer(number: try TaxpayerNumber("91350100M000100Y43"), name: "闽都科技", kind: .enterprise,
                     enterpriseName: "福州闽都科技有限公司", phone: try PhoneNumber("0591-87654321"), address: "福州市鼓楼区五四路"),
            Taxpayer(number: try TaxpayerNumber("11010519491231002X"), name: "王伟", kind: .individual,
                     mobile: try PhoneNumber("13800138000"), address: "北京市朝阳区"),
            Taxpayer(number: try TaxpayerNumber("440524188001010014"), name: "李王氏", kind: .individual,
                     mobile: try PhoneNumber("13800138000")),
        ]
    }

    @Test func savesLooksUpAndLogsEvents() async throws {
        let log = InMemoryEventLog()
        let store = InMemoryTaxpayerStore(eventLog: log)
        for taxpayer in try sample() { try await store.save(taxpayer, at: at) }
        #expect(try await store.save(try sample()[0], at: at) == false)
        #expect(await store.taxpayerCount() == 3)
        let events = await log.events(after: 0, subject: nil, limit: 10)
        #expect(events.map(\.sequence) == [1, 2, 3, 4])
        #expect(try events[3].decode(as: TaxpayerSaved.self)?.created == false)
        let forWang = await log.events(after: 0, subject: "taxpayer:11010519491231002X", limit: 10)
        #expect(forWang.count == 1)
        #expect(await store.taxpayers(withPhone: try PhoneNumber("+86 138 0013 8000")).count == 2)
    }

    @Test func searchPutsExactMatchesFirst() async throws {
        let store = InMemoryTaxpayerStore()
        for taxpayer in try sample() { try await store.save(taxpayer, at: at) }
        let byNumber = await store.search("11010519491231002x", limit: 10)
        #expect(byNumber.first?.match == .taxpayerNumber)
        let byPhone = await store.search("13800138000", limit: 10)
        #expect(byPhone.map(\.match) == [.phone, .phone])
        let byCharacter = await store.search("王", limit: 10)
        #expect(Set(byCharacter.map(\.taxpayer.name)) == ["王伟", "李王氏"])
        #expect(await store.search("王", limit: 1).count == 1)
    }

    @Test func billsAndArrears() async throws {
        let store = InMemoryTaxpayerStore()
        let taxpayers = try sample()
        try await store.save(taxpayers[0], at: at)
        let bill = TaxBill(taxpayerNumber: taxpayers[0].number, period: try #require(BillingPeriod("2026-01")),
                           taxType: "增值税", amountDue: Money(yuan: 1000), dueDate: try #require(LocalDate("2026-02-15")))
        try await store.save(bill, at: at)
        await #expect(throws: StorageError.taxpayerNotFound(taxpayers[1].number)) {
            var other = bill
            other.taxpayerNumber = taxpayers[1].number
            try await store.save(other, at: at)
        }
        let asOf = try #require(LocalDate("2026-02-25"))
        let arrears = try await store.arrears(of: taxpayers[0].number, asOf: asOf)
        #expect(arrears.arrears == Money(yuan: 1000))
        #expect(arrears.surcharge == Money(yuan: 5)) // 1000 × 0.0005 × 10
        #expect(await store.taxpayersInArrears(asOf: asOf, after: nil, limit: 10) == [taxpayers[0].number])
    }

    @Test func historyNewestFirst() async throws {
        let store = InMemoryTaxpayerStore()
        let taxpayer = try sample()[1]
        try await store.save(taxpayer, at: at)
        for offset in 0..<3 {
            try await store.record(ContactRecord(id: UUID(), taxpayerNumber: taxpayer.number,
                                                 occurredAt: at.addingTimeInterval(Double(offset) * 60),
                                                 channel: .inboundCall, summary: "咨询 \(offset)"))
        }
        let history = await store.history(of: taxpayer.number, limit: 2)
        #expect(history.map(\.summary) == ["咨询 2", "咨询 1"])
    }
}
