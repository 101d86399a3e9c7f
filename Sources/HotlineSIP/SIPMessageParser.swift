/// Limits that protect the parser and the stack from oversized input (RFC 3261 §18.1.1, §21.4.11).
public struct SIPParserLimits: Sendable, Hashable {
    /// The largest whole message accepted; larger gets `513 Message Too Large`.
    public var maximumMessageSize: Int
    /// The largest body accepted; larger gets `413 Request Entity Too Large`.
    public var maximumBodySize: Int
    /// The most header fields accepted; more gets `513`.
    public var maximumHeaderCount: Int
    /// The longest Request-URI accepted; longer gets `414 Request-URI Too Long`.
    public var maximumURILength: Int

    /// Creates limits.
    /// - Parameters:
    ///   - maximumMessageSize: bytes.
    ///   - maximumBodySize: bytes.
    ///   - maximumHeaderCount: header fields.
    ///   - maximumURILength: bytes.
    public init(maximumMessageSize: Int = 65_535, maximumBodySize: Int = 32_768, maximumHeaderCount: Int = 200,
                maximumURILength: Int = 2_048) {
        self.maximumMessageSize = maximumMessageSize
        self.maximumBodySize = maximumBodySize
        self.maximumHeaderCount = maximumHeaderCount
        self.maximumURILength = maximumURILength
    }

    /// The defaults: 64 KiB messages, 32 KiB bodies, 200 headers, 2 KiB URIs.
    public static let standard = SIPParserLimits()
}

extension SIPMessage {
    /// Parses one message (RFC 3261 §7, §25).
    ///
    /// Accepts leading CRLFs, folded header lines, compact names, any header-name case, bare LF
    /// line ends, and unknown methods and headers (kept verbatim). For a datagram the body is
    /// `Content-Length` bytes (the rest of the datagram when the header is absent); for a framed
    /// stream message (`isStream`) the body must be exactly `Content-Length` bytes.
    /// - Parameters:
    ///   - bytes: the message bytes.
    ///   - isStream: whether the bytes came from a stream transport (TCP) via ``SIPStreamFramer``.
    ///   - limits: size limits.
    /// - Throws: ``SIPParseError`` with the status code implied (400, 413, 414, 505, 513) and a reason
    ///   naming the header or line.
    public init(parsing bytes: some Collection<UInt8>, isStream: Bool = false,
                limits: SIPParserLimits = .standard) throws(SIPParseError) {
        let data = Array(bytes)
        self = try data.withUnsafeBufferPointer { (buffer) throws(SIPParseError) -> SIPMessage in
            try SIPMessageParser.parse(buffer, isStream: isStream, limits: limits)
        }
    }
}

enum SIPMessageParser {
    static let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r"), sp = UInt8(ascii: " "), ht = UInt8(ascii: "\t")

