import Foundation
import GRDB
import HotlineCore
import HotlineSQLite
import Testing

@Suite struct SearchTests {
    static let people: [(String, String?, String, String)] = [
        // name, enterprise name, address, mobile
        ("王伟", nil, "朝阳路1号", "13800000001"),
        ("王芳", nil, "人民路2号", "13800000002"),
        ("李王氏", nil, "解放路3号", "13800000003"),
        ("张三", "北京王府井百货有限公司", "王府井大街255号", "13800000004"),
        ("赵伟", nil, "建设路5号", "13911112222"),
        ("钱多多", "上海钱塘贸易有限公司", "钱塘路6号", "13800000006"),
    ]

    func database() async throws -> (TemporaryDirectory, HotlineDatabase, [Taxpayer]) {
        let directory = try TemporaryDirectory()
        let database = try HotlineDatabase(directory: directory.url)
        var taxpayers: [Taxpayer] = []
        for (index, person) in Self.people.enumerated() {
            let taxpayer = Taxpayer(number: try number(person.1 == nil ? identityNumber(index) : creditCode(index)),
                                    name: person.0, kind: person.1 == nil ? .individual : .enterprise,
                                    enterpriseName: person.1, mobile: try PhoneNumber(person.3), address: person.2)
            try await database.save(taxpayer, at: testDate)
            taxpayers.append(taxpayer)
        }
        return (directory, database, taxpayers)
    }

    @Test func oneChineseCharacterFindsEveryRecordContainingIt() async throws {
        let (directory, database, _) = try await database()
        defer { withExtendedLifetime(directory) {} }
        let results = try await database.search("王", limit: 20)
        #expect(Set(results.map(\.taxpayer.name)) == ["王伟", "王芳", "李王氏", "张三"])
        // Names starting with the character come before other hits.
        #expect(Set(results.prefix(2).map(\.taxpayer.name)) == ["王伟", "王芳"])
        #expect(try await database.search("王", limit: 2).count == 2)
    }

    @Test(arguments: [("王伟", ["王伟"]), ("伟", ["王伟", "赵伟"]), ("王府", ["张三"]), ("钱塘", ["钱多多"]), ("路5", ["赵伟"]), ("氏", ["李王氏"])])
    func twoAndOneCharacterQueries(_ query: String, _ names: [String]) async throws {
        let (directory, database, _) = try await database()
        defer { withExtendedLifetime(directory) {} }
        let results = try await database.search(query, limit: 20)
        #expect(Set(results.map(\.taxpayer.name)) == Set(names))
    }

    @Test(arguments: [("王府井", ["张三"]), ("王府井百货", ["张三"]), ("钱塘贸易有限", ["钱多多"]), ("伟芳", [String]())])
    func longerQueriesUseTheirPairs(_ query: String, _ names: [String]) async throws {
        let (directory, database, _) = try await database()
        defer { withExtendedLifetime(directory) {} }
        #expect(Set(try await database.search(query, limit: 20).map(\.taxpayer.name)) == Set(names))
    }

    @Test func indexHitsAreCheckedAgainstTheRecord() async throws {
        // Every pair of adjacent characters of the query is in 张三's record, the query is not.
        let (directory, database, _) = try await database()
        defer { withExtendedLifetime(directory) {} }
        #expect(try await database.search("百货有限公司王府井", limit: 20).isEmpty)
        #expect(try await database.search("有限公司", limit: 20).count == 2)
    }

