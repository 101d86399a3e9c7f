import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import HTTPTypes
import HotlineCore
import HotlineSIP
import HotlineSQLite
import HotlineTestSupport
import Synchronization
import Testing
@testable import HotlineServer

/// A sipp user agent server standing in for the PSTN behind the trunk: its own scenario file, RTP echoed
/// back on its media port, every message traced to a file.
final class SippPeer: Sendable {
    let process: ChildProcess
    let port: Int
    let directory: URL

    init(scenario: String) throws {
        directory = try Peers.temporaryDirectory("hotline-sipp")
        port = Peers.freePort()
        let media = (Peers.freePort(consecutive: 5) + 1) & ~1   // sipp uses the even port and the ones after it
        let file = directory.appendingPathComponent("scenario.xml")
        try scenario.write(to: file, atomically: true, encoding: .utf8)
        process = try ChildProcess("/usr/bin/sipp", [
            "-sf", file.path, "-i", "127.0.0.1", "-p", String(port), "-mp", String(media), "-rtp_echo", "-m", "1",
            "-nostdin", "-timeout", "60s", "-timeout_error", "-trace_msg", "-message_file", directory.appendingPathComponent("messages.log").path,
        ])
    }

    /// The messages sipp sent and received.
    var messages: String {
        (try? String(contentsOf: directory.appendingPathComponent("messages.log"), encoding: .utf8)) ?? ""
    }