    static func parse(_ buffer: UnsafeBufferPointer<UInt8>, isStream: Bool, limits: SIPParserLimits) throws(SIPParseError) -> SIPMessage {
        if buffer.count > limits.maximumMessageSize {
            throw SIPParseError(statusCode: 513, "message of \(buffer.count) bytes exceeds \(limits.maximumMessageSize)")
        }
        var position = 0
        // RFC 3261 §7.5: ignore CRLFs before the start line.
        while position < buffer.count, buffer[position] == cr || buffer[position] == lf { position += 1 }
        guard position < buffer.count else { throw SIPParseError("empty message") }

        // Split the header section into lines, unfolding continuation lines.
        var lineRanges: [Range<Int>] = []   // line contents without CR LF
        lineRanges.reserveCapacity(16)
        var bodyStart = -1
        var lineStart = position
        while position < buffer.count {
            if buffer[position] == lf {
                var end = position
                if end > lineStart, buffer[end - 1] == cr { end -= 1 }
                if end == lineStart {
                    bodyStart = position + 1
                    break
                }
                lineRanges.append(lineStart..<end)
                lineStart = position + 1
            } else if buffer[position] == 0 {
                throw SIPParseError("NUL byte in header section", line: lineRanges.count + 1)
            }
            position += 1
        }
        if bodyStart < 0 {
            // No empty line: the headers run to the end (tolerated for datagrams without body).
            if lineStart < buffer.count {
                var end = buffer.count
                if buffer[end - 1] == cr { end -= 1 }
                if end > lineStart { lineRanges.append(lineStart..<end) }
            }
            if isStream { throw SIPParseError("header section not terminated by an empty line") }
            bodyStart = buffer.count
        }
        guard let startLineRange = lineRanges.first else { throw SIPParseError("empty message") }
        let startLine = try string(buffer, startLineRange, line: 1)
        let isResponse = startLine.hasPrefix("SIP/") || startLine.lowercased().hasPrefix("sip/")
        if !isResponse && startLine.split(separator: " ", omittingEmptySubsequences: false).count != 3 {
            throw SIPParseError("malformed request line (expected 'METHOD URI SIP/2.0')", line: 1)
        }

        // Header fields.
        var fields: [SIPHeaderField] = []
        fields.reserveCapacity(lineRanges.count)
        var index = 1
        while index < lineRanges.count {
            let first = lineRanges[index]
            let firstIndex = index
            let lineNumber = index + 1
            if buffer[first.lowerBound] == sp || buffer[first.lowerBound] == ht {
                throw SIPParseError("continuation line without a header", line: lineNumber)
            }
            var last = first
            var folded = false
            while index + 1 < lineRanges.count,
                  buffer[lineRanges[index + 1].lowerBound] == sp || buffer[lineRanges[index + 1].lowerBound] == ht {
                index += 1
                last = lineRanges[index]
                folded = true
            }
            index += 1
            if fields.count >= limits.maximumHeaderCount {
                throw SIPParseError(statusCode: 513, "more than \(limits.maximumHeaderCount) header fields")
            }
            // name
            var colon = first.lowerBound
            while colon < first.upperBound, buffer[colon] != UInt8(ascii: ":") { colon += 1 }
            guard colon < first.upperBound else { throw SIPParseError("header line without ':'", line: lineNumber) }
            var nameEnd = colon
            while nameEnd > first.lowerBound, buffer[nameEnd - 1] == sp || buffer[nameEnd - 1] == ht { nameEnd -= 1 }
            let name = try string(buffer, first.lowerBound..<nameEnd, line: lineNumber)
            guard HeaderSyntax.isToken(name) else { throw SIPParseError("bad header name '\(name.prefix(30))'", line: lineNumber) }
            // value
            var value: String
            if folded {
                var parts: [String] = []
                parts.append(try string(buffer, (colon + 1)..<first.upperBound, line: lineNumber))
                for r in lineRanges[(firstIndex + 1)..<index] { parts.append(try string(buffer, r, line: lineNumber)) }
                value = parts.map { String($0.trimmingWhitespace()) }.filter { !$0.isEmpty }.joined(separator: " ")
                let original = try string(buffer, first.lowerBound..<last.upperBound, line: lineNumber)
                fields.append(SIPHeaderField(name: name, value: value, original: original))
            } else {
                var valueStart = colon + 1
                while valueStart < first.upperBound, buffer[valueStart] == sp || buffer[valueStart] == ht { valueStart += 1 }
                var valueEnd = first.upperBound
                while valueEnd > valueStart, buffer[valueEnd - 1] == sp || buffer[valueEnd - 1] == ht { valueEnd -= 1 }
                value = try string(buffer, valueStart..<valueEnd, line: lineNumber)
                // Keep the original only when it differs from the canonical "Name: value".
                let canonical = nameEnd == colon && valueStart == colon + 2 && buffer[colon + 1] == sp && valueEnd == first.upperBound
                if canonical {
                    fields.append(SIPHeaderField(name: name, value: value))
                } else {
                    let original = try string(buffer, first, line: lineNumber)
                    fields.append(SIPHeaderField(name: name, value: value, original: original))
                }
            }
        }
        let headers = SIPHeaders(fields: fields)

        // Body (RFC 3261 §18.3, §20.14).
        let available = buffer.count - bodyStart
        var bodyLength = available
        var lengthFields = 0
        var lengthValue: Int? = nil
        for field in fields where field.key == "content-length" {
            lengthFields += 1
            let text = field.value
            guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(text) else {
                throw SIPParseError("malformed Content-Length header")
            }
            if let lengthValue, lengthValue != n { throw SIPParseError("conflicting Content-Length headers") }
            lengthValue = n
        }
        if let n = lengthValue {
            if n > available {
                throw SIPParseError("Content-Length \(n) exceeds the \(available) body bytes received")
            }
            if isStream && n != available { throw SIPParseError("Content-Length \(n) does not match framed body") }
            bodyLength = n
        } else if isStream {
            bodyLength = 0
        }
        _ = lengthFields
        if bodyLength > limits.maximumBodySize {
            throw SIPParseError(statusCode: 413, "body of \(bodyLength) bytes exceeds \(limits.maximumBodySize)")
        }
        let body = Array(buffer[bodyStart..<(bodyStart + bodyLength)])

        // Start line (RFC 3261 §7.1, §7.2).
        if isResponse {
            let parts = startLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[1].utf8.count == 3, let code = Int(parts[1]), (100...699).contains(code) else {
                throw SIPParseError("malformed status line", line: 1)
            }
            guard parts[0].uppercased() == "SIP/2.0" else {
                throw SIPParseError(statusCode: 505, "unsupported version \(parts[0].prefix(20))", line: 1)
            }
            var response = SIPResponse(statusCode: code, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers, body: body)
            response.version = String(parts[0])
            return .response(response)
        }
        let parts = startLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[1].isEmpty else {
            throw SIPParseError("malformed request line (expected 'METHOD URI SIP/2.0')", line: 1)
        }
        guard HeaderSyntax.isToken(parts[0]) else { throw SIPParseError("bad method token", line: 1) }
        guard parts[2].uppercased() == "SIP/2.0" else {
            if parts[2].uppercased().hasPrefix("SIP/") {
                throw SIPParseError(statusCode: 505, "unsupported version \(parts[2].prefix(20))", line: 1)
            }
            throw SIPParseError("malformed SIP version in request line", line: 1)
        }
        if parts[1].utf8.count > limits.maximumURILength {
            throw SIPParseError(statusCode: 414, "Request-URI longer than \(limits.maximumURILength) bytes", line: 1)
        }
        let uri: SIPURI
        do { uri = try SIPURI(parsing: parts[1]) } catch {
            throw SIPParseError("malformed Request-URI: \(error.reason)", line: 1)
        }
        var request = SIPRequest(method: SIPMethod(String(parts[0])), uri: uri, headers: headers, body: body)
        request.version = String(parts[2])
        return .request(request)
    }

