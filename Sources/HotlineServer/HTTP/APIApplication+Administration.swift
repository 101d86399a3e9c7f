import Foundation
import HTTPTypes
import Hummingbird
import HotlineCore

/// `POST /api/v1/users` body.
struct UserInput: Decodable {
    var username: String
    var displayName: String?
    var kind: User.Kind
    var password: String?
    var roles: [String]?
    var department: String?
    var agentNumber: String?
}

/// `PATCH /api/v1/users/{id}` body.
struct UserChange: Decodable {
    var roles: [String]?
    var department: String?
    var disabled: Bool?
}

/// `PUT /api/v1/users/{id}/password` body.
struct PasswordInput: Decodable {
    var password: String
    var currentPassword: String?
}

/// `PUT /api/v1/roles/{id}` body.
struct RoleInput: Decodable {
    var title: String
    var permissions: [Permission]
}

/// `POST /api/v1/apikeys` body.
struct APIKeyInput: Decodable {
    var name: String
    var userID: String
    var expiresAt: Date?
}

/// `POST /api/v1/apikeys` answer: the secret is shown this once.
struct IssuedAPIKey: Encodable {
    var id: String
    var name: String
    var userID: String
    var createdAt: Date
    var expiresAt: Date?
    var key: String
}

extension APIApplication {
    func addAdministrationRoutes(to api: RouterGroup<APIRequestContext>) {
        api.get("users") { request, context in
            _ = try context.require(.userRead)
            let limit = try request.limit(maximum: maxPage)
            let cursor = try request.cursor()
            if let cursor, !User.isValidUsername(cursor) { throw APIError.badParameter("cursor", "is not a cursor from a previous page") }
            let list = try await stores.users.users(after: cursor, limit: limit)
            return try APIJSON.response(Page(items: list.map { UserView(user: $0) }, nextCursor: list.count == limit ? list.last?.username : nil))
        }
        api.post("users") { request, context in
            let principal = try context.require(.userAdmin)
            let data = try await request.bodyData(limit: 65_536)
            let input = try request.decodeJSON(UserInput.self, from: data)
            return try await idempotent(request, principal: principal, body: data) {
                let user = try await authenticator.addUser(username: input.username, displayName: input.displayName ?? "", kind: input.kind,
                                                           password: input.password, roles: input.roles, department: input.department,
                                                           agentNumber: input.agentNumber, by: principal, at: now)
                return (.created, try APIJSON.encoder().encode(UserView(user: user)))
            }
        }
        api.get("users/{id}") { _, context in
            _ = try context.require(.userRead)
            let id = try context.path("id")
            guard let user = try await stores.users.user(id: id) else { throw APIError.notFound("no user '\(id)'") }
            return try APIJSON.response(UserView(user: user))
        }
        api.patch("users/{id}") { request, context in
            let principal = try context.require(.userAdmin)
            let id = try context.path("id")
            let input = try await request.decodeJSON(UserChange.self, limit: 65_536)
            let user = try await authenticator.updateUser(id, roles: input.roles, department: input.department, disabled: input.disabled,
                                                          by: principal, at: now)
            return try APIJSON.response(UserView(user: user))
        }
        api.put("users/{id}/password") { request, context in
            // Everyone may change their own password (with the current one); administrators anyone's.
            let principal = try context.require(.userAdmin, orAny: true)
            let id = try context.path("id")
            let input = try await request.decodeJSON(PasswordInput.self, limit: 16_384)
            if !principal.can(.userAdmin) && principal.userID != id { throw APIError.forbidden(.userAdmin) }
            try await authenticator.setPassword(userID: id, to: input.password, currentPassword: input.currentPassword, by: principal, at: now)
            return Response(status: .noContent)
        }
        api.get("roles") { _, context in
            _ = try context.require(.userRead)
            return try APIJSON.response(Page(items: try await stores.users.roles(), nextCursor: nil))
        }
        api.put("roles/{id}") { request, context in
            let principal = try context.require(.userAdmin)
            let id = try context.path("id")
            guard Role.isValidName(id) else {
                throw APIError(.badRequest, code: "invalid_role", message: "path parameter 'id': '\(id)' is not a role name (a–z, 0–9, '-', at most 40)")
            }
            guard id != Role.administrator.id else {
                throw APIError(.conflict, code: "role_protected",
                               message: "the built-in role 'administrator' cannot be changed (it would lock out administration)")
            }
            let input = try await request.decodeJSON(RoleInput.self, limit: 65_536)
            let title = input.title.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !title.isEmpty, title.count <= 100 else { throw APIError.invalidField("title", "must be 1–100 characters") }
            let before = try await stores.users.roles().first { $0.id == id }
            let role = Role(id: id, title: title, permissions: Set(input.permissions))
            try await stores.users.save(role)
            try await auditChange("role.save", subject: "role:\(id)", before: before, after: role, by: principal)
            return try APIJSON.response(role, status: before == nil ? .created : .ok)
        }
        api.post("apikeys") { request, context in
            let principal = try context.require(.apiKeyAdmin)
            let data = try await request.bodyData(limit: 16_384)
            let input = try request.decodeJSON(APIKeyInput.self, from: data)
            let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty, name.count <= 100 else { throw APIError.invalidField("name", "must be 1–100 characters") }
            if let expiresAt = input.expiresAt, expiresAt <= now { throw APIError.invalidField("expiresAt", "must be in the future") }
            return try await idempotent(request, principal: principal, body: data) {
                let (key, token) = try await authenticator.createAPIKey(name: name, userID: input.userID, expiresAt: input.expiresAt,
                                                                        by: principal, at: now)
                return (.created, try APIJSON.encoder().encode(IssuedAPIKey(id: key.id, name: key.name, userID: key.userID,
                                                                            createdAt: key.createdAt, expiresAt: key.expiresAt, key: token)))
            }
        }
        api.delete("apikeys/{id}") { _, context in
            let principal = try context.require(.apiKeyAdmin)
            let id = try context.path("id")
            do {
                try await authenticator.revokeAPIKey(id, by: principal, at: now)
            } catch AccessError.invalidToken {
                throw APIError.notFound("no API key '\(id)'")
            }
            return Response(status: .noContent)
        }
        api.get("audit") { request, context in
            _ = try context.require(.auditRead)
            let after = Int64(try request.queryInt("after", in: 0...Int.max) ?? 0)
            let limit = try request.limit(maximum: maxPage)
            let entries = try await stores.audit.entries(after: after, actor: request.query("actor"), subject: request.query("subject"), limit: limit)
            return try APIJSON.response(Page(items: entries, nextCursor: entries.count == limit ? entries.last.map { String($0.sequence) } : nil))
        }
    }
}
