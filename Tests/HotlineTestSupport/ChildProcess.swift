package import Foundation
import Synchronization

/// A child process for the integration tests (baresip, sipp, sip-echo, `hotline`): its output is
/// collected, and it is terminated on ``stop()``.
package final class ChildProcess: Sendable {
    package let process: Process
    /// The executable's file name, for messages.
    package let name: String
    private let output = TextBuffer()

    package init(_ executable: String, _ arguments: [String], directory: String? = nil) throws {
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

    /// Everything the process wrote so far (stdout and stderr).
    package var text: String { output.text }

    /// Waits for output matching `pattern` (a regular expression); returns the first match's groups,
    /// or `nil` when the process exits or `seconds` pass first.
    package func waitFor(_ pattern: String, seconds: Double = 60) async -> [String]? {
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

    /// Waits for the process to exit by itself; terminates it (and answers `nil`) after `seconds`.
    package func exitStatus(within seconds: Double) async -> Int32? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { stop(); return nil }
        return process.terminationStatus
    }

    /// Terminates the process (SIGTERM) and waits for it; after `grace` seconds it is killed (SIGKILL),
    /// so a peer that ignores SIGTERM (a sipp waiting for a message) cannot hang the test run.
    package func stop(grace: Double = 5) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Text appended from any thread.
package final class TextBuffer: Sendable {
    private let value = Mutex<String>("")
    package init() {}
    package func append(_ text: String) { value.withLock { $0 += text } }
    package var text: String { value.withLock { $0 } }
}

/// A failure of the test setup (a peer that did not start, a file that is not what it should be).
package struct PeerError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// Ports, directories and tools for tests with real peers on 127.0.0.1.
package enum Peers {
    /// A port on 127.0.0.1 free for both UDP and TCP, found by binding it (0 if none was found); with
    /// `consecutive` > 1 the ports after it are free too (baresip listens for SIP/TLS on the next port).
    /// Ports come from 10000–19999: below the kernel's ephemeral range (32768–60999) and the RTP port
    /// ranges the server tests configure (20000–32400), so nothing else on the machine takes them meanwhile.
    package static func freePort(consecutive: Int = 1) -> Int {
        for _ in 0..<100 {
            let port = Int.random(in: 10_000...(20_000 - consecutive))
            if (port..<(port + consecutive)).allSatisfy(isFree) { return port }
        }
        return 0
    }

    private static func isFree(_ port: Int) -> Bool {
        let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(udp); close(tcp) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(udp, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 && bind(tcp, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// A new, empty directory under the system's temporary directory.
    package static func temporaryDirectory(_ prefix: String) throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The path of an installed tool, if any.
    package static func which(_ tool: String) -> String? {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") {
            return "\(dir)/\(tool)"
        }
        return nil
    }
}