    @inline(__always)
    static func string(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, line: Int) throws(SIPParseError) -> String {
        let slice = UnsafeBufferPointer(rebasing: buffer[range])
        // Fast path: pure ASCII.
        var ascii = true
        for b in slice where b >= 0x80 { ascii = false; break }
        if ascii { return String(decoding: slice, as: UTF8.self) }
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw SIPParseError("invalid UTF-8", line: line)
        }
        return text
    }
}

extension SIPRequest {
    /// Checks the mandatory headers of a request (RFC 3261 §8.1.1, §8.2) so the stack can answer
    /// `400` naming the first missing or malformed one.
    /// - Throws: ``SIPParseError`` naming the header.
    public func validate() throws(SIPParseError) {
        guard headers["to"] != nil else { throw SIPParseError("missing To header") }
        _ = try to()
        _ = try from()
        guard let callID = headers["call-id"], !callID.isEmpty else { throw SIPParseError("missing Call-ID header") }
        let cseq = try cseq()
        if cseq.method != method {
            throw SIPParseError("CSeq method \(cseq.method) does not match request method \(method)")
        }
        let vias = try vias()
        if vias.isEmpty { throw SIPParseError("missing Via header") }
        _ = try maxForwards()
    }
}

extension SIPResponse {
    /// Checks the headers a response must have to be matched to a transaction (RFC 3261 §17.1.3).
    /// - Throws: ``SIPParseError`` naming the header.
    public func validate() throws(SIPParseError) {
        _ = try topVia()
        _ = try cseq()
        _ = try from()
        _ = try to()
        guard headers["call-id"] != nil else { throw SIPParseError("missing Call-ID header") }
    }
}
