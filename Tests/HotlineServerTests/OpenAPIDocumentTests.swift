import Foundation
import HTTPTypes
import HotlineServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    @Test("every registered route is documented and every documented operation is routed")
    func matchesRouter() async throws {
        let fixture = try await APIFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let routed = Set(fixture.api.router().routes.map { "\($0.method.rawValue) \($0.path.description)" })
        let documented = try OpenAPIDocument.operations()
        #expect(routed.subtracting(documented).sorted() == [], "routed but not documented")
        #expect(documented.subtracting(routed).sorted() == [], "documented but not routed")
        #expect(routed.count >= 37)
    }

    @Test("the document is OpenAPI 3 with its references resolvable, and served at /openapi.json")
    func served() async throws {
        let data = try OpenAPIDocument.data()
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((root["openapi"] as? String)?.hasPrefix("3.") == true)
        let schemas = try #require((root["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let text = String(decoding: data, as: UTF8.self)
        let references = text.components(separatedBy: "\"#/components/schemas/").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(!references.isEmpty)
        for name in Set(references) { #expect(schemas[name] != nil, "unresolved reference \(name)") }

        let fixture = try await APIFixture()
        try await fixture.test { client in
            let response = try await client.send(.get, "/openapi.json")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(response.body == data)
        }
    }

    @Test("unknown paths are 404 and other methods on a known path 405 with Allow, both as JSON errors")
    func notFoundAndMethod() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let missing = try await client.send(.get, "/api/v1/nothing-here")
            #expect(missing.status == .notFound)
            #expect(missing.code == "not_found")
            let method = try await client.send(.delete, "/api/v1/workorders")
            #expect(method.status == .methodNotAllowed)
            #expect(method.code == "method_not_allowed")
            #expect(method.headers[.allow] == "GET, POST")
        }
    }
}
