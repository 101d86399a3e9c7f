import Foundation
import HotlineTestSupport
import Testing

/// sip-echo against the real `sipp` (Debian sip-tester), started and stopped here, on 127.0.0.1.
@Suite(.serialized) struct SippIntegrationTests {
    static let sipp = Peers.which("sipp") ?? "/usr/bin/sipp"

    /// Runs sipp to completion; returns its exit status (0: every call succeeded) and output.
    func runSipp(_ arguments: [String], directory: String? = nil, seconds: Double = 60) async throws -> (Int32?, String) {
        let port = Peers.freePort()
        let process = try ChildProcess(Self.sipp, arguments + ["-i", "127.0.0.1", "-p", String(port), "-nostdin", "-timeout", "\(Int(seconds))s", "-timeout_error"],
                                       directory: directory)
        let status = await process.exitStatus(within: seconds + 5)
        return (status, process.text)
    }

    @Test(arguments: ["u1", "t1"])
    func builtInUACCalls(_ transport: String) async throws {
        let server = try await SIPEchoServer.start()
        defer { server.stop() }
        let (status, output) = try await runSipp(["-sn", "uac", "127.0.0.1:\(server.port)", "-t", transport, "-m", "50", "-r", "50", "-l", "50"])
        #expect(status == 0, "sipp failed:\n\(output.suffix(1500))")
    }

    @Test func builtInUACWithPcapAudioAndDTMF() async throws {
        let server = try await SIPEchoServer.start()
        defer { server.stop() }
        let directory = try Peers.temporaryDirectory("hotline-sip").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createSymbolicLink(atPath: directory + "/pcap", withDestinationPath: "/usr/share/sip-tester")
        let (status, output) = try await runSipp(["-sn", "uac_pcap", "127.0.0.1:\(server.port)", "-m", "1", "-mp", String((Peers.freePort(consecutive: 5) + 1) & ~1)],
                                                 directory: directory)
        #expect(status == 0, "sipp failed:\n\(output.suffix(1500))")
        // The pcap scenario sends RFC 4733 digit 1 after the audio.
        #expect(await server.process.waitFor("DTMF call=.* digit=1 .*via=RFC4733", seconds: 5) != nil, "\(server.process.text.suffix(800))")
    }

    @Test func registerWithDigestAndUnregister() async throws {
        // sipp answers only the first challenge and knows MD5 alone: offer MD5 first.
        let server = try await SIPEchoServer.start(extra: ["--algorithms", "md5,sha256"], users: ["1001": "s3cret", "1002": "other"])
        defer { server.stop() }
        let (status, output) = try await runSipp(["-sf", IntegrationPaths.scenarios + "/register_digest.xml", "127.0.0.1:\(server.port)",
                                                  "-s", "1001", "-au", "1001", "-ap", "s3cret", "-m", "5", "-r", "5"])
        #expect(status == 0, "sipp failed:\n\(output.suffix(1500))")
        // A wrong password never gets past the 401.
        let (bad, _) = try await runSipp(["-sf", IntegrationPaths.scenarios + "/register_digest.xml", "127.0.0.1:\(server.port)",
                                          "-s", "1001", "-au", "1001", "-ap", "wrong", "-m", "1", "-recv_timeout", "2000"], seconds: 10)
        #expect(bad != 0)
    }

    @Test func cancelBeforeAnswer() async throws {
        let server = try await SIPEchoServer.start(extra: ["--answer-after", "5000"])
        defer { server.stop() }
        let (status, output) = try await runSipp(["-sf", IntegrationPaths.scenarios + "/cancel.xml", "127.0.0.1:\(server.port)", "-s", "echo", "-m", "5", "-r", "5"])
        #expect(status == 0, "sipp failed:\n\(output.suffix(1500))")
    }

    @Test func reinviteHoldAndResume() async throws {
        let server = try await SIPEchoServer.start()
        defer { server.stop() }
        let (status, output) = try await runSipp(["-sf", IntegrationPaths.scenarios + "/reinvite_hold.xml", "127.0.0.1:\(server.port)", "-s", "echo", "-m", "5", "-r", "5"])
        #expect(status == 0, "sipp failed:\n\(output.suffix(1500))")
    }

    @Test func callsSurvivePacketLoss() async throws {
        let server = try await SIPEchoServer.start()
        defer { server.stop() }
        // sipp drops 10 % of the messages it sends and receives; both sides must retransmit.
        let (status, output) = try await runSipp(["-sn", "uac", "127.0.0.1:\(server.port)", "-m", "30", "-r", "15", "-lost", "10"], seconds: 60)
        #expect(status == 0, "sipp failed:\n\(output.suffix(1500))")
    }
}
