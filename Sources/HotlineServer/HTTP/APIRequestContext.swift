public import Hummingbird
public import HummingbirdWebSocket
public import HotlineCore

/// The request context of the HTTP API: Hummingbird's core storage plus the authenticated principal
/// (and the WebSocket upgrade's handler, for the CTI streams).
public struct APIRequestContext: RequestContext, WebSocketRequestContext {
    /// Hummingbird's per-request storage (logger, parameters, allocator).
    public var coreContext: CoreRequestContextStorage
    /// Who is calling, set by the authentication middleware; `nil` on public routes.
    public var principal: Principal?
    /// The WebSocket handler a `ws` route chose for an upgrade request.
    public let webSocket: WebSocketHandlerReference<APIRequestContext>

    /// Creates the context for a request.
    /// - Parameter source: The channel source.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
        self.webSocket = .init()
    }

    /// The authenticated principal, after checking it holds `permission`.
    /// - Parameter permission: The permission the action needs.
    /// - Returns: The principal.
    /// - Throws: ``APIError`` 401 without a principal, 403 without the permission.
    public func require(_ permission: Permission) throws(APIError) -> Principal {
        guard let principal else { throw APIError.unauthenticated }
        guard principal.can(permission) else { throw APIError.forbidden(permission) }
        return principal
    }
}
