public import Foundation
import GRDB
public import HotlineCore

/// Knowledge-base search over two full-text indexes, the same approach as the taxpayer search
/// (``SearchDocument``): `kb_trigram` (FTS5 `trigram`, with positions) answers terms of three or
/// more characters as exact substring phrases; `kb_gram` (FTS5 `unicode61` over the unigram and
/// bigram tokens of ``SearchDocument/grams(_:)``) answers one- and two-character terms. Both index
/// every version; a join keeps only the versions in force on the day asked about. Ranking is FTS5's
/// BM25 with the title weighted 5, tags 3 and the text 1.
extension HotlineDatabase: KnowledgeBaseStore {
    static let titleWeight = 5.0, tagWeight = 3.0, bodyWeight = 1.0
    /// Above this many matching versions, search ranks the newest matches rather than all of them.
    static let rankedMatchLimit = 5000

    static func indexVersion(rowID: Int64, title: String, tags: String, text: String, delete: Bool, in db: Database) throws {
        let trigramArguments: StatementArguments = [rowID, title, tags, text]
        let gramArguments: StatementArguments = [rowID, SearchDocument.grams(title), SearchDocument.grams(tags), SearchDocument.grams(text)]
        if delete {
            try db.cachedStatement(sql: "INSERT INTO kb_trigram (kb_trigram, rowid, title, tags, body) VALUES ('delete', ?, ?, ?, ?)")
                .execute(arguments: trigramArguments)
            try db.cachedStatement(sql: "INSERT INTO kb_gram (kb_gram, rowid, title, tags, body) VALUES ('delete', ?, ?, ?, ?)")
                .execute(arguments: gramArguments)
        } else {
            try db.cachedStatement(sql: "INSERT INTO kb_trigram (rowid, title, tags, body) VALUES (?, ?, ?, ?)").execute(arguments: trigramArguments)
            try db.cachedStatement(sql: "INSERT INTO kb_gram (rowid, title, tags, body) VALUES (?, ?, ?, ?)").execute(arguments: gramArguments)
        }
    }