    @Test func exactNumberAndPhoneMatchesRankFirst() async throws {
        let (directory, database, taxpayers) = try await database()
        defer { withExtendedLifetime(directory) {} }
        let byNumber = try await database.search(taxpayers[4].number.value.lowercased(), limit: 5)
        #expect(byNumber.first?.match == .taxpayerNumber)
        #expect(byNumber.first?.taxpayer.name == "赵伟")
        let byPhone = try await database.search("+86 139 1111 2222", limit: 5)
        #expect(byPhone.first?.match == .phone)
        #expect(byPhone.first?.taxpayer.name == "赵伟")
        // A fragment of a number is a text match.
        let fragment = try await database.search("1111222", limit: 5)
        #expect(fragment.map(\.taxpayer.name) == ["赵伟"])
        #expect(fragment.first?.match == .text)
        let prefix = try await database.search(String(taxpayers[0].number.value.prefix(2)), limit: 10)
        #expect(Set(prefix.map(\.taxpayer.name)) == ["王伟", "王芳", "李王氏", "赵伟"]) // identity numbers start with 11
    }

    @Test func emptyAndOddQueries() async throws {
        let (directory, database, _) = try await database()
        defer { withExtendedLifetime(directory) {} }
        #expect(try await database.search("   ", limit: 5).isEmpty)
        #expect(try await database.search("\"", limit: 5).isEmpty)
        #expect(try await database.search("王\" OR \"李", limit: 5).isEmpty)
        #expect(try await database.search("*", limit: 5).isEmpty)
    }

    @Test func fragmentsOfNumbersAndPhonesUseTheCodeIndex() async throws {
        let (directory, database, _) = try await database()
        defer { withExtendedLifetime(directory) {} }
        #expect(try await database.search("1111", limit: 20).map(\.taxpayer.name) == ["赵伟"])
        #expect(try await database.search("222", limit: 20).map(\.taxpayer.name).contains("赵伟"))
        // Letters of a credit code, in lower case, across its windows.
        #expect(Set(try await database.search("2ma000000", limit: 20).map(\.taxpayer.name)) == ["张三", "钱多多"])
        // Windows that all occur in a record (13911112222), but not in this order: no result.
        #expect(try await database.search("13911111", limit: 20).isEmpty)
        // Digits in an address are found too, after numbers and phones.
        let street = try await database.search("255", limit: 20)
        #expect(street.map(\.taxpayer.name).contains("张三"))
        #expect(try await database.search("A-1", limit: 20).isEmpty)
    }

    @Test func savingAChangedRecordReindexesIt() async throws {
        let (directory, database, taxpayers) = try await database()
        defer { withExtendedLifetime(directory) {} }
        var changed = taxpayers[4]
        changed.mobile = try PhoneNumber("13712345678")
        changed.address = "幸福街9号"
        try await database.save(changed, at: testDate)
        #expect(try await database.search("12345678", limit: 20).map(\.taxpayer.name) == ["赵伟"])
        #expect(try await database.search("1111222", limit: 20).isEmpty)
        #expect(try await database.search("幸福街", limit: 20).map(\.taxpayer.name) == ["赵伟"])
        #expect(try await database.search("建设路", limit: 20).isEmpty)
    }

    @Test func theCodeIndexMigrationIndexesExistingRecords() async throws {
        let (directory, database, _) = try await database()
        defer { withExtendedLifetime(directory) {} }
        // Put the database back as it was before the migration: trigram index, no code index.
        let migration = "2026-12-04 search: four-character code index replaces the trigram index"
        try await database.pool.write { db in
            try db.execute(sql: """
                DROP TABLE taxpayer_code;
                CREATE VIRTUAL TABLE taxpayer_trigram USING fts5(text, tokenize = 'trigram', content = '', detail = 'none');
                DELETE FROM grdb_migrations WHERE identifier = ?;
                """, arguments: [migration])
        }
        try database.pool.close()
        let reopened = try HotlineDatabase(directory: directory.url)
        #expect(try await reopened.search("1111222", limit: 20).map(\.taxpayer.name) == ["赵伟"])
        #expect(try await reopened.search("王府井", limit: 20).map(\.taxpayer.name) == ["张三"])
        let tables = try await reopened.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name LIKE 'taxpayer_trigram%'")
        }
        #expect(tables.isEmpty)
    }
}
