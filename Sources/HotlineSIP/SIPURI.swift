/// A URI as it appears in SIP: a `sip:`/`sips:` URI with its parts (RFC 3261 §19.1), or any other
/// absolute URI (`tel:`, `urn:`, …) kept as scheme plus opaque text.
///
/// Components are stored as written (still `%`-escaped), so a received URI serialises back
/// unchanged; use ``decodedUser`` or ``SIPURI/percentDecoded(_:)`` for the unescaped values.
public struct SIPURI: Sendable, Hashable, CustomStringConvertible {
    /// The scheme in lower case: `sip`, `sips`, `tel`, …
    public var scheme: String
    /// The user part as written (escaped), or `nil`.
    public var user: String?
    /// The password as written (escaped), or `nil`. Its use is not recommended (RFC 3261 §19.1.1).
    public var password: String?
    /// The host: a domain name, an IPv4 address, or an IPv6 address *without* brackets.
    public var host: String
    /// The port, or `nil` when absent.
    public var port: Int?
    /// URI parameters in order; a parameter without `=` has a `nil` value.
    public var parameters: [HeaderParameter]
    /// URI headers (`?name=value&…`) in order, as written.
    public var headers: [HeaderParameter]
    /// For schemes other than `sip`/`sips`: everything after `scheme:`.
    public var opaque: String?

    /// Creates a `sip:` URI.
    /// - Parameters:
    ///   - scheme: `sip` (default) or `sips`.
    ///   - user: the user part, already escaped where needed.
    ///   - host: host name or address (IPv6 without brackets).
    ///   - port: the port, if any.
    ///   - parameters: URI parameters.
    public init(scheme: String = "sip", user: String? = nil, host: String, port: Int? = nil,
                parameters: [HeaderParameter] = []) {
        self.scheme = scheme
        self.user = user
        self.password = nil
        self.host = host
        self.port = port
        self.parameters = parameters
        self.headers = []
        self.opaque = nil
    }

    /// Whether this is a `sip:` or `sips:` URI whose parts were parsed.
    public var isSIP: Bool { opaque == nil && (scheme == "sip" || scheme == "sips") }

    /// The user part with `%`-escapes decoded.
    public var decodedUser: String? { user.map(SIPURI.percentDecoded) }

    /// The value of a URI parameter, matched case-insensitively (`transport`, `lr`, `maddr`, …).
    /// - Parameter name: the parameter name.
    /// - Returns: the value; an empty string for a parameter without value; `nil` when absent.
    public func parameter(_ name: String) -> String? {
        parameters.first { $0.name.lowercased() == name.lowercased() }.map { $0.value ?? "" }
    }

    /// Sets, replaces or (with `nil`) removes a URI parameter.
    /// - Parameters:
    ///   - name: parameter name.
    ///   - value: new value (`""` for a flag parameter written without `=`), or `nil` to remove.
    public mutating func setParameter(_ name: String, _ value: String?) {
        let key = name.lowercased()
        if let value {
            let parameter = HeaderParameter(name: name, value: value.isEmpty ? nil : value)
            if let index = parameters.firstIndex(where: { $0.name.lowercased() == key }) {
                parameters[index] = parameter
            } else {
                parameters.append(parameter)
            }
        } else {
            parameters.removeAll { $0.name.lowercased() == key }
        }
    }

