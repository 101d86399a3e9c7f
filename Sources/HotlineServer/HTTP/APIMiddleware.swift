import Foundation
import HTTPTypes
import Hummingbird
import HotlineCore
import Logging

/// Turns every error into the API's JSON error body, answers 405 for a known path with another
/// method, and logs unexpected errors (answered as `500 internal_error` without internals).
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let routes: DocumentedRoutes
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if let httpError = error as? HTTPError, httpError.status == .notFound, context.endpointPath == "NotFound" {
                let methods = routes.methods(forPath: request.uri.path)
                if !methods.isEmpty {
                    return try APIError(.methodNotAllowed, code: "method_not_allowed",
                                        message: "\(request.method) is not allowed on \(request.uri.path); allowed: \(methods.joined(separator: ", "))",
                                        headers: [.allow: methods.joined(separator: ", ")]).response(from: request, context: context)
                }
                return try APIError.notFound("no route \(request.method) \(request.uri.path)").response(from: request, context: context)
            }
            if let apiError = APIError.from(error, now: now()) {
                return try apiError.response(from: request, context: context)
            }
            context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            return try APIError(.internalServerError, code: "internal_error", message: "an unexpected error occurred; it has been logged")
                .response(from: request, context: context)
        }
    }
}

/// Resolves `Authorization: Bearer <token>` (a session from login, or an API key) or `X-API-Key: <key>`
/// to a principal; without valid credentials answers `401 unauthenticated`.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let authenticator: Authenticator
    let now: @Sendable () -> Date

    static let apiKeyHeader = HTTPField.Name("X-API-Key")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let credentials = Self.credentials(in: request)
        guard !credentials.isEmpty else { throw APIError.unauthenticated }
        // Both headers sent: each must be valid and name the same user, or the request is refused.
        var principal: Principal?
        for credential in credentials {
            let resolved = try await authenticator.principal(forToken: credential, at: now())
            if let principal, principal.userID != resolved.userID {
                throw APIError(.unauthorized, code: "invalid_token", message: "Authorization and X-API-Key name different users")
            }
            principal = resolved
        }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }

    /// Every credential a request carries: the `X-API-Key` and the bearer token (an empty or
    /// non-bearer `Authorization` counts as an invalid credential).
    static func credentials(in request: Request) -> [String] {
        var found: [String] = []
        if let key = request.headers[apiKeyHeader] { found.append(key.isEmpty ? "-" : key) }
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let token = parts[1].trimmingCharacters(in: .whitespaces)
                found.append(token.isEmpty ? "-" : token)
            } else {
                found.append("-")
            }
        }
        return found
    }
}
