import Foundation
import HotlineTestSupport
import HTTPTypes
import HotlineAuth
import HotlineCore
import HotlineSQLite
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import Synchronization
import Testing
@testable import HotlineServer

/// The messages of one WebSocket stream, collected while the test goes on.
final class StreamRecorder: Sendable {
    private let texts = Mutex<[String]>([])
    private let failure = Mutex<String?>(nil)
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Connects to `ws://127.0.0.1:port path` and records every text message.
    func connect(port: Int, path: String) {
        var logger = Logger(label: "hotline.test.ws")
        logger.logLevel = .critical
        let started = Task { [self] in
            do {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)\(path)", logger: logger) { inbound, _, _ in
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        if case .text(let text) = message { self.texts.withLock { $0.append(text) } }
                    }
                }
            } catch {
                self.failure.withLock { $0 = "\(error)" }
            }
        }
        task.withLock { $0 = started }
    }

    var messages: [[String: Any]] {
        texts.withLock { $0 }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    var error: String? { failure.withLock { $0 } }

    /// Waits for a message of `type` that also satisfies `matching`.
    func waitFor(_ type: String, seconds: Double = 20, matching: ([String: Any]) -> Bool = { _ in true }) async -> [String: Any]? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if let found = messages.first(where: { $0["type"] as? String == type && matching($0) }) { return found }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    func close() {
        task.withLock { $0?.cancel() }
    }
}

/// CTI with real peers: the server in-process, the HTTP API with its WebSocket streams on a real socket,
/// baresip phones as agents, supervisor and caller.
@Suite(.serialized) struct CTILiveTests {
    struct Harness {
        let hotline: HotlineServerTests.Running
        let api: APIApplication

