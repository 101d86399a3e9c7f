import Foundation
import HTTPTypes
import HotlineCore
import HotlineServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Users, roles, audit routes")
struct AdministrationRoutesTests {
    @Test("add, list, change users; passwords never shown; every change audited")
    func users() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let admin = try await client.login("administrator")
            let added = try await client.send(.post, "/api/v1/users", token: admin, json: [
                "username": "li.na", "displayName": "李娜", "kind": "departmentHandler", "password": "Handler-pass-2026", "department": "稽查局",
            ])
            #expect(added.status == .created, "\(added.text)")
            #expect(!added.text.contains("passwordHash"))
            let id = try #require(try added.object()["id"] as? String)
            #expect(try await client.send(.post, "/api/v1/users", token: admin,
                                          json: ["username": "li.na", "kind": "agent"]).code == "username_taken")
            #expect(try await client.send(.post, "/api/v1/users", token: admin,
                                          json: ["username": "bad name", "kind": "agent"]).code == "invalid_username")
            #expect(try await client.send(.post, "/api/v1/users", token: admin,
                                          json: ["username": "wang", "kind": "agent", "password": "short"]).code == "weak_password")
            #expect(try await client.send(.post, "/api/v1/users", token: admin,
                                          json: ["username": "wang", "kind": "agent", "roles": ["pirate"]]).code == "invalid_role")

            var names: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.send(.get, "/api/v1/users?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: admin)
                #expect(!page.text.contains("$2"))
                names += page.items.compactMap { $0["username"] as? String }
                cursor = try page.object()["nextCursor"] as? String
            } while cursor != nil
            #expect(names == names.sorted())
            #expect(names.count == 6)

            let changed = try await client.send(.patch, "/api/v1/users/\(id)", token: admin, json: ["roles": ["department-handler", "agent"]])
            #expect(try changed.object()["roles"] as? [String] == ["department-handler", "agent"])
            let handler = try await client.login("li.na", password: "Handler-pass-2026")
            #expect(try await client.send(.put, "/api/v1/users/\(id)/password", token: handler,
                                          json: ["password": "Another-pass-2027", "currentPassword": "wrong"]).status == .unauthorized)
            #expect(try await client.send(.put, "/api/v1/users/\(id)/password", token: handler,
                                          json: ["password": "Another-pass-2027", "currentPassword": "Handler-pass-2026"]).status == .noContent)
            #expect(try await client.send(.put, "/api/v1/users/\(fixture.userIDs["agent"] ?? "")/password", token: try await client.login("li.na", password: "Another-pass-2027"),
                                          json: ["password": "Hijacked-pass-1"]).status == .forbidden)

            let audit = try await client.send(.get, "/api/v1/audit?subject=user:\(id)", token: admin)
            let actions = audit.items.compactMap { $0["action"] as? String }
            #expect(actions.contains("user.create"))
            #expect(actions.contains("user.update"))
            #expect(actions.contains("user.password"))
            #expect(!audit.text.contains("$2"))
        }
    }

    @Test("roles: list built-in ones, save a custom role, and it grants its permissions")
    func roles() async throws {
        let fixture = try await APIFixture()
        let agentID = try #require(fixture.userIDs["agent"])
        try await fixture.test { client in
            let admin = try await client.login("administrator")
            let roles = try await client.send(.get, "/api/v1/roles", token: admin)
            #expect(Set(roles.items.compactMap { $0["id"] as? String }).isSuperset(of: Role.builtIn.map(\.id)))
            let saved = try await client.send(.put, "/api/v1/roles/auditor", token: admin, json: ["title": "Auditor", "permissions": ["audit.read"]])
            #expect(saved.status == .created)
            #expect(try await client.send(.put, "/api/v1/roles/auditor", token: admin,
                                          json: ["title": "Auditor", "permissions": ["audit.read", "user.read"]]).status == .ok)
            #expect(try await client.send(.put, "/api/v1/roles/Bad_Name", token: admin, json: ["title": "x", "permissions": []]).status == .badRequest)
            #expect(try await client.send(.put, "/api/v1/roles/x", token: admin, json: ["title": "x", "permissions": ["fly"]]).status == .badRequest)
            let agent = try await client.login("agent")
            #expect(try await client.send(.get, "/api/v1/audit", token: agent).status == .forbidden)
            _ = try await client.send(.patch, "/api/v1/users/\(agentID)", token: admin, json: ["roles": ["agent", "auditor"]])
            #expect(try await client.send(.get, "/api/v1/audit", token: agent).status == .ok)
        }
    }
}
