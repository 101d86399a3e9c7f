import Foundation
import HotlineCore
import HotlineSQLite
import Testing

@Suite struct KnowledgeBaseStoreTests {
    static let saved = Date(timeIntervalSince1970: 1_790_000_000)

    static func version(_ number: Int, _ title: String, _ body: String, _ format: KnowledgeArticle.Format = .markdown,
                        from: String, until: String? = nil) -> KnowledgeArticle.Version {
        .init(number: number, title: title, body: body, format: format, effectiveFrom: LocalDate(from)!,
              effectiveUntil: until.flatMap(LocalDate.init), author: "kb", createdAt: saved)
    }

    static let articles: [KnowledgeArticle] = [
        KnowledgeArticle(id: "vat-small-scale", category: .taxPolicy, tags: ["增值税", "小规模纳税人"], versions: [
            version(1, "小规模纳税人减按1%征收率", "增值税小规模纳税人适用3%征收率的应税销售收入，减按1%征收率征收。", from: "2023-01-01", until: "2025-12-31"),
            version(2, "小规模纳税人月销售额10万元以下免征增值税", "月销售额未超过10万元的，**免征**增值税。", from: "2026-01-01", until: "2027-12-31"),
        ]),
        KnowledgeArticle(id: "e-tax-login", category: .technicalAnswer, tags: ["电子税务局"], versions: [
            version(1, "电子税务局无法登录", "<p>请清除浏览器缓存后重试；仍不能登录请拨打12366。</p>", .html, from: "2024-06-01"),
        ]),
        KnowledgeArticle(id: "iit-annual", category: .guide, tags: ["个人所得税", "汇算"], versions: [
            version(1, "个人所得税综合所得年度汇算", "每年3月1日至6月30日办理上一年度汇算。税款多退少补。", from: "2020-01-01"),
        ]),
        KnowledgeArticle(id: "training-2026", category: .training, tags: ["培训"], versions: [
            version(1, "2026年坐席培训：服务用语", "接听来电先说您好，12366为您服务。", from: "2026-01-01", until: "2026-12-31"),
        ]),
    ]

