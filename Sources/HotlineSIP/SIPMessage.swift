/// A SIP request (RFC 3261 §7.1).
public struct SIPRequest: Sendable, Hashable, SIPHeaderCarrying {
    /// The method; unknown methods are preserved.
    public var method: SIPMethod
    /// The Request-URI.
    public var uri: SIPURI
    /// The protocol version as written; always `SIP/2.0` for accepted messages.
    public var version: String
    /// The header fields in order.
    public var headers: SIPHeaders
    /// The body bytes (SIP carries bodies as opaque bytes; SDP is parsed elsewhere).
    public var body: [UInt8]

    /// Creates a request.
    /// - Parameters:
    ///   - method: the method.
    ///   - uri: the Request-URI.
    ///   - headers: header fields.
    ///   - body: the body.
    public init(method: SIPMethod, uri: SIPURI, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.uri = uri
        self.version = "SIP/2.0"
        self.headers = headers
        self.body = body
    }
}

/// A SIP response (RFC 3261 §7.2).
public struct SIPResponse: Sendable, Hashable, SIPHeaderCarrying {
    /// The status code, 100–699.
    public var statusCode: Int
    /// The reason phrase.
    public var reason: String
    /// The protocol version as written.
    public var version: String
    /// The header fields in order.
    public var headers: SIPHeaders
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a response.
    /// - Parameters:
    ///   - statusCode: status code.
    ///   - reason: reason phrase; the standard one when `nil`.
    ///   - headers: header fields.
    ///   - body: the body.
    public init(statusCode: Int, reason: String? = nil, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []) {
        self.statusCode = statusCode
        self.reason = reason ?? SIPResponse.standardReason(statusCode)
        self.version = "SIP/2.0"
        self.headers = headers
        self.body = body
    }

    /// Builds a response to a request as a UAS does (RFC 3261 §8.2.6.2): Via, From, To, Call-ID
    /// and CSeq copied; a To tag added when the request has none and the status is above 100.
    /// - Parameters:
    ///   - request: the request answered.
    ///   - statusCode: status code.
    ///   - reason: reason phrase, or the standard one.
    ///   - toTag: the tag to put on To when the request's To has none.
    public init(to request: SIPRequest, statusCode: Int, reason: String? = nil, toTag: String? = nil) {
        self.init(statusCode: statusCode, reason: reason)
        for field in request.headers where field.key == "via" { headers.fields.append(field) }
        if let from = request.headers["from"] { headers.add("From", from) }
        if var to = request.headers["to"] {
            if statusCode > 100, let toTag, let parsed = try? NameAddress(parsing: to), parsed.tag == nil {
                to += ";tag=\(toTag)"
            }
            headers.add("To", to)
        }
        if let callID = request.headers["call-id"] { headers.add("Call-ID", callID) }
        if let cseq = request.headers["cseq"] { headers.add("CSeq", cseq) }
    }

    /// Whether this is a provisional (1xx) response.
    public var isProvisional: Bool { statusCode < 200 }

    /// The standard reason phrase for a status code (RFC 3261 §21 and extensions).
    /// - Parameter code: status code.
    /// - Returns: the phrase, or a class name for unknown codes.
    public static func standardReason(_ code: Int) -> String {
        switch code {
        case 100: "Trying"
        case 180: "Ringing"
        case 181: "Call Is Being Forwarded"
        case 182: "Queued"
        case 183: "Session Progress"
        case 200: "OK"
        case 202: "Accepted"
        case 301: "Moved Permanently"
        case 302: "Moved Temporarily"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 407: "Proxy Authentication Required"
        case 408: "Request Timeout"
        case 413: "Request Entity Too Large"
        case 414: "Request-URI Too Long"
        case 415: "Unsupported Media Type"
        case 416: "Unsupported URI Scheme"
        case 420: "Bad Extension"
        case 421: "Extension Required"
        case 422: "Session Interval Too Small"
        case 423: "Interval Too Brief"
        case 480: "Temporarily Unavailable"
        case 481: "Call/Transaction Does Not Exist"
        case 482: "Loop Detected"
        case 483: "Too Many Hops"
        case 486: "Busy Here"
        case 487: "Request Terminated"
        case 488: "Not Acceptable Here"
        case 489: "Bad Event"
        case 491: "Request Pending"
        case 500: "Server Internal Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 504: "Server Time-out"
        case 505: "Version Not Supported"
        case 513: "Message Too Large"
        case 603: "Decline"
        default:
            switch code / 100 {
            case 1: "Progress"
            case 2: "Success"
            case 3: "Redirection"
            case 4: "Client Error"
            case 5: "Server Error"
            default: "Global Failure"
            }
        }
    }
}

/// A request or a response.
public enum SIPMessage: Sendable, Hashable {
    /// A request.
    case request(SIPRequest)
    /// A response.
    case response(SIPResponse)

    /// The header fields.
    public var headers: SIPHeaders {
        switch self {
        case .request(let r): r.headers
        case .response(let r): r.headers
        }
    }
}

