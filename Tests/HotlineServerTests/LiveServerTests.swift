import Foundation
import HTTPTypes
import HotlineServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Live server on 127.0.0.1")
struct LiveServerTests {
    @Test("login, open a work order with an Idempotency-Key twice, read it back over a real socket")
    func overSocket() async throws {
        let fixture = try await APIFixture()
        try await fixture.test(.live) { client in
            #expect(client.port != nil)
            let token = try await client.login("agent")
            let key = HTTPField.Name("Idempotency-Key")!
            let first = try await client.send(.post, "/api/v1/workorders", token: token,
                                              json: ["kind": "informationQuery", "summary": "查询退税进度"], headers: [key: "k-1"])
            let second = try await client.send(.post, "/api/v1/workorders", token: token,
                                               json: ["kind": "informationQuery", "summary": "查询退税进度"], headers: [key: "k-1"])
            #expect(first.status == .created)
            #expect(first.body == second.body)
            let id = try #require(try first.object()["id"] as? String)
            let shown = try await client.send(.get, "/api/v1/workorders/\(id)", token: token)
            #expect(shown.status == .ok)
            #expect(try shown.object()["summary"] as? String == "查询退税进度")
            #expect(try await client.send(.get, "/health").status == .ok)
        }
    }
}
