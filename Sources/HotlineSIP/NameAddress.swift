/// A `name-addr` or `addr-spec` with header parameters, as in To, From, Contact, Route,
/// Record-Route, Refer-To (RFC 3261 §20.10, §20.20, §20.39, §25.1).
public struct NameAddress: Sendable, Hashable, CustomStringConvertible {
    /// The display name, unquoted; `nil` when absent.
    public var displayName: String?
    /// The URI.
    public var uri: SIPURI
    /// Header parameters after the address (`tag`, `expires`, `q`, …), in order.
    public var parameters: [HeaderParameter]

    /// Creates an address.
    /// - Parameters:
    ///   - displayName: a display name, or `nil`.
    ///   - uri: the URI.
    ///   - parameters: header parameters such as `tag`.
    public init(displayName: String? = nil, uri: SIPURI, parameters: [HeaderParameter] = []) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
    }

    /// The `tag` parameter (RFC 3261 §19.3), if any.
    public var tag: String? {
        get { parameters.value("tag") }
        set { parameters.set("tag", newValue) }
    }

    public var description: String {
        var text = ""
        if let displayName, !displayName.isEmpty { text += HeaderSyntax.quote(displayName) + " " }
        text += "<\(uri)>"
        for p in parameters { text += ";" + p.description }
        return text
    }

    /// Parses one address (not a list).
    /// - Parameter text: e.g. `"A \"B\"" <sip:a@b>;tag=1` or `sip:a@b;tag=1`.
    /// - Throws: ``SIPParseError`` when it is malformed.
    public init(parsing text: some StringProtocol) throws(SIPParseError) {
        var rest = Substring(text).trimmingWhitespace()
        var display: String? = nil
        if rest.first == "\"" {
            var index = rest.index(after: rest.startIndex)
            var escaped = false
            var closed: Substring.Index? = nil
            while index < rest.endIndex {
                let c = rest[index]
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { closed = index; break }
                index = rest.index(after: index)
            }
            guard let closed else { throw SIPParseError("unterminated display name") }
            display = HeaderSyntax.unquote(String(rest[...closed]))
            rest = rest[rest.index(after: closed)...].trimmingWhitespace()
            guard rest.first == "<" else { throw SIPParseError("display name not followed by '<'") }
        }
        if let open = rest.firstIndex(of: "<") {
            if display == nil {
                let name = rest[..<open].trimmingWhitespace()
                if !name.isEmpty {
                    guard name.split(whereSeparator: { $0 == " " || $0 == "\t" }).allSatisfy({ HeaderSyntax.isToken($0) }) else {
                        throw SIPParseError("bad display name")
                    }
                    display = String(name)
                }
            }
            guard let close = rest[open...].firstIndex(of: ">") else { throw SIPParseError("missing '>' in address") }
            uri = try SIPURI(parsing: rest[rest.index(after: open)..<close])
            let after = rest[rest.index(after: close)...].trimmingWhitespace()
            if after.isEmpty {
                parameters = []
            } else {
                guard after.first == ";" else { throw SIPParseError("unexpected text after '>'") }
                parameters = try HeaderSyntax.parameters(after.dropFirst())
            }
        } else {
            // addr-spec: parameters after the URI belong to the header (RFC 3261 §20.10).
            if let semicolon = rest.firstIndex(of: ";") {
                uri = try SIPURI(parsing: rest[..<semicolon].trimmingWhitespace())
                parameters = try HeaderSyntax.parameters(rest[rest.index(after: semicolon)...])
            } else {
                uri = try SIPURI(parsing: rest)
                parameters = []
            }
            if uri.isSIP && !uri.headers.isEmpty { throw SIPParseError("URI headers need '<>' in an address") }
        }
        displayName = display
    }
}

/// The value of a Via header field (RFC 3261 §20.42, §18.2.1; RFC 3581).
public struct Via: Sendable, Hashable, CustomStringConvertible {
    /// The transport in upper case: `UDP`, `TCP`, `TLS`, `WS`, …
    public var transport: String
    /// The sent-by host (IPv6 without brackets).
    public var host: String
    /// The sent-by port, or `nil` (5060 implied for UDP/TCP).
    public var port: Int?
    /// Parameters in order (`branch`, `received`, `rport`, `maddr`, `ttl`, …).
    public var parameters: [HeaderParameter]

    /// The RFC 3261 magic cookie that starts every compliant branch (§8.1.1.7).
    public static let magicCookie = "z9hG4bK"

    /// Creates a Via value.
    /// - Parameters:
    ///   - transport: e.g. `UDP`.
    ///   - host: sent-by host.
    ///   - port: sent-by port.
    ///   - branch: the branch parameter.
    public init(transport: String, host: String, port: Int?, branch: String) {
        self.transport = transport.uppercased()
        self.host = host
        self.port = port
        self.parameters = [HeaderParameter(name: "branch", value: branch)]
    }

