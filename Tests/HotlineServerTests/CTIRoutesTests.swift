import Foundation
import HTTPTypes
import HotlineAuth
import HotlineCore
import HotlineServer
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// A call centre that records the commands it is given (a logic twin for the permission checks; the
/// real one is exercised with baresip phones in ``CTILiveTests``).
final class RecordingCallCenter: CallCenterControl {
    let commands = Mutex<[CallCenterCommand]>([])

    func subscribe() -> AsyncStream<CallCenterEvent> { AsyncStream { $0.finish() } }
    func agents() async -> [AgentStatus] {
        [AgentStatus(agent: 1001, name: "坐席1001", state: "ready", reason: nil, call: nil, phone: "1001", registered: true, queues: ["consultation"])]
    }
    func calls() async -> [CallStatus] {
        [CallStatus(call: "c-1", caller: "13800138000", dialled: "12366", phase: "talking", queue: "consultation", agent: 1001,
                    startedAt: Date(), queuedAt: nil, agentAnsweredAt: nil, ivrPath: [], monitoredBy: nil, monitorMode: nil)]
    }
    func queues() async -> [QueueStatus] { [QueueStatus(queue: "consultation", waiting: [])] }
    func perform(_ command: CallCenterCommand, by actor: String) async throws(CallCenterError) -> String {
        commands.withLock { $0.append(command) }
        if case .transfer(_, .number) = command { throw CallCenterError(.unavailable, "no outbound trunk is configured") }
        return "done"
    }
    var last: CallCenterCommand? { commands.withLock { $0.last } }
}

@Suite("CTI routes: who may act on whom")
struct CTIRoutesTests {
    /// The API fixture plus agents 1001 (`zhang`) and 1002 (`li`) and a supervisor without an agent number (`boss`).
    static func start(control: RecordingCallCenter?) async throws -> (APIFixture, APIApplication) {
        let fixture = try await APIFixture()
        let bootstrap = Principal(userID: "bootstrap", username: "bootstrap", permissions: [.userAdmin])
        for (name, kind, number) in [("zhang", User.Kind.agent, "1001"), ("li", .agent, "1002"), ("boss", .supervisor, nil)] {
            _ = try await fixture.authenticator.addUser(username: name, displayName: name, kind: kind, password: APIFixture.password,
                                                        agentNumber: number, by: bootstrap, at: APIFixture.start)
        }
        let api = try APIApplication(stores: fixture.api.stores, authenticator: fixture.authenticator, logger: fixture.api.logger,
                                     configuration: fixture.api.configuration, callCenter: control)
        return (fixture, api)
    }

    static func test(_ api: APIApplication, _ fixture: APIFixture, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        try await Application(router: api.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.router, body)
    }

    @Test("agents change their own state; another agent's needs cti.force, which supervisors have")
    func agentState() async throws {
        let control = RecordingCallCenter()
        let (fixture, api) = try await Self.start(control: control)
        try await Self.test(api, fixture) { client in
            let zhang = try await client.login("zhang")
            let boss = try await client.login("boss")
            #expect(try await client.send(.post, "/api/v1/cti/agents/me/not-ready", token: zhang, json: ["reason": "lunch"]).status == .ok)
            #expect(control.last == .notReady(agent: 1001, reason: "lunch"))
            #expect(try await client.send(.post, "/api/v1/cti/agents/1001/ready", token: zhang).status == .ok)
            #expect(control.last == .ready(agent: 1001))
            #expect(try await client.send(.post, "/api/v1/cti/agents/me/login", token: zhang, json: ["phone": "8001"]).status == .ok)
            #expect(control.last == .logIn(agent: 1001, phone: "8001"))
            #expect(try await client.send(.post, "/api/v1/cti/agents/me/logout", token: zhang).status == .ok)
            #expect(control.last == .logOut(agent: 1001, forced: false))
            #expect(try await client.send(.post, "/api/v1/cti/agents/me/alert", token: zhang).status == .ok)
            #expect(control.last == .alert(agent: 1001, message: ""))

            let other = try await client.send(.post, "/api/v1/cti/agents/1002/ready", token: zhang)
            #expect(other.status == .forbidden)
            #expect(other.code == "permission_denied")
            #expect(try await client.send(.post, "/api/v1/cti/agents/1002/logout", token: boss).status == .ok)
            #expect(control.last == .logOut(agent: 1002, forced: true))
            let noNumber = try await client.send(.post, "/api/v1/cti/agents/me/ready", token: boss)
            #expect(noNumber.status == .conflict)
            #expect(noNumber.code == "no_agent_number")
            let missingReason = try await client.send(.post, "/api/v1/cti/agents/me/not-ready", token: zhang, json: [:])
            #expect(missingReason.status == .badRequest || missingReason.status == .unprocessableContent, "\(missingReason.text)")
        }
    }

