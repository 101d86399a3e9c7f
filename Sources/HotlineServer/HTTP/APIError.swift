import Foundation
public import HTTPTypes
public import Hummingbird
import HotlineCore

/// An error answered as JSON `{"code": …, "message": …, "details": …}` with a stable machine-readable
/// `code` (snake case) and a human-readable `message` naming the place of the problem.
public struct APIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// The stable code clients switch on.
    public var code: String
    /// What went wrong and where.
    public var message: String
    /// Extra facts, e.g. the transitions allowed from the current state.
    public var details: [String: [String]]
    /// Extra headers (e.g. `Allow`, `WWW-Authenticate`, `Retry-After`).
    public var headers: HTTPFields

    /// Creates an error.
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - code: The stable code.
    ///   - message: The message.
    ///   - details: Extra facts.
    ///   - headers: Extra headers.
    public init(_ status: HTTPResponse.Status, code: String, message: String, details: [String: [String]] = [:],
                headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    /// `description` for logs.
    public var description: String { "\(status.code) \(code): \(message)" }

    /// The JSON body of an error.
    public struct Body: Codable, Sendable, Equatable {
        /// The stable code.
        public var code: String
        /// The message.
        public var message: String
        /// Extra facts, if any.
        public var details: [String: [String]]?
    }

    /// Builds the response.
    /// - Parameters:
    ///   - request: The request.
    ///   - context: The request context.
    /// - Returns: The JSON error response.
    /// - Throws: Never in practice (encoding a string dictionary cannot fail).
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(code: code, message: message, details: details.isEmpty ? nil : details)
        let data = try JSONEncoder().encode(body)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    // MARK: Common errors

    static func badParameter(_ name: String, _ reason: String) -> APIError {
        APIError(.badRequest, code: "invalid_parameter", message: "query parameter '\(name)' \(reason)")
    }

    static func invalidField(_ field: String, _ reason: String) -> APIError {
        APIError(.unprocessableContent, code: "invalid_field", message: "\(field) \(reason)")
    }

    static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "not_found", message: what)
    }

    static func forbidden(_ permission: Permission) -> APIError {
        APIError(.forbidden, code: "permission_denied", message: "permission '\(permission.rawValue)' is required")
    }

    static let unauthenticated = APIError(
        .unauthorized, code: "unauthenticated",
        message: "sign in first: send 'Authorization: Bearer <token>' from POST /api/v1/login, or 'X-API-Key: <key>'",
        headers: [.wwwAuthenticate: "Bearer realm=\"hotline\""])

    /// Maps an error thrown anywhere below a route to the API's error.
    /// - Parameters:
    ///   - error: The error.
    ///   - now: The API's clock, for `Retry-After`.
    /// - Returns: The API error, or `nil` for an unexpected error (answered as 500).
    static func from(_ error: any Error, now: Date) -> APIError? {
        switch error {
        case let error as APIError:
            return error
        case let error as WorkOrderError:
            var details: [String: [String]] = [:]
            if case .transitionNotAllowed(_, _, let allowed) = error { details["allowed"] = allowed.map(\.rawValue) }
            if case .dispatchStepNotAllowed(_, let expected) = error { details["expected"] = expected.map(\.rawValue) }
            return APIError(HTTPResponse.Status(code: error.httpStatus), code: error.code, message: error.description, details: details)
        case let error as AccessError:
            var headers: HTTPFields = [:]
            if case .locked(let until) = error {
                headers[.retryAfter] = String(max(1, Int(until.timeIntervalSince(now).rounded(.up))))
            }
            if error.httpStatus == 401 { headers[.wwwAuthenticate] = "Bearer realm=\"hotline\"" }
            return APIError(HTTPResponse.Status(code: error.httpStatus), code: error.code, message: error.description, headers: headers)
        case let error as KnowledgeBaseError:
            switch error {
            case .notFound: return APIError(.notFound, code: error.code, message: error.description)
            case .invalidArticle: return APIError(.unprocessableContent, code: error.code, message: error.description)
            }
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                return APIError(.notFound, code: "not_found", message: error.body ?? "no such resource")
            case .contentTooLarge:
                return APIError(.contentTooLarge, code: "payload_too_large", message: error.body ?? "the request body is too large")
            case .methodNotAllowed:
                return APIError(.methodNotAllowed, code: "method_not_allowed", message: error.body ?? "method not allowed", headers: error.headers)
            default:
                let code = error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
                return APIError(error.status, code: code, message: error.body ?? error.status.reasonPhrase, headers: error.headers)
            }
        default:
            return nil
        }
    }
}
