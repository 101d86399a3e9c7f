import Foundation
import HotlineTestSupport
import GRDB
import HTTPTypes
import HotlineCore
@testable import HotlineServer
import HotlineSQLite
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /api/v1/calls`, `/calls/{id}` and `/calls/{id}/recording` over a real SQLite file, with call
/// detail records saved through the server's own store and recordings on disk.
@Suite("CallRoutes")
struct CallRoutesTests {
    static let start = APIFixture.start

    /// A record starting `minutes` after the fixture's start, lasting `seconds`, talk from `talkFrom`.
    static func record(_ id: String, minutes: Double, seconds: Double = 120, caller: String = "13800138000", dialled: String = "12366",
                       queue: String? = "consultation", agent: Int? = 1001, talkFrom: Double? = 30,
                       disposition: CallDetailRecord.Disposition = .answered, rating: String? = nil, recorded: Bool = true) -> CallDetailRecord {
        let startedAt = start.addingTimeInterval(minutes * 60)
        return CallDetailRecord(
            callID: id, caller: caller, dialledNumber: dialled, startedAt: startedAt, answeredAt: startedAt.addingTimeInterval(1),
            queuedAt: queue == nil ? nil : startedAt.addingTimeInterval(10), queue: queue, agent: agent,
            agentAnsweredAt: talkFrom.map { startedAt.addingTimeInterval($0) }, endedAt: startedAt.addingTimeInterval(seconds),
            disposition: disposition, endedBy: "caller", flowOutcome: "hung-up: completed",
            recording: recorded ? "recordings/2026-11-30/\(id.replacingOccurrences(of: "@", with: "_")).wav" : nil, rating: rating)
    }

    /// Ten calls of every kind; `c3@pbx.example` and `c4` start at the same moment (the cursor breaks the tie).
    static let records: [CallDetailRecord] = [
        record("c1", minutes: 0, caller: "13800000001", agent: 1001, rating: "satisfied"),
        record("c2", minutes: 5, seconds: 600, caller: "13800000002", queue: "complaints", agent: 1002, talkFrom: 60, rating: "dissatisfied"),
        record("c3@pbx.example", minutes: 10, seconds: 40, caller: "13800000001", agent: 1001, talkFrom: 20),
        record("c4", minutes: 10, seconds: 90, caller: "13800000003", dialled: "12366001", queue: "vip", agent: 1003, rating: "satisfied"),
        record("c5", minutes: 20, seconds: 30, caller: "13800000004", queue: "consultation", agent: nil, talkFrom: nil,
               disposition: .abandoned, recorded: false),
        record("c6", minutes: 30, seconds: 15, caller: "13800000005", queue: nil, agent: nil, talkFrom: nil, disposition: .ivr, recorded: false),
        record("c7", minutes: 40, seconds: 300, caller: "13800000001", agent: 1001, talkFrom: 100, rating: "satisfied"),
        record("c8", minutes: 50, seconds: 5, caller: "13800000006", queue: nil, agent: nil, talkFrom: nil, disposition: .refused, recorded: false),
        record("c9", minutes: 60, seconds: 200, caller: "13800000007", agent: 1002, disposition: .interrupted),
        record("c10", minutes: 70, seconds: 45, caller: "13800000002", dialled: "12366001", queue: "vip", agent: 1003, talkFrom: 15),
    ]

    /// The fixture with the records saved, their recordings written (a WAV header and `bytes` bytes of
    /// audio each) and an agent user `1001` (role agent).
    static func fixture(bytes: Int = 4000) async throws -> APIFixture {
        let fixture = try await APIFixture()
        let store = try SQLiteCallDetailRecordStore(database: fixture.database)
        for record in records {
            try await store.save(record)
            if let recording = record.recording {
                let url = fixture.directory.appendingPathComponent(recording)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try wav(bytes: bytes, seed: record.callID).write(to: url)
            }
        }
        let bootstrap = Principal(userID: "bootstrap", username: "bootstrap", permissions: [.userAdmin])
        _ = try await fixture.authenticator.addUser(username: "1001", displayName: "坐席1001", kind: .agent, password: APIFixture.password,
                                                    roles: ["agent"], by: bootstrap, at: start)
        return fixture
    }

    /// A stereo 16-bit 8 kHz WAV with `bytes` bytes of audio that depend on `seed`.
    static func wav(bytes: Int, seed: String) -> Data {
        var data = Data("RIFF".utf8)
        func u32(_ v: Int) { data += withUnsafeBytes(of: UInt32(v).littleEndian, Array.init) }
        func u16(_ v: Int) { data += withUnsafeBytes(of: UInt16(v).littleEndian, Array.init) }
        u32(36 + bytes); data += Data("WAVEfmt ".utf8); u32(16); u16(1); u16(2); u32(8000); u32(32000); u16(4); u16(16)
        data += Data("data".utf8); u32(bytes)
        let salt = seed.utf8.reduce(0) { $0 &+ Int($1) }
        data += Data((0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ salt) })
        return data
    }

    static func ids(_ response: TestResponse) -> [String] { response.items.compactMap { $0["callID"] as? String } }

    /// The newest-first order the API promises: start time, then Call-ID descending.
    static func newestFirst(_ records: [CallDetailRecord]) -> [String] {
        records.sorted { ($0.startedAt, $0.callID) > ($1.startedAt, $1.callID) }.map(\.callID)
    }

    static func query(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    @Test("filters: time, caller, agent, queue, DID, duration, talk, rating, disposition, recorded — each against the records")
    func filters() async throws {
        let fixture = try await Self.fixture()
        try await fixture.test { client in
            let token = try await client.login("supervisor")
            func search(_ parameters: String) async throws -> [String] {
                let response = try await client.send(.get, "/api/v1/calls?limit=200&\(parameters)", token: token)
                #expect(response.status == .ok, "\(parameters): \(response.text)")
                return Self.ids(response)
            }
            func expected(_ keep: (CallDetailRecord) -> Bool) -> [String] { Self.newestFirst(Self.records.filter(keep)) }
            #expect(try await search("") == expected { _ in true })
            #expect(try await search("caller=13800000001") == expected { $0.caller == "13800000001" })
            #expect(try await search("agent=1001") == expected { $0.agent == 1001 })
            #expect(try await search("queue=vip") == expected { $0.queue == "vip" })
            #expect(try await search("did=12366001") == expected { $0.dialledNumber == "12366001" })
            #expect(try await search("rating=satisfied") == expected { $0.rating == "satisfied" })
            #expect(try await search("disposition=abandoned") == ["c5"])
            #expect(try await search("disposition=interrupted") == ["c9"])
            #expect(try await search("recorded=false") == expected { $0.recording == nil })
            #expect(try await search("recorded=true") == expected { $0.recording != nil })
            // Duration: the whole call, INVITE to last BYE.
            #expect(try await search("minDuration=120") == expected { $0.endedAt.timeIntervalSince($0.startedAt) >= 120 })
            #expect(try await search("maxDuration=40") == expected { $0.endedAt.timeIntervalSince($0.startedAt) <= 40 })
            #expect(try await search("minDuration=30&maxDuration=45") == ["c10", "c5", "c3@pbx.example"])
            // Talk: the conversation with the agent only; calls no agent answered never match.
            #expect(try await search("minTalk=200") == expected { ($0.talkSeconds ?? -1) >= 200 })
            #expect(try await search("maxTalk=30") == expected { $0.talkSeconds.map { $0 <= 30 } ?? false })
            // Time: from inclusive, to exclusive, any zone.
            let from = Self.start.addingTimeInterval(10 * 60)
            let to = Self.start.addingTimeInterval(40 * 60)
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
            #expect(try await search("from=\(Self.query(formatter.string(from: from)))&to=\(Self.query(formatter.string(from: to)))")
                    == expected { $0.startedAt >= from && $0.startedAt < to })
            #expect(try await search("from=\(Self.query(ISO8601DateFormatter().string(from: Self.start.addingTimeInterval(3600))))")
                    == ["c10", "c9"])
            #expect(try await search("to=2026-11-30T02:00:00.500Z") == ["c1"], "fractional seconds, UTC")
            // Criteria combine.
            #expect(try await search("caller=13800000001&agent=1001&rating=satisfied") == ["c7", "c1"])
            #expect(try await search("caller=nobody").isEmpty)

            let first = try #require(try await client.send(.get, "/api/v1/calls?caller=13800000002&limit=1", token: token).items.first)
            #expect(first["callID"] as? String == "c10")
            #expect(first["durationSeconds"] as? Double == 45)
            #expect(first["talkSeconds"] as? Double == 30)
            #expect(first["queueSeconds"] as? Double == 5)
            #expect(first["recorded"] as? Bool == true)
            #expect(first["recording"] as? String == "/api/v1/calls/c10/recording")
            #expect(first["startedAt"] as? String == "2026-11-30T03:10:00Z")
        }
    }

    @Test("pages: newest first, the cursor walks every call once, ties at the same start broken by Call-ID")
    func pagination() async throws {
        let fixture = try await Self.fixture()
        try await fixture.test { client in
            let token = try await client.login("supervisor")
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let path = "/api/v1/calls?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                let response = try await client.send(.get, path, token: token)
                #expect(response.status == .ok, "\(response.text)")
                seen += Self.ids(response)
                cursor = try response.object()["nextCursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(seen == Self.newestFirst(Self.records))
            #expect(pages == 4, "3 + 3 + 3 + 1")
            // Filters hold across pages.
            let firstPage = try await client.send(.get, "/api/v1/calls?agent=1001&limit=2", token: token)
            let next = try #require(try firstPage.object()["nextCursor"] as? String)
            let secondPage = try await client.send(.get, "/api/v1/calls?agent=1001&limit=2&cursor=\(next)", token: token)
            #expect(Self.ids(firstPage) + Self.ids(secondPage) == ["c7", "c3@pbx.example", "c1"])
            #expect(try secondPage.object()["nextCursor"] == nil)
        }
    }

    @Test("permissions: recording.read sees every call, an agent only its own, other roles none")
    func permissionMatrix() async throws {
        let fixture = try await Self.fixture()
        try await fixture.test { client in
            #expect(try await client.send(.get, "/api/v1/calls").status == .unauthorized)
            for role in ["supervisor", "administrator"] {
                let token = try await client.login(role)
                #expect(Self.ids(try await client.send(.get, "/api/v1/calls?limit=200", token: token)).count == Self.records.count, "\(role)")
                #expect(try await client.send(.get, "/api/v1/calls/c2", token: token).status == .ok)
                #expect(try await client.send(.get, "/api/v1/calls/c2/recording", token: token).status == .ok)
            }
            for role in ["department-handler", "api-client"] {
                let token = try await client.login(role)
                for path in ["/api/v1/calls", "/api/v1/calls/c1", "/api/v1/calls/c1/recording"] {
                    let response = try await client.send(.get, path, token: token)
                    #expect(response.status == .forbidden, "\(role) \(path)")
                    #expect(response.code == "permission_denied")
                }
            }
            // Agent 1001 sees the calls it answered, whatever it asks for.
            let agent = try await client.login("1001")
            let own = Self.newestFirst(Self.records.filter { $0.agent == 1001 })
            #expect(Self.ids(try await client.send(.get, "/api/v1/calls", token: agent)) == own)
            #expect(Self.ids(try await client.send(.get, "/api/v1/calls?agent=1001", token: agent)) == own)
            #expect(Self.ids(try await client.send(.get, "/api/v1/calls?agent=1002", token: agent)).isEmpty)
            #expect(Self.ids(try await client.send(.get, "/api/v1/calls?caller=13800000002", token: agent)).isEmpty)
            #expect(try await client.send(.get, "/api/v1/calls/c1", token: agent).status == .ok)
            #expect(try await client.send(.get, "/api/v1/calls/c1/recording", token: agent).status == .ok)
            for path in ["/api/v1/calls/c2", "/api/v1/calls/c2/recording", "/api/v1/calls/c5"] {
                let response = try await client.send(.get, path, token: agent)
                #expect(response.status == .forbidden, "\(path)")
                #expect(response.code == "not_your_call")
            }
            // An agent user without an agent number sees none.
            let numberless = try await client.login("agent")
            #expect(try await client.send(.get, "/api/v1/calls", token: numberless).items.isEmpty)
            #expect(try await client.send(.get, "/api/v1/calls/c1", token: numberless).status == .forbidden)
        }
    }

    @Test("recording: whole file, byte ranges (206), unsatisfiable (416), and 404 without a recording")
    func recordingRanges() async throws {
        let fixture = try await Self.fixture(bytes: 64_000)
        try await fixture.test { client in
            let token = try await client.login("supervisor")
            let path = "/api/v1/calls/c7/recording"
            let expected = Self.wav(bytes: 64_000, seed: "c7")
            let whole = try await client.send(.get, path, token: token)
            #expect(whole.status == .ok)
            #expect(whole.headers[.contentType] == "audio/wav")
            #expect(whole.headers[.acceptRanges] == "bytes")
            #expect(whole.body == expected)
            let part = try await client.send(.get, path, token: token, headers: [.range: "bytes=4-11"])
            #expect(part.status == .partialContent)
            #expect(part.headers[.contentRange] == "bytes 4-11/\(expected.count)")
            #expect(part.body == expected[4..<12])
            let open = try await client.send(.get, path, token: token, headers: [.range: "bytes=40000-"])
            #expect(open.status == .partialContent)
            #expect(open.body == expected[40_000...])
            let tail = try await client.send(.get, path, token: token, headers: [.range: "bytes=-100"])
            #expect(tail.status == .partialContent)
            #expect(tail.body == expected.suffix(100))
            let beyondEnd = try await client.send(.get, path, token: token, headers: [.range: "bytes=100-999999"])
            #expect(beyondEnd.status == .partialContent, "clamped to the file")
            #expect(beyondEnd.body == expected[100...])
            let outside = try await client.send(.get, path, token: token, headers: [.range: "bytes=\(expected.count + 10)-"])
            #expect(outside.status == .rangeNotSatisfiable)
            #expect(outside.headers[.contentRange] == "bytes */\(expected.count)")
            let several = try await client.send(.get, path, token: token, headers: [.range: "bytes=0-1,4-5"])
            #expect(several.status == .ok, "several ranges: the whole file")

            let unrecorded = try await client.send(.get, "/api/v1/calls/c5/recording", token: token)
            #expect(unrecorded.status == .notFound)
            #expect(unrecorded.code == "not_found")
            #expect(try await client.send(.get, "/api/v1/calls/nothing/recording", token: token).status == .notFound)
            #expect(try await client.send(.get, "/api/v1/calls/nothing", token: token).status == .notFound)
            try FileManager.default.removeItem(at: fixture.directory.appendingPathComponent("recordings/2026-11-30/c1.wav"))
            #expect(try await client.send(.get, "/api/v1/calls/c1/recording", token: token).status == .notFound, "file gone")
        }
    }

    @Test("bad parameters are 400 invalid_parameter naming the parameter",
          arguments: ["from=yesterday", "to=2026-11-30", "from=2026-12-01T00:00:00Z&to=2026-11-30T00:00:00Z", "agent=abc",
                      "minDuration=-1", "maxDuration=ten", "minTalk=nan", "disposition=lost", "recorded=maybe",
                      "cursor=not-a-cursor", "limit=0", "limit=1000", "caller="])
    func badParameters(query: String) async throws {
        let fixture = try await Self.fixture(bytes: 10)
        try await fixture.test { client in
            let token = try await client.login("supervisor")
            let response = try await client.send(.get, "/api/v1/calls?\(query)", token: token)
            #expect(response.status == .badRequest, "\(query): \(response.text)")
            #expect(response.code == "invalid_parameter")
        }
    }

    @Test("one call with its events; a work order's call link resolves to /calls/{id}, Call-ID with @ included")
    func detailAndWorkOrderLink() async throws {
        let fixture = try await Self.fixture(bytes: 10)
        let callID = "c3@pbx.example"
        try await fixture.database.append([
            RecordedEvent(type: "ivr.node.entered", occurredAt: Self.start.addingTimeInterval(601), subject: "call:\(callID)",
                          payload: Data(#"{"node":"welcome"}"#.utf8)),
            RecordedEvent(type: "acd.call.queued", occurredAt: Self.start.addingTimeInterval(610), subject: "call:\(callID)",
                          payload: Data(#"{"queue":"consultation"}"#.utf8)),
            RecordedEvent(type: "ivr.node.entered", occurredAt: Self.start.addingTimeInterval(601), subject: "call:c4",
                          payload: Data(#"{"node":"other"}"#.utf8)),
        ])
        try await fixture.test { client in
            let token = try await client.login("supervisor")
            let listed = try #require(try await client.send(.get, "/api/v1/calls?caller=13800000001&limit=2", token: token).items.last)
            let href = try #require(listed["href"] as? String)
            #expect(href == "/api/v1/calls/c3@pbx.example")
            let detail = try await client.send(.get, href, token: token)
            #expect(detail.status == .ok, "\(detail.text)")
            let object = try detail.object()
            #expect((object["call"] as? [String: Any])?["callID"] as? String == callID)
            let events = try #require(object["events"] as? [[String: Any]])
            #expect(events.map { $0["type"] as? String } == ["ivr.node.entered", "acd.call.queued"])
            #expect(try await client.send(.get, "/api/v1/calls/c3%40pbx.example", token: token).status == .ok, "percent-encoded")

            let opened = try await client.send(.post, "/api/v1/workorders", token: token,
                                               json: ["kind": "complaint", "summary": "来电投诉", "links": [["kind": "call", "reference": callID]]])
            #expect(opened.status == .created, "\(opened.text)")
            let links = try #require(try opened.object()["links"] as? [[String: Any]])
            let reference = try #require(links.first?["reference"] as? String)
            let resolved = try await client.send(.get, "/api/v1/calls/\(Self.query(reference))", token: token)
            #expect(resolved.status == .ok)
            #expect((try resolved.object()["call"] as? [String: Any])?["recording"] as? String == "/api/v1/calls/c3@pbx.example/recording")
        }
    }

    @Test("the call search uses its indexes (migration '2026-12-04 calls')")
    func searchUsesIndexes() async throws {
        let fixture = try await Self.fixture(bytes: 10)
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        #expect((HotlineDatabase.knownMigrations.firstIndex(of: "2026-12-04 calls: call detail records and their search indexes") ?? -1) >= 2)
        for (column, index) in [("caller", "call_detail_record_by_caller"), ("agent", "call_detail_record_by_agent"),
                                ("queue", "call_detail_record_by_queue"), ("dialled_number", "call_detail_record_by_number")] {
            let plan = try await fixture.database.pool.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM call_detail_record WHERE \(column) = ? ORDER BY started_at DESC, call_id DESC LIMIT 50",
                                 arguments: ["1001"]).map { $0["detail"] as String? ?? "" }
            }
            #expect(plan.joined().contains(index), "\(column): \(plan)")
        }
    }
}
