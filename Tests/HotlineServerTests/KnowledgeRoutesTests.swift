import Foundation
import HTTPTypes
import HotlineCore
import HotlineServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Knowledge base routes")
struct KnowledgeRoutesTests {
    @Test("create, add a version, search what is in force on a date, show, count a use")
    func articles() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let supervisor = try await client.login("supervisor")
            let agent = try await client.login("agent")
            let created = try await client.send(.post, "/api/v1/kb/articles", token: supervisor, json: [
                "id": "small-vat-relief", "category": "taxPolicy", "tags": ["增值税", "小规模"],
                "title": "小规模纳税人增值税减免", "body": "小规模纳税人月销售额10万元以下的，免征增值税。",
                "effectiveFrom": "2023-01-01", "effectiveUntil": "2026-12-31",
            ])
            #expect(created.status == .created, "\(created.text)")
            #expect((try created.object()["inForce"] as? [String: Any])?["number"] as? Int == 1)
            let duplicate = try await client.send(.post, "/api/v1/kb/articles", token: supervisor, json: [
                "id": "small-vat-relief", "category": "taxPolicy", "title": "x", "body": "y", "effectiveFrom": "2023-01-01",
            ])
            #expect(duplicate.status == .conflict)
            #expect(duplicate.code == "article_exists")

            let version = try await client.send(.post, "/api/v1/kb/articles/small-vat-relief/versions", token: supervisor, json: [
                "title": "小规模纳税人增值税减免（2027年起）", "body": "自2027年1月1日起，月销售额15万元以下的免征增值税。",
                "effectiveFrom": "2027-01-01",
            ])
            #expect(version.status == .created, "\(version.text)")
            #expect((try version.object()["versions"] as? [Any])?.count == 2)

            let today = try await client.send(.get, "/api/v1/kb/search?q=%E5%85%8D%E5%BE%81%E5%A2%9E%E5%80%BC%E7%A8%8E", token: agent)
            #expect(today.status == .ok)
            #expect(today.items.first?["articleID"] as? String == "small-vat-relief")
            #expect(today.items.first?["versionNumber"] as? Int == 1)
            let next = try await client.send(.get, "/api/v1/kb/search?q=%E5%85%8D%E5%BE%81%E5%A2%9E%E5%80%BC%E7%A8%8E&on=2027-03-01", token: agent)
            #expect(next.items.first?["versionNumber"] as? Int == 2)
            let old = try await client.send(.get, "/api/v1/kb/search?q=%E5%85%8D%E5%BE%81%E5%A2%9E%E5%80%BC%E7%A8%8E&on=2020-01-01", token: agent)
            #expect(old.items.isEmpty)

            let shown = try await client.send(.get, "/api/v1/kb/articles/small-vat-relief?on=2027-06-01", token: agent)
            #expect((try shown.object()["inForce"] as? [String: Any])?["number"] as? Int == 2)
            #expect(try await client.send(.post, "/api/v1/kb/articles/small-vat-relief/uses", token: agent,
                                          json: ["versionNumber": 1, "callID": "call-9"]).status == .noContent)
            #expect(try await client.send(.post, "/api/v1/kb/articles/small-vat-relief/uses", token: agent,
                                          json: ["versionNumber": 9]).status == .unprocessableContent)
            let counted = try await client.send(.get, "/api/v1/kb/articles/small-vat-relief", token: agent)
            #expect(try counted.object()["usedInCallCount"] as? Int == 1)

            let list = try await client.send(.get, "/api/v1/kb/articles?category=taxPolicy", token: agent)
            #expect(list.items.count == 1)
            #expect(try await client.send(.get, "/api/v1/kb/search", token: agent).code == "invalid_parameter")
            #expect(try await client.send(.get, "/api/v1/kb/search?q=x&on=2027-02-30", token: agent).code == "invalid_parameter")
            #expect(try await client.send(.get, "/api/v1/kb/articles/none", token: agent).status == .notFound)
            let backwards = try await client.send(.post, "/api/v1/kb/articles", token: supervisor, json: [
                "id": "backwards", "category": "guide", "title": "t", "body": "b", "effectiveFrom": "2026-05-01", "effectiveUntil": "2026-01-01",
            ])
            #expect(backwards.status == .unprocessableContent)
            #expect(backwards.code == "invalid_article")
        }
    }
}
