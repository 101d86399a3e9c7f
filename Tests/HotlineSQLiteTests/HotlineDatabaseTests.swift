import Foundation
import GRDB
import HotlineCore
import HotlineSQLite
import Testing

@Suite struct HotlineDatabaseTests {
    func sample() throws -> Taxpayer {
        Taxpayer(number: try number("91350100M000100Y43"), name: "闽都科技", kind: .enterprise,
                 enterpriseName: "福州闽都科技有限公司", legalRepresentative: "林志强",
                 phone: try PhoneNumber("0591-87654321-802"), mobile: try PhoneNumber("13905910001"),
                 email: "caiwu@mindu.example.cn", region: "福建省福州市鼓楼区", address: "五四路158号",
                 building: "环球广场A座", floor: "21层", room: "2105室", bankName: "中国工商银行",
                 bankAccount: "6222021234567890123", category: .keyEnterprise, taxOffice: "国家税务总局福州市鼓楼区税务局",
                 assignedAgent: "agent-101", pinHash: try PINHash(pin: "246810", iterations: 10),
                 customFields: ["industry_code": "I6510", "grade": "A"])
    }

    @Test func createsAWALDatabaseWithItsApplicationID() throws {
        let directory = try TemporaryDirectory()
        let database = try HotlineDatabase(directory: directory.url)
        let (mode, id) = try database.pool.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int32.fetchOne(db, sql: "PRAGMA application_id"))
        }
        #expect(mode == "wal")
        #expect(id == HotlineDatabase.applicationID)
        // Re-opening migrates nothing and works.
        _ = try HotlineDatabase(directory: directory.url)
    }

    @Test func refusesAForeignSQLiteFile() throws {
        let directory = try TemporaryDirectory()
        let foreign = directory.file("other.sqlite")
        let queue = try DatabaseQueue(path: foreign.path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE t(x)") }
        try queue.close()
        #expect(throws: HotlineDatabaseError.notAHotlineDatabase(foreign.path)) { try HotlineDatabase(url: foreign) }
    }

    @Test func savesAndReadsBackEveryField() async throws {
        let directory = try TemporaryDirectory()
        let database = try HotlineDatabase(directory: directory.url)
        let taxpayer = try sample()
        #expect(try await database.save(taxpayer, at: testDate) == true)
        #expect(try await database.taxpayer(taxpayer.number) == taxpayer)
        var changed = taxpayer
        changed.name = "闽都数码"
        changed.mobile = nil
        #expect(try await database.save(changed, at: testDate) == false)
        #expect(try await database.taxpayer(taxpayer.number) == changed)
        #expect(try await database.taxpayerCount() == 1)
        // The search index followed the change.
        #expect(try await database.search("闽都数码", limit: 5).count == 1)
        #expect(try await database.search("闽都科技", limit: 5).first?.taxpayer.enterpriseName == "福州闽都科技有限公司")
        #expect(try await database.search("13905910001", limit: 5).isEmpty)
    }

    @Test func changesAppendEventsInTheSameTransaction() async throws {
        let directory = try TemporaryDirectory()
        let database = try HotlineDatabase(directory: directory.url)
        let taxpayer = try sample()
        try await database.save(taxpayer, at: testDate)
        try await database.setPIN(try PINHash(pin: "1357", iterations: 5), for: taxpayer.number, at: testDate)
        let bill = TaxBill(taxpayerNumber: taxpayer.number, period: try #require(BillingPeriod("2026-10")), taxType: "增值税",
                           amountDue: Money(yuan: 1000), dueDate: try #require(LocalDate("2026-11-15")))
        try await database.save(bill, at: testDate)
        try await database.record(ContactRecord(id: UUID(), taxpayerNumber: taxpayer.number, occurredAt: testDate,
                                                channel: .inboundCall, summary: "咨询申报期限", agent: "agent-101"))
        let events = try await database.events(after: 0, subject: taxpayer.number.eventSubject, limit: 10)
        #expect(events.map(\.type) == [TaxpayerSaved.eventType, PINChanged.eventType, TaxBillSaved.eventType, ContactRecorded.eventType])
        #expect(events.map(\.sequence) == [1, 2, 3, 4])
        #expect(try events[2].decode(as: TaxBillSaved.self)?.outstanding == Money(yuan: 1000))
        #expect(try await database.taxpayer(taxpayer.number)?.pinHash?.verify("1357") == true)

        // A change that fails leaves neither the row nor its event.
        let stranger = try number("11010519491231002X")
        await #expect(throws: StorageError.taxpayerNotFound(stranger)) {
            try await database.setPIN(nil, for: stranger, at: testDate)
        }
        #expect(try await database.events(after: 0, subject: nil, limit: 100).count == 4)
    }

    @Test func eventLogIsAppendOnly() async throws {
        let directory = try TemporaryDirectory()
        let database = try HotlineDatabase(directory: directory.url)
        let stored = try await database.append([
            RecordedEvent(type: "test.a", occurredAt: testDate, subject: "call:1", payload: Data("{}".utf8)),
            RecordedEvent(type: "test.b", occurredAt: testDate.addingTimeInterval(0.25), subject: "call:2", payload: Data("{}".utf8)),
        ])
        #expect(stored.map(\.sequence) == [1, 2])
        #expect(try await database.events(after: 1, subject: nil, limit: 10) == [stored[1]])
        #expect(throws: DatabaseError.self) {
            try database.pool.write { db in try db.execute(sql: "DELETE FROM event") }
        }
        #expect(throws: DatabaseError.self) {
            try database.pool.write { db in try db.execute(sql: "UPDATE event SET type = 'x'") }
        }
    }

    @Test func billsArrearsAndDunningList() async throws {
        let directory = try TemporaryDirectory()
        let database = try HotlineDatabase(directory: directory.url)
        let taxpayer = try sample()
        try await database.save(taxpayer, at: testDate)
        let due = try #require(LocalDate("2026-11-15"))
        for (period, paid) in [("2026-09", Int64(1000)), ("2026-10", 400)] {
            try await database.save(TaxBill(taxpayerNumber: taxpayer.number, period: try #require(BillingPeriod(period)),
                                            taxType: "增值税", amountDue: Money(yuan: 1000), amountPaid: Money(yuan: paid),
                                            dueDate: due), at: testDate)
        }
        let asOf = try #require(LocalDate("2026-11-25"))
        let summary = try await database.arrears(of: taxpayer.number, asOf: asOf)
        #expect(summary.arrears == Money(yuan: 600))
        #expect(summary.surcharge == Money(yuan: 3)) // 600 × 0.0005 × 10
        #expect(summary.periods.map(\.description) == ["2026-10"])
        #expect(try await database.taxpayersInArrears(asOf: asOf, after: nil, limit: 10) == [taxpayer.number])
        #expect(try await database.taxpayersInArrears(asOf: due, after: nil, limit: 10).isEmpty)
    }

    @Test func historyNewestFirst() async throws {
        let directory = try TemporaryDirectory()
        let database = try HotlineDatabase(directory: directory.url)
        let taxpayer = try sample()
        try await database.save(taxpayer, at: testDate)
        for minute in 0..<3 {
            try await database.record(ContactRecord(id: UUID(), taxpayerNumber: taxpayer.number,
                                                    occurredAt: testDate.addingTimeInterval(Double(minute) * 60),
                                                    channel: .sms, summary: "短信 \(minute)", callID: "call-\(minute)"))
        }
        let history = try await database.history(of: taxpayer.number, limit: 2)
        #expect(history.map(\.summary) == ["短信 2", "短信 1"])
        #expect(history.first?.callID == "call-2")
    }
}
