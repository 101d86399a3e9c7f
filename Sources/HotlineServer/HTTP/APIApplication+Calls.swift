import Foundation
import HTTPTypes
import HotlineCore
import Hummingbird
import NIOCore

/// A finished call as the API shows it (`GET /api/v1/calls`).
struct CallView: Encodable {
    var callID: String
    var caller: String
    var dialledNumber: String
    var startedAt: Date
    var answeredAt: Date?
    var queuedAt: Date?
    var queue: String?
    var agent: Int?
    var agentAnsweredAt: Date?
    var endedAt: Date
    /// The whole call, INVITE to last BYE.
    var durationSeconds: Double
    /// The conversation with the agent.
    var talkSeconds: Double?
    var queueSeconds: Double?
    var disposition: CallDetailRecord.Disposition
    var endedBy: String
    var flowOutcome: String?
    var rating: String?
    var recorded: Bool
    /// `/api/v1/calls/{id}`.
    var href: String
    /// `/api/v1/calls/{id}/recording`, when there is one.
    var recording: String?

    init(_ record: CallDetailRecord) {
        callID = record.callID
        caller = record.caller
        dialledNumber = record.dialledNumber
        startedAt = record.startedAt
        answeredAt = record.answeredAt
        queuedAt = record.queuedAt
        queue = record.queue
        agent = record.agent
        agentAnsweredAt = record.agentAnsweredAt
        endedAt = record.endedAt
        durationSeconds = Self.rounded(record.endedAt.timeIntervalSince(record.startedAt))
        talkSeconds = record.talkSeconds.map(Self.rounded)
        queueSeconds = record.queueSeconds.map(Self.rounded)
        disposition = record.disposition
        endedBy = record.endedBy
        flowOutcome = record.flowOutcome
        rating = record.rating
        recorded = record.recording != nil
        href = APIApplication.callPath(record.callID)
        recording = record.recording.map { _ in href + "/recording" }
    }

    static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}

/// One call with its events (`GET /api/v1/calls/{id}`): the IVR path, queueing, offers, the rating.
struct CallDetailView: Encodable {
    var call: CallView
    var events: [EventView]
}

extension APIApplication {
    /// Finished calls and their recordings (issue 7 item 6): search by time, caller, agent, queue, dialled
    /// number, duration, rating, disposition and whether recorded; one call with its events; the stereo
    /// recording with HTTP range requests. Permission `recording.read` sees every call; an agent
    /// (`cti.agent`) sees only the calls it answered.
    func addCallRoutes(to api: RouterGroup<APIRequestContext>) {
        let stores = self.stores
        @Sendable func store() throws(APIError) -> any CallDetailRecordSearching {
            guard let calls = stores.calls else {
                throw APIError(.serviceUnavailable, code: "not_available", message: "this API has no call detail records attached")
            }
            return calls
        }
        api.get("calls") { request, context in
            let scope = try await callScope(context)
            var search = try Self.callSearch(request)
            let limit = try request.limit(maximum: maxPage)
            if case .agent(let own) = scope {
                guard let own, search.agent == nil || search.agent == own else {
                    return try APIJSON.response(Page(items: [CallView](), nextCursor: nil))
                }
                search.agent = own
            }
            let records = try await store().callDetailRecords(matching: search, limit: limit)
            let next = records.count == limit ? records.last.map { CallSearch.Position($0).cursor } : nil
            return try APIJSON.response(Page(items: records.map(CallView.init), nextCursor: next))
        }
        api.get("calls/{id}") { _, context in
            let record = try await visibleCall(context, store())
            let events = try await stores.events.events(after: 0, subject: "call:\(record.callID)", limit: 500)
            return try APIJSON.response(CallDetailView(call: CallView(record), events: events.map(EventView.init)))
        }
        api.get("calls/{id}/recording") { request, context in
            let store = try store()
            let record = try await visibleCall(context, store)
            guard let url = store.recordingURL(for: record),
                  let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int else {
                throw APIError.notFound("call \(record.callID) has no recording")
            }
            return try await RangeResponse.fileResponse(for: request, context: context, path: url.path, size: size, contentType: "audio/wav")
        }
    }

    /// Whose calls a principal may see.
    enum CallScope {
        /// Every call (`recording.read`).
        case all
        /// The calls this agent number answered (`cti.agent`); `nil`: the user has no agent number.
        case agent(Int?)
    }

    func callScope(_ context: APIRequestContext) async throws -> CallScope {
        guard let principal = context.principal else { throw APIError.unauthenticated }
        if principal.can(.recordingRead) { return .all }
        guard principal.can(.ctiAgent) else { throw APIError.forbidden(.recordingRead) }
        return .agent(try await ownAgent(principal))
    }

