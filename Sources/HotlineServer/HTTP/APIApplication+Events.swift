import Foundation
import HTTPTypes
import Hummingbird
import HotlineCore

/// Any JSON value, to show an event's payload as JSON rather than bytes.
enum JSONValue: Codable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

/// An event of the log as the API shows it.
struct EventView: Encodable {
    var sequence: Int64
    var type: String
    var occurredAt: Date
    var subject: String
    var payload: JSONValue

    init(_ event: RecordedEvent) {
        sequence = event.sequence
        type = event.type
        occurredAt = event.occurredAt
        subject = event.subject
        payload = (try? JSONDecoder().decode(JSONValue.self, from: event.payload)) ?? .string(String(decoding: event.payload, as: UTF8.self))
    }
}

extension APIApplication {
    func addEventRoutes(to api: RouterGroup<APIRequestContext>) {
        api.get("events") { request, context in
            _ = try context.require(.reportRead)
            var after = Int64(try request.queryInt("after", in: 0...Int.max) ?? 0)
            let limit = try request.limit(maximum: maxPage)
            let subject = request.query("subject")
            let types = Set((request.query("type") ?? "").split(separator: ",").map(String.init))
            // With a type filter, scan a bounded number of pages; the cursor says where the scan stopped.
            var items: [EventView] = []
            var exhausted = false
            for _ in 0..<20 where items.count < limit {
                let page = try await stores.events.events(after: after, subject: subject, limit: 500)
                for event in page {
                    after = event.sequence
                    if types.isEmpty || types.contains(event.type) { items.append(EventView(event)) }
                    if items.count == limit { break }
                }
                if page.count < 500 && items.count < limit { exhausted = true; break }
            }
            return try APIJSON.response(Page(items: items, nextCursor: exhausted ? nil : String(after)))
        }
    }
}