    /// Waits for sipp to end; 0 when its one call went through the whole scenario, `nil` when it had to be
    /// killed.
    func finish(within seconds: Double = 30) async -> Int32? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while process.process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.process.isRunning {
            kill()
            return nil
        }
        return process.process.terminationStatus
    }

    /// sipp waiting for a message does not end on SIGTERM: kill it.
    private func kill() {
        process.stop(grace: 0)
    }

    func remove() {
        kill()
        if ProcessInfo.processInfo.environment["HOTLINE_KEEP_SIPP"] == nil { try? FileManager.default.removeItem(at: directory) }
    }

    /// Checks the digest response of every `Proxy-Authorization` sipp received (RFC 2617 §3.2.2.1, MD5,
    /// no qop as the challenge offered none); returns how many were right.
    func verifiedCredentials(header: String = "Proxy-Authorization", method: String = "INVITE") -> Int {
        var count = 0
        for line in messages.split(whereSeparator: \.isNewline) where line.hasPrefix("\(header):") {
            guard let parameters = try? DigestParameters(parsing: String(line.dropFirst(header.count + 1))),
                  let uri = parameters["uri"], let nonce = parameters["nonce"], let response = parameters["response"] else { continue }
            let md5 = DigestAlgorithm.md5
            let ha1 = md5.hash("\(Self.user):\(Self.realm):\(Self.password)")
            let ha2 = md5.hash("\(method):\(uri)")
            if parameters["username"] == Self.user, md5.hash("\(ha1):\(nonce):\(ha2)") == response { count += 1 }
        }
        return count
    }

    static let user = "hotline"
    static let password = "trunk-secret"
    static let realm = "pstn.test"

    /// Challenges the first INVITE with 407, takes the ACK, checks that the retried INVITE has CSeq 2 and
    /// credentials (their digest is checked by ``verifyCredentials()``: sipp's `verifyauth` reads only
    /// `Authorization`), then
    /// either answers (with `after`: what happens once the ACK arrives) or refuses with `refuse`.
    static func scenario(refuse: Int? = nil, after: String = waitForBye) -> String {
        let end: String
        if let refuse {
            end = """
              <send>
                <![CDATA[
                  SIP/2.0 \(refuse) Refused
                  [last_Via:]
                  [last_From:]
                  [last_To:];tag=[pid]SIPpTag02[call_number]
                  [last_Call-ID:]
                  [last_CSeq:]
                  Content-Length: 0

                ]]>
              </send>
              <recv request="ACK"/>
            """
        } else {
            end = """
              <send>
                <![CDATA[
                  SIP/2.0 180 Ringing
                  [last_Via:]
                  [last_From:]
                  [last_To:];tag=[pid]SIPpTag02[call_number]
                  [last_Call-ID:]
                  [last_CSeq:]
                  Content-Length: 0

                ]]>
              </send>
              <send retrans="500">
                <![CDATA[
                  SIP/2.0 200 OK
                  [last_Via:]
                  [last_From:]
                  [last_To:];tag=[pid]SIPpTag02[call_number]
                  [last_Call-ID:]
                  [last_CSeq:]
                  Contact: <sip:pstn@[local_ip]:[local_port]>
                  Content-Type: application/sdp
                  Content-Length: [len]

                  v=0
                  o=pstn 1 1 IN IP[local_ip_type] [local_ip]
                  s=-
                  c=IN IP[media_ip_type] [media_ip]
                  t=0 0
                  m=audio [media_port] RTP/AVP 0
                  a=rtpmap:0 PCMU/8000

                ]]>
              </send>
              <recv request="ACK"/>
            \(after)
            """
        }
        return """
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <scenario name="pstn behind an authenticating trunk">
          <recv request="INVITE"/>
          <send>
            <![CDATA[
              SIP/2.0 407 Proxy Authentication Required
              [last_Via:]
              [last_From:]
              [last_To:];tag=[pid]SIPpTag01[call_number]
              [last_Call-ID:]
              [last_CSeq:]
              Proxy-Authenticate: Digest realm="\(realm)", nonce="[pid]n[call_number]", algorithm=MD5
              Content-Length: 0

            ]]>
          </send>
          <recv request="ACK"/>
          <recv request="INVITE">
            <action>
              <ereg regexp="2 INVITE" search_in="hdr" header="CSeq:" check_it="true" assign_to="cseq"/>
              <ereg regexp="username=.hotline." search_in="hdr" header="Proxy-Authorization:" check_it="true" assign_to="auth"/>
              <ereg regexp="&lt;([^&gt;]*)&gt;" search_in="hdr" header="Contact:" check_it="true" assign_to="contactHeader,contact"/>
              <ereg regexp=".*" search_in="hdr" header="From:" assign_to="from"/>
              <ereg regexp=".*" search_in="hdr" header="To:" assign_to="to"/>
            </action>
          </recv>
        \(end)
          <Reference variables="cseq,auth,contactHeader,contact,from,to"/>
        </scenario>
        """
    }

    /// A registrar: challenges the first REGISTER with 401, grants 2 seconds to the authenticated one, and
    /// expects the refresh before the registration runs out.
    static let registrar = """
    <?xml version="1.0" encoding="ISO-8859-1" ?>
    <scenario name="trunk registrar">
      <recv request="REGISTER"/>
      <send>
        <![CDATA[
          SIP/2.0 401 Unauthorized
          [last_Via:]
          [last_From:]
          [last_To:];tag=[pid]SIPpTag01[call_number]
          [last_Call-ID:]
          [last_CSeq:]
          WWW-Authenticate: Digest realm="\(realm)", nonce="[pid]r[call_number]", algorithm=MD5
          Content-Length: 0

        ]]>
      </send>
      <recv request="REGISTER">
        <action>
          <ereg regexp="username=.hotline." search_in="hdr" header="Authorization:" check_it="true" assign_to="auth"/>
        </action>
      </recv>
      <send>
        <![CDATA[
          SIP/2.0 200 OK
          [last_Via:]
          [last_From:]
          [last_To:];tag=[pid]SIPpTag01[call_number]
          [last_Call-ID:]
          [last_CSeq:]
          Expires: 2
          Content-Length: 0

        ]]>
      </send>
      <recv request="REGISTER"/>
      <send>
        <![CDATA[
          SIP/2.0 200 OK
          [last_Via:]
          [last_From:]
          [last_To:];tag=[pid]SIPpTag01[call_number]
          [last_Call-ID:]
          [last_CSeq:]
          Expires: 2
          Content-Length: 0

        ]]>
      </send>
      <Reference variables="auth"/>
    </scenario>
    """

    /// The far end waits for our BYE.
    static let waitForBye = """
      <recv request="BYE"/>
      <send>
        <![CDATA[
          SIP/2.0 200 OK
          [last_Via:]
          [last_From:]
          [last_To:]
          [last_Call-ID:]
          [last_CSeq:]
          Content-Length: 0

        ]]>
      </send>
    """

    /// The far end talks for three seconds, then hangs up.
    static let hangUpAfterThreeSeconds = """
      <pause milliseconds="3000"/>
      <send retrans="500">
        <![CDATA[
          BYE [$contact] SIP/2.0
          Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
          From: [$to];tag=[pid]SIPpTag02[call_number]
          To: [$from]
          [last_Call-ID:]
          CSeq: 1 BYE
          Contact: <sip:pstn@[local_ip]:[local_port]>
          Max-Forwards: 70
          Content-Length: 0

        ]]>
      </send>
      <recv response="200"/>
    """
}

