import Foundation
import HotlineCore
import Testing

@Suite struct KnowledgeArticleTests {
    static let saved = Date(timeIntervalSince1970: 1_790_000_000)

    static func version(_ number: Int, _ title: String, _ body: String, from: String, until: String? = nil) -> KnowledgeArticle.Version {
        KnowledgeArticle.Version(number: number, title: title, body: body, effectiveFrom: LocalDate(from)!,
                                 effectiveUntil: until.flatMap(LocalDate.init), author: "kb", createdAt: saved)
    }

    static let vat = KnowledgeArticle(id: "vat-small-scale", category: .taxPolicy, tags: ["增值税", "小规模纳税人"], versions: [
        version(1, "小规模纳税人减按1%征收率", "增值税小规模纳税人适用3%征收率的应税销售收入，减按1%征收率征收。", from: "2023-01-01", until: "2027-12-31"),
        version(2, "小规模纳税人月销售额10万元以下免征增值税", "月销售额未超过10万元的，**免征**增值税。", from: "2026-01-01", until: "2027-12-31"),
    ])
    static let guide = KnowledgeArticle(id: "e-tax-login", category: .technicalAnswer, tags: ["电子税务局"], versions: [
        version(1, "电子税务局无法登录", "<p>请清除浏览器缓存后重试；仍不能登录请拨打12366。</p>", from: "2024-06-01"),
    ])
    static let old = KnowledgeArticle(id: "old-notice", category: .announcement, versions: [
        version(1, "2020年个人所得税汇算通知", "个人所得税综合所得汇算清缴。", from: "2021-03-01", until: "2021-06-30"),
    ])

    @Test func theVersionInForceDependsOnTheDay() {
        #expect(Self.vat.version(inForceOn: LocalDate("2025-06-01")!)?.number == 1)
        #expect(Self.vat.version(inForceOn: LocalDate("2026-03-01")!)?.number == 2)
        #expect(Self.vat.version(inForceOn: LocalDate("2027-12-31")!)?.number == 2, "the last day is in force")
        #expect(Self.vat.version(inForceOn: LocalDate("2028-01-01")!) == nil)
        #expect(Self.vat.version(inForceOn: LocalDate("2022-12-31")!) == nil)
    }

    @Test func problemsNameTheVersion() {
        var broken = Self.old
        broken.versions.append(Self.version(2, "", "x", from: "2021-07-01", until: "2021-01-01"))
        #expect(broken.problems == [
            "version 2: title must not be empty",
            "version 2: effective until 2021-01-01 is before effective from 2021-07-01",
        ])
        #expect(KnowledgeArticle(id: "a b", category: .guide, versions: []).problems.count == 2)
    }

    @Test func markupIsRemovedForSearch() {
        #expect(KnowledgeText.plainText("<p>a &amp; b</p><br/>c", format: .html) == "a & b c")
        #expect(KnowledgeText.plainText("# 标题\n- **免征**增值税", format: .markdown) == "标题 免征增值税")
    }

    @Test(arguments: [
        ("增值税", "2026-03-01", ["vat-small-scale"]),
        ("税", "2026-03-01", ["vat-small-scale", "e-tax-login"]),
        ("免征", "2026-03-01", ["vat-small-scale"]),
        ("免征", "2025-03-01", []),
        ("1%", "2025-03-01", ["vat-small-scale"]),
        ("登录 12366", "2026-03-01", ["e-tax-login"]),
        ("汇算", "2026-03-01", []),
        ("汇算", "2021-05-01", ["old-notice"]),
        ("", "2026-03-01", []),
    ])
    func searchFindsOnlyWhatIsInForce(query: String, day: String, expected: [String]) async throws {
        let kb: any KnowledgeBaseStore = InMemoryKnowledgeBase()
        for article in [Self.vat, Self.guide, Self.old] { try await kb.save(article, at: Self.saved) }
        let hits = try await kb.search(query, inForceOn: LocalDate(day)!, category: nil, limit: 10)
        #expect(hits.map(\.articleID) == expected)
    }

    @Test func usesAreCountedForReports() async throws {
        let kb: any KnowledgeBaseStore = InMemoryKnowledgeBase()
        try await kb.save(Self.vat, at: Self.saved)
        try await kb.save(Self.guide, at: Self.saved)
        for index in 0..<3 {
            try await kb.recordUse(KnowledgeUse(articleID: "vat-small-scale", versionNumber: 2, callID: "c\(index)", userID: "agent-1",
                                                at: Self.saved.addingTimeInterval(Double(index) * 60)))
        }
        try await kb.recordUse(KnowledgeUse(articleID: "e-tax-login", versionNumber: 1, callID: nil, userID: "agent-1", at: Self.saved))
        await #expect(throws: KnowledgeBaseError.notFound("nope")) {
            try await kb.recordUse(KnowledgeUse(articleID: "nope", versionNumber: 1, callID: nil, userID: "a", at: Self.saved))
        }
        #expect(try await kb.article("vat-small-scale")?.usedInCallCount == 3)
        #expect(try await kb.usage(from: Self.saved, to: Self.saved.addingTimeInterval(3600))
                == [KnowledgeUsageCount(articleID: "vat-small-scale", count: 3), KnowledgeUsageCount(articleID: "e-tax-login", count: 1)])
        // Saving a new version keeps the count.
        try await kb.save(Self.vat, at: Self.saved)
        #expect(try await kb.article("vat-small-scale")?.usedInCallCount == 3)
    }
}
