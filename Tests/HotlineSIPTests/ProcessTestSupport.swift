import Foundation
import HotlineTestSupport

enum IntegrationPaths {
    /// The directory of the test binary: where `swift build` put `sip-echo` too.
    static var binDirectory: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // Inside an .xctest bundle on macOS the binary sits deeper; walk up to the build directory.
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("sip-echo").path) {
            url = url.deletingLastPathComponent()
        }
        return url.path
    }

    static var sipEcho: String { binDirectory + "/sip-echo" }

    static var scenarios: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scenarios").path
    }
}

/// A running sip-echo on a free port.
struct SIPEchoServer {
    let process: ChildProcess
    let port: Int
    let directory: String

    static func start(extra: [String] = [], users: [String: String]? = nil) async throws -> SIPEchoServer {
        let directory = try Peers.temporaryDirectory("hotline-sip").path
        var arguments = ["--host", "127.0.0.1", "--port", "0"] + extra
        if let users {
            let file = directory + "/users.txt"
            try users.map { "\($0.key):\($0.value)" }.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
            arguments += ["--users", file]
        }
        let process = try ChildProcess(IntegrationPaths.sipEcho, arguments)
        guard let groups = await process.waitFor("listening on 127.0.0.1 udp ([0-9]+) tcp ([0-9]+)"), let port = Int(groups[1]) else {
            process.stop()
            throw PeerError("sip-echo did not start: \(process.text)")
        }
        return SIPEchoServer(process: process, port: port, directory: directory)
    }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
