import Foundation
import HTTPTypes
import Hummingbird
import HotlineCore
import NIOCore

/// JSON coding shared by every route: ISO 8601 dates, sorted keys.
enum APIJSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// A JSON response.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        try response(data: encoder().encode(value), status: status)
    }

    static func response(data: Data, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Describes where a JSON body is wrong: the coding path and what was expected.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "body" : "body" + text
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type); \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): a \(type) is required"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): is required"
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            return "\(path(context.codingPath)): \(context.debugDescription)\(underlying)"
        @unknown default:
            return "body: \(error)"
        }
    }
}

/// A page of a list: the items and the cursor for the next page (absent on the last page).
struct Page<Item: Encodable>: Encodable {
    var items: [Item]
    var nextCursor: String?
}

extension Request {
    /// The body, at most `limit` bytes.
    /// - Throws: `413 payload_too_large` when larger.
    func bodyData(limit: Int) async throws -> Data {
        do {
            let buffer = try await body.collect(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "payload_too_large", message: "the request body is larger than \(limit) bytes")
        }
    }

    /// Decodes the JSON body, with errors naming the field at fault.
    /// - Throws: `415` without a JSON content type, `400 invalid_json` for malformed or mistyped JSON.
    func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        try decodeJSON(type, from: await bodyData(limit: limit))
    }

    func decodeJSON<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if let contentType = headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                           message: "Content-Type '\(contentType)' is not accepted; send application/json")
        }
        if data.isEmpty { throw APIError(.badRequest, code: "invalid_json", message: "body: a JSON object is required") }
        do {
            return try APIJSON.decoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw APIError(.badRequest, code: "invalid_json", message: APIJSON.describe(error))
        }
    }

    /// A query parameter, if present.
    func query(_ name: String) -> String? { uri.queryParameters.get(name) }

    /// An integer query parameter within bounds.
    func queryInt(_ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let text = query(name) else { return nil }
        guard let value = Int(text) else { throw APIError.badParameter(name, "must be an integer, not '\(text)'") }
        guard range.contains(value) else {
            throw APIError.badParameter(name, "must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
        }
        return value
    }

    /// The `limit` parameter (1…maximum, default 50).
    func limit(maximum: Int, default value: Int = 50) throws(APIError) -> Int {
        try queryInt("limit", in: 1...maximum) ?? min(value, maximum)
    }

    /// An enumeration query parameter.
    func queryEnum<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type) throws(APIError) -> E? where E.RawValue == String {
        guard let text = query(name) else { return nil }
        guard let value = E(rawValue: text) else {
            throw APIError.badParameter(name, "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
        }
        return value
    }

    /// A comma-separated list of enumeration values.
    func queryEnumList<E: RawRepresentable & CaseIterable & Hashable>(_ name: String, _ type: E.Type) throws(APIError) -> Set<E> where E.RawValue == String {
        guard let text = query(name), !text.isEmpty else { return [] }
        var values = Set<E>()
        for part in text.split(separator: ",") {
            guard let value = E(rawValue: String(part)) else {
                throw APIError.badParameter(name, "must be a comma-separated list of \(E.allCases.map(\.rawValue).joined(separator: ", ")); '\(part)' is not one")
            }
            values.insert(value)
        }
        return values
    }

    /// The `cursor` parameter (1–100 characters), if present.
    func cursor() throws(APIError) -> String? {
        guard let cursor = query("cursor") else { return nil }
        guard (1...100).contains(cursor.count) else { throw APIError.badParameter("cursor", "is not a cursor from a previous page") }
        return cursor
    }

    /// A date parameter `YYYY-MM-DD`.
    func queryDate(_ name: String) throws(APIError) -> LocalDate? {
        guard let text = query(name) else { return nil }
        guard let date = LocalDate(text) else { throw APIError.badParameter(name, "must be a date YYYY-MM-DD, not '\(text)'") }
        return date
    }
}

extension APIRequestContext {
    /// A path parameter (always present on the routes that declare it).
    func path(_ name: String) throws(APIError) -> String {
        guard let value = parameters.get(name) else { throw APIError(.badRequest, code: "invalid_parameter", message: "path parameter '\(name)' is missing") }
        return value
    }

    /// A taxpayer number from the path.
    func taxpayerNumber(_ name: String = "number") throws(APIError) -> TaxpayerNumber {
        let text = try path(name)
        do {
            return try TaxpayerNumber(text)
        } catch {
            throw APIError(.badRequest, code: "invalid_taxpayer_number", message: "path parameter '\(name)': \(error.description)")
        }
    }
}
