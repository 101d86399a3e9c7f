import Foundation
import HTTPTypes
import HotlineCore
import HotlineSQLite
import HotlineTestSupport
import HummingbirdTesting
import Synchronization
import Testing
@testable import HotlineServer

/// Consultative transfer and conference with real peers: the server in-process with its API and
/// WebSocket streams, baresip phones as agents 1001 and 1002 and as the caller, each sending its own tone.
@Suite(.serialized) struct ConsultLiveTests {
    typealias Harness = CTILiveTests.Harness

    static func path(_ call: String) -> String { CTILiveTests.path(call) }

    /// Registers both agents, queues a call from `number` and waits until agent 1001 talks to it;
    /// agent 1002 is left not ready so the call goes to 1001. Returns the call's ID.
    static func callAt1001(_ cti: Harness, client: any TestClientProtocol, boss: String, li: String, agent1: Baresip, agent2: Baresip,
                           caller: Baresip, number: String, agent2Answers: Bool) async throws -> String {
        try await cti.register(agent1, user: "1001", password: "agent1001", autoAnswer: true)
        try await cti.register(agent2, user: "1002", password: "agent1002", autoAnswer: agent2Answers)
        #expect(await cti.waitForAgent(1001, "ready"))
        #expect(await cti.waitForAgent(1002, "ready"))
        #expect(try await client.send(.post, "/api/v1/cti/agents/me/not-ready", token: li, json: ["reason": "meeting"]).status == .ok)
        try await cti.callAndQueue(caller, from: number)
        #expect(await agent1.waitForEvent("CALL_ESTABLISHED") != nil, "\(agent1.process.text.suffix(800))")
        #expect(await cti.waitForAgent(1001, "onCall"))
        let calls = try await client.send(.get, "/api/v1/cti/calls", token: boss)
        return try #require(calls.items.first?["call"] as? String, "\(calls.text)")
    }