        static func start(configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> Harness {
            let hotline = try await HotlineServerTests.Running.start(configure: configure)
            let database = hotline.server.database
            let authenticator = Authenticator(users: database, sessions: database, audit: database, hasher: BcryptPasswordHasher(cost: 4))
            let bootstrap = Principal(userID: "bootstrap", username: "bootstrap", permissions: [.userAdmin])
            for (name, kind, number) in [("zhang", User.Kind.agent, "1001"), ("li", .agent, "1002"), ("boss", .supervisor, nil)] {
                _ = try await authenticator.addUser(username: name, displayName: name, kind: kind, password: APIFixture.password,
                                                    agentNumber: number, by: bootstrap, at: Date())
            }
            var logger = Logger(label: "hotline.api.test")
            logger.logLevel = .critical
            let api = try APIApplication(stores: try APIStores(database: database), authenticator: authenticator, logger: logger,
                                         configuration: APIConfiguration(host: "127.0.0.1", port: 0), callCenter: hotline.server)
            return Harness(hotline: hotline, api: api)
        }

        /// Serves the API (with WebSocket upgrades) on a free port while `body` runs.
        func run(_ body: @Sendable (any TestClientProtocol, Int) async throws -> Void) async throws {
            try await api.application().test(.live) { client in
                try await body(client, try #require(client.port))
            }
        }

        var port: Int { hotline.port }

        /// Registers a baresip phone and waits until the server has it.
        func register(_ phone: Baresip, user: String, password: String, autoAnswer: Bool) async throws {
            phone.send("uanew", "<sip:\(user)@127.0.0.1:\(port)>;auth_pass=\(password)\(autoAnswer ? ";answermode=auto" : "");regint=60")
            #expect(await phone.waitForEvent("REGISTER_OK") != nil, "\(phone.process.text.suffix(800))")
        }

        func agentState(_ agent: Int) async -> AgentStatus? {
            await hotline.server.agents().first { $0.agent == agent }
        }

        /// Waits until the agent's state is `state`.
        func waitForAgent(_ agent: Int, _ state: String, seconds: Double = 10) async -> Bool {
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            while ContinuousClock.now < deadline {
                if await agentState(agent)?.state == state { return true }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return false
        }

        /// Dials 12366 from the caller and presses 1 (consultation queue).
        func callAndQueue(_ caller: Baresip, from number: String) async throws {
            caller.send("uanew", "<sip:\(number)@127.0.0.1>;regint=0")
            try await Task.sleep(for: .milliseconds(200))
            caller.send("dial", "sip:12366@127.0.0.1:\(port)")
            #expect(await caller.waitForEvent("CALL_ESTABLISHED") != nil, "\(caller.process.text.suffix(800))")
            #expect(try await hotline.waitForEvent("ivr.node.entered", containing: "main-menu"))
            caller.send("sndcode", "1")
            #expect(try await hotline.waitForEvent("acd.call.queued"))
        }
    }

    static func path(_ call: String) -> String {
        call.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? call
    }

    @Test func screenPopStateHoldAndTransferToAnotherAgent() async throws {
        let cti = try await Harness.start()
        defer { try? FileManager.default.removeItem(at: cti.hotline.directory) }
        let taxpayer = try #require(try await cti.hotline.server.database.taxpayers(after: nil, limit: 20)
            .first { $0.mobile != nil && $0.category == .ordinary })
        let number = try #require(taxpayer.mobile?.digits)
        let agent1 = try await Baresip(toneFrequency: 1000)
        let agent2 = try await Baresip(toneFrequency: 700)
        let caller = try await Baresip(toneFrequency: 440)
        try await cti.run { client, apiPort in
            let zhang = try await client.login("zhang")
            let li = try await client.login("li")
            let boss = try await client.login("boss")
            try await cti.register(agent1, user: "1001", password: "agent1001", autoAnswer: true)
            try await cti.register(agent2, user: "1002", password: "agent1002", autoAnswer: true)
            #expect(await cti.waitForAgent(1001, "ready"))
            #expect(await cti.waitForAgent(1002, "ready"))

            let stream = StreamRecorder()
            stream.connect(port: apiPort, path: "/api/v1/events/stream?token=\(zhang)")
            let hello = await stream.waitFor("hello")
            #expect(hello?["agent"] as? Int == 1001, "\(stream.error ?? "")")

            // Agent state actions, each an event on the agent's own stream.
            #expect(try await client.send(.post, "/api/v1/cti/agents/me/not-ready", token: li, json: ["reason": "lunch"]).status == .ok)
            #expect(await cti.agentState(1002)?.reason == "lunch")
            #expect(try await client.send(.post, "/api/v1/cti/agents/me/not-ready", token: zhang, json: ["reason": "training"]).status == .ok)
            #expect(await stream.waitFor("agent.stateChanged") { $0["state"] as? String == "notReady" && $0["reason"] as? String == "training" } != nil)
            #expect(try await client.send(.post, "/api/v1/cti/agents/me/ready", token: zhang).status == .ok)
            #expect(await stream.waitFor("agent.stateChanged") { $0["state"] as? String == "ready" } != nil)
            #expect(stream.messages.allSatisfy { ($0["agent"] as? Int).map { $0 == 1001 } ?? true }, "an agent sees no other agent's events")

            // The call reaches 1001: the screen pop carries the taxpayer matched by the calling number,
            // arrears and the IVR path.
            try await cti.callAndQueue(caller, from: number)
            let pop = try #require(await stream.waitFor("screenPop"), "\(stream.messages)")
            let taxpayers = pop["taxpayers"] as? [[String: Any]] ?? []
            #expect(taxpayers.contains { $0["number"] as? String == taxpayer.number.value }, "\(pop)")
            #expect(taxpayers.first?["arrears"] != nil)
            #expect((pop["ivrPath"] as? [String] ?? []).contains("main-menu: pressed 1"), "\(pop)")
            #expect(pop["caller"] as? String == number)
            let call = try #require(pop["call"] as? String)
            #expect(await agent1.waitForEvent("CALL_ESTABLISHED") != nil)
            #expect(await stream.waitFor("call.answered") != nil)

            // Hold and resume (only the agent on the call, or a supervisor).
            #expect(try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/hold", token: zhang).status == .ok)
            #expect(await stream.waitFor("call.held") != nil)
            let calls = try await client.send(.get, "/api/v1/cti/calls", token: boss)
            #expect(calls.items.first?["phase"] as? String == "held", "\(calls.text)")
            #expect(try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/hold", token: li).code == "not_your_call")
            try await Task.sleep(for: .milliseconds(600))
            #expect(try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/resume", token: zhang).status == .ok)
            #expect(await stream.waitFor("call.resumed") != nil)

            // No trunk: a clear refusal. Then a blind transfer to agent 1002 once ready.
            let external = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/transfer", token: zhang, json: ["number": "01012345678"])
            #expect(external.status == .unprocessableContent)
            #expect(external.code == "cti_unavailable")
            #expect(try await client.send(.post, "/api/v1/cti/agents/me/ready", token: li).status == .ok)
            let transfer = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/transfer", token: zhang, json: ["agent": 1002])
            #expect(transfer.status == .ok, "\(transfer.text)")
            #expect(await stream.waitFor("call.transferred") { $0["target"] as? String == "agent:1002" } != nil)
            #expect(await agent1.waitForEvent("CALL_CLOSED") != nil)
            #expect(await agent2.waitForEvent("CALL_ESTABLISHED") != nil, "\(agent2.process.text.suffix(800))")
            let after = try await client.send(.get, "/api/v1/cti/calls", token: boss)
            #expect(after.items.first?["agent"] as? Int == 1002, "\(after.text)")
            try await Task.sleep(for: .seconds(1))
            caller.send("hangup")
            #expect(await caller.waitForEvent("CALL_CLOSED") != nil)
            #expect(await agent2.waitForEvent("CALL_CLOSED") != nil)
            stream.close()
        }
        await caller.stop()
        await agent1.stop()
        await agent2.stop()
        await cti.hotline.stop()
        let record = try #require(try await cti.hotline.records().first)
        #expect(record.disposition == .answered)
        #expect(record.agent == 1002)
        let recording = try #require(record.recording)
        let levels = try WAVLevels(contentsOf: cti.hotline.directory.appendingPathComponent(recording))
        #expect(levels.rms[0] > 500 && levels.rms[1] > 500, "both agents' conversations in one recording: \(levels.rms)")
    }

    @Test func queueViewTakePickupMonitorAndForceHangUp() async throws {
        let cti = try await Harness.start()
        defer { try? FileManager.default.removeItem(at: cti.hotline.directory) }
        let agent1 = try await Baresip(toneFrequency: 1000)
        let agent2 = try await Baresip(toneFrequency: 700)
        let supervisor = try await Baresip(toneFrequency: 300)
        let caller = try await Baresip(toneFrequency: 440)
        try await cti.run { client, apiPort in
            let zhang = try await client.login("zhang")
            let li = try await client.login("li")
            let boss = try await client.login("boss")
            try await cti.register(agent1, user: "1001", password: "agent1001", autoAnswer: false)
            try await cti.register(agent2, user: "1002", password: "agent1002", autoAnswer: true)
            let configured = cti.hotline.server.configuration.supervisor
            try await cti.register(supervisor, user: configured.user, password: configured.password, autoAnswer: true)
            #expect(await cti.waitForAgent(1001, "ready"))
            #expect(await cti.waitForAgent(1002, "ready"))
            // A supervisor sets both agents not ready, so the caller waits in the queue.
            #expect(try await client.send(.post, "/api/v1/cti/agents/1001/not-ready", token: boss, json: ["reason": "meeting"]).status == .ok)
            #expect(try await client.send(.post, "/api/v1/cti/agents/1002/not-ready", token: boss, json: ["reason": "meeting"]).status == .ok)

            let queueView = StreamRecorder()
            queueView.connect(port: apiPort, path: "/api/v1/cti/queues/stream?token=\(zhang)")
            let events = StreamRecorder()
            events.connect(port: apiPort, path: "/api/v1/events/stream?token=\(boss)&types=call.,agent.alert")
            #expect(await events.waitFor("hello") != nil, "\(events.error ?? "")")
            try await cti.callAndQueue(caller, from: "13800138009")

            // The live queue view shows the waiting caller; agent 1001 takes it from there.
            let snapshot = await queueView.waitFor("queueView") { message in
                (message["queues"] as? [[String: Any]] ?? []).contains { ($0["waiting"] as? [Any])?.isEmpty == false }
            }
            let waiting = (snapshot?["queues"] as? [[String: Any]] ?? []).flatMap { $0["waiting"] as? [[String: Any]] ?? [] }
            let call = try #require(waiting.first?["call"] as? String, "\(queueView.messages.suffix(3)) \(queueView.error ?? "")")
            #expect(waiting.first?["caller"] as? String == "13800138009")
            let rest = try await client.send(.get, "/api/v1/cti/queues", token: zhang)
            #expect(rest.text.contains("13800138009"))
            #expect(try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/pickup", token: zhang).status == .ok)
            #expect(await agent1.waitForEvent("CALL_INCOMING") != nil, "\(agent1.process.text.suffix(800))")

            // 1002 picks it up while it rings at 1001 (抢接): 1001 stops ringing, 1002 answers.
            let pickup = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/pickup", token: li)
            #expect(pickup.status == .ok, "\(pickup.text)")
            #expect(await agent1.waitForEvent("CALL_CLOSED") != nil)
            #expect(await agent2.waitForEvent("CALL_ESTABLISHED") != nil, "\(agent2.process.text.suffix(800))")
            #expect(await events.waitFor("call.pickedUp") { $0["agent"] as? Int == 1002 } != nil)
            #expect(await events.waitFor("call.answered") { $0["agent"] as? Int == 1002 } != nil)

            // The supervisor listens, then barges in; the agent raises an alert; then the supervisor forces the call down.
            let listen = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/monitor", token: boss,
                                               json: ["mode": "listen", "phone": configured.user])
            #expect(listen.status == .ok, "\(listen.text)")
            #expect(await supervisor.waitForEvent("CALL_ESTABLISHED") != nil, "\(supervisor.process.text.suffix(800))")
            #expect(await events.waitFor("call.monitorStarted") { $0["target"] as? String == "listen" } != nil)
            #expect(try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/monitor", token: boss,
                                          json: ["mode": "barge", "phone": configured.user]).status == .ok)
            let monitored = try await client.send(.get, "/api/v1/cti/calls", token: boss)
            #expect(monitored.items.first?["monitorMode"] as? String == "barge", "\(monitored.text)")
            #expect(try await client.send(.post, "/api/v1/cti/agents/me/alert", token: li, json: ["message": "abusive caller"]).status == .ok)
            #expect(await events.waitFor("agent.alert") { $0["reason"] as? String == "abusive caller" && $0["call"] as? String == call } != nil)
            try await Task.sleep(for: .seconds(1))
            #expect(try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/force-hangup", token: boss).status == .ok)
            #expect(await caller.waitForEvent("CALL_CLOSED") != nil)
            #expect(await agent2.waitForEvent("CALL_CLOSED") != nil)
            #expect(await supervisor.waitForEvent("CALL_CLOSED") != nil)
            #expect(await events.waitFor("call.ended") { $0["by"] as? String == "supervisor" } != nil)
            queueView.close()
            events.close()
        }
        await caller.stop()
        await agent1.stop()
        await agent2.stop()
        await supervisor.stop()
        await cti.hotline.stop()
        let record = try #require(try await cti.hotline.records().first)
        #expect(record.agent == 1002)
        #expect(record.endedBy == "supervisor")
    }

    @Test func featureCodesFromTheAgentPhone() async throws {
        let cti = try await Harness.start()
        defer { try? FileManager.default.removeItem(at: cti.hotline.directory) }
        let phone = try await Baresip(toneFrequency: 1000)
        try await cti.register(phone, user: "1003", password: "agent1003", autoAnswer: false)
        #expect(await cti.waitForAgent(1003, "ready"))

        func dial(_ code: String, accepted: Bool) async {
            phone.send("dial", "sip:\(code)@127.0.0.1:\(cti.port)")
            if accepted {
                #expect(await phone.waitForEvent("CALL_ESTABLISHED") != nil, "\(code): \(phone.process.text.suffix(600))")
            }
            #expect(await phone.waitForEvent("CALL_CLOSED") != nil, "\(code)")
        }
        await dial("*4", accepted: true)
        #expect(await cti.agentState(1003)?.state == "notReady")
        #expect(await cti.agentState(1003)?.reason == "break")
        await dial("*3", accepted: true)
        #expect(await cti.agentState(1003)?.state == "ready")
        await dial("*42", accepted: true)
        #expect(await cti.agentState(1003)?.reason == "lunch")
        await dial("*2", accepted: true)
        #expect(await cti.agentState(1003)?.state == "loggedOut")
        await dial("*1", accepted: true)
        #expect(await cti.agentState(1003)?.state == "ready")
        await dial("*7", accepted: false)
        #expect(await cti.agentState(1003)?.state == "ready")
        await phone.stop()
        await cti.hotline.stop()
        let changes = try await cti.hotline.events("acd.agent.stateChanged").map { String(decoding: $0.payload, as: UTF8.self) }
        #expect(changes.filter { $0.contains("1003") }.count >= 6, "\(changes)")
    }
}
