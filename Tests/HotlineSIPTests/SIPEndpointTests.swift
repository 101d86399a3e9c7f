import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import HotlineSIP

/// The endpoint on real sockets on 127.0.0.1: bad input gets the right response, rport works,
/// TCP framing and keep-alive, retransmissions absorbed.
@Suite(.serialized) struct SIPEndpointTests {
    static func request(_ method: String = "OPTIONS", uri: String = "sip:echo@127.0.0.1", branch: String = "z9hG4bK\(UInt32.random(in: 0...UInt32.max))",
                        callID: String? = "c-\(UInt32.random(in: 0...UInt32.max))", extra: String = "", via: String = "SIP/2.0/UDP 127.0.0.1:9;rport",
                        cseqMethod: String? = nil, body: String = "", contentLength: Int? = nil, version: String = "SIP/2.0") -> String {
        var text = "\(method) \(uri) \(version)\r\nVia: \(via);branch=\(branch)\r\nMax-Forwards: 70\r\n"
        text += "From: <sip:tester@127.0.0.1>;tag=t1\r\nTo: <sip:echo@127.0.0.1>\r\n"
        if let callID { text += "Call-ID: \(callID)\r\n" }
        text += "CSeq: 1 \(cseqMethod ?? method)\r\nContact: <sip:tester@127.0.0.1>\r\n" + extra
        text += "Content-Length: \(contentLength ?? body.utf8.count)\r\n\r\n" + body
        return text
    }

    func withAgent(_ body: (TestAgent, RawClient) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let agent = try await TestAgent.start(group: group)
        let client = try await RawClient.udp(group: group)
        do {
            try await body(agent, client)
        } catch {
            await client.close(); await agent.stop(); try? await group.shutdownGracefully()
            throw error
        }
        await client.close()
        await agent.stop()
        try await group.shutdownGracefully()
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let status: Int
        let reasonContains: String
        var testDescription: String { name }
    }

    static let badCases: [BadCase] = [
        BadCase(name: "missing Call-ID", text: request(callID: nil), status: 400, reasonContains: "Call-ID"),
        BadCase(name: "Content-Length too large", text: request(contentLength: 99), status: 400, reasonContains: "Content-Length 99"),
        BadCase(name: "CSeq method mismatch", text: request(cseqMethod: "INVITE"), status: 400, reasonContains: "CSeq method"),
        BadCase(name: "version", text: request(version: "SIP/3.0"), status: 505, reasonContains: "version"),
        BadCase(name: "Require", text: request(extra: "Require: frobnication, timer\r\n"), status: 420, reasonContains: "Extension"),
        BadCase(name: "URI scheme", text: request(uri: "mailto:someone@example.org"), status: 416, reasonContains: "mailto"),
        BadCase(name: "Max-Forwards 0", text: request("MESSAGE", extra: "Max-Forwards: 0\r\n").replacingFirst("Max-Forwards: 70\r\n", with: ""), status: 483, reasonContains: "Hops"),
        BadCase(name: "body too large", text: request("MESSAGE", body: String(repeating: "x", count: 40_000)), status: 413, reasonContains: "40000"),
        BadCase(name: "malformed From", text: request(extra: "").replacingFirst("From: <sip:tester@127.0.0.1>;tag=t1", with: "From: <sip:tester@127.0.0.1;tag=t1"), status: 400, reasonContains: "From"),
    ]

    @Test(arguments: badCases)
    func badRequestsGetTheirResponse(_ bad: BadCase) async throws {
        try await withAgent { agent, client in
            try await client.send(bad.text, to: agent.port)
            let reply = await client.next()
            guard case .response(let response) = reply else { Issue.record("no response to \(bad.name)"); return }
            #expect(response.statusCode == bad.status)
            #expect(response.reason.contains(bad.reasonContains), "\(response.reason)")
            if bad.status == 420 { #expect(response.headers["unsupported"] == "frobnication") }
        }
    }

    @Test func optionsAnsweredWithRportAndReceived() async throws {
        try await withAgent { agent, client in
            try await client.send(Self.request(), to: agent.port)
            guard case .response(let response) = await client.next() else { Issue.record("no response"); return }
            #expect(response.statusCode == 200)
            #expect(response.headers["allow"]?.contains("INVITE") == true)
            let via = try response.topVia()
            #expect(via.rport == String(client.port))
            #expect(via.received == "127.0.0.1")
        }
    }

    @Test func unparseableResponseIsDroppedAndServerSurvives() async throws {
        try await withAgent { agent, client in
            try await client.send("SIP/2.0 200 OK\r\nVia: nonsense\r\nCSeq: x\r\n\r\n", to: agent.port)
            try await client.send("\u{0}\u{1}garbage\r\n\r\n", to: agent.port)
            try await client.send(Self.request(), to: agent.port)
            guard case .response(let response) = await client.next() else { Issue.record("server silent after garbage"); return }
            #expect(response.statusCode == 200)
            #expect(try response.cseq().method == .options)
        }
    }

    @Test func mergedRequestGets482AndRetransmissionIsAbsorbed() async throws {
        try await withAgent { agent, client in
            let calls = Box(0)
            try await agent.endpoint.eventLoop.submit {
                agent.agent.onIncomingCall = { _ in calls.update { $0 += 1 } }  // never answers
            }.get()
            let sdp = "v=0\r\n"
            let invite = Self.request("INVITE", branch: "z9hG4bKfirst", callID: "merge-1", extra: "Content-Type: application/sdp\r\n", body: sdp)
            try await client.send(invite, to: agent.port)
            guard case .response(let trying) = await client.next() else { Issue.record("no 100"); return }
            #expect(trying.statusCode == 100)
            try await client.send(invite, to: agent.port)  // retransmission
            guard case .response(let again) = await client.next() else { Issue.record("no 100 again"); return }
            #expect(again.statusCode == 100)
            let merged = Self.request("INVITE", branch: "z9hG4bKsecond", callID: "merge-1", extra: "Content-Type: application/sdp\r\n", body: sdp)
            try await client.send(merged, to: agent.port)
            guard case .response(let loop) = await client.next() else { Issue.record("no 482"); return }
            #expect(loop.statusCode == 482)
            #expect(calls.get == 1)
        }
    }

    @Test func tcpFramingKeepAliveAndOversizedHeaders() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let agent = try await TestAgent.start(group: group)
        let client = try await RawClient.tcp(group: group, port: agent.endpoint.tcpPort ?? 0)
        let via = "SIP/2.0/TCP 127.0.0.1:9"
        // Two requests and a ping in one write.
        try await client.send("\r\n\r\n" + Self.request(via: via) + Self.request(via: via), to: 0)
        var statuses: [Int] = []
        for _ in 0..<2 {
            if case .response(let r)? = await client.next() { statuses.append(r.statusCode) }
        }
        #expect(statuses == [200, 200])
        let huge = "OPTIONS sip:echo@127.0.0.1 SIP/2.0\r\nVia: \(via);branch=z9hG4bKbig\r\nCall-ID: big\r\nCSeq: 1 OPTIONS\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\n"
            + String(repeating: "X-Filler: 0123456789012345678901234567890123456789\r\n", count: 2000)
        try await client.send(huge, to: 0)
        if case .response(let r)? = await client.next() {
            #expect(r.statusCode == 513)
        } else {
            Issue.record("no 513")
        }
        await client.close()
        await agent.stop()
        try await group.shutdownGracefully()
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
