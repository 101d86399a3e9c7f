public import Foundation

/// A problem in a knowledge article file, with the file and the 1-based line.
public struct KnowledgeImportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file's name (or path) as given.
    public var file: String
    /// The line the problem is on (1-based).
    public var line: Int
    /// What is wrong.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - file: File name.
    ///   - line: Line.
    ///   - message: What is wrong.
    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message`, the form editors jump to.
    public var description: String { "\(file):\(line): \(message)" }
}

/// Reads knowledge articles written as Markdown or HTML files with a front-matter header:
///
/// ```
/// ---
/// id: vat-small-scale            (optional: the file name without extension)
/// title: 小规模纳税人月销售额10万元以下免征增值税
/// category: taxPolicy            (or 税收政策, 公告, 办税指南, 内部通知, 技术问答, 培训资料)
/// tags: [增值税, 小规模纳税人]
/// effective_from: 2026-01-01
/// effective_until: 2027-12-31    (optional: the last day in force)
/// author: 纳税服务科              (optional)
/// ---
/// Body in Markdown (.md) or HTML (.html).
/// ```
public enum KnowledgeArticleFile {
    /// Chinese names accepted for the categories.
    public static let categoryNames: [String: KnowledgeArticle.Category] = [
        "税收政策": .taxPolicy, "政策": .taxPolicy, "公告": .announcement, "通知公告": .announcement, "办税指南": .guide,
        "指南": .guide, "内部通知": .internalNotice, "技术问答": .technicalAnswer, "培训资料": .training, "培训": .training,
    ]

    /// Parses one file into an article with a single version (number 1).
    ///
    /// - Parameters:
    ///   - text: The file's content.
    ///   - fileName: The file's name; its extension picks the format and its stem is the default id.
    ///   - now: The import time (the version's `createdAt`).
    /// - Returns: The article.
    /// - Throws: ``KnowledgeImportError`` naming the line.
    public static func parse(_ text: String, fileName: String, at now: Date) throws(KnowledgeImportError) -> KnowledgeArticle {
        func fail(_ line: Int, _ message: String) -> KnowledgeImportError {
            KnowledgeImportError(file: fileName, line: line, message: message)
        }
        let lowerName = fileName.lowercased()
        let format: KnowledgeArticle.Format
        if lowerName.hasSuffix(".md") || lowerName.hasSuffix(".markdown") {
            format = .markdown
        } else if lowerName.hasSuffix(".html") || lowerName.hasSuffix(".htm") {
            format = .html
        } else {
            throw fail(1, "not a Markdown (.md) or HTML (.html) file")
        }
        var lines = text.components(separatedBy: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = String(first.dropFirst()) }
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---" else {
            throw fail(1, "expected the front matter to start with a line '---'")
        }
        guard let end = lines.indices.dropFirst().first(where: { lines[$0].trimmingCharacters(in: .whitespaces) == "---" }) else {
            throw fail(1, "the front matter started here is never closed with a line '---'")
        }
        var fields: [String: (value: String, line: Int)] = [:]
        for index in 1..<end {
            let line = lines[index]
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.trimmingCharacters(in: .whitespaces).hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else { throw fail(index + 1, "expected 'key: value'") }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "-", with: "_")
            var value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            let known = ["id", "title", "category", "tags", "effective_from", "effective_until", "author"]
            guard known.contains(key) else { throw fail(index + 1, "unknown key '\(key)'; known keys: \(known.joined(separator: ", "))") }
            guard fields[key] == nil else { throw fail(index + 1, "'\(key)' is given twice") }
            fields[key] = (value, index + 1)
        }
        func required(_ key: String) throws(KnowledgeImportError) -> (value: String, line: Int) {
            guard let field = fields[key], !field.value.isEmpty else { throw fail(end + 1, "'\(key)' is missing from the front matter") }
            return field
        }
        let stem = (fileName as NSString).lastPathComponent.components(separatedBy: ".").first ?? fileName
        let id = fields["id"].map(\.value) ?? stem
        guard KnowledgeArticle.isValidID(id) else {
            throw fail(fields["id"]?.line ?? 1, "id '\(id)' must be 1–100 characters of letters, digits, '-', '_', '.' (set 'id:' when the file name is not)")
        }
        let title = try required("title")
        let categoryField = try required("category")
        guard let category = KnowledgeArticle.Category(rawValue: categoryField.value) ?? categoryNames[categoryField.value] else {
            throw fail(categoryField.line, "unknown category '\(categoryField.value)'; use one of "
                       + KnowledgeArticle.Category.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let fromField = try required("effective_from")
        guard let from = LocalDate(fromField.value) else { throw fail(fromField.line, "effective_from '\(fromField.value)' is not a YYYY-MM-DD date") }
        var until: LocalDate?
        if let untilField = fields["effective_until"], !untilField.value.isEmpty {
            guard let date = LocalDate(untilField.value) else {
                throw fail(untilField.line, "effective_until '\(untilField.value)' is not a YYYY-MM-DD date")
            }
            guard date >= from else { throw fail(untilField.line, "effective_until \(date) is before effective_from \(from)") }
            until = date
        }
        var tags: [String] = []
        if let tagField = fields["tags"] {
            var list = tagField.value
            if list.hasPrefix("[") {
                guard list.hasSuffix("]") else { throw fail(tagField.line, "tags list opened with '[' is not closed with ']'") }
                list = String(list.dropFirst().dropLast())
            }
            tags = list.split(whereSeparator: { $0 == "," || $0 == "，" || $0 == "、" })
                .map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
                .filter { !$0.isEmpty }
        }
        let body = lines[(end + 1)...].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty else { throw fail(end + 2, "the article has no text after the front matter") }
        let version = KnowledgeArticle.Version(number: 1, title: title.value, body: body, format: format, effectiveFrom: from,
                                               effectiveUntil: until, author: fields["author"]?.value ?? "import", createdAt: now)
        return KnowledgeArticle(id: id, category: category, tags: tags, versions: [version])
    }

    /// What importing a parsed article does to the stored one.
    public enum Merge: Sendable, Hashable {
        /// The article is new.
        case new(KnowledgeArticle)
        /// The file's text or dates differ from the latest version: a new version is appended.
        case newVersion(KnowledgeArticle)
        /// The file matches the latest version (category and tags are still updated).
        case unchanged(KnowledgeArticle)
    }

    /// Merges a parsed article (one version) into the stored one, if any.
    ///
    /// - Parameters:
    ///   - parsed: The article read from a file.
    ///   - existing: The stored article with the same id.
    /// - Returns: What to save.
    public static func merge(_ parsed: KnowledgeArticle, into existing: KnowledgeArticle?) -> Merge {
        guard var article = existing, let incoming = parsed.versions.first else { return .new(parsed) }
        article.category = parsed.category
        article.tags = parsed.tags
        if let latest = article.latest, latest.title == incoming.title, latest.body == incoming.body,
           latest.format == incoming.format, latest.effectiveFrom == incoming.effectiveFrom, latest.effectiveUntil == incoming.effectiveUntil {
            return .unchanged(article)
        }
        var version = incoming
        version.number = (article.versions.map(\.number).max() ?? 0) + 1
        article.versions.append(version)
        return .newVersion(article)
    }
}
