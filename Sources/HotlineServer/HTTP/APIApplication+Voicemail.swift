import Foundation
import HTTPTypes
import HotlineCore
import Hummingbird
import NIOCore

/// A voicemail message as the API shows it.
struct VoicemailView: Encodable {
    var id: String
    var queue: String
    var callID: String
    var caller: String
    var dialledNumber: String
    var recordedAt: Date
    var durationMilliseconds: Int
    var handled: Bool
    var handledAt: Date?
    var handledBy: String?
    var audio: String

    init(_ voicemail: Voicemail) {
        id = voicemail.id
        queue = voicemail.queue
        callID = voicemail.callID
        caller = voicemail.caller
        dialledNumber = voicemail.dialledNumber
        recordedAt = voicemail.recordedAt
        durationMilliseconds = voicemail.durationMilliseconds
        handled = voicemail.handledAt != nil
        handledAt = voicemail.handledAt
        handledBy = voicemail.handledBy
        audio = "/api/v1/voicemail/\(voicemail.id)/audio"
    }
}

extension APIApplication {
    /// Voicemail boxes: list (by queue, open or handled), listen (WAV with HTTP range requests), mark handled.
    /// Agents (permission `cti.agent`) handle them.
    func addVoicemailRoutes(to api: RouterGroup<APIRequestContext>) {
        let operations = self.operations
        @Sendable func store() throws(APIError) -> VoicemailStore {
            guard let store = operations?.voicemailStore else {
                throw APIError(.serviceUnavailable, code: "not_available", message: "this API is not attached to a running hotline server")
            }
            return store
        }
        api.get("voicemail") { request, context in
            _ = try context.require(.ctiAgent)
            let limit = try request.limit(maximum: maxPage)
            let handled: Bool?
            switch request.query("handled") {
            case nil: handled = nil
            case "true": handled = true
            case "false": handled = false
            case let other?: throw APIError.badParameter("handled", "must be true or false, not '\(other)'")
            }
            var before: Date?
            if let cursor = request.query("cursor") {
                guard let seconds = Double(cursor), seconds.isFinite else {
                    throw APIError.badParameter("cursor", "must be the nextCursor of the previous page")
                }
                before = Date(timeIntervalSince1970: seconds)
            }
            let items = try await store().list(queue: request.query("queue"), handled: handled, before: before, limit: limit)
            let next = items.count == limit ? items.last.map { String($0.recordedAt.timeIntervalSince1970) } : nil
            return try APIJSON.response(Page(items: items.map(VoicemailView.init), nextCursor: next))
        }
        api.get("voicemail/{id}") { _, context in
            _ = try context.require(.ctiAgent)
            let id = try context.path("id")
            guard let voicemail = try await store().voicemail(id: id) else { throw APIError.notFound("voicemail \(id)") }
            return try APIJSON.response(VoicemailView(voicemail))
        }
        api.get("voicemail/{id}/audio") { request, context in
            _ = try context.require(.ctiAgent)
            let id = try context.path("id")
            let store = try store()
            guard let voicemail = try await store.voicemail(id: id),
                  let data = FileManager.default.contents(atPath: store.url(of: voicemail).path) else {
                throw APIError.notFound("voicemail \(id)")
            }
            return try RangeResponse.response(for: request, data: data, contentType: "audio/wav")
        }
        api.post("voicemail/{id}/handled") { _, context in
            let principal = try context.require(.ctiAgent)
            let id = try context.path("id")
            guard let voicemail = try await store().markHandled(id: id, by: principal.username, at: now) else {
                throw APIError.notFound("voicemail \(id)")
            }
            return try APIJSON.response(VoicemailView(voicemail))
        }
    }
}

/// Serves bytes with HTTP range requests (RFC 9110 §14): one `bytes=` range gets 206 with
/// `Content-Range`, an unsatisfiable one 416, none (or several ranges) the whole body with `Accept-Ranges`.
enum RangeResponse {
    static func response(for request: Request, data: Data, contentType: String) throws(APIError) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.acceptRanges] = "bytes"
        guard let header = request.headers[.range] else {
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        guard let range = byteRange(header, length: data.count) else {
            if header.lowercased().hasPrefix("bytes=") && !header.contains(",") {
                throw APIError(.rangeNotSatisfiable, code: "range_not_satisfiable",
                               message: "range '\(header)' is outside the \(data.count) bytes of the file",
                               headers: [.contentRange: "bytes */\(data.count)"])
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(data.count)"
        return Response(status: .partialContent, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: data[data.startIndex + range.lowerBound..<data.startIndex + range.upperBound])))
    }

    /// The one range of `bytes=first-last`, `bytes=first-` or `bytes=-suffix`, clamped to the length;
    /// `nil` when malformed, multiple, or unsatisfiable.
    static func byteRange(_ header: String, length: Int) -> Range<Int>? {
        let value = header.trimmingCharacters(in: .whitespaces)
        guard value.lowercased().hasPrefix("bytes="), length > 0 else { return nil }
        let spec = value.dropFirst("bytes=".count)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let suffix = Int(last), suffix > 0 else { return nil }
            return max(0, length - suffix)..<length
        }
        guard let start = Int(first), start >= 0, start < length else { return nil }
        if last.isEmpty { return start..<length }
        guard let end = Int(last), end >= start else { return nil }
        return start..<min(end, length - 1) + 1
    }
}
