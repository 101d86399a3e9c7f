import Foundation
import GRDB
import HotlineCore
import HotlineSQLite
import Testing

@Suite struct ImportTests {
    static let header = "taxpayer_number,name,kind,enterprise_name,phone,mobile,email,address,category,pin,custom.grade"

    @Test func importsValidRowsAndUpsertsByNumber() async throws {
        let directory = try TemporaryDirectory()
        let database = try HotlineDatabase(directory: directory.url)
        let file = csv([
            Self.header,
            "\(creditCode(1)),闽都科技,enterprise,\"福州闽都科技有限公司, 鼓楼分公司\",0591-87654321,,a@b.cn,五四路1号,vip,135790,A",
            "\(identityNumber(2)),王伟,,,,+86 138 0013 8000,,\"人民路\n2号\",,,",
        ])
        let summary = try database.importTaxpayers(csv: file, source: "t.csv", at: testDate, pinIterations: 10)
        #expect(summary.rows == 2 && summary.inserted == 2 && summary.updated == 0)
        let company = try #require(try await database.taxpayer(try number(creditCode(1))))
        #expect(company.enterpriseName == "福州闽都科技有限公司, 鼓楼分公司")
        #expect(company.phone?.digits == "059187654321")
        #expect(company.category == .vip)
        #expect(company.pinHash?.verify("135790") == true)
        #expect(company.customFields == ["grade": "A"])
        let person = try #require(try await database.taxpayer(try number(identityNumber(2))))
        #expect(person.kind == .individual) // inferred from the identity number
        #expect(person.mobile?.digits == "13800138000")
        #expect(person.address == "人民路\n2号")

        let again = try database.importTaxpayers(csv: csv([Self.header, "\(creditCode(1)),闽都数码,,,,,,,,,B"]),
                                                 source: "u.csv", at: testDate)
        #expect(again.inserted == 0 && again.updated == 1)
        #expect(try await database.taxpayer(try number(creditCode(1)))?.name == "闽都数码")
        #expect(try await database.taxpayerCount() == 2)
        let events = try await database.events(after: 0, subject: "import:taxpayers", limit: 10)
        #expect(try events.last?.decode(as: RecordsImported.self)?.updated == 1)
    }

    @Test func aLargeImportRebuildsTheTaxpayerIndexesInsideItsTransaction() async throws {
        let directory = try TemporaryDirectory()
        let database = try HotlineDatabase(directory: directory.url)
        let today = try #require(LocalDate("2026-12-04"))
        var writer = CSVWriter()
        writer.write(TaxpayerCSV.exportHeader(customKeys: []))
        var first: Taxpayer?
        DemoData(seed: 9, today: today, pinCount: 0).generate(count: 5_000, includeHistory: false) { entry in
            var taxpayer = entry.taxpayer
            taxpayer.customFields = [:]
            if first == nil { first = taxpayer }
            writer.write(TaxpayerCSV.exportRow(taxpayer, customKeys: []))
        }
        // The first record again, later in the same file, with another mobile: the later row wins.
        var changed = try #require(first)
        changed.mobile = try PhoneNumber("13712345678")
        writer.write(TaxpayerCSV.exportRow(changed, customKeys: []))
        #expect(writer.bytes.count > 1_000_000) // large enough for the indexes to be rebuilt

        func indexes() async throws -> [String] {
            try await database.pool.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'taxpayer' AND sql IS NOT NULL ORDER BY name")
            }
        }
        let before = try await indexes()
        #expect(before == ["taxpayer_by_mobile", "taxpayer_by_name", "taxpayer_by_phone"])
        let summary = try database.importTaxpayers(csv: writer.bytes, source: "big.csv", at: testDate)
        #expect(summary.inserted == 5_000 && summary.updated == 1)
        #expect(try await indexes() == before)
        #expect(try await database.pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
        #expect(try await database.search("12345678", limit: 5).map(\.taxpayer.number) == [changed.number])
        #expect(try await database.taxpayers(withPhone: try PhoneNumber("13712345678")).map(\.number) == [changed.number])

