public import Foundation

/// An article of the hotline's knowledge base (知识库): a tax policy, an announcement, a guide…,
/// kept in versions that each have the dates they are in force.
///
/// Agents search it while the caller waits; only the version in force on the day asked about is
/// answered from (``version(inForceOn:)``).
public struct KnowledgeArticle: Sendable, Hashable, Codable, Identifiable {
    /// What sort of article it is.
    public enum Category: String, Sendable, Hashable, Codable, CaseIterable {
        /// Tax policy (税收政策).
        case taxPolicy
        /// Announcements and notices to the public (公告).
        case announcement
        /// How-to guides (办税指南).
        case guide
        /// Internal notices for staff (内部通知).
        case internalNotice
        /// Technical answers, e.g. e-tax system problems (技术问答).
        case technicalAnswer
        /// Training material (培训资料).
        case training
    }

    /// Body markup.
    public enum Format: String, Sendable, Hashable, Codable, CaseIterable {
        /// Markdown.
        case markdown
        /// HTML.
        case html
        /// Plain text.
        case plain
    }

    /// One version of the article's text.
    public struct Version: Sendable, Hashable, Codable {
        /// 1 for the first version, increasing by one.
        public var number: Int
        /// The title.
        public var title: String
        /// The body, in ``format``.
        public var body: String
        /// The body's markup.
        public var format: Format
        /// The first day the version is in force.
        public var effectiveFrom: LocalDate
        /// The last day it is in force (执行至), or `nil` while open-ended.
        public var effectiveUntil: LocalDate?
        /// Who wrote it (``User/id`` or a name from an import).
        public var author: String
        /// When it was saved.
        public var createdAt: Date

        /// Creates a version.
        ///
        /// - Parameters:
        ///   - number: Version number.
        ///   - title: Title.
        ///   - body: Body text.
        ///   - format: Markup.
        ///   - effectiveFrom: First day in force.
        ///   - effectiveUntil: Last day in force.
        ///   - author: Who wrote it.
        ///   - createdAt: When saved.
        public init(number: Int, title: String, body: String, format: Format = .markdown, effectiveFrom: LocalDate,
                    effectiveUntil: LocalDate? = nil, author: String, createdAt: Date) {
            self.number = number
            self.title = title
            self.body = body
            self.format = format
            self.effectiveFrom = effectiveFrom
            self.effectiveUntil = effectiveUntil
            self.author = author
            self.createdAt = createdAt
        }

        /// Whether the version is in force on a day.
        ///
        /// - Parameter day: The day.
        /// - Returns: `true` from ``effectiveFrom`` through ``effectiveUntil`` inclusive.
        public func isInForce(on day: LocalDate) -> Bool {
            effectiveFrom <= day && effectiveUntil.map { day <= $0 } ?? true
        }

        /// The body as plain text (markup removed), for search and for reading aloud.
        public var plainText: String { KnowledgeText.plainText(body, format: format) }
    }

    /// A file attached to the article (the bytes live under the data directory).
    public struct Attachment: Sendable, Hashable, Codable {
        /// The file's name.
        public var fileName: String
        /// Its media type.
        public var mediaType: String
        /// Its size in bytes.
        public var byteCount: Int
        /// Where the bytes are stored, relative to the data directory.
        public var storagePath: String

        /// Creates attachment metadata.
        ///
        /// - Parameters:
        ///   - fileName: Name.
        ///   - mediaType: Media type.
        ///   - byteCount: Size.
        ///   - storagePath: Relative path.
        public init(fileName: String, mediaType: String, byteCount: Int, storagePath: String) {
            self.fileName = fileName
            self.mediaType = mediaType
            self.byteCount = byteCount
            self.storagePath = storagePath
        }
    }

    /// Stable identifier; imports use the file's slug (e.g. `vat-small-scale-2026`).
    public var id: String
    /// What sort of article.
    public var category: Category
    /// Free tags, e.g. `增值税`, `小规模纳税人`.
    public var tags: [String]
    /// The versions, oldest first.
    public var versions: [Version]
    /// Attached files.
    public var attachments: [Attachment]
    /// How many times agents used the article in a call (for reports).
    public var usedInCallCount: Int