    static func saveArticle(_ article: KnowledgeArticle, in db: Database) throws -> Bool {
        let problems = article.problems
        guard problems.isEmpty else { throw KnowledgeBaseError.invalidArticle(article.id, problems) }
        let tags = try encodeDocument(article.tags)
        let tagText = article.tags.joined(separator: " ")
        let isNew = try !(Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM kb_article WHERE id = ?)", arguments: [article.id]) ?? false)
        if isNew {
            try db.cachedStatement(sql: "INSERT INTO kb_article (id, category, tags, attachments) VALUES (?, ?, ?, ?)")
                .execute(arguments: [article.id, article.category.rawValue, tags, try encodeDocument(article.attachments)])
        } else {
            let oldTags = try decodeDocument([String].self, String.fetchOne(db, sql: "SELECT tags FROM kb_article WHERE id = ?",
                                                                             arguments: [article.id]) ?? "[]", what: "kb_article \(article.id) tags")
                .joined(separator: " ")
            for row in try Row.fetchAll(db, sql: "SELECT id, title, body, format FROM kb_version WHERE article_id = ?", arguments: [article.id]) {
                let format = KnowledgeArticle.Format(rawValue: row["format"]) ?? .plain
                try indexVersion(rowID: row["id"], title: row["title"], tags: oldTags,
                                 text: KnowledgeText.plainText(row["body"], format: format), delete: true, in: db)
            }
            try db.execute(sql: "DELETE FROM kb_version WHERE article_id = ?", arguments: [article.id])
            try db.cachedStatement(sql: "UPDATE kb_article SET category = ?, tags = ?, attachments = ? WHERE id = ?")
                .execute(arguments: [article.category.rawValue, tags, try encodeDocument(article.attachments), article.id])
        }
        for version in article.versions {
            try db.cachedStatement(sql: """
                INSERT INTO kb_version (article_id, number, title, body, format, effective_from, effective_until, author, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [article.id, version.number, version.title, version.body, version.format.rawValue,
                                         version.effectiveFrom.description, version.effectiveUntil?.description, version.author,
                                         version.createdAt.timeIntervalSince1970])
            try indexVersion(rowID: db.lastInsertedRowID, title: version.title, tags: tagText, text: version.plainText, delete: false, in: db)
        }
        return isNew
    }

    /// Inserts or replaces an article with all its versions and re-indexes it, in one transaction.
    ///
    /// - Parameters:
    ///   - article: The article.
    ///   - now: When.
    /// - Returns: Whether it is new.
    /// - Throws: ``KnowledgeBaseError/invalidArticle(_:_:)`` or SQLite errors.
    @discardableResult
    public func save(_ article: KnowledgeArticle, at now: Date) async throws -> Bool {
        try await pool.write { db in try Self.saveArticle(article, in: db) }
    }

    /// Saves many articles in one transaction (imports, benchmarks).
    ///
    /// - Parameters:
    ///   - articles: The articles.
    ///   - now: When.
    /// - Returns: How many were new.
    /// - Throws: ``KnowledgeBaseError/invalidArticle(_:_:)`` (nothing is saved then) or SQLite errors.
    @discardableResult
    public func save(_ articles: [KnowledgeArticle], at now: Date) async throws -> Int {
        try await pool.write { db in try articles.reduce(0) { $0 + (try Self.saveArticle($1, in: db) ? 1 : 0) } }
    }

    static func article(_ id: String, in db: Database) throws -> KnowledgeArticle? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM kb_article WHERE id = ?", arguments: [id]) else { return nil }
        guard let category = KnowledgeArticle.Category(rawValue: row["category"]) else {
            throw StorageError.corruptRecord("kb_article \(id): category")
        }
        let versions = try Row.fetchAll(db, sql: "SELECT * FROM kb_version WHERE article_id = ? ORDER BY number", arguments: [id]).map { row in
            guard let from = LocalDate(row["effective_from"] as String),
                  let format = KnowledgeArticle.Format(rawValue: row["format"]) else {
                throw StorageError.corruptRecord("kb_version of \(id): effective_from or format")
            }
            return KnowledgeArticle.Version(number: row["number"], title: row["title"], body: row["body"], format: format,
                                            effectiveFrom: from, effectiveUntil: (row["effective_until"] as String?).flatMap(LocalDate.init),
                                            author: row["author"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
        }
        return KnowledgeArticle(id: id, category: category,
                                tags: try decodeDocument([String].self, row["tags"], what: "kb_article \(id) tags"),
                                versions: versions,
                                attachments: try decodeDocument([KnowledgeArticle.Attachment].self, row["attachments"], what: "kb_article \(id) attachments"),
                                usedInCallCount: row["used_in_call_count"])
    }

    /// The article with an identifier.
    ///
    /// - Parameter id: Identifier.
    /// - Returns: The article, or `nil`.
    /// - Throws: SQLite errors or ``StorageError/corruptRecord(_:)``.
    public func article(_ id: String) async throws -> KnowledgeArticle? {
        try await pool.read { db in try Self.article(id, in: db) }
    }

    /// A page of articles in identifier order.
    ///
    /// - Parameters:
    ///   - category: Category filter.
    ///   - id: Cursor.
    ///   - limit: Page size.
    /// - Returns: The articles.
    /// - Throws: SQLite errors or ``StorageError/corruptRecord(_:)``.
    public func articles(category: KnowledgeArticle.Category?, after id: String?, limit: Int) async throws -> [KnowledgeArticle] {
        try await pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT id FROM kb_article WHERE id > ?1 AND (?2 IS NULL OR category = ?2) ORDER BY id LIMIT ?3
                """, arguments: [id ?? "", category?.rawValue, max(0, limit)]).compactMap { try Self.article($0, in: db) }
        }
    }

