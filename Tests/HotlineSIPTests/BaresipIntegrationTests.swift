import Foundation
import NIOCore
import NIOPosix
import HotlineTestSupport
import Testing
@testable import HotlineSIP

/// sip-echo and the user agent against the real `baresip` softphone, driven through its
/// `ctrl_tcp` module (JSON in netstrings), on 127.0.0.1.
@Suite(.serialized) struct BaresipIntegrationTests {
    @Test func registerCallSendDTMFAndHangUp() async throws {
        // baresip 1.0 gives up when any challenge names an algorithm it lacks: offer MD5 alone.
        let server = try await SIPEchoServer.start(extra: ["--algorithms", "md5"], users: ["1001": "s3cret"])
        defer { server.stop() }
        let phone = try await Baresip(toneFrequency: 440, amplitude: 8000)
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
        let phone = try await Baresip(toneFrequency: 440, amplitude: 8000)
        phone.send("uanew", "<sip:1001@127.0.0.1:\(server.port)>;auth_pass=nope;regint=60")
        #expect(await phone.waitForEvent("REGISTER_FAIL") != nil)
        await phone.stop()
    }

    @Test func ourUserAgentCallsBaresip() async throws {
        let phone = try await Baresip(toneFrequency: 440, amplitude: 8000)
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
