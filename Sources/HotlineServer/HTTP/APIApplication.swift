import Foundation
public import HotlineCore
public import Hummingbird
import HummingbirdWebSocket
public import Logging
import HTTPTypes
import NIOCore

/// Builds the HTTP API (REST under `/api/v1`, `/health`, `/openapi.json`) on Hummingbird 2, so that
/// `hotline serve` and the tests host the same thing.
///
/// ```swift
/// let database = try HotlineDatabase(directory: dataDirectory)
/// let api = try APIApplication(stores: APIStores(database: database),
///                              authenticator: Authenticator(users: database, sessions: database, audit: database,
///                                                           hasher: BcryptPasswordHasher()),
///                              logger: Logger(label: "hotline.api"), configuration: APIConfiguration())
/// try await api.application().runService()
/// ```
public struct APIApplication: Sendable {
    /// The stores read and written.
    public let stores: APIStores
    /// Sign-in, sessions, API keys, user administration.
    public let authenticator: Authenticator
    /// The logger of the server.
    public let logger: Logger
    /// Bind address, limits, clock, calendar.
    public let configuration: APIConfiguration
    /// The telephony side (CTI routes and streams); `nil` when the API runs without a call centre.
    public let callCenter: (any CallCenterControl)?
    let desk: WorkOrderDesk
    let documented: DocumentedRoutes
    /// The running hotline behind `/health`, `/metrics` and the voicemail routes (`nil`: API only).
    public var operations: (any OperationsProvider)?

    /// Creates the API.
    /// - Parameters:
    ///   - stores: The stores.
    ///   - authenticator: The authenticator (its user, session and audit stores are usually the same database).
    ///   - logger: The logger.
    ///   - configuration: The configuration.
    ///   - callCenter: The telephony side for the CTI routes and streams (they answer 503 without one).
    /// - Throws: If the OpenAPI document resource cannot be read.
    public init(stores: APIStores, authenticator: Authenticator, logger: Logger, configuration: APIConfiguration = APIConfiguration(),
                callCenter: (any CallCenterControl)? = nil) throws {
        self.callCenter = callCenter
        self.stores = stores
        self.authenticator = authenticator
        self.logger = logger
        self.configuration = configuration
        self.desk = WorkOrderDesk(store: stores.workOrders, audit: stores.audit, policy: configuration.serviceLevels,
                                  calendar: configuration.calendar)
        self.documented = DocumentedRoutes(operations: try OpenAPIDocument.operations())
    }

    /// The router with every route and middleware.
    /// - Returns: The router; mount it in an `Application` or use ``application()``.
    public func router() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: ErrorMiddleware(routes: documented, now: configuration.now))
        addOperationsRoutes(to: router)
        router.get("openapi.json") { _, _ in
            APIJSON.response(data: try OpenAPIDocument.data(), status: .ok)
        }
        router.post("api/v1/login") { request, _ in try await login(request) }
        let api = router.group("api/v1").add(middleware: AuthenticationMiddleware(authenticator: authenticator, now: configuration.now))
        addSessionRoutes(to: api)
        addTaxpayerRoutes(to: api)
        addWorkOrderRoutes(to: api)
        addKnowledgeRoutes(to: api)
        addAdministrationRoutes(to: api)
        addEventRoutes(to: api)
        addWebhookRoutes(to: api)
        addAttachmentRoutes(to: api)
        addCTIRoutes(to: api)
        addConsultRoutes(to: api)
        addCTIStreams(to: router)
        addVoicemailRoutes(to: api)
        addCallRoutes(to: api)
        addDialRoutes(to: api)
        return router
    }

    /// A Hummingbird application serving ``router()`` on the configured address.
    /// - Returns: The application; run it with `runService()`.
    public func application() -> some ApplicationProtocol {
        let router = router()
        return Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router),
                           configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "hotline"),
                           logger: logger)
    }

    /// Serves the API until the task is cancelled, leaving signal handling to the host (for example
    /// `hotline serve`, which shuts calls down gracefully on SIGTERM before it cancels this), with its
    /// background work: webhook delivery and the SLA check (``runBackgroundWork()``).
    ///
    /// - Parameter onServerRunning: Called with the bound port once the server listens.
    /// - Throws: When the address cannot be bound.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let application = Application(router: router(),
                                      configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "hotline"),
                                      onServerRunning: { await onServerRunning($0.localAddress?.port ?? 0) }, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.runService(gracefulShutdownSignals: []) }
            group.addTask { await runBackgroundWork() }
            defer { group.cancelAll() }
            _ = try await group.next()
        }
    }

    var now: Date { configuration.now() }
    var limitBytes: Int { configuration.maximumBodyBytes }
    var maxPage: Int { configuration.maximumPageSize }

    /// Runs a create under the request's `Idempotency-Key`, if any: the first request's response is
    /// stored and a retry with the same key and body gets it again (`Idempotent-Replayed: true`).
    func idempotent(_ request: Request, principal: Principal, body: Data,
                    _ work: () async throws -> (HTTPResponse.Status, Data)) async throws -> Response {
        guard let key = request.headers[APIApplication.idempotencyKeyHeader] else {
            let (status, data) = try await work()
            return APIJSON.response(data: data, status: status)
        }
        guard (1...255).contains(key.utf8.count), key.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E }) else {
            throw APIError(.badRequest, code: "invalid_idempotency_key",
                           message: "header Idempotency-Key must be 1–255 visible ASCII characters")
        }
        // The same JSON with other key order or spacing is the same request.
        let canonical = (try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]))
            .flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys, .fragmentsAllowed]) } ?? body
        let fingerprint = SecretToken.hash("\(request.method) \(request.uri.path)\n" + String(decoding: canonical, as: UTF8.self))
        switch try await stores.idempotency.begin(key: key, owner: principal.userID, fingerprint: fingerprint, at: now) {
        case .replay(let stored):
            var response = APIJSON.response(data: stored.body, status: HTTPResponse.Status(code: stored.status))
            response.headers[APIApplication.replayedHeader] = "true"
            return response
        case .mismatch:
            throw APIError(.unprocessableContent, code: "idempotency_key_reused",
                           message: "header Idempotency-Key '\(key)' was already used for a different request")
        case .inProgress:
            throw APIError(.conflict, code: "idempotency_in_progress",
                           message: "a request with Idempotency-Key '\(key)' is still being handled; retry shortly")
        case .claimed:
            do {
                let (status, data) = try await work()
                try await stores.idempotency.finish(key: key, owner: principal.userID,
                                                    response: IdempotentResponse(status: status.code, body: data))
                return APIJSON.response(data: data, status: status)
            } catch {
                try? await stores.idempotency.abandon(key: key, owner: principal.userID)
                throw error
            }
        }
    }

    static let idempotencyKeyHeader = HTTPField.Name("Idempotency-Key")!
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!
}