    /// The `{id}` call after checking the principal may see it.
    func visibleCall(_ context: APIRequestContext, _ store: any CallDetailRecordSearching) async throws -> CallDetailRecord {
        let scope = try await callScope(context)
        let raw = try context.path("id")
        let id = raw.removingPercentEncoding ?? raw   // Call-IDs may hold characters a path segment escapes
        guard let record = try await store.callDetailRecord(callID: id) else { throw APIError.notFound("no finished call \(id)") }
        if case .agent(let own) = scope, own == nil || record.agent != own {
            throw APIError(.forbidden, code: "not_your_call",
                           message: "call \(id) was not answered by your agent number; permission 'recording.read' is required")
        }
        return record
    }

    /// The API path of a call (its Call-ID percent-encoded as one path segment).
    static func callPath(_ callID: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%;")
        return "/api/v1/calls/" + (callID.addingPercentEncoding(withAllowedCharacters: allowed) ?? callID)
    }

    /// The search of `GET /calls` from its query parameters.
    static func callSearch(_ request: Request) throws(APIError) -> CallSearch {
        var search = CallSearch()
        search.from = try queryTime(request, "from")
        search.to = try queryTime(request, "to")
        if let from = search.from, let to = search.to, from > to {
            throw APIError.badParameter("from", "must not be after to")
        }
        search.caller = try queryText(request, "caller")
        search.queue = try queryText(request, "queue")
        search.dialledNumber = try queryText(request, "did")
        search.rating = try queryText(request, "rating")
        search.agent = try request.queryInt("agent", in: 0...Int(Int32.max))
        search.minimumSeconds = try querySeconds(request, "minDuration")
        search.maximumSeconds = try querySeconds(request, "maxDuration")
        search.minimumTalkSeconds = try querySeconds(request, "minTalk")
        search.maximumTalkSeconds = try querySeconds(request, "maxTalk")
        if let disposition = request.query("disposition") {
            guard let value = CallDetailRecord.Disposition(rawValue: disposition) else {
                throw APIError.badParameter("disposition", "must be one of answered, abandoned, ivr, refused, failed, interrupted, not '\(disposition)'")
            }
            search.disposition = value
        }
        switch request.query("recorded") {
        case nil: break
        case "true": search.recorded = true
        case "false": search.recorded = false
        case let other?: throw APIError.badParameter("recorded", "must be true or false, not '\(other)'")
        }
        if let cursor = request.query("cursor") {
            guard let position = CallSearch.Position(cursor: cursor) else {
                throw APIError.badParameter("cursor", "must be the nextCursor of the previous page")
            }
            search.after = position
        }
        return search
    }

    /// An ISO 8601 date-time (`2026-12-01T10:00:00+08:00`, `Z`, optional fractional seconds).
    static func queryTime(_ request: Request, _ name: String) throws(APIError) -> Date? {
        guard let text = request.query(name) else { return nil }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions.insert(.withFractionalSeconds)
        if let date = formatter.date(from: text) { return date }
        throw APIError.badParameter(name, "must be an ISO 8601 date-time with a zone, e.g. 2026-12-01T10:00:00+08:00, not '\(text)'")
    }

    static func queryText(_ request: Request, _ name: String) throws(APIError) -> String? {
        guard let text = request.query(name) else { return nil }
        guard (1...200).contains(text.count) else { throw APIError.badParameter(name, "must be 1–200 characters") }
        return text
    }

    static func querySeconds(_ request: Request, _ name: String) throws(APIError) -> Double? {
        guard let text = request.query(name) else { return nil }
        guard let value = Double(text), value.isFinite, value >= 0, value <= 1e9 else {
            throw APIError.badParameter(name, "must be a number of seconds ≥ 0, not '\(text)'")
        }
        return value
    }
}

extension RangeResponse {
    /// Serves a file with HTTP range requests like ``response(for:data:contentType:)``, reading only the
    /// requested bytes (a long recording is not loaded whole).
    static func fileResponse(for request: Request, context: APIRequestContext, path: String, size: Int,
                             contentType: String) async throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.acceptRanges] = "bytes"
        let fileIO = FileIO()
        func whole() async throws -> Response {
            headers[.contentLength] = String(size)
            let body = size == 0 ? ResponseBody() : try await fileIO.loadFile(path: path, range: 0...(size - 1), context: context)
            return Response(status: .ok, headers: headers, body: body)
        }
        guard let header = request.headers[.range] else { return try await whole() }
        guard let range = byteRange(header, length: size) else {
            if header.lowercased().hasPrefix("bytes=") && !header.contains(",") {
                throw APIError(.rangeNotSatisfiable, code: "range_not_satisfiable",
                               message: "range '\(header)' is outside the \(size) bytes of the file",
                               headers: [.contentRange: "bytes */\(size)"])
            }
            return try await whole()
        }
        headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)"
        headers[.contentLength] = String(range.count)
        let body = try await fileIO.loadFile(path: path, range: range.lowerBound...(range.upperBound - 1), context: context)
        return Response(status: .partialContent, headers: headers, body: body)
    }
}
