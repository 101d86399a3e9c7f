import Foundation
import HTTPTypes
import Hummingbird
import HotlineCore

/// `POST /api/v1/login` body.
struct LoginRequest: Decodable {
    var username: String
    var password: String
}

/// `POST /api/v1/login` answer.
struct LoginResponse: Encodable {
    var token: String
    var tokenType = "Bearer"
    var expiresAt: Date
    var user: UserView
}

/// A user as the API shows it: never the password hash.
struct UserView: Encodable {
    var user: User

    func encode(to encoder: any Encoder) throws {
        var shown = user
        shown.passwordHash = nil
        try shown.encode(to: encoder)
    }
}

/// The caller as `GET /api/v1/me` shows it.
struct PrincipalView: Encodable {
    var userID: String
    var username: String
    var displayName: String
    var department: String?
    var permissions: [String]

    init(_ principal: Principal) {
        userID = principal.userID
        username = principal.username
        displayName = principal.displayName
        department = principal.department
        permissions = principal.permissions.sorted().map(\.rawValue)
    }
}

extension APIApplication {
    func login(_ request: Request) async throws -> Response {
        let body = try await request.decodeJSON(LoginRequest.self, limit: 16_384)
        guard !body.username.isEmpty, !body.password.isEmpty else {
            throw APIError.invalidField("username and password", "must not be empty")
        }
        let issued = try await authenticator.signIn(username: body.username, password: body.password, at: now)
        return try APIJSON.response(LoginResponse(token: issued.token, expiresAt: issued.session.expiresAt, user: UserView(user: issued.user)))
    }

    func addSessionRoutes(to api: RouterGroup<APIRequestContext>) {
        api.post("logout") { request, context in
            _ = try context.require(.workOrderRead, orAny: true)
            for token in AuthenticationMiddleware.credentials(in: request) where token.hasPrefix(Authenticator.sessionTokenPrefix) {
                try await authenticator.signOut(token: token, at: now)
            }
            return Response(status: .noContent)
        }
        api.get("me") { _, context in
            try APIJSON.response(PrincipalView(try context.require(.workOrderRead, orAny: true)))
        }
    }
}

extension APIRequestContext {
    /// The principal; with `orAny` any authenticated caller passes (routes every user may call).
    func require(_ permission: Permission, orAny: Bool) throws(APIError) -> Principal {
        guard orAny else { return try require(permission) }
        guard let principal else { throw APIError.unauthenticated }
        return principal
    }
}