    /// The `branch` parameter.
    public var branch: String? {
        get { parameters.value("branch") }
        set { parameters.set("branch", newValue) }
    }

    /// The `received` parameter (RFC 3261 §18.2.1).
    public var received: String? {
        get { parameters.value("received") }
        set { parameters.set("received", newValue) }
    }

    /// The `rport` parameter (RFC 3581): `""` when requested without value, the port when filled.
    public var rport: String? {
        get { parameters.value("rport") }
        set { parameters.set("rport", newValue) }
    }

    /// `host[:port]` with brackets around IPv6.
    public var sentBy: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(h):\($0)" } ?? h
    }

    public var description: String {
        var text = "SIP/2.0/\(transport) \(sentBy)"
        for p in parameters { text += ";" + p.description }
        return text
    }

    /// Parses one Via value (not a list).
    /// - Parameter text: e.g. `SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;rport`.
    /// - Throws: ``SIPParseError`` when it is malformed.
    public init(parsing text: some StringProtocol) throws(SIPParseError) {
        let text = Substring(text).trimmingWhitespace()
        // sent-protocol: name SLASH version SLASH transport, with optional whitespace around slashes.
        var parts: [Substring] = []
        var rest = text
        for _ in 0..<2 {
            guard let slash = rest.firstIndex(of: "/") else { throw SIPParseError("malformed Via protocol") }
            parts.append(rest[..<slash].trimmingWhitespace())
            rest = rest[rest.index(after: slash)...].trimmingWhitespace()
        }
        guard parts[0].uppercased() == "SIP", parts[1] == "2.0" else { throw SIPParseError("Via protocol is not SIP/2.0") }
        guard let space = rest.firstIndex(where: { $0 == " " || $0 == "\t" }) else { throw SIPParseError("Via without sent-by") }
        let transport = rest[..<space]
        guard HeaderSyntax.isToken(transport) else { throw SIPParseError("bad Via transport") }
        self.transport = transport.uppercased()
        rest = rest[space...].trimmingWhitespace()
        let sentByEnd: Substring.Index
        if rest.first == "[" {
            guard let close = rest.firstIndex(of: "]") else { throw SIPParseError("unterminated IPv6 in Via") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw SIPParseError("malformed IPv6 in Via")
            }
            sentByEnd = rest.index(after: close)
        } else {
            sentByEnd = rest.firstIndex { $0 == ":" || $0 == ";" || $0 == " " || $0 == "\t" } ?? rest.endIndex
            let name = rest[..<sentByEnd]
            guard !name.isEmpty, name.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "." || $0 == "_" }) else {
                throw SIPParseError("malformed Via host")
            }
            host = String(name)
        }
        rest = rest[sentByEnd...].trimmingWhitespace()
        if rest.first == ":" {
            rest = rest.dropFirst().trimmingWhitespace()
            let digitsEnd = rest.firstIndex { !$0.isASCII || !$0.isNumber } ?? rest.endIndex
            guard let value = Int(rest[..<digitsEnd]), value <= 65535, rest.distance(from: rest.startIndex, to: digitsEnd) <= 5 else {
                throw SIPParseError("bad Via port")
            }
            port = value
            rest = rest[digitsEnd...].trimmingWhitespace()
        } else {
            port = nil
        }
        if rest.isEmpty {
            parameters = []
        } else {
            guard rest.first == ";" else { throw SIPParseError("unexpected text in Via") }
            parameters = try HeaderSyntax.parameters(rest.dropFirst())
        }
    }
}

/// The value of a CSeq header field (RFC 3261 §20.16).
public struct CSeq: Sendable, Hashable, CustomStringConvertible {
    /// The sequence number (< 2**31).
    public var number: UInt32
    /// The method.
    public var method: SIPMethod

    /// Creates a CSeq value.
    /// - Parameters:
    ///   - number: sequence number.
    ///   - method: method.
    public init(_ number: UInt32, _ method: SIPMethod) {
        self.number = number
        self.method = method
    }

    public var description: String { "\(number) \(method.rawValue)" }

    /// Parses `4711 INVITE`.
    /// - Parameter text: the header value.
    /// - Throws: ``SIPParseError`` when it is malformed.
    public init(parsing text: some StringProtocol) throws(SIPParseError) {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2, parts[0].count <= 10, let number = UInt32(parts[0]), number < 1 << 31,
              HeaderSyntax.isToken(parts[1]) else {
            throw SIPParseError("malformed CSeq header")
        }
        self.number = number
        self.method = SIPMethod(String(parts[1]))
    }
}
