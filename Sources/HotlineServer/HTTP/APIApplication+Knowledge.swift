import Foundation
import HTTPTypes
import Hummingbird
import HotlineCore

/// An article as the API shows it, with the version in force on the asked day.
struct ArticleView: Encodable {
    var article: KnowledgeArticle
    var inForce: KnowledgeArticle.Version?
    var day: LocalDate

    enum ExtraKeys: String, CodingKey { case inForce, inForceOn }

    func encode(to encoder: any Encoder) throws {
        try article.encode(to: encoder)
        var container = encoder.container(keyedBy: ExtraKeys.self)
        try container.encode(inForce, forKey: .inForce)
        try container.encode(day, forKey: .inForceOn)
    }
}

/// The text of a version in a request.
struct VersionInput: Decodable {
    var title: String
    var body: String
    var format: KnowledgeArticle.Format?
    var effectiveFrom: LocalDate
    var effectiveUntil: LocalDate?
}

/// `POST /api/v1/kb/articles` body.
struct ArticleInput: Decodable {
    var id: String
    var category: KnowledgeArticle.Category
    var tags: [String]?
    var title: String
    var body: String
    var format: KnowledgeArticle.Format?
    var effectiveFrom: LocalDate
    var effectiveUntil: LocalDate?
}

/// `POST /api/v1/kb/articles/{id}/uses` body.
struct UseInput: Decodable {
    var versionNumber: Int
    var callID: String?
}

extension APIApplication {
    func addKnowledgeRoutes(to api: RouterGroup<APIRequestContext>) {
        api.get("kb/search") { request, context in
            _ = try context.require(.knowledgeRead)
            guard let query = request.query("q")?.trimmingCharacters(in: .whitespacesAndNewlines), !query.isEmpty, query.count <= 200 else {
                throw APIError.badParameter("q", "is required (1–200 characters)")
            }
            let day = try request.queryDate("on") ?? APIConfiguration.chinaDate(of: now)
            let category = try request.queryEnum("category", KnowledgeArticle.Category.self)
            let hits = try await stores.knowledge.search(query, inForceOn: day, category: category, limit: try request.limit(maximum: maxPage, default: 20))
            return try APIJSON.response(Page(items: hits, nextCursor: nil))
        }
        api.get("kb/articles") { request, context in
            _ = try context.require(.knowledgeRead)
            let category = try request.queryEnum("category", KnowledgeArticle.Category.self)
            let limit = try request.limit(maximum: maxPage)
            let cursor = try request.cursor()
            if let cursor, !KnowledgeArticle.isValidID(cursor) { throw APIError.badParameter("cursor", "is not a cursor from a previous page") }
            let day = APIConfiguration.chinaDate(of: now)
            let list = try await stores.knowledge.articles(category: category, after: cursor, limit: limit)
            return try APIJSON.response(Page(items: list.map { ArticleView(article: $0, inForce: $0.version(inForceOn: day), day: day) },
                                             nextCursor: list.count == limit ? list.last?.id : nil))
        }
        api.post("kb/articles") { request, context in
            let principal = try context.require(.knowledgeEdit)
            let data = try await request.bodyData(limit: limitBytes)
            let input = try request.decodeJSON(ArticleInput.self, from: data)
            guard KnowledgeArticle.isValidID(input.id) else { throw APIError.invalidField("id", "'\(input.id)' is not a valid article id") }
            return try await idempotent(request, principal: principal, body: data) {
                if try await stores.knowledge.article(input.id) != nil {
                    throw APIError(.conflict, code: "article_exists",
                                   message: "article '\(input.id)' exists; add a version with POST /api/v1/kb/articles/\(input.id)/versions")
                }
                let version = KnowledgeArticle.Version(number: 1, title: input.title, body: input.body, format: input.format ?? .markdown,
                                                       effectiveFrom: input.effectiveFrom, effectiveUntil: input.effectiveUntil,
                                                       author: principal.userID, createdAt: now)
                let article = KnowledgeArticle(id: input.id, category: input.category, tags: input.tags ?? [], versions: [version])
                try check(article)
                try await stores.knowledge.save(article, at: now)
                try await auditChange("kb.create", subject: "kb:\(article.id)", before: KnowledgeArticle?.none, after: article, by: principal)
                let day = APIConfiguration.chinaDate(of: now)
                return (.created, try APIJSON.encoder().encode(ArticleView(article: article, inForce: article.version(inForceOn: day), day: day)))
            }
        }
        api.get("kb/articles/{id}") { request, context in
            _ = try context.require(.knowledgeRead)
            let id = try context.path("id")
            guard let article = try await stores.knowledge.article(id) else { throw APIError.notFound("no knowledge article '\(id)'") }
            let day = try request.queryDate("on") ?? APIConfiguration.chinaDate(of: now)
            return try APIJSON.response(ArticleView(article: article, inForce: article.version(inForceOn: day), day: day))
        }
        api.post("kb/articles/{id}/versions") { request, context in
            let principal = try context.require(.knowledgeEdit)
            let id = try context.path("id")
            let data = try await request.bodyData(limit: limitBytes)
            let input = try request.decodeJSON(VersionInput.self, from: data)
            return try await idempotent(request, principal: principal, body: data) {
                guard var article = try await stores.knowledge.article(id) else { throw APIError.notFound("no knowledge article '\(id)'") }
                let before = article
                let number = (article.latest?.number ?? 0) + 1
                article.versions.append(KnowledgeArticle.Version(number: number, title: input.title, body: input.body,
                                                                 format: input.format ?? .markdown, effectiveFrom: input.effectiveFrom,
                                                                 effectiveUntil: input.effectiveUntil, author: principal.userID, createdAt: now))
                try check(article)
                try await stores.knowledge.save(article, at: now)
                try await auditChange("kb.version", subject: "kb:\(id)", before: before, after: article, by: principal)
                let day = APIConfiguration.chinaDate(of: now)
                return (.created, try APIJSON.encoder().encode(ArticleView(article: article, inForce: article.version(inForceOn: day), day: day)))
            }
        }
        api.post("kb/articles/{id}/uses") { request, context in
            let principal = try context.require(.knowledgeRead)
            let id = try context.path("id")
            let input = try await request.decodeJSON(UseInput.self, limit: 16_384)
            guard let article = try await stores.knowledge.article(id) else { throw APIError.notFound("no knowledge article '\(id)'") }
            guard article.versions.contains(where: { $0.number == input.versionNumber }) else {
                throw APIError.invalidField("versionNumber", "\(input.versionNumber) is not a version of '\(id)'")
            }
            try await stores.knowledge.recordUse(KnowledgeUse(articleID: id, versionNumber: input.versionNumber, callID: input.callID,
                                                              userID: principal.userID, at: now))
            return Response(status: .noContent)
        }
    }

    func check(_ article: KnowledgeArticle) throws(APIError) {
        let problems = article.problems
        if !problems.isEmpty {
            throw APIError(.unprocessableContent, code: "invalid_article", message: problems.joined(separator: "; "))
        }
    }

    func auditChange<T: Encodable>(_ action: String, subject: String, before: T?, after: T?, by principal: Principal) async throws {
        try await stores.audit.append([try AuditEntry(at: now, actor: principal.userID, action: action, subject: subject,
                                                      before: before, after: after)])
    }
}
