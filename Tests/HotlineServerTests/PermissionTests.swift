import Foundation
import HTTPTypes
import HotlineCore
import HotlineServer
import Hummingbird
import HummingbirdTesting
import Testing

/// Every built-in role against a representative action per permission: the API must allow exactly
/// what the role's permissions allow (2xx) and refuse the rest with 403 permission_denied.
@Suite("Permissions: role × action")
struct PermissionTests {
    struct Action: Sendable, CustomStringConvertible {
        var name: String
        var permission: Permission
        var method: HTTPRequest.Method
        var path: String
        var body: @Sendable (_ ids: [String: String]) -> [String: any Sendable]?
        var description: String { name }
    }

    static let taxpayer = APIFixture.creditCode("A0000009")

    static let actions: [Action] = [
        Action(name: "list taxpayers", permission: .taxpayerRead, method: .get, path: "/api/v1/taxpayers", body: { _ in nil }),
        Action(name: "create taxpayer", permission: .taxpayerWrite, method: .post, path: "/api/v1/taxpayers",
               body: { _ in ["number": APIFixture.creditCode("B0000001"), "name": "北京测试科技有限公司", "kind": "enterprise"] }),
        Action(name: "list work orders", permission: .workOrderRead, method: .get, path: "/api/v1/workorders", body: { _ in nil }),
        Action(name: "open work order", permission: .workOrderCreate, method: .post, path: "/api/v1/workorders",
               body: { _ in ["kind": "consultation", "summary": "咨询发票"] }),
        Action(name: "assign work order", permission: .workOrderAssign, method: .post, path: "/api/v1/workorders/GD2026-000001/transitions",
               body: { _ in ["transition": "assign", "comment": "派给稽查局", "assignee": ["kind": "department", "id": "稽查局"]] }),
        Action(name: "urge work order", permission: .workOrderUrge, method: .post, path: "/api/v1/workorders/GD2026-000001/urge",
               body: { _ in ["comment": "来电人再次催问"] }),
        Action(name: "search knowledge", permission: .knowledgeRead, method: .get, path: "/api/v1/kb/search?q=%E5%8F%91%E7%A5%A8", body: { _ in nil }),
        Action(name: "create article", permission: .knowledgeEdit, method: .post, path: "/api/v1/kb/articles",
               body: { _ in ["id": "vat-2026", "category": "taxPolicy", "title": "增值税小规模纳税人减免", "body": "月销售额10万元以下免征。",
                             "effectiveFrom": "2026-01-01"] }),
        Action(name: "list users", permission: .userRead, method: .get, path: "/api/v1/users", body: { _ in nil }),
        Action(name: "add user", permission: .userAdmin, method: .post, path: "/api/v1/users",
               body: { _ in ["username": "zhang.wei", "kind": "agent", "password": "long-enough-77"] }),
        Action(name: "save role", permission: .userAdmin, method: .put, path: "/api/v1/roles/night-shift",
               body: { _ in ["title": "Night shift", "permissions": ["workorder.read"]] }),
        Action(name: "issue API key", permission: .apiKeyAdmin, method: .post, path: "/api/v1/apikeys",
               body: { ids in ["name": "征管系统", "userID": ids["api-client"] ?? ""] }),
        Action(name: "read audit log", permission: .auditRead, method: .get, path: "/api/v1/audit", body: { _ in nil }),
        Action(name: "read events", permission: .reportRead, method: .get, path: "/api/v1/events", body: { _ in nil }),
        Action(name: "list attachments", permission: .workOrderRead, method: .get, path: "/api/v1/workorders/GD2026-000001/attachments",
               body: { _ in nil }),
        Action(name: "list webhooks", permission: .webhookAdmin, method: .get, path: "/api/v1/webhooks", body: { _ in nil }),
        Action(name: "subscribe webhook", permission: .webhookAdmin, method: .post, path: "/api/v1/webhooks",
               body: { _ in ["url": "https://crm.example.org/hotline", "eventTypes": ["workorder.*"]] }),
    ]

    @Test("the actions cover every permission the routes check", arguments: [()])
    func coverage(_: Void) {
        let covered = Set(Self.actions.map(\.permission))
        let checked: Set<Permission> = [.taxpayerRead, .taxpayerWrite, .workOrderRead, .workOrderCreate, .workOrderAssign, .workOrderUrge,
                                        .knowledgeRead, .knowledgeEdit, .userRead, .userAdmin, .apiKeyAdmin, .auditRead, .reportRead,
                                        .webhookAdmin]
        #expect(checked.isSubset(of: covered))
    }

    @Test("each role may do exactly what its permissions allow", arguments: Role.builtIn.map(\.id))
    func matrix(roleID: String) async throws {
        let fixture = try await APIFixture()
        let role = try #require(Role.builtIn.first { $0.id == roleID })
        try await fixture.test { client in
            let admin = try await client.login("administrator")
            let opened = try await client.send(.post, "/api/v1/workorders", token: admin, json: ["kind": "complaint", "summary": "办税服务厅排队过久"])
            #expect(opened.status == .created)
            let token = try await client.login(roleID)
            for action in Self.actions {
                let response = try await client.send(action.method, action.path, token: token, json: action.body(fixture.userIDs))
                if role.permissions.contains(action.permission) {
                    #expect((200..<300).contains(response.status.code), "\(roleID) \(action.name): \(response.status) \(response.text)")
                } else {
                    #expect(response.status == .forbidden, "\(roleID) \(action.name): \(response.status)")
                    #expect(response.code == "permission_denied")
                }
            }
        }
    }
}
