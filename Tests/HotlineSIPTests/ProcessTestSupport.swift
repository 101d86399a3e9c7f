import Foundation
import Synchronization

/// A child process for integration tests: output collected, terminated on `stop()`.
final class ChildProcess: Sendable {
    let process: Process
    private let output = TextBuffer()
    let name: String

    init(_ executable: String, _ arguments: [String], directory: String? = nil) throws {
        name = URL(fileURLWithPath: executable).lastPathComponent
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        self.process = process
        pipe.fileHandleForReading.readabilityHandler = { [output] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            output.append(String(decoding: data, as: UTF8.self))
        }
        try process.run()
    }

    var text: String { output.text }

    /// Waits for output matching `pattern` (a regular expression); returns the first match's groups.
    func waitFor(_ pattern: String, seconds: Double = 60) async -> [String]? {
        let regex = try? NSRegularExpression(pattern: pattern)
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        repeat {
            let current = text
            if let regex, let match = regex.firstMatch(in: current, range: NSRange(current.startIndex..., in: current)) {
                return (0..<match.numberOfRanges).map { i in
                    Range(match.range(at: i), in: current).map { String(current[$0]) } ?? ""
                }
            }
            if !process.isRunning { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        } while ContinuousClock.now < deadline
        return nil
    }

    /// Waits for the process to exit by itself; kills it after `seconds`.
    func exitStatus(within seconds: Double) async -> Int32? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { stop(); return nil }
        return process.terminationStatus
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

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

    static func which(_ tool: String) -> String? {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") {
            return "\(dir)/\(tool)"
        }
        return nil
    }

    /// A free port on 127.0.0.1 (UDP and TCP), found by binding port 0.
    static func freePort() -> Int {
        for _ in 0..<20 {
            let port = Int.random(in: 20_000...60_000)
            let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(udp); close(tcp) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let ok = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(udp, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 && bind(tcp, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            if ok { return port }
        }
        return 0
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "hotline-sip-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// A running sip-echo on a free port.
struct SIPEchoServer {
    let process: ChildProcess
    let port: Int
    let directory: String

    static func start(extra: [String] = [], users: [String: String]? = nil) async throws -> SIPEchoServer {
        let directory = try IntegrationPaths.temporaryDirectory()
        var arguments = ["--host", "127.0.0.1", "--port", "0"] + extra
        if let users {
            let file = directory + "/users.txt"
            try users.map { "\($0.key):\($0.value)" }.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
            arguments += ["--users", file]
        }
        let process = try ChildProcess(IntegrationPaths.sipEcho, arguments)
        guard let groups = await process.waitFor("listening on 127.0.0.1 udp ([0-9]+) tcp ([0-9]+)"), let port = Int(groups[1]) else {
            process.stop()
            throw IntegrationError("sip-echo did not start: \(process.text)")
        }
        return SIPEchoServer(process: process, port: port, directory: directory)
    }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

struct IntegrationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

final class TextBuffer: Sendable {
    private let value = Mutex<String>("")
    func append(_ text: String) { value.withLock { $0 += text } }
    var text: String { value.withLock { $0 } }
}