/// What requests and responses share: headers, a body, and typed views of common headers.
/// Typed values are parsed on access (lazily), so a proxy-like path that only reads Via and
/// CSeq never parses From or Contact.
public protocol SIPHeaderCarrying: Sendable {
    /// The header fields.
    var headers: SIPHeaders { get set }
    /// The body.
    var body: [UInt8] { get set }
}

extension SIPHeaderCarrying {
    /// The Call-ID (RFC 3261 §20.8).
    public var callID: String? { headers["call-id"] }

    /// The parsed CSeq (RFC 3261 §20.16).
    /// - Throws: ``SIPParseError`` if missing or malformed.
    public func cseq() throws(SIPParseError) -> CSeq {
        guard let value = headers["cseq"] else { throw SIPParseError("missing CSeq header") }
        return try CSeq(parsing: value)
    }

    /// The parsed From header (RFC 3261 §20.20).
    /// - Throws: ``SIPParseError`` if missing or malformed.
    public func from() throws(SIPParseError) -> NameAddress {
        guard let value = headers["from"] else { throw SIPParseError("missing From header") }
        do { return try NameAddress(parsing: value) } catch { throw SIPParseError("malformed From header: \(error.reason)") }
    }

    /// The parsed To header (RFC 3261 §20.39).
    /// - Throws: ``SIPParseError`` if missing or malformed.
    public func to() throws(SIPParseError) -> NameAddress {
        guard let value = headers["to"] else { throw SIPParseError("missing To header") }
        do { return try NameAddress(parsing: value) } catch { throw SIPParseError("malformed To header: \(error.reason)") }
    }

    /// All Via values, topmost first (RFC 3261 §20.42).
    /// - Throws: ``SIPParseError`` if malformed.
    public func vias() throws(SIPParseError) -> [Via] {
        do { return try headers.values("via").map { (v: String) throws(SIPParseError) in try Via(parsing: v) } } catch {
            throw SIPParseError("malformed Via header: \(error.reason)")
        }
    }

    /// The topmost Via (RFC 3261 §8.1.1.7).
    /// - Throws: ``SIPParseError`` if missing or malformed.
    public func topVia() throws(SIPParseError) -> Via {
        guard let field = headers.fields.first(where: { $0.key == "via" }) else { throw SIPParseError("missing Via header") }
        do {
            let first = try HeaderSyntax.split(field.value[...], on: ",")[0]
            return try Via(parsing: first)
        } catch { throw SIPParseError("malformed Via header: \(error.reason)") }
    }

    /// The Contact values (RFC 3261 §20.10); empty when absent; `*` is not an address and
    /// yields an empty list (check ``isWildcardContact``).
    /// - Throws: ``SIPParseError`` if malformed.
    public func contacts() throws(SIPParseError) -> [NameAddress] {
        do {
            return try headers.values("contact").filter { $0 != "*" }.map { (v: String) throws(SIPParseError) in try NameAddress(parsing: v) }
        } catch { throw SIPParseError("malformed Contact header: \(error.reason)") }
    }

    /// Whether the Contact is `*` (RFC 3261 §10.2.2, un-register all).
    public var isWildcardContact: Bool { headers["contact"]?.trimmingWhitespace() == "*" }

    /// Parsed addresses of a Route-like header (Route, Record-Route).
    /// - Parameter name: `Route` or `Record-Route`.
    /// - Throws: ``SIPParseError`` if malformed.
    public func addresses(_ name: String) throws(SIPParseError) -> [NameAddress] {
        do { return try headers.values(name).map { (v: String) throws(SIPParseError) in try NameAddress(parsing: v) } } catch {
            throw SIPParseError("malformed \(name) header: \(error.reason)")
        }
    }

    /// Option tags of Require, Supported, Proxy-Require (RFC 3261 §20.32, §20.37).
    /// - Parameter name: the header.
    /// - Returns: the tags, lower-cased; malformed lists yield what could be read.
    public func optionTags(_ name: String) -> [String] {
        ((try? headers.values(name)) ?? []).map { $0.lowercased() }
    }

    /// Max-Forwards (RFC 3261 §20.22).
    /// - Throws: ``SIPParseError`` if malformed.
    public func maxForwards() throws(SIPParseError) -> Int? {
        guard let value = headers["max-forwards"] else { return nil }
        guard value.count <= 9, let n = Int(value), n >= 0 else { throw SIPParseError("malformed Max-Forwards header") }
        return n
    }

    /// The Content-Type's media type in lower case, without parameters.
    public var contentType: String? {
        headers["content-type"].map { String($0.prefix { $0 != ";" }.trimmingWhitespace()).lowercased() }
    }

    /// The `Expires` header (RFC 3261 §20.19) as seconds, if present and valid.
    public var expires: Int? { headers["expires"].flatMap { Int($0.trimmingWhitespace()) } }

    /// Sets the body and its Content-Type (or removes both for an empty body).
    /// - Parameters:
    ///   - body: the bytes.
    ///   - contentType: their media type, e.g. `application/sdp`.
    public mutating func setBody(_ body: [UInt8], contentType: String?) {
        self.body = body
        headers.set("Content-Type", body.isEmpty ? nil : contentType)
        headers.set("Content-Length", String(body.count))
    }
}
