package import Foundation

/// A baresip softphone with its own config directory, driven through `ctrl_tcp` (JSON in netstrings);
/// its microphone is a WAV file of one tone (aufile), its speaker discarded.
package final class Baresip: @unchecked Sendable {
    package let process: ChildProcess
    package let directory: URL
    /// Where the phone listens for SIP (UDP and TCP) on 127.0.0.1.
    package let sipPort: Int
    private let control: Int32
    private var buffer: [UInt8] = []
    private var events: [[String: Any]] = []

    /// Starts baresip and connects to its control port.
    /// - Parameters:
    ///   - toneFrequency: What the phone "says", so that a recording shows whose audio is where.
    ///   - amplitude: The tone's peak sample value.
    ///   - recordsAudio: Load the `sndfile` filter, which writes what the phone sends and hears under
    ///     ``directory`` (`dump-…-dec.wav` is what it hears).
    package init(toneFrequency: Double, amplitude: Double = 6000, recordsAudio: Bool = false) async throws {
        directory = try Peers.temporaryDirectory("hotline-baresip")
        let controlPort = Peers.freePort()
        sipPort = Peers.freePort(consecutive: 2)
        try WAVTone.write(to: directory.appendingPathComponent("tone.wav"), frequency: toneFrequency, amplitude: amplitude, seconds: 60)
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
        process = try ChildProcess(Peers.which("baresip") ?? "/usr/bin/baresip", ["-f", directory.path])
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

    /// Sends a `ctrl_tcp` command (`uanew`, `dial`, `accept`, `hangup`, `sndcode`, `quit` …).
    package func send(_ command: String, _ params: String = "") {
        let json = try? JSONSerialization.data(withJSONObject: ["command": command, "params": params, "token": command])
        let body = Array(json ?? Data())
        let frame = Array("\(body.count):".utf8) + body + Array(",".utf8)
        _ = frame.withUnsafeBytes { Glibc.send(control, $0.baseAddress, $0.count, 0) }
    }

    /// Reads events until one of `type` (`REGISTER_OK`, `CALL_INCOMING`, `CALL_ESTABLISHED`,
    /// `CALL_CLOSED` …) arrives; earlier events of other types are kept for later calls.
    package func waitForEvent(_ type: String, seconds: Double = 15) async -> [String: Any]? {
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

    /// Quits baresip (it un-registers first), then removes its directory.
    package func stop() async {
        send("quit")
        if await process.exitStatus(within: 3) == nil { process.stop() }
        close(control)
        try? FileManager.default.removeItem(at: directory)
    }
}
