import NIOCore
import NIOPosix
import Testing
@testable import HotlineSIP

/// Two user agents talking over real sockets on 127.0.0.1.
@Suite(.serialized) struct UserAgentTests {
    struct Pair {
        let group: MultiThreadedEventLoopGroup
        let alice: TestAgent
        let bob: TestAgent

        func target(_ transport: SIPTransportKind = .udp) -> SIPURI {
            var uri = SIPURI(user: "bob", host: "127.0.0.1", port: transport == .tcp ? bob.endpoint.tcpPort : bob.port)
            if transport == .tcp { uri.setParameter("transport", "tcp") }
            return uri
        }
        var from: NameAddress { NameAddress(displayName: "Alice", uri: SIPURI(user: "1001", host: "127.0.0.1")) }

        func stop() async {
            await alice.stop()
            await bob.stop()
            try? await group.shutdownGracefully()
        }
    }

    func withPair(bobRegistrar: UserAgentConfiguration.Registrar? = nil, authenticate: Bool = false,
                  _ body: (Pair) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let pair = Pair(group: group, alice: try await TestAgent.start(group: group, user: "alice"),
                        bob: try await TestAgent.start(group: group, registrar: bobRegistrar, authenticateInvites: authenticate, user: "bob"))
        do { try await body(pair) } catch { await pair.stop(); throw error }
        await pair.stop()
    }

    /// Bob answers every call with `answer` and records his calls.
    func answering(_ pair: Pair, ring: Bool = false, answer: Bool = true, bobCalls: Box<[Call]>) async throws {
        try await pair.bob.endpoint.eventLoop.submit {
            pair.bob.agent.onIncomingCall = { call in
                bobCalls.update { $0.append(call) }
                if ring { call.ring() }
                if answer { call.answer(body: Array("v=0 bob".utf8)) }
            }
        }.get()
    }

    @Test(arguments: [SIPTransportKind.udp, .tcp])
    func callAnswerAndHangUp(_ transport: SIPTransportKind) async throws {
        try await withPair { pair in
            let bobCalls = Box<[Call]>([])
            try await answering(pair, bobCalls: bobCalls)
            let call = pair.alice.agent.call(pair.target(transport), from: pair.from, body: Array("v=0 alice".utf8))
            #expect(await eventually { call.state == .established })
            #expect(call.remoteBody == Array("v=0 bob".utf8))
            #expect(await eventually { bobCalls.get.first?.state == .established })
            #expect(bobCalls.get.first?.remoteBody == Array("v=0 alice".utf8))
            call.hangUp()
            #expect(await eventually { bobCalls.get.first?.state == .terminated(.remoteHangUp) })
            #expect(call.state == .terminated(.localHangUp))
        }
    }

    @Test func digestAuthenticatedInvite() async throws {
        let registrar = UserAgentConfiguration.Registrar(realm: "hotline", users: ["1001": "secret"])
        try await withPair(bobRegistrar: registrar, authenticate: true) { pair in
            let bobCalls = Box<[Call]>([])
            try await answering(pair, bobCalls: bobCalls)
            let refused = pair.alice.agent.call(pair.target(), from: pair.from, body: Array("v=0".utf8),
                                                credentials: DigestCredentials(username: "1001", password: "wrong"))
            #expect(await eventually { refused.state == .terminated(.rejected(401)) })
            let call = pair.alice.agent.call(pair.target(), from: pair.from, body: Array("v=0".utf8),
                                             credentials: DigestCredentials(username: "1001", password: "secret"))
            #expect(await eventually { call.state == .established })
            #expect(try call.invite.cseq().number == 2)
            #expect(bobCalls.get.count == 1)
            call.hangUp()
        }
    }

    @Test func cancelWhileRingingGives487() async throws {
        try await withPair { pair in
            let bobCalls = Box<[Call]>([])
            try await answering(pair, ring: true, answer: false, bobCalls: bobCalls)
            let call = pair.alice.agent.call(pair.target(), from: pair.from, body: Array("v=0".utf8))
            #expect(await eventually { call.state == .early })
            call.hangUp()
            #expect(await eventually { call.state == .terminated(.cancelled) })
            #expect(await eventually { bobCalls.get.first?.state == .terminated(.cancelled) })
        }
    }

    @Test func rejectReinviteInfoAndRefer() async throws {
        try await withPair { pair in
            let bobCalls = Box<[Call]>([])
            let infos = Box<[String]>([])
            let refers = Box<[String]>([])
            try await pair.bob.endpoint.eventLoop.submit {
                pair.bob.agent.onIncomingCall = { call in
                    bobCalls.update { $0.append(call) }
                    call.onOffer = { _, offer in Array("answer to \(String(decoding: offer, as: UTF8.self))".utf8) }
                    call.onInfo = { _, request in infos.update { $0.append(String(decoding: request.body, as: UTF8.self)) } }
                    call.onRefer = { _, target in refers.update { $0.append(target.uri.description) }; return true }
                    call.answer(body: Array("v=0 bob".utf8))
                }
            }.get()
            // A rejected call first.
            try await pair.bob.endpoint.eventLoop.submit {
                let previous = pair.bob.agent.onIncomingCall
                pair.bob.agent.onIncomingCall = { call in
                    pair.bob.agent.onIncomingCall = previous
                    call.reject(status: 486)
                }
            }.get()
            let busy = pair.alice.agent.call(pair.target(), from: pair.from, body: Array("v=0".utf8))
            #expect(await eventually { busy.state == .terminated(.rejected(486)) })

            let call = pair.alice.agent.call(pair.target(), from: pair.from, body: Array("v=0".utf8))
            #expect(await eventually { call.state == .established })
            let reinvite = Box<Int?>(nil)
            call.reinvite(body: Array("hold".utf8)) { reinvite.set($0?.statusCode) }
            #expect(await eventually { reinvite.get == 200 })
            #expect(call.remoteBody == Array("answer to hold".utf8))
            let info = Box<Int?>(nil)
            call.send(.info, body: Array("Signal=5\r\nDuration=160\r\n".utf8), contentType: "application/dtmf-relay") { info.set($0?.statusCode) }
            #expect(await eventually { info.get == 200 })
            #expect(infos.get == ["Signal=5\r\nDuration=160\r\n"])
            let badInfo = Box<Int?>(nil)
            call.send(.info, body: Array("hello".utf8), contentType: "text/plain") { badInfo.set($0?.statusCode) }
            #expect(await eventually { badInfo.get == 415 })
            let notifies = Box<[String]>([])
            call.onNotify = { _, request in notifies.update { $0.append(String(decoding: request.body, as: UTF8.self)) } }
            let refer = Box<Int?>(nil)
            call.refer(to: NameAddress(uri: SIPURI(user: "2002", host: "127.0.0.1"))) { refer.set($0?.statusCode) }
            #expect(await eventually { refer.get == 202 })
            #expect(refers.get == ["sip:2002@127.0.0.1"])
            #expect(await eventually { notifies.get.first?.hasPrefix("SIP/2.0 100") == true })
            bobCalls.get.last?.hangUp()
            #expect(await eventually { call.state == .terminated(.remoteHangUp) })
        }
    }
}
