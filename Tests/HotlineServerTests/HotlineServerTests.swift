import Foundation
import HotlineTestSupport
import HotlineCore
import HotlineSQLite
import Logging
import Testing
@testable import HotlineServer

/// The whole inbound path with real peers: the server in-process on free ports with a temporary data
/// directory, baresip as the agent's phone and as the caller, RFC 4733 digits through the 12366 menu.
@Suite(.serialized) struct HotlineServerTests {
    @Test func callerWalksTheMenuToAnAgentAndIsRecorded() async throws {
        let hotline = try await Running.start()
        let agent = try await Baresip(toneFrequency: 1000)
        let caller = try await Baresip(toneFrequency: 440)
        defer { try? FileManager.default.removeItem(at: hotline.directory) }

        agent.send("uanew", "<sip:1001@127.0.0.1:\(hotline.port)>;auth_pass=agent1001;answermode=auto;regint=60")
        #expect(await agent.waitForEvent("REGISTER_OK") != nil, "\(agent.process.text.suffix(800))")
        #expect(try await hotline.waitForEvent("acd.agent.stateChanged", containing: "login"))

        caller.send("uanew", "<sip:13800138000@127.0.0.1>;regint=0")
        try await Task.sleep(for: .milliseconds(200))
        caller.send("dial", "sip:12366@127.0.0.1:\(hotline.port)")
        #expect(await caller.waitForEvent("CALL_ESTABLISHED") != nil, "\(caller.process.text.suffix(800))")
        // The welcome prompt plays, then the main menu listens: press 1 for tax policy consultation.
        #expect(try await hotline.waitForEvent("ivr.node.entered", containing: "main-menu"))
        caller.send("sndcode", "1")
        #expect(try await hotline.waitForEvent("acd.call.queued"))
        #expect(await agent.waitForEvent("CALL_ESTABLISHED", seconds: 20) != nil, "\(agent.process.text.suffix(800))")
        #expect(try await hotline.waitForEvent("acd.call.answered"))
        // Both phones talk for a while through the server's bridge.
        try await Task.sleep(for: .seconds(2))
        caller.send("hangup")
        #expect(await caller.waitForEvent("CALL_CLOSED") != nil)
        #expect(await agent.waitForEvent("CALL_CLOSED") != nil, "either side's BYE ends both legs")
        await caller.stop()
        await agent.stop()
        await hotline.stop()

        let records = try await hotline.records()
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record.disposition == .answered)
        #expect(record.caller == "13800138000")
        #expect(record.dialledNumber == "12366")
        #expect(record.queue == "consultation")
        #expect(record.agent == 1001)
        #expect(record.endedBy == "caller")
        #expect((record.talkSeconds ?? 0) > 1)
        #expect(try await !hotline.events("acd.call.completed").isEmpty)
        #expect(try await !hotline.events(CallDetailRecord.eventType).isEmpty)
        let inputs = try await hotline.events("ivr.input.received").map { String(decoding: $0.payload, as: UTF8.self) }
        #expect(inputs.contains { $0.contains("\"node\":\"main-menu\"") && $0.contains("\"input\":\"1\"") }, "\(inputs)")

