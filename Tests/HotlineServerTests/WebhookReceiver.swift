import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A real HTTP server on 127.0.0.1 that receives webhook deliveries at `POST /hook`, answers
/// `failureStatus` to the first `failFirst` of them and 204 afterwards, and keeps what it received.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var headers: HTTPFields
        var body: Data
        var answered: Int

        func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }
    }

    private struct State {
        var received: [Received] = []
        var failuresLeft: Int
    }

    private let state: Mutex<State>
    private let failureStatus: HTTPResponse.Status

    init(failFirst: Int = 0, failureStatus: HTTPResponse.Status = .serviceUnavailable) {
        state = Mutex(State(failuresLeft: failFirst))
        self.failureStatus = failureStatus
    }

    var received: [Received] { state.withLock { $0.received } }

    /// Starts listening on a free port.
    /// - Returns: The port and the task serving (cancel it to stop).
    func start() async throws -> (port: Int, task: Task<Void, any Error>) {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1_048_576)
            let status = self.state.withLock { state -> HTTPResponse.Status in
                let status: HTTPResponse.Status
                if state.failuresLeft > 0 {
                    state.failuresLeft -= 1
                    status = self.failureStatus
                } else {
                    status = .noContent
                }
                state.received.append(Received(headers: request.headers, body: Data(body.readableBytesView), answered: Int(status.code)))
                return status
            }
            return Response(status: status)
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "webhook.receiver")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw APITestError.unexpected("the receiver did not start") }
        return (port, task)
    }
}

/// Polls until `condition` holds, for at most `seconds` of real time (no timing is asserted: the
/// deadline only stops a broken test from hanging).
func eventually(seconds: Double = 60, _ what: String, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw APITestError.unexpected("gave up waiting for: \(what)")
}

/// HMAC-SHA256 of `"<timestamp>.<body>"` computed by the openssl command line, as Docs/API.md shows
/// a receiver doing it (an implementation independent of the server's).
func opensslSignature(body: Data, timestamp: String, secret: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["openssl", "dgst", "-sha256", "-hmac", secret, "-r"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    var message = Data("\(timestamp).".utf8)
    message.append(body)
    input.fileHandleForWriting.write(message)
    try input.fileHandleForWriting.close()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0, let hex = text.split(separator: " ").first else {
        throw APITestError.unexpected("openssl failed: \(text)")
    }
    return "sha256=" + hex
}