    /// Searches the versions in force on a day (see the extension's description for the method).
    ///
    /// - Parameters:
    ///   - query: What the agent typed; every term must occur.
    ///   - day: The day.
    ///   - category: Category filter.
    ///   - limit: Most hits.
    /// - Returns: The hits, best first.
    /// - Throws: SQLite errors.
    public func search(_ query: String, inForceOn day: LocalDate, category: KnowledgeArticle.Category?, limit: Int) async throws -> [KnowledgeSearchHit] {
        let terms = KnowledgeText.terms(of: query)
        guard !terms.isEmpty, limit > 0 else { return [] }
        var long: [String] = []
        var short: [String] = []
        for term in terms {
            let indexable = String(term.filter(SearchDocument.isTokenCharacter)).uppercased()
            guard !indexable.isEmpty else { continue }
            // One or two characters are a single token of `kb_gram` (SearchDocument.grams emits them).
            if indexable.count >= 3 { long.append(indexable) } else { short.append(indexable) }
        }
        // Terms with characters the indexes drop (`1%`) are checked against the text afterwards.
        let hasUnindexedCharacters = terms.contains { $0.contains { !SearchDocument.isTokenCharacter($0) } }
        guard !long.isEmpty || !short.isEmpty else { return [] }

        // Phase 1, in FTS5: the best-ranked matching versions, a page at a time (`ORDER BY rank LIMIT`
        // keeps only the page, so a one-character query over every article stays cheap). Only long
        // terms: the trigram index, exact. With a short term: the unigram/bigram index, where a long
        // term becomes the AND of its bigrams and is checked as a substring afterwards.
        // Phase 2: keep the versions in force on the day (the newest such version of each article).
        let weights = "bm25(\(Self.titleWeight), \(Self.tagWeight), \(Self.bodyWeight))"
        let primary: String
        let table: String
        let matchArguments: StatementArguments
        var needsCheck = hasUnindexedCharacters
        if short.isEmpty {
            table = "kb_trigram"
            primary = "SELECT rowid, rank FROM kb_trigram WHERE kb_trigram MATCH ? AND rank MATCH '\(weights)'"
            matchArguments = [long.map { "\"" + $0 + "\"" }.joined(separator: " AND ")]
        } else {
            var tokens = short
            for term in long {
                let characters = Array(term)
                for index in 0..<(characters.count - 1) { tokens.append(String(characters[index...(index + 1)])) }
            }
            needsCheck = needsCheck || !long.isEmpty
            table = "kb_gram"
            primary = "SELECT rowid, rank FROM kb_gram WHERE kb_gram MATCH ? AND rank MATCH '\(weights)'"
            var unique: [String] = []
            for token in tokens where !unique.contains(token) { unique.append(token) }
            matchArguments = [unique.map { "\"" + $0 + "\"" }.joined(separator: " AND ")]
        }
        let today = day.description
        // BM25 over every match costs ~2 µs a match; a query matching more than `rankedMatchLimit`
        // versions (one common character) says little about relevance, so its newest matches are
        // taken a page at a time instead, and ranked among themselves.
        // Counting without `rank`: FTS5 would otherwise compute BM25 for every row it counts (7–16 ms
        // for 5,000 matches, against about 1 ms for the bare match).
        let countSQL = "SELECT count(*) FROM (SELECT rowid FROM \(table) WHERE \(table) MATCH ? LIMIT \(Self.rankedMatchLimit + 1))"
        let rankedSQL = "\(primary) ORDER BY rank LIMIT ? OFFSET ?"
        // Without `rank`: BM25's first call reads every matching row to weigh the terms (3–11 ms for
        // common terms even for one row), so the newest matches are scored in Swift instead.
        let newestSQL = "SELECT rowid, 0.0 AS rank FROM \(table) WHERE \(table) MATCH ? ORDER BY rowid DESC LIMIT ? OFFSET ?"
        let versionSQL = """
            SELECT v.id, v.article_id, v.number, v.title, v.body, v.format, a.category, a.tags
            FROM kb_version v JOIN kb_article a ON a.id = v.article_id
            WHERE v.id = ? AND v.effective_from <= ?2 AND (v.effective_until IS NULL OR v.effective_until >= ?2)
              AND (?3 IS NULL OR a.category = ?3)
              AND NOT EXISTS (SELECT 1 FROM kb_version w WHERE w.article_id = v.article_id AND w.number > v.number
                              AND w.effective_from <= ?2 AND (w.effective_until IS NULL OR w.effective_until >= ?2))
            """
        struct Candidate: Sendable {
            var articleID: String, number: Int, title: String, body: String, format: String, category: String, tags: String, score: Double
        }
        let pageSize = max(64, limit * 8)
        let check = needsCheck
        let categoryName = category?.rawValue
        let fixedArguments = matchArguments
        let candidates = try await pool.read { db in
            let matches = try Int.fetchOne(db.cachedStatement(sql: countSQL), arguments: fixedArguments) ?? 0
            let newest = matches > Self.rankedMatchLimit
            let pageSQL = newest ? newestSQL : rankedSQL
            var found: [Candidate] = []
            var offset = 0
            while found.count < limit {
                var arguments = fixedArguments
                arguments += [pageSize, offset]
                let page = try Row.fetchAll(db.cachedStatement(sql: pageSQL), arguments: arguments)
                for row in page where found.count < limit {
                    let id: Int64 = row["rowid"]
                    let score: Double = row["rank"]
                    guard let version = try Row.fetchOne(db.cachedStatement(sql: versionSQL), arguments: [id, today, categoryName]) else {
                        continue
                    }
                    var candidate = Candidate(articleID: version["article_id"], number: version["number"], title: version["title"],
                                              body: version["body"], format: version["format"], category: version["category"],
                                              tags: version["tags"], score: score)
                    if check || newest {
                        // Every term must really occur (bigram ANDs and dropped characters over-match);
                        // the newest matches get the same relevance the in-memory store gives (negated like `rank`).
                        let text = KnowledgeText.plainText(candidate.body, format: KnowledgeArticle.Format(rawValue: candidate.format) ?? .plain)
                        let tags = (try? Self.decodeDocument([String].self, candidate.tags, what: "tags")) ?? []
                        let relevance = KnowledgeText.score(terms: terms, title: candidate.title, tags: tags, text: text)
                        if check && relevance == nil { continue }
                        if newest { candidate.score = -(relevance ?? 0) }
                    }
                    found.append(candidate)
                }
                if page.count < pageSize { break }
                offset += pageSize
            }
            return newest ? found.sorted { $0.score < $1.score } : found
        }
        var hits: [KnowledgeSearchHit] = []
        for candidate in candidates {
            let text = KnowledgeText.plainText(candidate.body, format: KnowledgeArticle.Format(rawValue: candidate.format) ?? .plain)
            guard let category = KnowledgeArticle.Category(rawValue: candidate.category) else { continue }
            hits.append(KnowledgeSearchHit(articleID: candidate.articleID, category: category, versionNumber: candidate.number,
                                           title: candidate.title, snippet: KnowledgeText.snippet(of: text, terms: terms),
                                           score: -candidate.score))
        }
        return hits
    }