        let recording = try #require(record.recording)
        let levels = try WAVLevels(contentsOf: hotline.directory.appendingPathComponent(recording))
        #expect(levels.channels == 2)
        #expect(levels.frames > 8000, "at least a second recorded")
        #expect(levels.rms[0] > 500, "caller channel carries the caller's tone: \(levels.rms)")
        #expect(levels.rms[1] > 500, "agent channel carries the agent's tone: \(levels.rms)")
    }

    @Test func ringNoAnswerRequeuesThenAgentHangsUpAndCallerRates() async throws {
        let hotline = try await Running.start()
        let agent = try await Baresip(toneFrequency: 1000)
        let caller = try await Baresip(toneFrequency: 440)
        defer { try? FileManager.default.removeItem(at: hotline.directory) }

        agent.send("uanew", "<sip:1002@127.0.0.1:\(hotline.port)>;auth_pass=agent1002;regint=60")
        #expect(await agent.waitForEvent("REGISTER_OK") != nil, "\(agent.process.text.suffix(800))")
        caller.send("uanew", "<sip:13800138002@127.0.0.1>;regint=0")
        try await Task.sleep(for: .milliseconds(200))
        caller.send("dial", "sip:12366@127.0.0.1:\(hotline.port)")
        #expect(await caller.waitForEvent("CALL_ESTABLISHED") != nil, "\(caller.process.text.suffix(800))")
        #expect(try await hotline.waitForEvent("ivr.node.entered", containing: "main-menu"))
        caller.send("sndcode", "1")
        // The phone rings and nobody answers: after the ring timeout the offer is withdrawn (CANCEL) and
        // the caller is back at the head of the queue, so the same agent is rung again.
        #expect(await agent.waitForEvent("CALL_INCOMING", seconds: 20) != nil, "\(agent.process.text.suffix(800))")
        #expect(await agent.waitForEvent("CALL_CLOSED", seconds: 20) != nil)
        #expect(try await hotline.waitForEvent("acd.call.offerUnanswered", containing: "ring timeout"))
        #expect(await agent.waitForEvent("CALL_INCOMING", seconds: 20) != nil)
        agent.send("accept")
        #expect(await agent.waitForEvent("CALL_ESTABLISHED") != nil)
        #expect(try await hotline.waitForEvent("acd.call.answered"))
        try await Task.sleep(for: .seconds(1))
        // The agent hangs up first: the caller stays and hears the rating; 1 = satisfied.
        agent.send("hangup")
        #expect(await agent.waitForEvent("CALL_CLOSED") != nil)
        #expect(try await hotline.waitForEvent("ivr.node.entered", containing: "\"node\":\"rating\""))
        caller.send("sndcode", "1")
        // Thanks, goodbye, and the server hangs up.
        #expect(await caller.waitForEvent("CALL_CLOSED", seconds: 40) != nil)
        await caller.stop()
        await agent.stop()
        await hotline.stop()

        let record = try #require(try await hotline.records().first)
        #expect(record.disposition == .answered)
        #expect(record.agent == 1002)
        #expect(record.rating == "satisfied")
        #expect(record.endedBy == "server")
        #expect(record.flowOutcome == "hung-up: completed")
        #expect(record.recording != nil)
    }

    @Test func callerAbandonsInQueue() async throws {
        let hotline = try await Running.start()
        let caller = try await Baresip(toneFrequency: 440)
        defer { try? FileManager.default.removeItem(at: hotline.directory) }
        caller.send("uanew", "<sip:13800138001@127.0.0.1>;regint=0")
        try await Task.sleep(for: .milliseconds(200))
        caller.send("dial", "sip:12366@127.0.0.1:\(hotline.port)")
        #expect(await caller.waitForEvent("CALL_ESTABLISHED") != nil, "\(caller.process.text.suffix(800))")
        #expect(try await hotline.waitForEvent("ivr.node.entered", containing: "main-menu"))
        caller.send("sndcode", "1")
        // Nobody is logged in: the caller waits with music on hold, then gives up.
        #expect(try await hotline.waitForEvent("acd.call.queued"))
        try await Task.sleep(for: .seconds(1))
        caller.send("hangup")
        #expect(await caller.waitForEvent("CALL_CLOSED") != nil)
        #expect(try await hotline.waitForEvent("acd.call.abandoned"))
        await caller.stop()
        await hotline.stop()
        let record = try #require(try await hotline.records().first)
        #expect(record.disposition == .abandoned)
        #expect(record.queue == "consultation")
        #expect(record.agent == nil)
        #expect(record.recording == nil)
    }

    @Test func blacklistedCallerIsRefused() async throws {
        let hotline = try await Running.start()
        let caller = try await Baresip(toneFrequency: 440)
        defer { try? FileManager.default.removeItem(at: hotline.directory) }
        caller.send("uanew", "<sip:13900000001@127.0.0.1>;regint=0")
        try await Task.sleep(for: .milliseconds(200))
        caller.send("dial", "sip:12366@127.0.0.1:\(hotline.port)")
        #expect(await caller.waitForEvent("CALL_ESTABLISHED") != nil, "\(caller.process.text.suffix(800))")
        // The refusal is spoken, then the server hangs up.
        #expect(await caller.waitForEvent("CALL_CLOSED", seconds: 30) != nil)
        await caller.stop()
        await hotline.stop()
        let record = try #require(try await hotline.records().first)
        #expect(record.disposition == .refused)
        #expect(record.endedBy == "server")
        #expect(record.flowOutcome == "hung-up: blacklisted")
        #expect(try await hotline.events("acd.call.queued").isEmpty)
    }
}