    func store(_ backend: CaseworkBackend, _ temporary: CaseworkTemporaryDatabase) async throws -> any KnowledgeBaseStore {
        let store: any KnowledgeBaseStore = backend == .sqlite ? temporary.database : InMemoryKnowledgeBase()
        for article in Self.articles { #expect(try await store.save(article, at: Self.saved)) }
        return store
    }

    /// Short (one- and two-character) and long queries, each scoped to a day.
    @Test(arguments: CaseworkBackend.allCases)
    func searchFindsWhatIsInForceOnTheDay(backend: CaseworkBackend) async throws {
        let temporary = try CaseworkTemporaryDatabase()
        let kb = try await store(backend, temporary)
        let cases: [(String, String, [String])] = [
            ("税", "2026-03-01", ["e-tax-login", "iit-annual", "vat-small-scale"]),
            ("免征", "2026-03-01", ["vat-small-scale"]),
            ("免征", "2025-03-01", []),
            ("1%", "2025-03-01", ["vat-small-scale"]),
            ("1%", "2026-03-01", []),
            ("征收率", "2025-03-01", ["vat-small-scale"]),
            ("征收率", "2026-03-01", []),
            ("登录 12366", "2026-03-01", ["e-tax-login"]),
            ("12366", "2026-03-01", ["e-tax-login", "training-2026"]),
            ("12366", "2027-03-01", ["e-tax-login"]),
            ("汇算 退", "2026-03-01", ["iit-annual"]),
            ("浏览器缓存", "2024-06-01", ["e-tax-login"]),
            ("浏览器缓存", "2024-05-31", []),
            ("不存在的词", "2026-03-01", []),
            ("免征 增值税", "2026-03-01", ["vat-small-scale"]),
            ("汇算 所得税", "2026-03-01", ["iit-annual"]),
            ("税 服务用语", "2026-03-01", []),
            ("您好 服务用语", "2026-03-01", ["training-2026"]),
            ("  ", "2026-03-01", []),
        ]
        for (query, day, expected) in cases {
            let hits = try await kb.search(query, inForceOn: LocalDate(day)!, category: nil, limit: 10)
            #expect(Set(hits.map(\.articleID)) == Set(expected), "\(query) on \(day)")
            #expect(hits.count == expected.count, "\(query) on \(day): no duplicates")
        }
        let vat = try await kb.search("增值税", inForceOn: LocalDate("2026-03-01")!, category: nil, limit: 10)
        #expect(vat.first?.versionNumber == 2)
        #expect(vat.first?.title == "小规模纳税人月销售额10万元以下免征增值税")
        #expect(vat.first?.snippet.contains("增值税") == true)
        let onlyGuides = try await kb.search("税", inForceOn: LocalDate("2026-03-01")!, category: .guide, limit: 10)
        #expect(onlyGuides.map(\.articleID) == ["iit-annual"])
    }

    @Test(arguments: CaseworkBackend.allCases)
    func titleMatchesRankAboveTextMatches(backend: CaseworkBackend) async throws {
        let temporary = try CaseworkTemporaryDatabase()
        let kb = try await store(backend, temporary)
        try await kb.save(KnowledgeArticle(id: "mention", category: .announcement, versions: [
            Self.version(1, "办税服务厅开放时间", "工作日办理各类业务，包括个人所得税年度汇算的现场咨询以及其他多项涉税业务的受理。", from: "2020-01-01"),
        ]), at: Self.saved)
        let hits = try await kb.search("汇算", inForceOn: LocalDate("2026-03-01")!, category: nil, limit: 10)
        #expect(hits.map(\.articleID) == ["iit-annual", "mention"])
        #expect(hits[0].score > hits[1].score)
    }

    @Test(arguments: CaseworkBackend.allCases)
    func savingANewVersionReindexesAndKeepsTheUseCount(backend: CaseworkBackend) async throws {
        let temporary = try CaseworkTemporaryDatabase()
        let kb = try await store(backend, temporary)
        try await kb.recordUse(KnowledgeUse(articleID: "e-tax-login", versionNumber: 1, callID: "c1", userID: "a1", at: Self.saved))
        try await kb.recordUse(KnowledgeUse(articleID: "e-tax-login", versionNumber: 1, callID: "c2", userID: "a1", at: Self.saved.addingTimeInterval(10)))
        try await kb.recordUse(KnowledgeUse(articleID: "iit-annual", versionNumber: 1, callID: nil, userID: "a2", at: Self.saved.addingTimeInterval(20)))
        await #expect(throws: KnowledgeBaseError.notFound("nope")) {
            try await kb.recordUse(KnowledgeUse(articleID: "nope", versionNumber: 1, callID: nil, userID: "a", at: Self.saved))
        }
        var article = try #require(try await kb.article("e-tax-login"))
        article.versions.append(Self.version(2, "电子税务局登录问题", "请使用新版客户端扫码登录。", from: "2026-06-01"))
        #expect(try await kb.save(article, at: Self.saved) == false)
        let stored = try #require(try await kb.article("e-tax-login"))
        #expect(stored.versions.map(\.number) == [1, 2])
        #expect(stored.usedInCallCount == 2)
        #expect(try await kb.search("扫码", inForceOn: LocalDate("2026-06-01")!, category: nil, limit: 5).map(\.versionNumber) == [2])
        #expect(try await kb.search("缓存", inForceOn: LocalDate("2026-06-01")!, category: nil, limit: 5).isEmpty, "version 1 is superseded")
        #expect(try await kb.search("缓存", inForceOn: LocalDate("2026-05-31")!, category: nil, limit: 5).map(\.versionNumber) == [1])
        #expect(try await kb.usage(from: Self.saved, to: Self.saved.addingTimeInterval(60))
                == [KnowledgeUsageCount(articleID: "e-tax-login", count: 2), KnowledgeUsageCount(articleID: "iit-annual", count: 1)])
        #expect(try await kb.articleCount() == 4)
        #expect(try await kb.articles(category: nil, after: "e-tax-login", limit: 2).map(\.id) == ["iit-annual", "training-2026"])
        #expect(try await kb.articles(category: .taxPolicy, after: nil, limit: 10).map(\.id) == ["vat-small-scale"])
        let invalid = KnowledgeArticle(id: "bad id", category: .guide, versions: [])
        await #expect(throws: KnowledgeBaseError.self) { try await kb.save(invalid, at: Self.saved) }
    }
}
