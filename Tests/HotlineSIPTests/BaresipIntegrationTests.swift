import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import HotlineSIP

/// sip-echo and the user agent against the real `baresip` softphone, driven through its
/// `ctrl_tcp` module (JSON in netstrings), on 127.0.0.1.
@Suite(.serialized) struct BaresipIntegrationTests {
    /// A baresip process with its own config directory and control connection.
    final class Baresip: @unchecked Sendable {
        let process: ChildProcess
        let directory: String
        let sipPort: Int
        let control: Int32
        var buffer: [UInt8] = []
        var events: [[String: Any]] = []

        init() async throws {
            directory = try IntegrationPaths.temporaryDirectory()
            let controlPort = IntegrationPaths.freePort()
            sipPort = IntegrationPaths.freePort()
            try Self.writeTone(to: directory + "/tone.wav", seconds: 30)
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
            audio_source aufile,\(directory)/tone.wav
            audio_player aubridge,nil
            audio_alert aubridge,nil

            """
            try config.write(toFile: directory + "/config", atomically: true, encoding: .utf8)
            try "".write(toFile: directory + "/accounts", atomically: true, encoding: .utf8)
            process = try ChildProcess(IntegrationPaths.which("baresip") ?? "/usr/bin/baresip", ["-f", directory])
            var fd: Int32 = -1
            for _ in 0..<100 {
                fd = Self.connect(port: controlPort)
                if fd >= 0 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            guard fd >= 0 else {
                process.stop()
                throw IntegrationError("cannot connect to baresip ctrl_tcp: \(process.text)")
            }
            control = fd
        }

        static func connect(port: Int) -> Int32 {
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

        /// 8 kHz mono 16-bit PCM, a 440 Hz tone (what aufile plays as the phone's microphone).
        static func writeTone(to path: String, seconds: Int) throws {
            let samples = 8000 * seconds
            var data = [UInt8]()
            func u32(_ v: UInt32) { data += withUnsafeBytes(of: v.littleEndian, Array.init) }
            func u16(_ v: UInt16) { data += withUnsafeBytes(of: v.littleEndian, Array.init) }
            data += Array("RIFF".utf8); u32(UInt32(36 + samples * 2)); data += Array("WAVEfmt ".utf8)
            u32(16); u16(1); u16(1); u32(8000); u32(16000); u16(2); u16(16)
            data += Array("data".utf8); u32(UInt32(samples * 2))
            for i in 0..<samples {
                let value = Int16(8000 * sin(2 * Double.pi * 440 * Double(i) / 8000))
                u16(UInt16(bitPattern: value))
            }
            try Data(data).write(to: URL(fileURLWithPath: path))
        }

        func send(_ command: String, _ params: String = "") {
            let json = try? JSONSerialization.data(withJSONObject: ["command": command, "params": params, "token": command])
            let body = Array(json ?? Data())
            let frame = Array("\(body.count):".utf8) + body + Array(",".utf8)
            _ = frame.withUnsafeBytes { Glibc.send(control, $0.baseAddress, $0.count, 0) }
        }

        /// Reads events until one has `type` (and, if given, a `param` containing `param`).
        func waitForEvent(_ type: String, seconds: Double = 30) async -> [String: Any]? {
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
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test func registerCallSendDTMFAndHangUp() async throws {
        // baresip 1.0 gives up when any challenge names an algorithm it lacks: offer MD5 alone.
        let server = try await SIPEchoServer.start(extra: ["--algorithms", "md5"], users: ["1001": "s3cret"])
        defer { server.stop() }
        let phone = try await Baresip()
        phone.send("uanew", "<sip:1001@127.0.0.1:\(server.port)>;auth_pass=s3cret;regint=60")
        #expect(await phone.waitForEvent("REGISTER_OK") != nil, "\(phone.process.text.suffix(1000))")
        #expect(await server.process.waitFor("REGISTER sip:1001@127.0.0.1: 1 contact") != nil)

        phone.send("dial", "sip:echo@127.0.0.1:\(server.port)")
        #expect(await phone.waitForEvent("CALL_ESTABLISHED") != nil, "\(phone.process.text.suffix(1000))")
        // RTP comes back: baresip reports the incoming stream (our echo).
        #expect(await phone.waitForEvent("CALL_RTPESTAB") != nil)
        phone.send("sndcode", "7")
        #expect(await server.process.waitFor("DTMF call=.* digit=7 .*via=RFC4733") != nil, "\(server.process.text.suffix(800))")
        phone.send("hangup")
        #expect(await phone.waitForEvent("CALL_CLOSED") != nil)
        await phone.stop()
        // quit un-registers first.
        #expect(await server.process.waitFor("REGISTER sip:1001@127.0.0.1: 0 contact") != nil)
    }

    @Test func wrongPasswordIsRefused() async throws {
        let server = try await SIPEchoServer.start(extra: ["--algorithms", "md5"], users: ["1001": "s3cret"])
        defer { server.stop() }
        let phone = try await Baresip()
        phone.send("uanew", "<sip:1001@127.0.0.1:\(server.port)>;auth_pass=nope;regint=60")
        #expect(await phone.waitForEvent("REGISTER_FAIL") != nil)
        await phone.stop()
    }

    @Test func ourUserAgentCallsBaresip() async throws {
        let phone = try await Baresip()
        phone.send("uanew", "<sip:1001@127.0.0.1:\(phone.sipPort)>;answermode=auto;regint=0")
        try await Task.sleep(for: .milliseconds(300))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let agent = try await TestAgent.start(group: group, user: "hotline")
        let offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n"
        let call = agent.agent.call(SIPURI(user: "1001", host: "127.0.0.1", port: phone.sipPort),
                                    from: NameAddress(uri: SIPURI(user: "hotline", host: "127.0.0.1")), body: Array(offer.utf8))
        #expect(await eventually(10) { call.state == .established }, "\(phone.process.text.suffix(1000))")
        #expect(String(decoding: call.remoteBody, as: UTF8.self).contains("m=audio"))
        #expect(await phone.waitForEvent("CALL_ESTABLISHED") != nil)
        call.hangUp()
        #expect(await phone.waitForEvent("CALL_CLOSED") != nil)
        await agent.stop()
        try await group.shutdownGracefully()
        await phone.stop()
    }
}