    /// Records a use and counts it.
    ///
    /// - Parameter use: The use.
    /// - Throws: ``KnowledgeBaseError/notFound(_:)`` or SQLite errors.
    public func recordUse(_ use: KnowledgeUse) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE kb_article SET used_in_call_count = used_in_call_count + 1 WHERE id = ?", arguments: [use.articleID])
            guard db.changesCount == 1 else { throw KnowledgeBaseError.notFound(use.articleID) }
            try db.execute(sql: "INSERT INTO kb_use (article_id, version_number, call_id, user_id, at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [use.articleID, use.versionNumber, use.callID, use.userID, use.at.timeIntervalSince1970])
        }
    }

    /// Uses per article in a period, most used first.
    ///
    /// - Parameters:
    ///   - start: Start.
    ///   - end: End.
    /// - Returns: The counts.
    /// - Throws: SQLite errors.
    public func usage(from start: Date, to end: Date) async throws -> [KnowledgeUsageCount] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT article_id, count(*) AS uses FROM kb_use WHERE at >= ? AND at < ? GROUP BY article_id ORDER BY uses DESC, article_id
                """, arguments: [start.timeIntervalSince1970, end.timeIntervalSince1970]).map {
                KnowledgeUsageCount(articleID: $0["article_id"], count: $0["uses"])
            }
        }
    }

    /// The number of articles.
    ///
    /// - Returns: The count.
    /// - Throws: SQLite errors.
    public func articleCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM kb_article") ?? 0 }
    }
}
