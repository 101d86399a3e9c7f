import Foundation
import GRDB
import HotlineTestSupport
import HTTPTypes
import HotlineAuth
import HotlineCore
import HotlineSQLite
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import HotlineServer

/// Operations of the reference server with real peers: `/health` and `/metrics` during a real call,
/// position/EWT announcements to a waiting caller, an after-hours call reaching voicemail (and the
/// voicemail API), and recovery after `kill -9` of a real `hotline serve` process.
@Suite("Operations", .serialized) struct OperationsTests {
    typealias Running = HotlineServerTests.Running
    static let officeHours = HotlineServerTests.officeHours
    static let afterHours = HotlineServerTests.afterHours

    static func metric(_ name: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == name { return Double(parts[1]) }
        }
        return nil
    }

    @Test func healthAndMetricsDuringARealCall() async throws {
        let hotline = try await Running.start(at: Self.officeHours)
        defer { try? FileManager.default.removeItem(at: hotline.directory) }
        let caller = try await Baresip(toneFrequency: 440)
        let api = try await hotline.api()
        let app = Application(router: api.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: api.logger)
        try await app.test(.router) { client in
            let idle = try await client.send(.get, "/health")
            #expect(idle.status == .ok, "\(idle.text)")
            let health = try idle.object()
            #expect(health["status"] as? String == "ok")
            #expect((health["sip"] as? [String: Any])?["bound"] as? Bool == true)
            #expect((health["storage"] as? [String: Any])?["databaseWritable"] as? Bool == true)
            #expect((health["agents"] as? [String: Any])?["configured"] as? Int == 10)

            caller.send("uanew", "<sip:13800138000@127.0.0.1>;regint=0")
            try await Task.sleep(for: .milliseconds(200))
            caller.send("dial", "sip:12366@127.0.0.1:\(hotline.port)")
            #expect(await caller.waitForEvent("CALL_ESTABLISHED") != nil, "\(caller.process.text.suffix(800))")
            #expect(try await hotline.waitForEvent("ivr.node.entered", containing: "welcome"))
            try await Task.sleep(for: .seconds(2))

            #expect(try await client.send(.get, "/metrics").status == .unauthorized)
            let agentToken = try await client.login("agent", password: "correct-horse-42")
            #expect(try await client.send(.get, "/metrics", token: agentToken).status == .forbidden, "metrics need report.read")
            let token = try await client.login("supervisor", password: "correct-horse-42")
            let response = try await client.send(.get, "/metrics", token: token)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = response.text
            #expect(Self.metric("hotline_calls_active{phase=\"ivr\"}", in: text) == 1, "\(text)")
            #expect((Self.metric("hotline_rtp_packets_sent_total", in: text) ?? 0) > 50, "a second of prompt went out")
            #expect((Self.metric("hotline_rtp_packets_received_total", in: text) ?? 0) > 50, "baresip's tone came in")
            #expect(Self.metric("hotline_rtp_packets_late_total", in: text) != nil)
            #expect((Self.metric("hotline_media_ticks_total", in: text) ?? 0) > 50)
            #expect(Self.metric("hotline_agents{state=\"logged_out\"}", in: text) == 10)
            #expect(Self.metric("hotline_queue_waiting{queue=\"consultation\"}", in: text) == 0)
            let during = try await client.send(.get, "/health")
            #expect(((try during.object())["calls"] as? [String: Any])?["active"] as? Int == 1)

            caller.send("hangup")
            #expect(await caller.waitForEvent("CALL_CLOSED") != nil)
            try await Task.sleep(for: .milliseconds(300))
            let after = try await client.send(.get, "/metrics", token: token).text
            #expect(Self.metric("hotline_calls_active{phase=\"ivr\"}", in: after) == 0)
            #expect(Self.metric("hotline_calls_total{disposition=\"ivr\"}", in: after) == 1, "\(after)")
            #expect(Self.metric("hotline_calls_started_total", in: after) == 1)
            #expect((Self.metric("hotline_rtp_packets_expected_total", in: after) ?? 0) > 50)
        }
        await caller.stop()
        await hotline.server.shutdown(grace: .seconds(2))
    }

    @Test func waitingCallerHearsPositionAndExpectedWait() async throws {
        let hotline = try await Running.start(at: Self.officeHours, announcementInterval: 4)
        defer { try? FileManager.default.removeItem(at: hotline.directory) }
        let caller = try await Baresip(toneFrequency: 440)
        caller.send("uanew", "<sip:13800138005@127.0.0.1>;regint=0")
        try await Task.sleep(for: .milliseconds(200))
        caller.send("dial", "sip:12366@127.0.0.1:\(hotline.port)")
        #expect(await caller.waitForEvent("CALL_ESTABLISHED") != nil, "\(caller.process.text.suffix(800))")
        #expect(try await hotline.waitForEvent("ivr.node.entered", containing: "main-menu"))
        caller.send("sndcode", "1")
        #expect(try await hotline.waitForEvent("acd.call.queued"))
        // Announced on arrival, then every 4 s while waiting.
        #expect(try await hotline.waitForEvent(QueueAnnouncementPlayed.eventType, containing: "\"position\":1", seconds: 30))
        let deadline = ContinuousClock.now + .seconds(30)
        while try await hotline.events(QueueAnnouncementPlayed.eventType).count < 2 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        let announcements = try await hotline.events(QueueAnnouncementPlayed.eventType)
        #expect(announcements.count >= 2, "a second announcement after the interval")
        let first = try #require(announcements.first)
        let payload = try #require(try JSONSerialization.jsonObject(with: first.payload) as? [String: Any])
        #expect(payload["queue"] as? String == "consultation")
        #expect((payload["text"] as? String)?.contains("您排在第一位") == true, "\(payload)")
        #expect((payload["estimatedWaitMinutes"] as? Int ?? 0) >= 1, "no agent is free, so a wait is announced: \(payload)")
        caller.send("hangup")
        #expect(await caller.waitForEvent("CALL_CLOSED") != nil)
        await caller.stop()
        await hotline.server.shutdown(grace: .seconds(2))
        let record = try #require(try await hotline.server.callDetailRecords.recentCallDetailRecords(limit: 5).first)
        #expect(record.disposition == .abandoned)
    }

    @Test func afterHoursCallerLeavesVoicemailAndAnAgentHandlesIt() async throws {
        let hotline = try await Running.start(at: Self.afterHours)
        defer { try? FileManager.default.removeItem(at: hotline.directory) }
        let caller = try await Baresip(toneFrequency: 440)
        caller.send("uanew", "<sip:13800138006@127.0.0.1>;regint=0")
        try await Task.sleep(for: .milliseconds(200))
        caller.send("dial", "sip:12366@127.0.0.1:\(hotline.port)")
        #expect(await caller.waitForEvent("CALL_ESTABLISHED") != nil, "\(caller.process.text.suffix(800))")
        #expect(try await hotline.waitForEvent("ivr.node.entered", containing: "after-hours-menu"))
        caller.send("sndcode", "2")
        #expect(try await hotline.waitForEvent("ivr.node.entered", containing: "\"node\":\"voicemail\""))
        // The prompt, the beep, then the recording starts: wait for its file, let the caller's tone in, press #.
        let messages = hotline.directory.appendingPathComponent("messages")
        let started = ContinuousClock.now
        while ((try? FileManager.default.contentsOfDirectory(atPath: messages.path)) ?? []).isEmpty && ContinuousClock.now - started < .seconds(30) {
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .seconds(3))
        caller.send("sndcode", "#")
        // "To keep your message press 1".
        try await Task.sleep(for: .seconds(1))
        caller.send("sndcode", "1")
        #expect(try await hotline.waitForEvent(VoicemailReceived.eventType, seconds: 30))
        #expect(await caller.waitForEvent("CALL_CLOSED", seconds: 30) != nil, "goodbye, then the server hangs up")
        await caller.stop()

        let boxes = try await hotline.server.voicemail.list(queue: nil, handled: nil, before: nil, limit: 10)
        let voicemail = try #require(boxes.first)
        #expect(boxes.count == 1)
        #expect(voicemail.queue == "consultation", "after hours: the default box")
        #expect(voicemail.caller == "13800138006")
        #expect(voicemail.durationMilliseconds > 1500)
        let levels = try WAVLevels(contentsOf: hotline.server.voicemail.url(of: voicemail))
        #expect(levels.channels == 1)
        #expect(levels.rms[0] > 500, "the caller's tone is in the message: \(levels.rms)")

        let api = try await hotline.api()
        let app = Application(router: api.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: api.logger)
        try await app.test(.router) { client in
            let token = try await client.login("agent", password: "correct-horse-42")
            let open = try await client.send(.get, "/api/v1/voicemail?queue=consultation&handled=false", token: token)
            #expect(open.status == .ok, "\(open.text)")
            #expect(open.items.count == 1)
            #expect(open.items.first?["id"] as? String == voicemail.id)
            let whole = try await client.send(.get, "/api/v1/voicemail/\(voicemail.id)/audio", token: token)
            #expect(whole.status == .ok)
            #expect(whole.headers[.acceptRanges] == "bytes")
            #expect(whole.body.prefix(4) == Data("RIFF".utf8))
            let part = try await client.send(.get, "/api/v1/voicemail/\(voicemail.id)/audio", token: token, headers: [.range: "bytes=4-11"])
            #expect(part.status == .partialContent)
            #expect(part.headers[.contentRange] == "bytes 4-11/\(whole.body.count)")
            #expect(part.body == whole.body[4..<12])
            let tail = try await client.send(.get, "/api/v1/voicemail/\(voicemail.id)/audio", token: token, headers: [.range: "bytes=-100"])
            #expect(tail.status == .partialContent)
            #expect(tail.body == whole.body.suffix(100))
            let outside = try await client.send(.get, "/api/v1/voicemail/\(voicemail.id)/audio", token: token,
                                                headers: [.range: "bytes=\(whole.body.count + 10)-"])
            #expect(outside.status == .rangeNotSatisfiable)
            let handled = try await client.send(.post, "/api/v1/voicemail/\(voicemail.id)/handled", token: token)
            #expect(handled.status == .ok, "\(handled.text)")
            #expect(try handled.object()["handled"] as? Bool == true)
            #expect(try handled.object()["handledBy"] as? String == "agent")
            let remaining = try await client.send(.get, "/api/v1/voicemail?handled=false", token: token)
            #expect(remaining.items.isEmpty)
            let missing = try await client.send(.get, "/api/v1/voicemail/nothing", token: token)
            #expect(missing.status == .notFound)
        }
        #expect(try await !hotline.events(VoicemailHandled.eventType).isEmpty)
        await hotline.server.shutdown(grace: .seconds(2))
        let record = try #require(try await hotline.server.callDetailRecords.recentCallDetailRecords(limit: 5).first)
        #expect(record.disposition == .ivr)
    }

    /// The `hotline` executable of this build (`swift build --build-tests` builds it beside the tests).
    static var hotlineExecutable: String {
        if let path = ProcessInfo.processInfo.environment["HOTLINE_EXECUTABLE"] { return path }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/hotline").path
    }

    @Test func callsInProgressAreClosedWithTheirDirectionAfterACrash() async throws {
        let directory = try Peers.temporaryDirectory("hotline-recovery")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try HotlineDatabase(directory: directory)
        let store = try SQLiteCallDetailRecordStore(database: database)
        let start = Self.officeHours
        var outbound = CallDetailRecord(
            callID: "out-00000000000000ab", caller: "1001", dialledNumber: "01088886666", startedAt: start,
            answeredAt: start.addingTimeInterval(5), queuedAt: nil, queue: nil, agent: 1001,
            agentAnsweredAt: start.addingTimeInterval(5), endedAt: start.addingTimeInterval(30), disposition: .interrupted,
            endedBy: "server", flowOutcome: "click-to-dial", recording: nil, rating: nil)
        outbound.direction = .outbound
        var inbound = outbound
        inbound.callID = "inbound-1@127.0.0.1"
        inbound.direction = .inbound
        try await database.pool.write { [outbound, inbound] db in
            try StorageWriter.write(.active(outbound), in: db)
            try StorageWriter.write(.active(inbound), in: db)
        }
        let closed = try HotlineServer.recoverInterruptedCalls(database: database, dataDirectory: directory, logger: Logger(label: "test"))
        #expect(closed == 2)
        let records = Dictionary(uniqueKeysWithValues: try await store.recentCallDetailRecords(limit: 10).map { ($0.callID, $0) })
        #expect(records[outbound.callID]?.direction == .outbound)
        #expect(records[outbound.callID]?.disposition == .interrupted)
        #expect(records[inbound.callID]?.direction == .inbound)
        #expect(try HotlineServer.recoverInterruptedCalls(database: database, dataDirectory: directory, logger: Logger(label: "test")) == 0)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: OperationsTests.hotlineExecutable)))
    func killNineLeavesRecordsAndPlayableRecordingsFoundThroughTheAPI() async throws {
        let serveDirectory = try ServeDirectory("hotline-kill")
        let directory = serveDirectory.directory
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = serveDirectory.configuration
        let arguments = serveDirectory.arguments
        func healthy() async -> Bool { await serveDirectory.healthy() }

        var serve = try ChildProcess(Self.hotlineExecutable, arguments)
        #expect(await healthy(), "\(serve.text)")
        let agent = try await Baresip(toneFrequency: 1000)
        let caller = try await Baresip(toneFrequency: 440)
        agent.send("uanew", "<sip:1001@127.0.0.1:\(configuration.sip.port)>;auth_pass=agent1001;answermode=auto;regint=60")
        #expect(await agent.waitForEvent("REGISTER_OK") != nil, "\(agent.process.text.suffix(800))")
        caller.send("uanew", "<sip:13800138010@127.0.0.1>;regint=0")
        try await Task.sleep(for: .milliseconds(300))

        // A completed call: answered by the agent, recorded, hung up by the caller.
        caller.send("dial", "sip:5555@127.0.0.1:\(configuration.sip.port)")
        #expect(await caller.waitForEvent("CALL_ESTABLISHED") != nil, "\(caller.process.text.suffix(800))")
        #expect(await agent.waitForEvent("CALL_ESTABLISHED", seconds: 20) != nil, "\(agent.process.text.suffix(800)) \(serve.text.suffix(2000))")
        try await Task.sleep(for: .seconds(2))
        caller.send("hangup")
        #expect(await caller.waitForEvent("CALL_CLOSED") != nil)
        #expect(await agent.waitForEvent("CALL_CLOSED") != nil)
        try await Task.sleep(for: .seconds(1))

        // A call in progress, recorded for a few seconds, then the server is killed.
        caller.send("dial", "sip:5555@127.0.0.1:\(configuration.sip.port)")
        #expect(await caller.waitForEvent("CALL_ESTABLISHED") != nil)
        #expect(await agent.waitForEvent("CALL_ESTABLISHED", seconds: 20) != nil)
        try await Task.sleep(for: .seconds(3.5))
        kill(serve.process.processIdentifier, SIGKILL)
        serve.process.waitUntilExit()
        #expect(serve.process.terminationReason == .uncaughtSignal)
        caller.send("hangup")
        agent.send("hangup")
        await caller.stop()
        await agent.stop()

        // Restart: the interrupted call is closed.
        serve = try ChildProcess(Self.hotlineExecutable, arguments)
        #expect(await healthy(), "\(serve.text)")
        #expect(serve.text.contains("closed a call interrupted"), "\(serve.text.suffix(2000))")
        let database = try HotlineDatabase(directory: directory)
        let records = try await SQLiteCallDetailRecordStore(database: database).recentCallDetailRecords(limit: 10)
        #expect(records.count == 2, "\(records)")
        let completed = try #require(records.first { $0.disposition == .answered })
        let interrupted = try #require(records.first { $0.disposition == .interrupted })
        #expect(completed.endedBy == "caller")
        #expect(interrupted.endedBy == "server")
        #expect(interrupted.agent == 1001)
        #expect(interrupted.queue == "consultation")
        #expect(interrupted.endedAt > (interrupted.agentAnsweredAt ?? .distantFuture), "ended at its last recorded moment")
        let events = try await database.events(after: 0, subject: nil, limit: 10_000)
        #expect(events.contains { $0.type == CallInterrupted.eventType && $0.subject == "call:\(interrupted.callID)" })

        for record in [completed, interrupted] {
            let recording = try #require(record.recording)
            let levels = try WAVLevels(contentsOf: directory.appendingPathComponent(recording))
            #expect(levels.channels == 2)
            #expect(levels.rms[0] > 500, "caller channel: \(record.disposition) \(levels.rms)")
            #expect(levels.rms[1] > 500, "agent channel: \(record.disposition) \(levels.rms)")
            // The header's sizes agree with the file: the data chunk ends at the end of the file.
            let size = try #require(try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(recording).path)[.size] as? Int)
            #expect(levels.frames * 4 + 44 == size, "\(record.disposition): header matches the file")
        }
        let interruptedLevels = try WAVLevels(contentsOf: directory.appendingPathComponent(try #require(interrupted.recording)))
        #expect(interruptedLevels.frames >= 8000 * 2, "at least two of the 3.5 seconds before the kill are playable")

        // Both are found through the API, and their recordings play over HTTP with ranges.
        let base = serveDirectory.base
        let login = try Curl.json(try await Curl.fetch(["-H", "Content-Type: application/json", "-d",
                                                       #"{"username":"\#(configuration.supervisor.user)","password":"\#(configuration.supervisor.password)"}"#,
                                                       "\(base)/api/v1/login"], in: directory).text)
        let token = try #require(login["token"] as? String)
        let auth = ["-H", "Authorization: Bearer \(token)"]
        let page = try Curl.json(try await Curl.fetch(auth + ["\(base)/api/v1/calls?caller=13800138010"], in: directory).text)
        let items = try #require(page["items"] as? [[String: Any]])
        #expect(items.map { $0["disposition"] as? String } == ["interrupted", "answered"], "newest first: \(page)")
        #expect(items.allSatisfy { $0["agent"] as? Int == 1001 && $0["queue"] as? String == "consultation" && $0["dialledNumber"] as? String == "5555" })
        let answeredOnly = try Curl.json(try await Curl.fetch(
            auth + ["\(base)/api/v1/calls?caller=13800138010&disposition=answered&agent=1001&recorded=true"], in: directory).text)
        #expect((answeredOnly["items"] as? [[String: Any]])?.count == 1)

        for item in items {
            let recording = try #require(item["recording"] as? String, "\(item)")
            let whole = try await Curl.fetch(auth + ["\(base)\(recording)"], in: directory)
            #expect(whole.status == "200", "\(whole.head)")
            let levels = try WAVLevels(contentsOf: whole.body)
            #expect(levels.channels == 2)
            #expect(levels.rms[0] > 500 && levels.rms[1] > 500, "both parties are heard: \(item["disposition"] ?? "") \(levels.rms)")
            #expect(levels.frames >= 8000 * 3 / 2, "at least 1.5 s of the call: \(levels.frames) frames")
            let bytes = try Data(contentsOf: whole.body)
            #expect(levels.frames * 4 + 44 == bytes.count, "the header matches the bytes served")
            let head = try await Curl.fetch(auth + ["-H", "Range: bytes=0-3", "\(base)\(recording)"], in: directory)
            #expect(head.status == "206", "\(head.head)")
            #expect(head.head.lowercased().contains("content-range: bytes 0-3/\(bytes.count)"), "\(head.head)")
            #expect(head.text == "RIFF")
            let detail = try Curl.json(try await Curl.fetch(auth + ["\(base)\(try #require(item["href"] as? String))"], in: directory).text)
            #expect(((detail["events"] as? [[String: Any]]) ?? []).contains { $0["type"] as? String == "call.detail.recorded" })
        }
        serve.stop()
    }
}
