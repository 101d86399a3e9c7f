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
    /// A server on free ports over a fresh demo data directory, its flow clock inside office hours.
    struct Running {
        let server: HotlineServer
        let directory: URL
        let port: Int

        static func start() async throws -> Running {
            let directory = try Peers.temporaryDirectory("hotline-server")
            let report = try DemoSetup.prepare(dataDirectory: directory, flowsSource: Peers.flows,
                                               today: LocalDate(year: 2026, month: 12, day: 1) ?? LocalDate(daysSinceEpoch: 0),
                                               taxpayers: 20, pinCount: 0, generatePrompts: false)
            var configuration = report.configuration
            configuration.sip.port = Peers.freePort()
            configuration.sip.transports = ["udp"]
            let first = Int.random(in: 30_000...50_000) & ~1
            configuration.rtp = .init(host: "127.0.0.1", firstPort: first, lastPort: first + 400)
            configuration.queues = configuration.queues.map { queue in
                var queue = queue
                queue.wrapUp = 0
                queue.ringTimeout = 8
                return queue
            }
            // Tuesday 2026-12-01 10:00 in Shanghai: the office schedule is open, whatever the machine's time.
            let base = Date(timeIntervalSince1970: 1_796_090_400)
            let started = Date()
            var logger = Logger(label: "hotline.test")
            logger.logLevel = ProcessInfo.processInfo.environment["HOTLINE_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            let server = try HotlineServer(dataDirectory: directory, configuration: configuration,
                                           now: { base.addingTimeInterval(Date().timeIntervalSince(started)) },
                                           warmsPromptCache: false, logger: logger)
            try await server.start()
            return Running(server: server, directory: directory, port: server.sipUDPPort ?? configuration.sip.port)
        }

        func events(_ type: String) async throws -> [RecordedEvent] {
            try await server.database.events(after: 0, subject: nil, limit: 10_000).filter { $0.type == type }
        }

        /// Waits until the event log has an event of `type` whose payload contains `text`.
        func waitForEvent(_ type: String, containing text: String = "", seconds: Double = 20) async throws -> Bool {
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            while ContinuousClock.now < deadline {
                if try await events(type).contains(where: { text.isEmpty || String(decoding: $0.payload, as: UTF8.self).contains(text) }) {
                    return true
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }

        func stop() async {
            await server.shutdown(grace: .seconds(2))
        }

        func records() async throws -> [CallDetailRecord] {
            try await server.callDetailRecords.recentCallDetailRecords(limit: 100)
        }
    }

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