    /// Creates an article.
    ///
    /// - Parameters:
    ///   - id: Identifier.
    ///   - category: Category.
    ///   - tags: Tags.
    ///   - versions: Versions, oldest first.
    ///   - attachments: Files.
    ///   - usedInCallCount: Use count.
    public init(id: String, category: Category, tags: [String] = [], versions: [Version],
                attachments: [Attachment] = [], usedInCallCount: Int = 0) {
        self.id = id
        self.category = category
        self.tags = tags
        self.versions = versions
        self.attachments = attachments
        self.usedInCallCount = usedInCallCount
    }

    /// The latest version.
    public var latest: Version? { versions.max { $0.number < $1.number } }

    /// The version in force on a day: among those whose dates include it, the highest-numbered.
    ///
    /// - Parameter day: The day asked about.
    /// - Returns: The version, or `nil` when none is in force.
    public func version(inForceOn day: LocalDate) -> Version? {
        versions.filter { $0.isInForce(on: day) }.max { $0.number < $1.number }
    }

    /// Whether an identifier is acceptable: 1–100 characters of ASCII letters, digits, `-`, `_`, `.`.
    ///
    /// - Parameter id: The proposed identifier.
    /// - Returns: `true` when usable.
    public static func isValidID(_ id: String) -> Bool {
        let scalars = id.unicodeScalars
        guard (1...100).contains(scalars.count) else { return false }
        return scalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) }
    }

    /// What is wrong with the article; empty when it can be saved.
    public var problems: [String] {
        var problems: [String] = []
        if !Self.isValidID(id) { problems.append("id '\(id)' must be 1–100 characters of letters, digits, '-', '_', '.'") }
        if versions.isEmpty { problems.append("an article needs at least one version") }
        for version in versions {
            if version.title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                problems.append("version \(version.number): title must not be empty")
            }
            if let until = version.effectiveUntil, until < version.effectiveFrom {
                problems.append("version \(version.number): effective until \(until) is before effective from \(version.effectiveFrom)")
            }
        }
        if Set(versions.map(\.number)).count != versions.count { problems.append("version numbers must be unique") }
        return problems
    }
}

/// One time an agent used an article during a call.
public struct KnowledgeUse: Sendable, Hashable, Codable {
    /// The article.
    public var articleID: String
    /// The version used.
    public var versionNumber: Int
    /// The call, if known.
    public var callID: String?
    /// The agent (``User/id``).
    public var userID: String
    /// When.
    public var at: Date

    /// Creates a use record.
    ///
    /// - Parameters:
    ///   - articleID: Article.
    ///   - versionNumber: Version.
    ///   - callID: Call.
    ///   - userID: Agent.
    ///   - at: When.
    public init(articleID: String, versionNumber: Int, callID: String?, userID: String, at: Date) {
        self.articleID = articleID
        self.versionNumber = versionNumber
        self.callID = callID
        self.userID = userID
        self.at = at
    }
}

/// A knowledge-base search result.
public struct KnowledgeSearchHit: Sendable, Hashable, Codable {
    /// The article.
    public var articleID: String
    /// Its category.
    public var category: KnowledgeArticle.Category
    /// The version in force on the day searched.
    public var versionNumber: Int
    /// That version's title.
    public var title: String
    /// A short excerpt around the first match.
    public var snippet: String
    /// Relevance; higher is better (comparable only within one result list).
    public var score: Double

    /// Creates a hit.
    ///
    /// - Parameters:
    ///   - articleID: Article.
    ///   - category: Category.
    ///   - versionNumber: Version.
    ///   - title: Title.
    ///   - snippet: Excerpt.
    ///   - score: Relevance.
    public init(articleID: String, category: KnowledgeArticle.Category, versionNumber: Int, title: String, snippet: String, score: Double) {
        self.articleID = articleID
        self.category = category
        self.versionNumber = versionNumber
        self.title = title
        self.snippet = snippet
        self.score = score
    }
}

