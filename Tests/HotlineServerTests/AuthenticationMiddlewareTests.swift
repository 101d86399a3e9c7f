import Foundation
import HTTPTypes
import HotlineCore
import HotlineServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Authentication")
struct AuthenticationMiddlewareTests {
    @Test("health, login and openapi.json need no credentials")
    func publicRoutes() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            #expect(try await client.send(.get, "/health").status == .ok)
            #expect(try await client.send(.get, "/openapi.json").status == .ok)
            let token = try await client.login("agent")
            #expect(token.hasPrefix("hls_"))
        }
    }

    @Test("every other documented route answers 401 unauthenticated without credentials")
    func everyRouteNeedsCredentials() async throws {
        let fixture = try await APIFixture()
        let operations = try OpenAPIDocument.operations().filter { !["GET /health", "GET /openapi.json", "POST /api/v1/login"].contains($0) }
        #expect(operations.count > 30)
        try await fixture.test { client in
            for operation in operations.sorted() {
                let parts = operation.split(separator: " ")
                let path = parts[1].replacingOccurrences(of: "{number}", with: APIFixture.creditCode("A0000001"))
                    .replacingOccurrences(of: "{id}", with: "x")
                let response = try await client.send(.init(String(parts[0]))!, path, json: [:] as [String: String])
                #expect(response.status == .unauthorized, "\(operation)")
                #expect(response.code == "unauthenticated", "\(operation)")
                let forged = try await client.send(.init(String(parts[0]))!, path, token: "hls_forged", json: [:] as [String: String])
                #expect(forged.status == .unauthorized, "\(operation) with a forged token")
            }
        }
    }

    @Test("wrong password is 401; the fifth failure locks the account (423 with Retry-After) even for the right password")
    func lockout() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            for attempt in 1...4 {
                let response = try await client.send(.post, "/api/v1/login", json: ["username": "agent", "password": "wrong-\(attempt)"])
                #expect(response.status == .unauthorized)
                #expect(response.code == "invalid_credentials")
            }
            let fifth = try await client.send(.post, "/api/v1/login", json: ["username": "agent", "password": "wrong-5"])
            #expect(fifth.status == .init(code: 423))
            #expect(fifth.code == "account_locked")
            let locked = try await client.send(.post, "/api/v1/login", json: ["username": "agent", "password": APIFixture.password])
            #expect(locked.status == .init(code: 423))
            #expect(locked.headers[.retryAfter] != nil)
            fixture.clock.advance(seconds: 901)
            #expect(try await client.login("agent").hasPrefix("hls_"))
            let unknown = try await client.send(.post, "/api/v1/login", json: ["username": "nobody", "password": "whatever-123"])
            #expect(unknown.status == .unauthorized)
        }
    }

    @Test("a session ends after 30 idle minutes and on logout")
    func sessionExpiry() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let token = try await client.login("supervisor")
            let me = try await client.send(.get, "/api/v1/me", token: token)
            #expect(me.status == .ok)
            #expect(try me.object()["username"] as? String == "supervisor")
            fixture.clock.advance(seconds: 29 * 60)
            #expect(try await client.send(.get, "/api/v1/me", token: token).status == .ok)
            fixture.clock.advance(seconds: 31 * 60)
            #expect(try await client.send(.get, "/api/v1/me", token: token).status == .unauthorized)

            let second = try await client.login("supervisor")
            #expect(try await client.send(.post, "/api/v1/logout", token: second).status == .noContent)
            #expect(try await client.send(.get, "/api/v1/me", token: second).status == .unauthorized)
        }
    }

    @Test("API keys work in X-API-Key and as bearer tokens until revoked")
    func apiKeys() async throws {
        let fixture = try await APIFixture()
        let clientID = try #require(fixture.userIDs["api-client"])
        try await fixture.test { client in
            let admin = try await client.login("administrator")
            let issued = try await client.send(.post, "/api/v1/apikeys", token: admin, json: ["name": "税务局核心征管系统", "userID": clientID])
            #expect(issued.status == .created)
            let key = try #require(try issued.object()["key"] as? String)
            let id = try #require(try issued.object()["id"] as? String)
            let byHeader = try await client.send(.get, "/api/v1/me", headers: [AuthenticationMiddlewareTests.apiKey: key])
            #expect(byHeader.status == .ok)
            #expect(try byHeader.object()["userID"] as? String == clientID)
            #expect(try await client.send(.get, "/api/v1/taxpayers", token: key).status == .ok)
            // An API client may not administer users.
            #expect(try await client.send(.get, "/api/v1/users", headers: [AuthenticationMiddlewareTests.apiKey: key]).status == .forbidden)
            #expect(try await client.send(.delete, "/api/v1/apikeys/\(id)", token: admin).status == .noContent)
            let revoked = try await client.send(.get, "/api/v1/me", headers: [AuthenticationMiddlewareTests.apiKey: key])
            #expect(revoked.status == .unauthorized)
            #expect(try await client.send(.delete, "/api/v1/apikeys/nope", token: admin).status == .notFound)
            let tampered = String(key.dropLast()) + (key.hasSuffix("A") ? "B" : "A")
            #expect(try await client.send(.get, "/api/v1/me", headers: [AuthenticationMiddlewareTests.apiKey: tampered]).status == .unauthorized)
        }
    }

    @Test("a disabled user's session stops working")
    func disabledUser() async throws {
        let fixture = try await APIFixture()
        let agentID = try #require(fixture.userIDs["agent"])
        try await fixture.test { client in
            let agent = try await client.login("agent")
            let admin = try await client.login("administrator")
            #expect(try await client.send(.patch, "/api/v1/users/\(agentID)", token: admin, json: ["disabled": true]).status == .ok)
            #expect(try await client.send(.get, "/api/v1/me", token: agent).status == .unauthorized)
            let login = try await client.send(.post, "/api/v1/login", json: ["username": "agent", "password": APIFixture.password])
            #expect(login.status == .unauthorized)
        }
    }

    static let apiKey = HTTPField.Name("X-API-Key")!
}

@Suite("Authentication: mixed credentials")
struct MixedCredentialTests {
    @Test("a valid API key with an invalid bearer token, or two users' credentials, is refused")
    func mixed() async throws {
        let fixture = try await APIFixture()
        let clientID = try #require(fixture.userIDs["api-client"])
        try await fixture.test { client in
            let admin = try await client.login("administrator")
            let issued = try await client.send(.post, "/api/v1/apikeys", token: admin, json: ["name": "征管", "userID": clientID])
            let key = try #require(try issued.object()["key"] as? String)
            let header = AuthenticationMiddlewareTests.apiKey
            #expect(try await client.send(.get, "/api/v1/me", token: "hls_bogus", headers: [header: key]).status == .unauthorized)
            #expect(try await client.send(.get, "/api/v1/me", token: admin, headers: [header: key]).status == .unauthorized)
            #expect(try await client.send(.get, "/api/v1/me", headers: [header: key, .authorization: "Basic eDp5"]).status == .unauthorized)
            #expect(try await client.send(.get, "/api/v1/me", token: key, headers: [header: key]).status == .ok)
            let protected = try await client.send(.put, "/api/v1/roles/administrator", token: admin, json: ["title": "x", "permissions": []])
            #expect(protected.status == .conflict)
            #expect(protected.code == "role_protected")
        }
    }
}
