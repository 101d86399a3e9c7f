import NIOCore
import NIOPosix
import Testing
@testable import HotlineSIP

/// 100rel/PRACK, session timers, Replaces and the registration client between two user agents.
@Suite(.serialized) struct SIPExtensionsTests {
    func agents(registrar: UserAgentConfiguration.Registrar? = nil) async throws -> (MultiThreadedEventLoopGroup, TestAgent, TestAgent) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        return (group, try await TestAgent.start(group: group, user: "alice"), try await TestAgent.start(group: group, registrar: registrar, user: "bob"))
    }

    func stop(_ group: MultiThreadedEventLoopGroup, _ agents: TestAgent...) async {
        for agent in agents { await agent.stop() }
        try? await group.shutdownGracefully()
    }

    let from = NameAddress(uri: SIPURI(user: "alice", host: "127.0.0.1"))

    @Test func reliableRingingIsAcknowledgedWithPRACK() async throws {
        let (group, alice, bob) = try await agents()
        let bobCalls = Box<[Call]>([])
        try await bob.endpoint.eventLoop.submit {
            bob.agent.onIncomingCall = { call in bobCalls.update { $0.append(call) }; call.ring() }
        }.get()
        let call = alice.agent.call(SIPURI(user: "bob", host: "127.0.0.1", port: bob.port), from: from, body: Array("v=0".utf8),
                                    headers: [("Require", "100rel")])
        #expect(await eventually { call.state == .early })
        let ringing = try #require(bobCalls.get.first)
        #expect(await eventually { try! await bob.endpoint.eventLoop.submit { ringing.pendingPRACK == nil && ringing.reliableSequence != 0 }.get() })
        ringing.answer(body: Array("v=0 bob".utf8))
        #expect(await eventually { call.state == .established })
        call.hangUp()
        await stop(group, alice, bob)
    }

    @Test func sessionTimerNegotiatedAndTooSmallRefused() async throws {
        let (group, alice, bob) = try await agents()
        try await bob.endpoint.eventLoop.submit {
            bob.agent.onIncomingCall = { call in call.answer(body: Array("v=0".utf8)) }
        }.get()
        let target = SIPURI(user: "bob", host: "127.0.0.1", port: bob.port)
        let small = alice.agent.call(target, from: from, body: Array("v=0".utf8), headers: [("Session-Expires", "30")])
        #expect(await eventually { small.state == .terminated(.rejected(422)) })
        let call = alice.agent.call(target, from: from, body: Array("v=0".utf8), headers: [("Session-Expires", "1800;refresher=uac")])
        #expect(await eventually { call.state == .established })
        #expect(try await alice.endpoint.eventLoop.submit { call.sessionInterval == 1800 && call.sessionRefresher }.get())
        call.hangUp()
        await stop(group, alice, bob)
    }

    @Test func inviteWithReplacesTakesOverTheCall() async throws {
        let (group, alice, bob) = try await agents()
        let bobCalls = Box<[Call]>([])
        try await bob.endpoint.eventLoop.submit {
            bob.agent.onIncomingCall = { call in bobCalls.update { $0.append(call) }; call.answer(body: Array("v=0".utf8)) }
        }.get()
        let target = SIPURI(user: "bob", host: "127.0.0.1", port: bob.port)
        let first = alice.agent.call(target, from: from, body: Array("v=0".utf8))
        #expect(await eventually { first.state == .established })
        let dialog = try #require(first.dialog)
        let unknown = alice.agent.call(target, from: from, body: Array("v=0".utf8), headers: [("Replaces", "nope;to-tag=a;from-tag=b")])
        #expect(await eventually { unknown.state == .terminated(.rejected(481)) })
        // From Bob's side the dialog's to-tag is his (Alice's remote tag), from-tag Alice's.
        let replaces = "\(dialog.id.callID);to-tag=\(dialog.id.remoteTag);from-tag=\(dialog.id.localTag)"
        let second = alice.agent.call(target, from: from, body: Array("v=0".utf8), headers: [("Replaces", replaces)])
        #expect(await eventually { second.state == .established })
        #expect(await eventually { first.state == .terminated(.remoteHangUp) })
        #expect(bobCalls.get.first?.state == .terminated(.replaced))
        #expect(bobCalls.get.last?.replacedCall === bobCalls.get.first)
        second.hangUp()
        await stop(group, alice, bob)
    }

    @Test func registrationClientRegistersWithDigestAndUnregisters() async throws {
        let (group, alice, bob) = try await agents(registrar: .init(realm: "hotline", users: ["alice": "pw"]))
        let states = Box<[RegistrationClient.State]>([])
        let client = RegistrationClient(agent: alice.agent, registrar: SIPURI(host: "127.0.0.1", port: bob.port),
                                        addressOfRecord: SIPURI(user: "alice", host: "127.0.0.1"),
                                        credentials: DigestCredentials(username: "alice", password: "pw"), expires: 600)
        client.onStateChange = { state in states.update { $0.append(state) } }
        client.start()
        #expect(await eventually { states.get.last == .registered(expires: 600) })
        let bound = try await bob.endpoint.eventLoop.submit { bob.agent.locationService.bindings(forUser: "alice", now: TestClock.seconds()).count }.get()
        #expect(bound == 1)
        client.stop()
        #expect(await eventually { states.get.last == .idle })
        let after = try await bob.endpoint.eventLoop.submit { bob.agent.locationService.bindings(forUser: "alice", now: TestClock.seconds()).count }.get()
        #expect(after == 0)
        await stop(group, alice, bob)
    }
}