    @Test func consultThenCompleteHandsTheCallerAndItsContextToTheSecondAgent() async throws {
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
            let zhangStream = StreamRecorder()
            zhangStream.connect(port: apiPort, path: "/api/v1/events/stream?token=\(zhang)")
            let liStream = StreamRecorder()
            liStream.connect(port: apiPort, path: "/api/v1/events/stream?token=\(li)")
            #expect(await zhangStream.waitFor("hello") != nil, "\(zhangStream.error ?? "")")
            #expect(await liStream.waitFor("hello") != nil, "\(liStream.error ?? "")")
            let call = try await Self.callAt1001(cti, client: client, boss: boss, li: li, agent1: agent1, agent2: agent2, caller: caller,
                                                 number: number, agent2Answers: true)

            // Consult 1002 (not ready: rung anyway, busy while consulting); the caller is held meanwhile.
            let consult = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/consult", token: zhang, json: ["agent": 1002])
            #expect(consult.status == .ok, "\(consult.text)")
            #expect(await zhangStream.waitFor("call.consultStarted") { $0["target"] as? String == "agent:1002" } != nil)
            #expect(await agent2.waitForEvent("CALL_ESTABLISHED") != nil, "\(agent2.process.text.suffix(800))")
            #expect(await zhangStream.waitFor("call.consultAnswered") != nil, "\(zhangStream.messages.suffix(5))")
            #expect(await cti.waitForAgent(1002, "onCall"))
            let consulting = try await client.send(.get, "/api/v1/cti/calls", token: boss)
            #expect(consulting.items.first?["phase"] as? String == "held", "\(consulting.text)")
            let participants = consulting.items.first?["participants"] as? [[String: Any]] ?? []
            #expect(participants.first?["state"] as? String == "consulting", "\(consulting.text)")
            #expect(participants.first?["agent"] as? Int == 1002)
            #expect(liStream.messages.contains { $0["type"] as? String == "screenPop" } == false, "no screen pop before the transfer")
            try await Task.sleep(for: .seconds(1))

            // Complete: 1001 is released, 1002 talks to the caller and gets the call's context.
            let complete = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/consult/complete", token: zhang)
            #expect(complete.status == .ok, "\(complete.text)")
            #expect(await agent1.waitForEvent("CALL_CLOSED") != nil)
            #expect(await liStream.waitFor("call.consultCompleted") { $0["agent"] as? Int == 1002 && $0["call"] as? String == call } != nil)
            let pop = try #require(await liStream.waitFor("screenPop"), "\(liStream.messages.suffix(5))")
            #expect(pop["call"] as? String == call)
            #expect((pop["taxpayers"] as? [[String: Any]] ?? []).contains { $0["number"] as? String == taxpayer.number.value }, "\(pop)")
            #expect((pop["ivrPath"] as? [String] ?? []).contains("main-menu: pressed 1"), "\(pop)")
            #expect(await cti.waitForAgent(1001, "ready"), "the first agent is free (no wrap-up configured in tests)")
            #expect(await cti.agentState(1002)?.state == "onCall")
            let after = try await client.send(.get, "/api/v1/cti/calls", token: boss)
            #expect(after.items.first?["agent"] as? Int == 1002, "\(after.text)")
            #expect(after.items.first?["phase"] as? String == "talking", "\(after.text)")
            #expect(after.items.first?["participants"] == nil, "\(after.text)")
            try await Task.sleep(for: .seconds(1))
            caller.send("hangup")
            #expect(await caller.waitForEvent("CALL_CLOSED") != nil)
            #expect(await agent2.waitForEvent("CALL_CLOSED") != nil)
            #expect(await cti.waitForAgent(1002, "notReady"), "back to not ready, as before the consultation")
            zhangStream.close()
            liStream.close()
        }
        await caller.stop()
        await agent1.stop()
        await agent2.stop()
        await cti.hotline.stop()
        let records = try await cti.hotline.records()
        #expect(records.count == 1, "one CDR: \(records.map(\.callID))")
        let record = try #require(records.first)
        #expect(record.disposition == .answered)
        #expect(record.agent == 1002)
        let recording = try #require(record.recording)
        let files = try FileManager.default.subpathsOfDirectory(atPath: cti.hotline.directory.appendingPathComponent("recordings").path)
            .filter { $0.hasSuffix(".wav") }
        #expect(files.count == 1, "one recording for the whole call: \(files)")
        let url = cti.hotline.directory.appendingPathComponent(recording)
        let levels = try WAVLevels(contentsOf: url)
        #expect(levels.channels == 2)
        #expect(levels.rms[0] > 500 && levels.rms[1] > 500, "caller left, staff right: \(levels.rms)")
        let tones = try ToneLevels(contentsOf: url)
        #expect(tones.peak(of: 1000, channel: 1) > 1000, "agent 1001 on the right channel")
        #expect(tones.peak(of: 700, channel: 1) > 1000, "agent 1002 on the right channel, same file")
    }

    @Test func consultThenCancelReturnsTheCallerToTheFirstAgent() async throws {
        let cti = try await Harness.start()
        defer { try? FileManager.default.removeItem(at: cti.hotline.directory) }
        let agent1 = try await Baresip(toneFrequency: 1000)
        let agent2 = try await Baresip(toneFrequency: 700)
        let caller = try await Baresip(toneFrequency: 440)
        try await cti.run { client, apiPort in
            let zhang = try await client.login("zhang")
            let li = try await client.login("li")
            let boss = try await client.login("boss")
            let stream = StreamRecorder()
            stream.connect(port: apiPort, path: "/api/v1/events/stream?token=\(zhang)")
            #expect(await stream.waitFor("hello") != nil, "\(stream.error ?? "")")
            let call = try await Self.callAt1001(cti, client: client, boss: boss, li: li, agent1: agent1, agent2: agent2, caller: caller,
                                                 number: "13800138011", agent2Answers: true)
            #expect(try await client.send(.post, "/api/v1/cti/agents/me/ready", token: li).status == .ok)
            let consult = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/consult", token: zhang, json: ["phone": "1002"])
            #expect(consult.status == .ok, "\(consult.text)")
            #expect(await agent2.waitForEvent("CALL_ESTABLISHED") != nil, "\(agent2.process.text.suffix(800))")
            #expect(await stream.waitFor("call.consultAnswered") { $0["target"] as? String == "agent:1002" } != nil,
                    "an extension bound to a logged-in agent is consulted as that agent")
            #expect(await cti.waitForAgent(1002, "onCall"))
            let second = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/consult", token: zhang, json: ["agent": 1003])
            #expect(second.status == .conflict, "one consultation at a time: \(second.text)")

            let cancel = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/consult/cancel", token: zhang)
            #expect(cancel.status == .ok, "\(cancel.text)")
            #expect(await agent2.waitForEvent("CALL_CLOSED") != nil)
            #expect(await stream.waitFor("call.consultCancelled") != nil)
            #expect(await cti.waitForAgent(1002, "ready"))
            let calls = try await client.send(.get, "/api/v1/cti/calls", token: boss)
            #expect(calls.items.first?["phase"] as? String == "talking", "\(calls.text)")
            #expect(calls.items.first?["agent"] as? Int == 1001, "\(calls.text)")
            #expect(await cti.agentState(1001)?.state == "onCall")
            let complete = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/consult/complete", token: zhang)
            #expect(complete.status == .conflict, "nothing left to complete: \(complete.text)")

            // Consult the queue: the ACD picks its ready agent, 1002, who then hangs up; the caller stays held.
            let queue = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/consult", token: zhang, json: ["queue": "consultation"])
            #expect(queue.status == .ok, "\(queue.text)")
            #expect(await agent2.waitForEvent("CALL_ESTABLISHED") != nil, "\(agent2.process.text.suffix(800))")
            #expect(await stream.waitFor("call.consultAnswered") { $0["target"] as? String == "queue:consultation" } != nil)
            let viaQueue = try await client.send(.get, "/api/v1/cti/calls", token: boss)
            #expect((viaQueue.items.first?["participants"] as? [[String: Any]])?.first?["agent"] as? Int == 1002, "\(viaQueue.text)")
            #expect(await cti.agentState(1002)?.call == call, "the consulting agent's status names the call")
            agent2.send("hangup")
            #expect(await stream.waitFor("call.consultCancelled") { $0["by"] as? String == "phone:1002" } != nil, "\(stream.messages.suffix(3))")
            let held = try await client.send(.get, "/api/v1/cti/calls", token: boss)
            #expect(held.items.first?["phase"] as? String == "held", "\(held.text)")
            #expect(try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/resume", token: zhang).status == .ok)
            #expect(await cti.waitForAgent(1002, "ready"))
            try await Task.sleep(for: .seconds(1))
            caller.send("hangup")
            #expect(await caller.waitForEvent("CALL_CLOSED") != nil)
            #expect(await agent1.waitForEvent("CALL_CLOSED") != nil)
            stream.close()
        }
        await caller.stop()
        await agent1.stop()
        await agent2.stop()
        await cti.hotline.stop()
        let record = try #require(try await cti.hotline.records().first)
        #expect(record.agent == 1001)
        #expect(record.disposition == .answered)
        #expect(try await cti.hotline.events("acd.call.abandoned").isEmpty, "a cancelled consultation is no abandoned caller")
        #expect(try await cti.hotline.events("acd.call.queued").count == 1, "only the caller was queued")
        #expect(try await cti.hotline.events("acd.call.offered").count == 3, "the caller to 1001, then two consultations of 1002")
    }

    @Test func unansweredConsultationIsReportedAndTheAgentResumes() async throws {
        let cti = try await Harness.start()
        defer { try? FileManager.default.removeItem(at: cti.hotline.directory) }
        let agent1 = try await Baresip(toneFrequency: 1000)
        let agent2 = try await Baresip(toneFrequency: 700)
        let caller = try await Baresip(toneFrequency: 440)
        try await cti.run { client, apiPort in
            let zhang = try await client.login("zhang")
            let li = try await client.login("li")
            let boss = try await client.login("boss")
            let stream = StreamRecorder()
            stream.connect(port: apiPort, path: "/api/v1/events/stream?token=\(zhang)")
            #expect(await stream.waitFor("hello") != nil, "\(stream.error ?? "")")
            let call = try await Self.callAt1001(cti, client: client, boss: boss, li: li, agent1: agent1, agent2: agent2, caller: caller,
                                                 number: "13800138012", agent2Answers: false)
            let consult = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/consult", token: zhang, json: ["agent": 1002])
            #expect(consult.status == .ok, "\(consult.text)")
            #expect(await agent2.waitForEvent("CALL_INCOMING") != nil, "\(agent2.process.text.suffix(800))")
            #expect(await cti.agentState(1002)?.state == "ringing")
            // Nobody answers: the ACD's ring timeout ends it.
            let failed = await stream.waitFor("call.consultFailed", seconds: 30)
            #expect(failed?["reason"] as? String == "no answer", "\(stream.messages.suffix(5))")
            #expect(await agent2.waitForEvent("CALL_CLOSED") != nil)
            let held = try await client.send(.get, "/api/v1/cti/calls", token: boss)
            #expect(held.items.first?["phase"] as? String == "held", "the caller waits on hold: \(held.text)")
            #expect(held.items.first?["participants"] == nil, "\(held.text)")
            #expect(await cti.agentState(1002)?.state != "ringing")
            #expect(await cti.agentState(1002)?.state != "onCall")
            let resume = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/consult/cancel", token: zhang)
            #expect(resume.status == .ok, "\(resume.text)")
            #expect(await stream.waitFor("call.resumed") != nil)
            let talking = try await client.send(.get, "/api/v1/cti/calls", token: boss)
            #expect(talking.items.first?["phase"] as? String == "talking", "\(talking.text)")
            caller.send("hangup")
            #expect(await caller.waitForEvent("CALL_CLOSED") != nil)
            #expect(await agent1.waitForEvent("CALL_CLOSED") != nil)
            stream.close()
        }
        await caller.stop()
        await agent1.stop()
        await agent2.stop()
        await cti.hotline.stop()
        let record = try #require(try await cti.hotline.records().first)
        #expect(record.agent == 1001)
    }

    @Test func threeWayConferenceEveryoneHearsEveryone() async throws {
        let cti = try await Harness.start()
        defer { try? FileManager.default.removeItem(at: cti.hotline.directory) }
        let agent1 = try await Baresip(toneFrequency: 1000, recordsAudio: true)
        let agent2 = try await Baresip(toneFrequency: 700, recordsAudio: true)
        let caller = try await Baresip(toneFrequency: 440, recordsAudio: true)
        let heard = Mutex<[String: ToneLevels]>([:])
        try await cti.run { client, apiPort in
            let zhang = try await client.login("zhang")
            let li = try await client.login("li")
            let boss = try await client.login("boss")
            let stream = StreamRecorder()
            stream.connect(port: apiPort, path: "/api/v1/events/stream?token=\(boss)&types=call.")
            #expect(await stream.waitFor("hello") != nil, "\(stream.error ?? "")")
            let call = try await Self.callAt1001(cti, client: client, boss: boss, li: li, agent1: agent1, agent2: agent2, caller: caller,
                                                 number: "13800138013", agent2Answers: true)
            let early = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/conference", token: zhang)
            #expect(early.status == .conflict, "nobody to join yet: \(early.text)")
            #expect(try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/consult", token: zhang, json: ["agent": 1002]).status == .ok)
            #expect(await agent2.waitForEvent("CALL_ESTABLISHED") != nil, "\(agent2.process.text.suffix(800))")
            #expect(await stream.waitFor("call.consultAnswered") != nil)
            let conference = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/conference", token: zhang)
            #expect(conference.status == .ok, "\(conference.text)")
            #expect(await stream.waitFor("call.conferenceStarted") != nil)
            let status = try await client.send(.get, "/api/v1/cti/calls", token: boss)
            #expect(status.items.first?["phase"] as? String == "talking", "\(status.text)")
            #expect((status.items.first?["participants"] as? [[String: Any]])?.first?["state"] as? String == "conference", "\(status.text)")
            try await Task.sleep(for: .seconds(3))
            // Read what each phone heard before the phones go away.
            for (name, phone) in [("caller", caller), ("1001", agent1), ("1002", agent2)] {
                let levels = try ToneLevels.heard(by: phone)
                heard.withLock { $0[name] = levels }
            }

            // 1002 leaves by hanging up: back to a two-party call; then the caller hangs up.
            agent2.send("hangup")
            #expect(await stream.waitFor("call.participantLeft") { $0["agent"] as? Int == 1002 } != nil)
            #expect(await stream.waitFor("call.conferenceEnded") != nil)
            #expect(await cti.waitForAgent(1002, "notReady"))
            #expect(await cti.agentState(1001)?.state == "onCall")
            caller.send("hangup")
            #expect(await caller.waitForEvent("CALL_CLOSED") != nil)
            #expect(await agent1.waitForEvent("CALL_CLOSED") != nil)
            stream.close()
        }
        await caller.stop()
        await agent1.stop()
        await agent2.stop()
        await cti.hotline.stop()
        // Each phone heard both of the others (tones: caller 440 Hz, 1001 1000 Hz, 1002 700 Hz).
        let expected: [(String, [Double])] = [("caller", [1000, 700]), ("1001", [440, 700]), ("1002", [440, 1000])]
        for (name, frequencies) in expected {
            let levels = try #require(heard.withLock { $0[name] }, "no audio file from \(name)")
            #expect(levels.peakTogether(frequencies) > 800, "\(name) hears \(frequencies): \(frequencies.map { levels.peak(of: $0) })")
        }
        let record = try #require(try await cti.hotline.records().first)
        let levels = try ToneLevels(contentsOf: cti.hotline.directory.appendingPathComponent(try #require(record.recording)))
        #expect(levels.peakTogether([1000, 700], channel: 1) > 800, "both staff on the right channel")
        #expect(levels.peak(of: 440, channel: 0) > 800, "the caller on the left")
        #expect(levels.peak(of: 440, channel: 1) < 300, "the caller is not on the staff channel")
    }

    @Test func conferenceAddsAndRemovesParticipantsAndOutlivesTheFirstAgent() async throws {
        let cti = try await Harness.start()
        defer { try? FileManager.default.removeItem(at: cti.hotline.directory) }
        let agent1 = try await Baresip(toneFrequency: 1000)
        let agent2 = try await Baresip(toneFrequency: 700)
        let supervisor = try await Baresip(toneFrequency: 300)
        let caller = try await Baresip(toneFrequency: 440)
        let supervisorUser = cti.hotline.server.configuration.supervisor.user
        try await cti.run { client, apiPort in
            let zhang = try await client.login("zhang")
            let li = try await client.login("li")
            let boss = try await client.login("boss")
            let stream = StreamRecorder()
            stream.connect(port: apiPort, path: "/api/v1/events/stream?token=\(boss)&types=call.")
            #expect(await stream.waitFor("hello") != nil, "\(stream.error ?? "")")
            try await cti.register(supervisor, user: supervisorUser, password: cti.hotline.server.configuration.supervisor.password,
                                   autoAnswer: true)
            let call = try await Self.callAt1001(cti, client: client, boss: boss, li: li, agent1: agent1, agent2: agent2, caller: caller,
                                                 number: "13800138014", agent2Answers: true)
            let url = "/api/v1/cti/calls/\(Self.path(call))/conference"

            // Straight into a conference: 1002 joins, then the supervisor's extension (not an agent).
            let add = try await client.send(.post, url, token: zhang, json: ["agent": 1002])
            #expect(add.status == .ok, "\(add.text)")
            #expect(await stream.waitFor("call.conferenceStarted") != nil)
            #expect(await agent2.waitForEvent("CALL_ESTABLISHED") != nil, "\(agent2.process.text.suffix(800))")
            #expect(await stream.waitFor("call.participantJoined") { $0["agent"] as? Int == 1002 } != nil)
            #expect(await cti.waitForAgent(1002, "onCall"))
            let third = try await client.send(.post, url, token: zhang, json: ["phone": supervisorUser])
            #expect(third.status == .ok, "\(third.text)")
            #expect(await supervisor.waitForEvent("CALL_ESTABLISHED") != nil, "\(supervisor.process.text.suffix(800))")
            #expect(await stream.waitFor("call.participantJoined") { $0["target"] as? String == supervisorUser } != nil)
            let four = try await client.send(.get, "/api/v1/cti/calls", token: boss)
            let participants = four.items.first?["participants"] as? [[String: Any]] ?? []
            #expect(Set(participants.compactMap { $0["phone"] as? String }) == ["1002", supervisorUser], "\(four.text)")
            #expect(participants.allSatisfy { $0["state"] as? String == "conference" }, "\(four.text)")
            #expect(four.items.first?["phase"] as? String == "talking")
            let again = try await client.send(.post, url, token: zhang, json: ["agent": 1002])
            #expect(again.status == .conflict, "already on the call: \(again.text)")
            try await Task.sleep(for: .seconds(1))

            // The supervisor is removed; the first agent hangs up and 1002 keeps the caller.
            let remove = try await client.send(.delete, "\(url)/\(supervisorUser)", token: zhang)
            #expect(remove.status == .ok, "\(remove.text)")
            #expect(await supervisor.waitForEvent("CALL_CLOSED") != nil)
            #expect(await stream.waitFor("call.participantLeft") { $0["target"] as? String == supervisorUser } != nil)
            #expect(try await client.send(.delete, "\(url)/\(supervisorUser)", token: zhang).status == .notFound)
            agent1.send("hangup")
            #expect(await agent1.waitForEvent("CALL_CLOSED") != nil)
            #expect(await stream.waitFor("call.participantLeft") { $0["agent"] as? Int == 1001 } != nil, "\(stream.messages.suffix(4))")
            #expect(await stream.waitFor("call.conferenceEnded") != nil)
            #expect(await cti.waitForAgent(1001, "ready"))
            #expect(await cti.agentState(1002)?.state == "onCall")
            let two = try await client.send(.get, "/api/v1/cti/calls", token: boss)
            #expect(two.items.first?["agent"] as? Int == 1002, "\(two.text)")
            #expect(two.items.first?["participants"] == nil, "\(two.text)")
            try await Task.sleep(for: .seconds(1))
            caller.send("hangup")
            #expect(await caller.waitForEvent("CALL_CLOSED") != nil)
            #expect(await agent2.waitForEvent("CALL_CLOSED") != nil)
            #expect(await stream.waitFor("call.ended") != nil)
            stream.close()
        }
        await caller.stop()
        await agent1.stop()
        await agent2.stop()
        await supervisor.stop()
        await cti.hotline.stop()
        let record = try #require(try await cti.hotline.records().first)
        #expect(record.agent == 1002)
        #expect(record.disposition == .answered)
        let levels = try ToneLevels(contentsOf: cti.hotline.directory.appendingPathComponent(try #require(record.recording)))
        #expect(levels.peakTogether([1000, 700, 300], channel: 1) > 800, "all three staff on the right channel")
        #expect(levels.peak(of: 440, channel: 0) > 800, "the caller on the left")
    }

    @Test func callerHangingUpDuringAConsultationEndsEveryLeg() async throws {
        let cti = try await Harness.start()
        defer { try? FileManager.default.removeItem(at: cti.hotline.directory) }
        let agent1 = try await Baresip(toneFrequency: 1000)
        let agent2 = try await Baresip(toneFrequency: 700)
        let caller = try await Baresip(toneFrequency: 440)
        try await cti.run { client, apiPort in
            let zhang = try await client.login("zhang")
            let li = try await client.login("li")
            let boss = try await client.login("boss")
            let stream = StreamRecorder()
            stream.connect(port: apiPort, path: "/api/v1/events/stream?token=\(boss)&types=call.")
            #expect(await stream.waitFor("hello") != nil, "\(stream.error ?? "")")
            let call = try await Self.callAt1001(cti, client: client, boss: boss, li: li, agent1: agent1, agent2: agent2, caller: caller,
                                                 number: "13800138015", agent2Answers: true)
            #expect(try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/consult", token: zhang, json: ["agent": 1002]).status == .ok)
            #expect(await agent2.waitForEvent("CALL_ESTABLISHED") != nil, "\(agent2.process.text.suffix(800))")
            #expect(await stream.waitFor("call.consultAnswered") != nil)
            let resume = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/resume", token: zhang)
            #expect(resume.status == .conflict, "no plain resume while consulting: \(resume.text)")
            let transfer = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/transfer", token: zhang, json: ["queue": "vip"])
            #expect(transfer.status == .conflict, "no blind transfer while consulting: \(transfer.text)")
            try await Task.sleep(for: .seconds(1))
            caller.send("hangup")
            #expect(await caller.waitForEvent("CALL_CLOSED") != nil)
            #expect(await agent1.waitForEvent("CALL_CLOSED") != nil)
            #expect(await agent2.waitForEvent("CALL_CLOSED") != nil, "the consulted leg is hung up too")
            #expect(await stream.waitFor("call.ended") { $0["by"] as? String == "caller" } != nil)
            #expect(await cti.waitForAgent(1001, "ready"))
            #expect(await cti.waitForAgent(1002, "notReady"))
            #expect(try await client.send(.get, "/api/v1/cti/calls", token: boss).items.isEmpty)
            stream.close()
        }
        await caller.stop()
        await agent1.stop()
        await agent2.stop()
        await cti.hotline.stop()
        let records = try await cti.hotline.records()
        #expect(records.count == 1)
        #expect(records.first?.agent == 1001)
        #expect(records.first?.endedBy == "caller")
    }

    @Test func aConferenceHasAtMostSixPartiesAndRingingOnesGoWhenTheCallerLeaves() async throws {
        let cti = try await Harness.start()
        defer { try? FileManager.default.removeItem(at: cti.hotline.directory) }
        let agent1 = try await Baresip(toneFrequency: 1000)
        let agent2 = try await Baresip(toneFrequency: 700)
        let others = try await Baresip(toneFrequency: 300)   // agents 1003–1006 on one phone, never answering
        let caller = try await Baresip(toneFrequency: 440)
        try await cti.run { client, apiPort in
            let zhang = try await client.login("zhang")
            let li = try await client.login("li")
            let boss = try await client.login("boss")
            let stream = StreamRecorder()
            stream.connect(port: apiPort, path: "/api/v1/events/stream?token=\(boss)&types=call.")
            #expect(await stream.waitFor("hello") != nil, "\(stream.error ?? "")")
            for agent in 1003...1006 {
                try await cti.register(others, user: "\(agent)", password: "agent\(agent)", autoAnswer: false)
                #expect(await cti.waitForAgent(agent, "ready"))
                #expect(try await client.send(.post, "/api/v1/cti/agents/\(agent)/not-ready", token: boss, json: ["reason": "meeting"]).status == .ok)
            }
            let call = try await Self.callAt1001(cti, client: client, boss: boss, li: li, agent1: agent1, agent2: agent2, caller: caller,
                                                 number: "13800138016", agent2Answers: true)
            let url = "/api/v1/cti/calls/\(Self.path(call))/conference"
            for agent in 1003...1006 {
                let add = try await client.send(.post, url, token: zhang, json: ["agent": agent])
                #expect(add.status == .ok, "\(agent): \(add.text)")
                #expect(await cti.waitForAgent(agent, "ringing"), "\(agent)")
            }
            let seventh = try await client.send(.post, url, token: zhang, json: ["agent": 1002])
            #expect(seventh.status == .conflict, "\(seventh.text)")
            #expect(seventh.text.contains("at most 6"), "\(seventh.text)")
            let status = try await client.send(.get, "/api/v1/cti/calls", token: boss)
            let participants = status.items.first?["participants"] as? [[String: Any]] ?? []
            #expect(participants.count == 4, "\(status.text)")
            #expect(participants.allSatisfy { $0["state"] as? String == "ringing" }, "\(status.text)")

            caller.send("hangup")
            #expect(await caller.waitForEvent("CALL_CLOSED") != nil)
            #expect(await agent1.waitForEvent("CALL_CLOSED") != nil)
            #expect(await stream.waitFor("call.ended") != nil)
            for agent in 1003...1006 {
                #expect(await cti.waitForAgent(agent, "notReady"), "\(agent) stops ringing and is not ready again")
            }
            #expect(await cti.waitForAgent(1001, "ready"))
            stream.close()
        }
        await caller.stop()
        await agent1.stop()
        await agent2.stop()
        await others.stop()
        await cti.hotline.stop()
        #expect(try await cti.hotline.records().count == 1)
    }
}

/// Tone amplitudes in 0.5 s windows of a 16-bit PCM WAV file (Goertzel), to tell who is heard where.
struct ToneLevels {
    let channels: Int
    /// Samples per channel.
    let samples: [[Int16]]

    init(contentsOf url: URL) throws {
        // A file still being written may not have its size yet: read to the end.
        let wav = try WAVSamples(contentsOf: url, unsizedDataToEnd: true)
        channels = wav.channels
        samples = wav.samples
    }

    /// What a baresip phone heard (its `sndfile` decoder-side dump).
    static func heard(by phone: Baresip) throws -> ToneLevels {
        let files = try FileManager.default.contentsOfDirectory(atPath: phone.directory.path).filter { $0.hasSuffix("dec.wav") }.sorted()
        guard let file = files.last else {
            throw PeerError("no dump in \(phone.directory.path): \(try FileManager.default.contentsOfDirectory(atPath: phone.directory.path))")
        }
        return try ToneLevels(contentsOf: phone.directory.appendingPathComponent(file))
    }

    /// The tone's amplitude in each 0.5 s window.
    func amplitudes(of frequency: Double, channel: Int = 0) -> [Double] {
        let window = 4000
        let coefficient = 2 * cos(2 * Double.pi * frequency / 8000)
        var result: [Double] = []
        var start = 0
        let channelSamples = samples[channel]
        while start + window <= channelSamples.count {
            var s1 = 0.0, s2 = 0.0
            for i in start..<start + window {
                let s0 = Double(channelSamples[i]) + coefficient * s1 - s2
                s2 = s1
                s1 = s0
            }
            let power = s1 * s1 + s2 * s2 - coefficient * s1 * s2
            result.append(2 * power.squareRoot() / Double(window))
            start += window
        }
        return result
    }

    /// The tone's highest amplitude over the windows.
    func peak(of frequency: Double, channel: Int = 0) -> Double {
        amplitudes(of: frequency, channel: channel).max() ?? 0
    }

    /// The highest amplitude that all the tones reach in the same window.
    func peakTogether(_ frequencies: [Double], channel: Int = 0) -> Double {
        let all = frequencies.map { amplitudes(of: $0, channel: channel) }
        guard let count = all.map(\.count).min(), count > 0 else { return 0 }
        return (0..<count).map { i in all.map { $0[i] }.min() ?? 0 }.max() ?? 0
    }
}