/// The outbound trunk with real peers: the server in-process with a trunk to a sipp "PSTN" that
/// challenges with 407, baresip phones as agents (and caller), the HTTP API and its event stream.
@Suite(.serialized) struct TrunkLiveTests {
    static func harness(trunk sipp: SippPeer, host: String = "127.0.0.1", register: Bool = false,
                        prefix: String = "") async throws -> CTILiveTests.Harness {
        let started = try await CTILiveTests.Harness.start { configuration in
            configuration.trunk = ServerConfiguration.Trunk(host: host, port: sipp.port, username: SippPeer.user,
                                                            password: SippPeer.password, register: register, callerID: "12366",
                                                            prefix: prefix)
        }
        var api = started.api
        api.operations = started.hotline.server
        return CTILiveTests.Harness(hotline: started.hotline, api: api)
    }

    static func path(_ text: String) -> String { CTILiveTests.path(text) }

    @Test func clickToDialRingsTheAgentThenDialsOutRecordedWithScreenPop() async throws {
        let pstn = try SippPeer(scenario: SippPeer.scenario())
        defer { pstn.remove() }
        let cti = try await Self.harness(trunk: pstn)
        defer { try? FileManager.default.removeItem(at: cti.hotline.directory) }
        let taxpayer = try #require(try await cti.hotline.server.database.taxpayers(after: nil, limit: 20).first { $0.mobile != nil })
        let number = try #require(taxpayer.mobile?.digits)
        let agent = try await Baresip(toneFrequency: 1000)
        let captured = Mutex<String>("")
        try await cti.run { client, apiPort in
            let zhang = try await client.login("zhang")
            try await cti.register(agent, user: "1001", password: "agent1001", autoAnswer: true)
            #expect(await cti.waitForAgent(1001, "ready"))
            let stream = StreamRecorder()
            stream.connect(port: apiPort, path: "/api/v1/events/stream?token=\(zhang)")
            #expect(await stream.waitFor("hello") != nil, "\(stream.error ?? "")")

            let dial = try await client.send(.post, "/api/v1/cti/agents/me/dial", token: zhang, json: ["number": number])
            #expect(dial.status == .ok, "\(dial.text)")
            let id = try #require(try dial.object()["call"] as? String)
            captured.withLock { $0 = id }
            #expect(await stream.waitFor("call.dialing") { $0["call"] as? String == id } != nil)
            let pop = try #require(await stream.waitFor("screenPop") { $0["call"] as? String == id }, "\(stream.messages)")
            #expect((pop["taxpayers"] as? [[String: Any]] ?? []).contains { $0["number"] as? String == taxpayer.number.value }, "\(pop)")
            #expect(await agent.waitForEvent("CALL_ESTABLISHED") != nil, "\(agent.process.text.suffix(800))")
            #expect(await stream.waitFor("call.answered") { $0["call"] as? String == id } != nil, "\(stream.messages.suffix(4))")
            let calls = try await client.send(.get, "/api/v1/cti/calls", token: zhang)
            #expect(calls.items.contains { $0["call"] as? String == id && $0["phase"] as? String == "talking" }, "\(calls.text)")
            #expect(await cti.agentState(1001)?.state == "notReady", "no inbound offers during an outbound call")
            #expect(await cti.agentState(1001)?.call == id)
            try await Task.sleep(for: .seconds(2))
            let hangUp = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(id))/hangup", token: zhang)
            #expect(hangUp.status == .ok, "\(hangUp.text)")
            #expect(await stream.waitFor("call.ended") { $0["call"] as? String == id } != nil)
            #expect(await agent.waitForEvent("CALL_CLOSED") != nil)
            #expect(await cti.waitForAgent(1001, "ready"))
            stream.close()
        }
        let status = await pstn.finish()
        #expect(status == 0, "sipp: \(pstn.process.text.suffix(1500))\n\(pstn.messages.suffix(3000))")
        #expect(pstn.verifiedCredentials() == 1, "\(pstn.messages.prefix(3000))")
        await agent.stop()
        await cti.hotline.stop()
        let id = captured.withLock { $0 }
        let record = try #require(try await cti.hotline.records().first { $0.callID == id })
        #expect(record.direction == .outbound)
        #expect(record.disposition == .answered)
        #expect(record.dialledNumber == number)
        #expect(record.agent == 1001)
        let recording = try #require(record.recording)
        let levels = try WAVLevels(contentsOf: cti.hotline.directory.appendingPathComponent(recording))
        #expect(levels.channels == 2)
        #expect(levels.rms[0] > 500 && levels.rms[1] > 500, "far end (echo) and agent both recorded: \(levels.rms)")
    }

    @Test func trunkRefusalEndsTheAgentLegWithTheStatus() async throws {
        let pstn = try SippPeer(scenario: SippPeer.scenario(refuse: 486))
        defer { pstn.remove() }
        let cti = try await Self.harness(trunk: pstn, prefix: "0")
        defer { try? FileManager.default.removeItem(at: cti.hotline.directory) }
        let agent = try await Baresip(toneFrequency: 1000)
        let captured = Mutex<String>("")
        try await cti.run { client, apiPort in
            let zhang = try await client.login("zhang")
            try await cti.register(agent, user: "1001", password: "agent1001", autoAnswer: true)
            #expect(await cti.waitForAgent(1001, "ready"))
            let stream = StreamRecorder()
            stream.connect(port: apiPort, path: "/api/v1/events/stream?token=\(zhang)")
            #expect(await stream.waitFor("hello") != nil, "\(stream.error ?? "")")
            let dial = try await client.send(.post, "/api/v1/cti/agents/1001/dial", token: zhang, json: ["number": "01088886666"])
            #expect(dial.status == .ok, "\(dial.text)")
            let id = try #require(try dial.object()["call"] as? String)
            captured.withLock { $0 = id }
            #expect(await agent.waitForEvent("CALL_ESTABLISHED") != nil, "\(agent.process.text.suffix(800))")
            let failed = await stream.waitFor("call.failed") { $0["call"] as? String == id }
            #expect(failed?["reason"] as? String == "486", "\(stream.messages.suffix(4))")
            #expect(await agent.waitForEvent("CALL_CLOSED") != nil)
            #expect(await stream.waitFor("call.ended") { $0["call"] as? String == id } != nil)
            #expect(await cti.waitForAgent(1001, "ready"))
            let bad = try await client.send(.post, "/api/v1/cti/agents/1001/dial", token: zhang, json: ["number": "call me"])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.code == "invalid_field")
            stream.close()
        }
        #expect(await pstn.finish() == 0, "sipp: \(pstn.process.text.suffix(1500))")
        #expect(pstn.messages.contains("INVITE sip:001088886666@127.0.0.1"), "the trunk's prefix is dialled first")
        #expect(pstn.messages.contains("From: <sip:12366@127.0.0.1>"), "the configured caller ID")
        await agent.stop()
        await cti.hotline.stop()
        let id = captured.withLock { $0 }
        let record = try #require(try await cti.hotline.records().first { $0.callID == id })
        #expect(record.direction == .outbound)
        #expect(record.disposition == .failed)
        #expect(record.flowOutcome?.contains("486") == true, "\(record.flowOutcome ?? "")")
        #expect(record.recording == nil)
    }

    @Test func farEndHangingUpEndsTheAgentLeg() async throws {
        let pstn = try SippPeer(scenario: SippPeer.scenario(after: SippPeer.hangUpAfterThreeSeconds))
        defer { pstn.remove() }
        let cti = try await Self.harness(trunk: pstn)
        defer { try? FileManager.default.removeItem(at: cti.hotline.directory) }
        let agent = try await Baresip(toneFrequency: 1000)
        let captured = Mutex<String>("")
        try await cti.run { client, apiPort in
            let zhang = try await client.login("zhang")
            try await cti.register(agent, user: "1001", password: "agent1001", autoAnswer: true)
            #expect(await cti.waitForAgent(1001, "ready"))
            let stream = StreamRecorder()
            stream.connect(port: apiPort, path: "/api/v1/events/stream?token=\(zhang)")
            #expect(await stream.waitFor("hello") != nil, "\(stream.error ?? "")")
            let dial = try await client.send(.post, "/api/v1/cti/agents/me/dial", token: zhang, json: ["number": "02188889999"])
            #expect(dial.status == .ok, "\(dial.text)")
            let id = try #require(try dial.object()["call"] as? String)
            captured.withLock { $0 = id }
            #expect(await agent.waitForEvent("CALL_ESTABLISHED") != nil, "\(agent.process.text.suffix(800))")
            #expect(await stream.waitFor("call.answered") { $0["call"] as? String == id } != nil)
            #expect(await agent.waitForEvent("CALL_CLOSED", seconds: 20) != nil, "the far end's BYE ends the agent's leg")
            #expect(await stream.waitFor("call.ended") { $0["call"] as? String == id && $0["by"] as? String == "callee" } != nil)
            #expect(await cti.waitForAgent(1001, "ready"))
            stream.close()
        }
        #expect(await pstn.finish() == 0, "sipp: \(pstn.process.text.suffix(1500))")
        await agent.stop()
        await cti.hotline.stop()
        let id = captured.withLock { $0 }
        let record = try #require(try await cti.hotline.records().first { $0.callID == id })
        #expect(record.disposition == .answered)
        #expect(record.endedBy == "callee")
    }

    @Test func agentDecliningEndsTheCallBeforeTheTrunkIsDialled() async throws {
        let pstn = try SippPeer(scenario: SippPeer.scenario())
        defer { pstn.remove() }
        let cti = try await Self.harness(trunk: pstn)
        defer { try? FileManager.default.removeItem(at: cti.hotline.directory) }
        let agent = try await Baresip(toneFrequency: 1000)
        try await cti.run { client, apiPort in
            let zhang = try await client.login("zhang")
            try await cti.register(agent, user: "1001", password: "agent1001", autoAnswer: false)
            #expect(await cti.waitForAgent(1001, "ready"))
            let stream = StreamRecorder()
            stream.connect(port: apiPort, path: "/api/v1/events/stream?token=\(zhang)")
            #expect(await stream.waitFor("hello") != nil, "\(stream.error ?? "")")
            let dial = try await client.send(.post, "/api/v1/cti/agents/me/dial", token: zhang, json: ["number": "02188889999"])
            let id = try #require(try dial.object()["call"] as? String, "\(dial.text)")
            #expect(await agent.waitForEvent("CALL_INCOMING") != nil, "\(agent.process.text.suffix(800))")
            let again = try await client.send(.post, "/api/v1/cti/agents/me/dial", token: zhang, json: ["number": "02188889999"])
            #expect(again.status == .conflict, "one outbound call per agent: \(again.text)")
            agent.send("hangup")
            let failed = await stream.waitFor("call.failed") { $0["call"] as? String == id }
            #expect(failed?["reason"] as? String == "agentNoAnswer", "\(stream.messages.suffix(3))")
            #expect(stream.messages.allSatisfy { $0["type"] as? String != "call.dialingOut" }, "the trunk is not dialled")
            #expect(await cti.waitForAgent(1001, "ready"))
            stream.close()
        }
        #expect(!pstn.messages.contains("INVITE sip:"), "nothing reached the trunk")
        await agent.stop()
        await cti.hotline.stop()
    }

    @Test func blindTransferToAnExternalNumberKeepsTheRecording() async throws {
        let pstn = try SippPeer(scenario: SippPeer.scenario(after: SippPeer.hangUpAfterThreeSeconds))
        defer { pstn.remove() }
        let cti = try await Self.harness(trunk: pstn)
        defer { try? FileManager.default.removeItem(at: cti.hotline.directory) }
        let agent = try await Baresip(toneFrequency: 1000)
        let caller = try await Baresip(toneFrequency: 440)
        let captured = Mutex<String>("")
        try await cti.run { client, apiPort in
            let zhang = try await client.login("zhang")
            let boss = try await client.login("boss")
            try await cti.register(agent, user: "1001", password: "agent1001", autoAnswer: true)
            #expect(await cti.waitForAgent(1001, "ready"))
            let stream = StreamRecorder()
            stream.connect(port: apiPort, path: "/api/v1/events/stream?token=\(boss)")
            #expect(await stream.waitFor("hello") != nil, "\(stream.error ?? "")")
            try await cti.callAndQueue(caller, from: "13800138001")
            #expect(await agent.waitForEvent("CALL_ESTABLISHED") != nil, "\(agent.process.text.suffix(800))")
            let answered = try #require(await stream.waitFor("call.answered") { $0["agent"] as? Int == 1001 })
            let call = try #require(answered["call"] as? String)
            captured.withLock { $0 = call }
            try await Task.sleep(for: .seconds(1))

            let transfer = try await client.send(.post, "/api/v1/cti/calls/\(Self.path(call))/transfer", token: zhang,
                                                 json: ["number": "01012345678"])
            #expect(transfer.status == .ok, "\(transfer.text)")
            #expect(await stream.waitFor("call.transferred") { $0["target"] as? String == "number:01012345678" } != nil)
            #expect(await agent.waitForEvent("CALL_CLOSED") != nil, "the agent is released")
            #expect(await stream.waitFor("call.answered") { $0["call"] as? String == call && $0["target"] as? String == "number:01012345678" } != nil,
                    "\(stream.messages.suffix(4))")
            let calls = try await client.send(.get, "/api/v1/cti/calls", token: boss)
            #expect(calls.items.contains { $0["call"] as? String == call && $0["phase"] as? String == "external" }, "\(calls.text)")
            // The far end hangs up after three seconds: the caller's call ends with it.
            #expect(await caller.waitForEvent("CALL_CLOSED", seconds: 20) != nil)
            #expect(await stream.waitFor("call.ended") { $0["call"] as? String == call && $0["by"] as? String == "callee" } != nil)
            stream.close()
        }
        #expect(await pstn.finish() == 0, "sipp: \(pstn.process.text.suffix(1500))")
        await caller.stop()
        await agent.stop()
        await cti.hotline.stop()
        let call = captured.withLock { $0 }
        let record = try #require(try await cti.hotline.records().first { $0.callID == call })
        #expect(record.direction == .inbound)
        #expect(record.disposition == .answered)
        #expect(record.endedBy == "callee")
        let recording = try #require(record.recording)
        let levels = try WAVLevels(contentsOf: cti.hotline.directory.appendingPathComponent(recording))
        #expect(levels.rms[0] > 500 && levels.rms[1] > 500, "caller, then agent and far end, recorded: \(levels.rms)")
    }

    @Test func voicemailCallBackMarksTheMessageHandled() async throws {
        let pstn = try SippPeer(scenario: SippPeer.scenario())
        defer { pstn.remove() }
        let cti = try await Self.harness(trunk: pstn)
        defer { try? FileManager.default.removeItem(at: cti.hotline.directory) }
        let message = Voicemail(id: "vm-test-1", queue: "consultation", callID: "left-a-message", caller: "13900139000",
                                dialledNumber: "12366", recordedAt: Date(), durationMilliseconds: 3000, reference: "messages/none.wav")
        try await cti.hotline.server.database.pool.write { db in try VoicemailStore.insert(message, in: db) }
        let agent = try await Baresip(toneFrequency: 1000)
        let captured = Mutex<String>("")
        try await cti.run { client, apiPort in
            let zhang = try await client.login("zhang")
            try await cti.register(agent, user: "1001", password: "agent1001", autoAnswer: true)
            #expect(await cti.waitForAgent(1001, "ready"))
            let stream = StreamRecorder()
            stream.connect(port: apiPort, path: "/api/v1/events/stream?token=\(zhang)")
            #expect(await stream.waitFor("hello") != nil, "\(stream.error ?? "")")
            #expect(try await client.send(.post, "/api/v1/voicemail/nothing/callback", token: zhang).status == .notFound)
            let callBack = try await client.send(.post, "/api/v1/voicemail/vm-test-1/callback", token: zhang)
            #expect(callBack.status == .ok, "\(callBack.text)")
            let id = try #require(try callBack.object()["call"] as? String)
            captured.withLock { $0 = id }
            #expect(await stream.waitFor("call.dialing") { $0["call"] as? String == id && $0["caller"] as? String == "13900139000" } != nil)
            #expect(await agent.waitForEvent("CALL_ESTABLISHED") != nil, "\(agent.process.text.suffix(800))")
            #expect(await stream.waitFor("voicemail.handled") { $0["target"] as? String == "vm-test-1" } != nil, "\(stream.messages.suffix(4))")
            var handled = false
            for _ in 0..<50 where !handled {
                let view = try await client.send(.get, "/api/v1/voicemail/vm-test-1", token: zhang)
                handled = (try? view.object()["handled"] as? Bool) == true
                if !handled { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(handled)
            try await Task.sleep(for: .seconds(1))
            agent.send("hangup")
            #expect(await agent.waitForEvent("CALL_CLOSED") != nil)
            #expect(await stream.waitFor("call.ended") { $0["call"] as? String == id && $0["by"] as? String == "agent" } != nil)
            stream.close()
        }
        #expect(await pstn.finish() == 0, "sipp: \(pstn.process.text.suffix(1500))")
        await agent.stop()
        await cti.hotline.stop()
        let id = captured.withLock { $0 }
        let record = try #require(try await cti.hotline.records().first { $0.callID == id })
        #expect(record.direction == .outbound)
        #expect(record.dialledNumber == "13900139000")
        #expect(record.flowOutcome == "call-back of vm-test-1")
    }

    @Test func registersWithTheTrunkAndRefreshes() async throws {
        let registrar = try SippPeer(scenario: SippPeer.registrar)
        defer { registrar.remove() }
        // Named, not an IP literal: resolved at start (localhost, from /etc/hosts).
        let cti = try await Self.harness(trunk: registrar, host: "localhost", register: true)
        defer { try? FileManager.default.removeItem(at: cti.hotline.directory) }
        // sipp ends its scenario only after the authenticated REGISTER and the refresh.
        #expect(await registrar.finish() == 0, "sipp: \(registrar.process.text.suffix(1500))\n\(registrar.messages.suffix(2000))")
        #expect(registrar.verifiedCredentials(header: "Authorization", method: "REGISTER") == 1, "\(registrar.messages.prefix(3000))")
        #expect(await cti.hotline.server.trunkRegistration == "registered")
        await cti.hotline.stop()
    }

    @Test func withoutATrunkDialAnswers422() async throws {
        let cti = try await CTILiveTests.Harness.start()
        defer { try? FileManager.default.removeItem(at: cti.hotline.directory) }
        try await cti.run { client, _ in
            let zhang = try await client.login("zhang")
            let dial = try await client.send(.post, "/api/v1/cti/agents/me/dial", token: zhang, json: ["number": "01012345678"])
            #expect(dial.status == .unprocessableContent)
            #expect(dial.code == "cti_unavailable")
        }
        await cti.hotline.stop()
    }
}
