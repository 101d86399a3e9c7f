import Foundation
import HotlineCore
import HotlineSQLite
import HotlineServer
import Hummingbird
import HummingbirdTesting
import Testing

/// Runs schemathesis (PyPI) against `/openapi.json` of the API attached to a running reference server
/// (so the CTI, voicemail and metrics routes answer as in production, not 503). Enabled when
/// `HOTLINE_SCHEMATHESIS=1` (`make test` and scripts/schemathesis.sh set it) because it needs Python.
@Suite("Schemathesis", .serialized)
struct SchemathesisTests {
    static let enabled = ProcessInfo.processInfo.environment["HOTLINE_SCHEMATHESIS"] == "1"

    @Test("schemathesis finds no failures", .enabled(if: enabled))
    func fuzz() async throws {
        let hotline = try await HotlineServerTests.Running.start()
        defer { try? FileManager.default.removeItem(at: hotline.directory) }
        let (api, authenticator) = try await hotline.apiWithAuthenticator()
        let environment = ProcessInfo.processInfo.environment
        let executable = environment["SCHEMATHESIS"] ?? "schemathesis"
        let examples = environment["HOTLINE_SCHEMATHESIS_EXAMPLES"] ?? "30"
        try await api.application().test(.live) { client in
            let port = try #require(client.port)
            // An API key, not a session: schemathesis calls POST /logout, which would end a session.
            let admin = try #require(try await hotline.server.database.user(username: "administrator"))
            let issuer = Principal(userID: "test", username: "test", permissions: [.apiKeyAdmin])
            let (_, key) = try await authenticator.createAPIKey(name: "schemathesis", userID: admin.id, by: issuer, at: Date())
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable, "run", "http://127.0.0.1:\(port)/openapi.json",
                                 "--header", "Authorization: Bearer \(key)", "--header", "X-API-Key: \(key)",
                                 "--checks", "all", "--exclude-checks", "positive_data_acceptance", "--max-examples", examples, "--seed", "12366",
                                 "--suppress-health-check", "all"] + (environment["HOTLINE_SCHEMATHESIS_ARGS"].map { $0.split(separator: " ").map(String.init) } ?? [])
            process.currentDirectoryURL = hotline.directory
            try process.run()
            while process.isRunning { try await Task.sleep(for: .milliseconds(200)) }
            #expect(process.terminationStatus == 0, "schemathesis reported failures (see its output above)")
        }
        await hotline.stop()
    }
}
