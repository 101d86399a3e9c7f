import Foundation
import HotlineCore
import Testing

@Suite struct KnowledgeArticleFileTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func aMarkdownFileBecomesAnArticle() throws {
        let text = """
            ---
            title: 小规模纳税人月销售额10万元以下免征增值税
            category: 税收政策
            tags: [增值税, 小规模纳税人]
            effective_from: 2026-01-01
            effective_until: "2027-12-31"
            author: 纳税服务科
            ---
            # 政策内容

            月销售额未超过10万元的，免征增值税。
            """
        let article = try KnowledgeArticleFile.parse(text, fileName: "vat-small-scale.md", at: now)
        #expect(article.id == "vat-small-scale")
        #expect(article.category == .taxPolicy)
        #expect(article.tags == ["增值税", "小规模纳税人"])
        let version = try #require(article.versions.first)
        #expect(version.effectiveUntil == LocalDate("2027-12-31"))
        #expect(version.format == .markdown)
        #expect(version.body.hasPrefix("# 政策内容"))
        #expect(version.author == "纳税服务科")
    }

    @Test(arguments: [
        ("title: x\n---\nbody", "a.md", 1, "expected the front matter to start with a line '---'"),
        ("---\ntitle: x\nbody", "a.md", 1, "the front matter started here is never closed with a line '---'"),
        ("---\ntitle x\n---\nbody", "a.md", 2, "expected 'key: value'"),
        ("---\ntitle: x\ncategory: taxPolicy\n---\nbody", "a.md", 4, "'effective_from' is missing from the front matter"),
        ("---\ntitle: x\ncategory: 杂项\neffective_from: 2026-01-01\n---\nbody", "a.md", 3,
         "unknown category '杂项'; use one of taxPolicy, announcement, guide, internalNotice, technicalAnswer, training"),
        ("---\ntitle: x\ncategory: guide\neffective_from: 2026-13-01\n---\nbody", "a.md", 4, "effective_from '2026-13-01' is not a YYYY-MM-DD date"),
        ("---\ntitle: x\ncategory: guide\neffective_from: 2026-01-01\neffective_until: 2025-01-01\n---\nbody", "a.md", 5,
         "effective_until 2025-01-01 is before effective_from 2026-01-01"),
        ("---\ntitle: x\ncategory: guide\neffective_from: 2026-01-01\ncolour: red\n---\nbody", "a.md", 5,
         "unknown key 'colour'; known keys: id, title, category, tags, effective_from, effective_until, author"),
        ("---\ntitle: x\ncategory: guide\neffective_from: 2026-01-01\n---\n\n", "a.md", 6, "the article has no text after the front matter"),
        ("---\ntitle: x\n---\nbody", "a.txt", 1, "not a Markdown (.md) or HTML (.html) file"),
        ("---\ntitle: x\ncategory: guide\neffective_from: 2026-01-01\n---\nbody", "通知.md", 1,
         "id '通知' must be 1–100 characters of letters, digits, '-', '_', '.' (set 'id:' when the file name is not)"),
    ])
    func badFilesAreReportedWithFileAndLine(text: String, file: String, line: Int, message: String) {
        #expect(throws: KnowledgeImportError(file: file, line: line, message: message)) {
            try KnowledgeArticleFile.parse(text, fileName: file, at: now)
        }
    }

    @Test func reimportingAddsAVersionOnlyWhenTheTextChanged() throws {
        let first = try KnowledgeArticleFile.parse("---\nid: faq\ntitle: A\ncategory: guide\neffective_from: 2026-01-01\n---\n<p>one</p>",
                                                   fileName: "faq.html", at: now)
        guard case .new(let stored) = KnowledgeArticleFile.merge(first, into: nil) else { Issue.record("expected new"); return }
        #expect(stored.versions.first?.format == .html)
        guard case .unchanged = KnowledgeArticleFile.merge(first, into: stored) else { Issue.record("expected unchanged"); return }
        let second = try KnowledgeArticleFile.parse("---\nid: faq\ntitle: A\ncategory: guide\ntags: 新\neffective_from: 2026-07-01\n---\n<p>two</p>",
                                                    fileName: "faq.html", at: now)
        guard case .newVersion(let updated) = KnowledgeArticleFile.merge(second, into: stored) else { Issue.record("expected a version"); return }
        #expect(updated.versions.map(\.number) == [1, 2])
        #expect(updated.tags == ["新"])
        #expect(updated.version(inForceOn: LocalDate("2026-03-01")!)?.body == "<p>one</p>")
        #expect(updated.version(inForceOn: LocalDate("2026-07-01")!)?.body == "<p>two</p>")
    }
}