/// Text helpers for knowledge articles: markup removal and snippets.
public enum KnowledgeText {
    /// The text without Markdown or HTML markup, white space collapsed.
    ///
    /// - Parameters:
    ///   - body: The body.
    ///   - format: Its markup.
    /// - Returns: Plain text.
    public static func plainText(_ body: String, format: KnowledgeArticle.Format) -> String {
        var text = ""
        text.reserveCapacity(body.utf8.count)
        switch format {
        case .plain:
            text = body
        case .html:
            var inTag = false
            for character in body {
                if character == "<" { inTag = true; text.append(" ") } else if character == ">" { inTag = false } else if !inTag { text.append(character) }
            }
            text = text.replacingOccurrences(of: "&nbsp;", with: " ").replacingOccurrences(of: "&lt;", with: "<")
                .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
                .replacingOccurrences(of: "&amp;", with: "&")
        case .markdown:
            for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
                var content = Substring(line)
                while let first = content.first, "#>*-+ ".contains(first) { content = content.dropFirst() }
                text += content.filter { !"*_`#|".contains($0) }
                text += "\n"
            }
        }
        return text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// A short excerpt of `text` around the first occurrence of any of the terms.
    ///
    /// - Parameters:
    ///   - text: Plain text.
    ///   - terms: Search terms.
    ///   - radius: Characters on each side.
    /// - Returns: The excerpt with `…` where cut.
    public static func snippet(of text: String, terms: [String], radius: Int = 40) -> String {
        let hit = terms.lazy.compactMap { text.range(of: $0, options: .caseInsensitive) }.first
        guard let hit else { return text.count <= radius * 2 ? text : String(text.prefix(radius * 2)) + "…" }
        let start = text.index(hit.lowerBound, offsetBy: -radius, limitedBy: text.startIndex) ?? text.startIndex
        let end = text.index(hit.upperBound, offsetBy: radius, limitedBy: text.endIndex) ?? text.endIndex
        return (start > text.startIndex ? "…" : "") + String(text[start..<end]) + (end < text.endIndex ? "…" : "")
    }

    /// Splits a query into terms: runs separated by white space and punctuation (`%`, `.` and `-`
    /// stay inside terms, so that `1%` and `2.5` are searched as written).
    ///
    /// - Parameter query: The query as typed.
    /// - Returns: Non-empty terms, at most 16.
    public static func terms(of query: String) -> [String] {
        let parts = query.split { $0.isWhitespace || (($0.isPunctuation || $0.isSymbol) && !"%.-".contains($0)) }
        return Array(parts.map(String.init).filter { !$0.isEmpty }.prefix(16))
    }
}

extension KnowledgeText {
    /// Relevance of a version for the query terms, or `nil` when a term is missing: each occurrence
    /// counts 1 in the text, 3 in a tag and 5 in the title; shorter texts rank higher for equal counts.
    ///
    /// - Parameters:
    ///   - terms: The query terms (from ``terms(of:)``).
    ///   - title: The version's title.
    ///   - tags: The article's tags.
    ///   - text: The version's plain text.
    /// - Returns: The score.
    public static func score(terms: [String], title: String, tags: [String], text: String) -> Double? {
        var score = 0.0
        let tagText = tags.joined(separator: " ")
        for term in terms {
            let inTitle = occurrences(of: term, in: title)
            let inTags = occurrences(of: term, in: tagText)
            let inText = occurrences(of: term, in: text)
            guard inTitle + inTags + inText > 0 else { return nil }
            score += Double(5 * inTitle + 3 * inTags) + Double(inText) / (1 + Double(text.count) / 2000)
        }
        return score
    }

    static func occurrences(of term: String, in text: String) -> Int {
        var count = 0
        var range = text.startIndex..<text.endIndex
        while let found = text.range(of: term, options: .caseInsensitive, range: range) {
            count += 1
            range = found.upperBound..<text.endIndex
        }
        return count
    }
}