    /// `host` or `host:port`, with brackets around an IPv6 address.
    public var hostPort: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(h):\($0)" } ?? h
    }

    public var description: String {
        if let opaque { return "\(scheme):\(opaque)" }
        var text = scheme + ":"
        if let user {
            text += user
            if let password { text += ":" + password }
            text += "@"
        }
        text += hostPort
        for parameter in parameters { text += ";" + parameter.description }
        if !headers.isEmpty {
            text += "?" + headers.map { "\($0.name)=\($0.value ?? "")" }.joined(separator: "&")
        }
        return text
    }

    /// Compares two URIs by the rules of RFC 3261 §19.1.4: scheme, host and parameter names
    /// case-insensitively, user and password case-sensitively after unescaping, and the
    /// `user`, `ttl`, `method`, `maddr` and `transport` parameters when either side has them.
    /// - Parameter other: the URI to compare with.
    /// - Returns: whether the URIs are equivalent.
    public func isEquivalent(to other: SIPURI) -> Bool {
        guard scheme == other.scheme else { return false }
        guard isSIP, other.isSIP else { return opaque == other.opaque }
        guard decodedUser == other.decodedUser,
              password.map(SIPURI.percentDecoded) == other.password.map(SIPURI.percentDecoded),
              host.lowercased() == other.host.lowercased(), port == other.port else { return false }
        for name in ["user", "ttl", "method", "maddr", "transport"] {
            let a = parameter(name)?.lowercased(), b = other.parameter(name)?.lowercased()
            if (a != nil || b != nil) && a != b { return false }
        }
        for p in parameters {
            if let q = other.parameter(p.name), q.lowercased() != (p.value ?? "").lowercased() { return false }
        }
        return true
    }

    /// Decodes `%HH` escapes; an invalid escape is kept as written.
    /// - Parameter text: escaped text.
    /// - Returns: the text with escapes decoded (invalid UTF-8 is replaced, never trapped on).
    public static func percentDecoded(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
               let high = hexValue(iterator[iterator.startIndex]),
               let low = hexValue(iterator[iterator.startIndex + 1]) {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension SIPURI {
    /// Parses a URI (RFC 3261 §19.1.1, §25.1).
    ///
    /// `sip:` and `sips:` URIs are split into user, password, host (IPv4, IPv6 reference or name),
    /// port, parameters and headers; other schemes keep their text opaque.
    /// - Parameter text: the URI, without surrounding `<>`.
    /// - Throws: ``SIPParseError`` naming what is malformed.
    public init(parsing text: some StringProtocol) throws(SIPParseError) {
        let text = Substring(text)
        guard let colon = text.firstIndex(of: ":") else {
            throw SIPParseError("URI without scheme: \(text.prefix(40))")
        }
        let scheme = text[..<colon].lowercased()
        guard let first = scheme.first, first.isLetter,
              scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) else {
            throw SIPParseError("bad URI scheme '\(text[..<colon].prefix(20))'")
        }
        var rest = text[text.index(after: colon)...]
        self.scheme = scheme
        guard scheme == "sip" || scheme == "sips" else {
            guard !rest.isEmpty, !rest.contains(where: { $0 == " " || $0 == "\t" || $0 == "<" || $0 == ">" }) else {
                throw SIPParseError("malformed \(scheme) URI")
            }
            self.user = nil; self.password = nil; self.host = ""; self.port = nil
            self.parameters = []; self.headers = []; self.opaque = String(rest)
            return
        }
        self.opaque = nil
        if rest.contains(where: { $0 == " " || $0 == "\t" || $0 == "<" || $0 == ">" || $0 == "\"" }) {
            throw SIPParseError("SIP URI contains whitespace, quote or angle bracket")
        }
        // userinfo: everything up to the '@' ('@' may not appear unescaped elsewhere in a SIP URI).
        if let at = rest.firstIndex(of: "@") {
            let userinfo = rest[..<at]
            if let passwordColon = userinfo.firstIndex(of: ":") {
                user = String(userinfo[..<passwordColon])
                password = String(userinfo[userinfo.index(after: passwordColon)...])
            } else {
                user = String(userinfo)
                password = nil
            }
            if user?.isEmpty == true { throw SIPParseError("SIP URI with empty user part") }
            rest = rest[rest.index(after: at)...]
        } else {
            user = nil
            password = nil
        }
        // hostport
        var hostEnd = rest.endIndex
        if rest.first == "[" {
            guard let close = rest.firstIndex(of: "]") else { throw SIPParseError("unterminated IPv6 reference in URI") }
            let address = rest[rest.index(after: rest.startIndex)..<close]
            guard !address.isEmpty, address.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw SIPParseError("malformed IPv6 reference in URI")
            }
            host = String(address)
            hostEnd = rest.index(after: close)
        } else {
            hostEnd = rest.firstIndex { $0 == ":" || $0 == ";" || $0 == "?" } ?? rest.endIndex
            let name = rest[..<hostEnd]
            guard !name.isEmpty,
                  name.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "." || $0 == "_" }) else {
                throw SIPParseError("malformed host in SIP URI")
            }
            host = String(name)
        }
        rest = rest[hostEnd...]
        if rest.first == ":" {
            let portEnd = rest.firstIndex { $0 == ";" || $0 == "?" } ?? rest.endIndex
            let digits = rest[rest.index(after: rest.startIndex)..<portEnd]
            guard !digits.isEmpty, digits.count <= 5, let value = Int(digits), value <= 65535 else {
                throw SIPParseError("bad port in SIP URI")
            }
            port = value
            rest = rest[portEnd...]
        } else {
            port = nil
        }
        parameters = []
        headers = []
        if rest.first == ";" {
            let end = rest.firstIndex(of: "?") ?? rest.endIndex
            for item in rest[rest.index(after: rest.startIndex)..<end].split(separator: ";", omittingEmptySubsequences: false) {
                guard !item.isEmpty else { throw SIPParseError("empty URI parameter") }
                if let eq = item.firstIndex(of: "=") {
                    let name = item[..<eq]
                    guard !name.isEmpty else { throw SIPParseError("URI parameter without name") }
                    parameters.append(HeaderParameter(name: String(name), value: String(item[item.index(after: eq)...])))
                } else {
                    parameters.append(HeaderParameter(name: String(item), value: nil))
                }
            }
            rest = rest[end...]
        }
        if rest.first == "?" {
            for item in rest.dropFirst().split(separator: "&") {
                let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                headers.append(HeaderParameter(name: String(parts[0]), value: parts.count > 1 ? String(parts[1]) : ""))
            }
            rest = rest[rest.endIndex...]
        }
        if !rest.isEmpty { throw SIPParseError("unexpected text in SIP URI") }
    }
}
