import Foundation
import HTTPTypes
import HotlineAuth
import HotlineCore
import HotlineServer
import HotlineSQLite
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization

/// A clock the tests move by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A real SQLite database in a temporary directory with one user per built-in role, all password
/// `correct-horse-42`, and the API over it.
struct APIFixture {
    static let password = "correct-horse-42"
    /// Monday 30 November 2026, 10:00 in Beijing.
    static let start = Date(timeIntervalSince1970: 1_795_996_800 + 2 * 3600)

    let directory: URL
    let database: HotlineDatabase
    let api: APIApplication
    let clock: TestClock
    let authenticator: Authenticator
    /// User id by role id.
    let userIDs: [String: String]

    init(maximumBodyBytes: Int = 1_048_576, configure: (inout APIConfiguration) -> Void = { _ in }) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-api-\(UUID().uuidString)")
        database = try HotlineDatabase(directory: directory)
        let clock = TestClock(Self.start)
        self.clock = clock
        authenticator = Authenticator(users: database, sessions: database, audit: database, hasher: BcryptPasswordHasher(cost: 4))
        let bootstrap = Principal(userID: "bootstrap", username: "bootstrap", permissions: [.userAdmin])
        var ids: [String: String] = [:]
        for role in Role.builtIn {
            let kind: User.Kind = switch role.id {
            case "agent": .agent
            case "supervisor": .supervisor
            case "department-handler": .departmentHandler
            case "administrator": .administrator
            default: .apiClient
            }
            let user = try await authenticator.addUser(username: role.id, displayName: role.title, kind: kind, password: Self.password,
                                                       roles: [role.id], department: role.id == "department-handler" ? "稽查局" : nil,
                                                       by: bootstrap, at: Self.start)
            ids[role.id] = user.id
        }
        userIDs = ids
        var logger = Logger(label: "hotline.api.test")
        logger.logLevel = .critical
        var configuration = APIConfiguration(host: "127.0.0.1", port: 0, maximumBodyBytes: maximumBodyBytes, now: { clock.now })
        configure(&configuration)
        api = try APIApplication(stores: try APIStores(database: database), authenticator: authenticator, logger: logger,
                                 configuration: configuration)
    }

    /// Runs `body` against the router (no socket) and removes the database afterwards.
    func test<T>(_ setup: TestingSetup = .router, _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        defer { try? FileManager.default.removeItem(at: directory) }
        let app = Application(router: api.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: api.logger)
        return try await app.test(setup, body)
    }

    /// A valid unified social credit code ending in `serial` (8 characters).
    static func creditCode(_ serial: String) -> String {
        let first17 = "91110108M" + serial
        return first17 + String(TaxpayerNumber.creditCodeCheckCharacter(for: first17) ?? "0")
    }
}

extension TestClientProtocol {
    /// Signs in and returns the bearer token.
    func login(_ username: String, password: String = APIFixture.password) async throws -> String {
        let response = try await send(.post, "/api/v1/login", json: ["username": username, "password": password])
        guard response.status == .ok, let token = try response.object()["token"] as? String else {
            throw APITestError.unexpected("login \(username): \(response.status) \(response.text)")
        }
        return token
    }

    /// Sends a request with an optional JSON body and bearer token.
    func send(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: Any? = nil, raw: String? = nil,
              headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        } else if let raw {
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
            body = ByteBuffer(string: raw)
        }
        let response = try await execute(uri: uri, method: method, headers: headers, body: body) { $0 }
        return TestResponse(status: response.status, headers: response.headers, body: Data(response.body.readableBytesView))
    }
}

struct TestResponse: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: Data
    var text: String { String(decoding: body, as: UTF8.self) }

    func object() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw APITestError.unexpected("not a JSON object: \(text)")
        }
        return object
    }

    var code: String? { (try? object())?["code"] as? String }
    var items: [[String: Any]] { ((try? object())?["items"] as? [[String: Any]]) ?? [] }
}

enum APITestError: Error { case unexpected(String) }