    @Test("calls: the agent on the call may hold and transfer it; others need cti.force; monitoring needs cti.monitor")
    func callActions() async throws {
        let control = RecordingCallCenter()
        let (fixture, api) = try await Self.start(control: control)
        try await Self.test(api, fixture) { client in
            let zhang = try await client.login("zhang")
            let li = try await client.login("li")
            let boss = try await client.login("boss")
            #expect(try await client.send(.post, "/api/v1/cti/calls/c-1/hold", token: zhang).status == .ok)
            #expect(control.last == .hold(call: "c-1"))
            let notYours = try await client.send(.post, "/api/v1/cti/calls/c-1/hold", token: li)
            #expect(notYours.status == .forbidden)
            #expect(notYours.code == "not_your_call")
            #expect(try await client.send(.post, "/api/v1/cti/calls/c-1/resume", token: boss).status == .ok)
            #expect(try await client.send(.post, "/api/v1/cti/calls/c-9/hold", token: boss).status == .notFound)

            let both = try await client.send(.post, "/api/v1/cti/calls/c-1/transfer", token: zhang, json: ["agent": 1002, "queue": "vip"])
            #expect(both.status == .unprocessableContent)
            #expect(try await client.send(.post, "/api/v1/cti/calls/c-1/transfer", token: zhang, json: ["queue": "vip"]).status == .ok)
            #expect(control.last == .transfer(call: "c-1", to: .queue("vip")))
            let external = try await client.send(.post, "/api/v1/cti/calls/c-1/transfer", token: zhang, json: ["number": "01012345678"])
            #expect(external.status == .unprocessableContent)
            #expect(external.code == "cti_unavailable")

            #expect(try await client.send(.post, "/api/v1/cti/calls/c-1/pickup", token: li).status == .ok)
            #expect(control.last == .pickUp(call: "c-1", agent: 1002))
            #expect(try await client.send(.post, "/api/v1/cti/calls/c-1/pickup", token: li, json: ["agent": 1001]).status == .forbidden)

            #expect(try await client.send(.post, "/api/v1/cti/calls/c-1/force-hangup", token: zhang).status == .forbidden)
            #expect(try await client.send(.post, "/api/v1/cti/calls/c-1/monitor", token: zhang, json: ["mode": "listen"]).status == .forbidden)
            #expect(try await client.send(.post, "/api/v1/cti/calls/c-1/monitor", token: boss, json: ["mode": "whisper"]).status == .ok)
            #expect(control.last == .monitor(call: "c-1", phone: "boss", mode: .whisper))
            #expect(try await client.send(.delete, "/api/v1/cti/calls/c-1/monitor", token: boss).status == .ok)
            #expect(try await client.send(.post, "/api/v1/cti/calls/c-1/force-hangup", token: boss).status == .ok)
            #expect(control.last == .forceHangUp(call: "c-1"))

            #expect(try await client.send(.get, "/api/v1/cti/calls", token: li).items.isEmpty, "an agent sees only their own calls")
            #expect(try await client.send(.get, "/api/v1/cti/calls", token: zhang).items.count == 1)
            #expect(try await client.send(.get, "/api/v1/cti/queues", token: li).items.count == 1)
            #expect(try await client.send(.get, "/api/v1/cti/agents", token: li).items.count == 1)
        }
    }

    @Test("without a call centre the CTI answers 503; streams need credentials")
    func notRunning() async throws {
        let (fixture, api) = try await Self.start(control: nil)
        try await Self.test(api, fixture) { client in
            let zhang = try await client.login("zhang")
            let response = try await client.send(.get, "/api/v1/cti/agents", token: zhang)
            #expect(response.status == .serviceUnavailable)
            #expect(response.code == "cti_not_running")
            #expect(try await client.send(.get, "/api/v1/events/stream").status == .unauthorized)
            #expect(try await client.send(.get, "/api/v1/events/stream?token=nonsense").status == .unauthorized)
            let handler = try await client.login("department-handler")
            #expect(try await client.send(.get, "/api/v1/events/stream?token=\(handler)").status == .forbidden)
        }
    }
}
