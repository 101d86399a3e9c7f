import Foundation
import Synchronization

/// A child process for the end-to-end tests: output collected, terminated on `stop()`.
final class ChildProcess: Sendable {
    let process: Process
    private let output = TextBuffer()

    init(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
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

final class TextBuffer: Sendable {
    private let value = Mutex<String>("")
    func append(_ text: String) { value.withLock { $0 += text } }
    var text: String { value.withLock { $0 } }
}

struct PeerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum Peers {
    /// A free port on 127.0.0.1 (UDP and TCP), found by binding it.
    static func freePort() -> Int {
        for _ in 0..<50 {
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

    static func temporaryDirectory(_ prefix: String) throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The repository's `Flows` directory.
    static var flows: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Flows")
    }
}

/// A baresip softphone with its own config directory, driven through `ctrl_tcp` (JSON in netstrings);
/// its microphone is a WAV file of a tone (aufile).
final class Baresip: @unchecked Sendable {
    let process: ChildProcess
    let directory: URL
    let sipPort: Int
    let control: Int32
    private var buffer: [UInt8] = []
    private var events: [[String: Any]] = []

    /// Starts baresip sending a tone; with `recordsAudio`, its `sndfile` filter writes what it sends and
    /// hears under ``directory`` (`dump-…-dec.wav` is what it hears).
    init(toneFrequency: Double, recordsAudio: Bool = false) async throws {
        directory = try Peers.temporaryDirectory("hotline-baresip")
        let controlPort = Peers.freePort()
        sipPort = Peers.freePort()
        try Self.writeTone(to: directory.appendingPathComponent("tone.wav"), frequency: toneFrequency, seconds: 60)
        let config = """
        module_path /usr/lib/baresip/modules
        module g711.so
        module aufile.so
        module aubridge.so
        module account.so
        module menu.so
        module ctrl_tcp.so
        ctrl_tcp_listen 127.0.0.1:\(controlPort)
        sip_listen 127.0.0.1:\(sipPort)
        net_interface 127.0.0.1
        audio_source aufile,\(directory.path)/tone.wav
        audio_player aubridge,nil
        audio_alert aubridge,nil
        \(recordsAudio ? "module sndfile.so\nsnd_path \(directory.path)\n" : "")
        """
        try config.write(to: directory.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        try "".write(to: directory.appendingPathComponent("accounts"), atomically: true, encoding: .utf8)
        process = try ChildProcess("/usr/bin/baresip", ["-f", directory.path])
        var fd: Int32 = -1
        for _ in 0..<100 {
            fd = Self.connect(port: controlPort)
            if fd >= 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard fd >= 0 else {
            process.stop()
            throw PeerError("cannot connect to baresip ctrl_tcp: \(process.text)")
        }
        control = fd
    }

    private static func connect(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        if !ok { close(fd); return -1 }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// 8 kHz mono 16-bit PCM of one tone.
    static func writeTone(to url: URL, frequency: Double, seconds: Int) throws {
        let samples = 8000 * seconds
        var data = [UInt8]()
        func u32(_ v: UInt32) { data += withUnsafeBytes(of: v.littleEndian, Array.init) }
        func u16(_ v: UInt16) { data += withUnsafeBytes(of: v.littleEndian, Array.init) }
        data += Array("RIFF".utf8); u32(UInt32(36 + samples * 2)); data += Array("WAVEfmt ".utf8)
        u32(16); u16(1); u16(1); u32(8000); u32(16000); u16(2); u16(16)
        data += Array("data".utf8); u32(UInt32(samples * 2))
        for i in 0..<samples {
            u16(UInt16(bitPattern: Int16(6000 * sin(2 * Double.pi * frequency * Double(i) / 8000))))
        }
        try Data(data).write(to: url)
    }

    func send(_ command: String, _ params: String = "") {
        let json = try? JSONSerialization.data(withJSONObject: ["command": command, "params": params, "token": command])
        let body = Array(json ?? Data())
        let frame = Array("\(body.count):".utf8) + body + Array(",".utf8)
        _ = frame.withUnsafeBytes { Glibc.send(control, $0.baseAddress, $0.count, 0) }
    }

    /// Reads events until one of `type` arrives.
    func waitForEvent(_ type: String, seconds: Double = 15) async -> [String: Any]? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if let index = events.firstIndex(where: { $0["type"] as? String == type }) {
                return events.remove(at: index)
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(control, $0.baseAddress, $0.count, 0) }
            if n > 0 { buffer += chunk[0..<n] } else { try? await Task.sleep(for: .milliseconds(20)) }
            while let colon = buffer.firstIndex(of: UInt8(ascii: ":")), let length = Int(String(decoding: buffer[..<colon], as: UTF8.self)),
                  buffer.count >= colon + 1 + length + 1 {
                let body = Data(buffer[(colon + 1)..<(colon + 1 + length)])
                buffer.removeFirst(colon + 1 + length + 1)
                if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], object["event"] as? Bool == true {
                    events.append(object)
                }
            }
        }
        return nil
    }

    func stop() async {
        send("quit")
        if await process.exitStatus(within: 3) == nil { process.stop() }
        close(control)
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Per-channel signal level of a 16-bit PCM WAV file.
struct WAVLevels {
    let channels: Int
    let frames: Int
    /// Root-mean-square level of each channel.
    let rms: [Double]

    init(contentsOf url: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: url))
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        guard bytes.count >= 12, String(decoding: bytes[0..<4], as: UTF8.self) == "RIFF" else { throw PeerError("\(url.path): not RIFF") }
        var offset = 12
        var channels = 0
        var dataRange: Range<Int>?
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = u32(offset + 4)
            if id == "fmt " { channels = u16(offset + 10) }
            if id == "data" { dataRange = (offset + 8)..<min(bytes.count, offset + 8 + size) }
            offset += 8 + size + (size & 1)
        }
        guard channels > 0, let dataRange else { throw PeerError("\(url.path): no fmt or data chunk") }
        self.channels = channels
        let frames = dataRange.count / (2 * channels)
        self.frames = frames
        var sums = [Double](repeating: 0, count: channels)
        for frame in 0..<frames {
            for channel in 0..<channels {
                let at = dataRange.lowerBound + (frame * channels + channel) * 2
                let sample = Double(Int16(bitPattern: UInt16(u16(at))))
                sums[channel] += sample * sample
            }
        }
        rms = sums.map { frames > 0 ? ($0 / Double(frames)).squareRoot() : 0 }
    }
}