        // A file with a bad row changes nothing, indexes included.
        let bad = writer.bytes + Array("\(creditCode(77)),,enterprise\r\n".utf8)
        #expect(throws: ImportFailure.self) { try database.importTaxpayers(csv: bad, source: "bad.csv", at: testDate) }
        #expect(try await indexes() == before)
        #expect(try await database.taxpayerCount() == 5_000)
    }

    @Test func anyInvalidRowImportsNothingAndEveryProblemIsListed() async throws {
        let directory = try TemporaryDirectory()
        let database = try HotlineDatabase(directory: directory.url)
        let badCheck = String(creditCode(3).dropLast()) + (creditCode(3).hasSuffix("1") ? "2" : "1")
        let file = csv([
            Self.header,
            "\(creditCode(1)),好公司,enterprise,,,,,,,,",
            "\(badCheck),坏校验码,enterprise,,,,,,,,",
            "\(creditCode(4)),,enterprise,,,,,,,,",
            "\(creditCode(5)),电话错,enterprise,,010-12,,not-mail,,gold,12ab,",
            "\(creditCode(6)),字段少,enterprise",
        ])
        let failure = try #require(throws: ImportFailure.self) {
            try database.importTaxpayers(csv: file, source: "bad.csv", at: testDate, pinIterations: 10)
        }
        let places = failure.problems.map { "\($0.line):\($0.column ?? "-")" }
        #expect(places == ["3:taxpayer_number", "4:name", "5:phone", "5:email", "5:category", "5:pin", "6:-"])
        #expect(failure.problems[0].reason.contains("check character"))
        #expect(failure.problems[2].reason.contains("010-12"))
        #expect(try await database.taxpayerCount() == 0)
        #expect(try await database.events(after: 0, subject: nil, limit: 10).isEmpty)
    }

    @Test func skipInvalidImportsTheRestAndReturnsTheRejected() async throws {
        let directory = try TemporaryDirectory()
        let database = try HotlineDatabase(directory: directory.url)
        let file = csv([
            "taxpayer_number,name",
            "\(creditCode(1)),好公司",
            "91350100M000100Y44,坏",
            "\(identityNumber(7)),好人",
        ])
        let summary = try database.importTaxpayers(csv: file, source: "mixed.csv", skipInvalid: true, at: testDate)
        #expect(summary.inserted == 2)
        #expect(summary.rejected.map(\.line) == [3])
        #expect(summary.rejected.first?.fields == ["91350100M000100Y44", "坏"])
        #expect(try await database.taxpayerCount() == 2)
    }

    @Test func headerProblemsAreReported() throws {
        let directory = try TemporaryDirectory()
        let database = try HotlineDatabase(directory: directory.url)
        let failure = try #require(throws: ImportFailure.self) {
            try database.importTaxpayers(csv: csv(["name,colour,name", "x,y,z"]), source: "h.csv", at: testDate)
        }
        #expect(failure.problems.map(\.column) == ["colour", "name", "taxpayer_number"])
        #expect(failure.problems.allSatisfy { $0.line == 1 })
    }

    @Test func chineseHeadersInGB18030() async throws {
        let directory = try TemporaryDirectory()
        let database = try HotlineDatabase(directory: directory.url)
        let text = "纳税人识别号,名称,类型,手机,地区,类别,自定义.grade\r\n\(identityNumber(9)),李娜,个人,13912345678,北京市朝阳区,贵宾,B\r\n"
        let summary = try database.importTaxpayers(csv: try CSVText.gb18030(Array(text.utf8)), source: "gb.csv", at: testDate)
        #expect(summary.encoding == .gb18030)
        let taxpayer = try #require(try await database.taxpayer(try number(identityNumber(9))))
        #expect(taxpayer.name == "李娜" && taxpayer.region == "北京市朝阳区" && taxpayer.category == .vip)
        #expect(taxpayer.customFields == ["grade": "B"])
        #expect(try await database.search("娜", limit: 5).count == 1)
    }

    @Test func exportThenImportIntoAnEmptyDirectoryGivesIdenticalRecords() async throws {
        let source = try TemporaryDirectory()
        let original = try HotlineDatabase(directory: source.url)
        let demo = DemoData(seed: 7, today: try #require(LocalDate("2026-11-29")), pinCount: 3, pinIterations: 10)
        try original.insertDemoData(demo, count: 300, at: testDate)
        // Awkward values too: quotes, commas, line breaks, an extension.
        var odd = try #require(try await original.taxpayers(after: nil, limit: 1).first)
        odd.name = "引号\"和,逗号"
        odd.address = "第一行\n第二行"
        odd.phone = try PhoneNumber("010-65123456-801")
        try await original.save(odd, at: testDate)

        let file = source.file("export.csv")
        #expect(try original.exportTaxpayers(to: file) == 300)
        let target = try TemporaryDirectory()
        let copy = try HotlineDatabase(directory: target.url)
        let summary = try copy.importTaxpayers(csv: Array(try Data(contentsOf: file)), source: "export.csv", at: testDate)
        #expect(summary.inserted == 300)
        let before = try await original.taxpayers(after: nil, limit: 1000)
        let after = try await copy.taxpayers(after: nil, limit: 1000)
        #expect(before.count == 300)
        #expect(after == before)
        #expect(after.filter { $0.pinHash != nil }.count == 3)
    }

    @Test func billsImportChecksTaxpayersAndAmounts() async throws {
        let directory = try TemporaryDirectory()
        let database = try HotlineDatabase(directory: directory.url)
        _ = try database.importTaxpayers(csv: csv(["taxpayer_number,name", "\(creditCode(1)),闽都科技"]), source: "t.csv", at: testDate)
        let bad = csv([
            "taxpayer_number,period,tax_type,amount_due,amount_paid,due_date",
            "\(creditCode(1)),2026-10,增值税,1000.5,0,2026-11-15",
            "\(creditCode(2)),2026-10,增值税,10,0,2026-11-15",
            "\(creditCode(1)),2026-13,增值税,1.234,-1,2026-02-30",
        ])
        let failure = try #require(throws: ImportFailure.self) { try database.importBills(csv: bad, source: "b.csv", at: testDate) }
        #expect(failure.problems.map { "\($0.line):\($0.column ?? "-")" }
                == ["3:taxpayer_number", "4:period", "4:amount_due", "4:amount_paid", "4:due_date"])
        #expect(try await database.bills(of: try number(creditCode(1))).isEmpty)

        let good = csv([
            "纳税人识别号,所属期,税种,应纳税额,已缴税额,缴款期限",
            "\(creditCode(1)),2026-10,增值税,\"1,000.50\",200,2026-11-15",
        ])
        let summary = try database.importBills(csv: good, source: "b.csv", at: testDate)
        #expect(summary.inserted == 1)
        let bills = try await database.bills(of: try number(creditCode(1)))
        #expect(bills.map(\.amountDue) == [Money(fen: 100_050)])
        #expect(bills.map(\.outstanding) == [Money(fen: 80_050)])
    }
}
