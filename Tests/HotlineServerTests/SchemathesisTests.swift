import Foundation
import HotlineCore
import HotlineServer
import Hummingbird
import HummingbirdTesting
import Testing

/// Runs schemathesis (PyPI) against `/openapi.json` of a live instance. Enabled when
/// `HOTLINE_SCHEMATHESIS=1` (see scripts/schemathesis.sh) because it needs Python and takes minutes.
@Suite("Schemathesis")
struct SchemathesisTests {
    static let enabled = ProcessInfo.processInfo.environment["HOTLINE_SCHEMATHESIS"] == "1"

    @Test("schemathesis finds no failures", .enabled(if: enabled))
    func fuzz() async throws {
        let fixture = try await APIFixture()
        let environment = ProcessInfo.processInfo.environment
        let executable = environment["SCHEMATHESIS"] ?? "schemathesis"
        let examples = environment["HOTLINE_SCHEMATHESIS_EXAMPLES"] ?? "30"
        try await fixture.test(.live) { client in
            let port = try #require(client.port)
            // An API key, not a session: schemathesis calls POST /logout, which would end a session.
            let adminID = try #require(fixture.userIDs["administrator"])
            let issuer = Principal(userID: "test", username: "test", permissions: [.apiKeyAdmin])
            let (_, key) = try await fixture.authenticator.createAPIKey(name: "schemathesis", userID: adminID, by: issuer, at: APIFixture.start)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable, "run", "http://127.0.0.1:\(port)/openapi.json",
                                 "--header", "Authorization: Bearer \(key)", "--header", "X-API-Key: \(key)",
                                 "--checks", "all", "--exclude-checks", "positive_data_acceptance", "--max-examples", examples, "--seed", "12366",
                                 "--suppress-health-check", "all"] + (environment["HOTLINE_SCHEMATHESIS_ARGS"].map { $0.split(separator: " ").map(String.init) } ?? [])
            process.currentDirectoryURL = fixture.directory
            try process.run()
            while process.isRunning { try await Task.sleep(for: .milliseconds(200)) }
            #expect(process.terminationStatus == 0, "schemathesis reported failures (see its output above)")
        }
    }
}
