/// One header field line: its name and value as received (RFC 3261 §7.3).
///
/// A received field keeps its original text (including line folding), so serialising a message
/// that was parsed reproduces its headers byte for byte unless they are changed.
public struct SIPHeaderField: Sendable, Hashable {
    /// The name as written (`Via`, `v`, `CALL-ID`, `X-Custom`, …).
    public let name: String
    /// The value, unfolded and trimmed.
    public let value: String
    /// The canonical key: the long form in lower case (`v` → `via`).
    let key: String
    /// The original line(s) as received, without the final CRLF; `nil` for fields built in code.
    let original: String?

    /// Creates a field.
    /// - Parameters:
    ///   - name: the header name.
    ///   - value: the value.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
        self.key = SIPHeaders.canonicalKey(name)
        self.original = nil
    }

    init(name: String, value: String, original: String) {
        self.name = name
        self.value = value
        self.key = SIPHeaders.canonicalKey(name)
        self.original = original
    }
}

/// The ordered header fields of a SIP message, looked up case-insensitively with compact forms
/// (RFC 3261 §7.3.1, §7.3.3, §20).
public struct SIPHeaders: Sendable, Hashable, Sequence {
    /// The fields in order.
    public internal(set) var fields: [SIPHeaderField]

    /// Creates an empty list.
    public init() { fields = [] }

    /// Creates a list from name/value pairs.
    /// - Parameter pairs: `(name, value)` in order.
    public init(_ pairs: [(String, String)]) { fields = pairs.map { SIPHeaderField(name: $0.0, value: $0.1) } }

    init(fields: [SIPHeaderField]) { self.fields = fields }

    public func makeIterator() -> IndexingIterator<[SIPHeaderField]> { fields.makeIterator() }

    /// The value of the first field with this name (compact forms and case ignored).
    /// - Parameter name: a header name, long or compact.
    public subscript(name: String) -> String? {
        let key = SIPHeaders.canonicalKey(name)
        return fields.first { $0.key == key }?.value
    }

    /// Whether a field with this name is present.
    /// - Parameter name: header name.
    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// All values of this header: every field, and for list headers (Via, Contact, Route,
    /// Allow, Supported, …) every comma-separated element (RFC 3261 §7.3.1).
    /// - Parameter name: header name.
    /// - Throws: ``SIPParseError`` when a quoted string or `<` is not closed.
    /// - Returns: the values trimmed, in order.
    public func values(_ name: String) throws(SIPParseError) -> [String] {
        let key = SIPHeaders.canonicalKey(name)
        var result: [String] = []
        for field in fields where field.key == key {
            if SIPHeaders.listKeys.contains(key) {
                for part in try HeaderSyntax.split(field.value[...], on: ",") {
                    let t = part.trimmingWhitespace()
                    if !t.isEmpty { result.append(String(t)) }
                }
            } else {
                result.append(field.value)
            }
        }
        return result
    }

    /// Appends a field.
    /// - Parameters:
    ///   - name: header name.
    ///   - value: value.
    public mutating func add(_ name: String, _ value: String) { fields.append(SIPHeaderField(name: name, value: value)) }

    /// Inserts a field before all fields of the same name (or first, when there is none), as a
    /// new topmost Via or Record-Route.
    /// - Parameters:
    ///   - name: header name.
    ///   - value: value.
    public mutating func addFirst(_ name: String, _ value: String) {
        let key = SIPHeaders.canonicalKey(name)
        let index = fields.firstIndex { $0.key == key } ?? 0
        fields.insert(SIPHeaderField(name: name, value: value), at: index)
    }

    /// Replaces all fields of this name by one field (at the place of the first one).
    /// - Parameters:
    ///   - name: header name.
    ///   - value: the new value, or `nil` to remove every field of this name.
    public mutating func set(_ name: String, _ value: String?) {
        let key = SIPHeaders.canonicalKey(name)
        let index = fields.firstIndex { $0.key == key }
        fields.removeAll { $0.key == key }
        if let value { fields.insert(SIPHeaderField(name: name, value: value), at: index ?? fields.count) }
    }

    /// Removes every field of this name.
    /// - Parameter name: header name.
    public mutating func remove(_ name: String) { set(name, nil) }

    /// Removes the first element of a list header (the topmost Via, say), keeping the others.
    /// - Parameter name: a list header name.
    /// - Throws: ``SIPParseError`` when the header value is malformed.
    public mutating func removeFirstValue(_ name: String) throws(SIPParseError) {
        let key = SIPHeaders.canonicalKey(name)
        guard let index = fields.firstIndex(where: { $0.key == key }) else { return }
        let parts = try HeaderSyntax.split(fields[index].value[...], on: ",")
        if parts.count <= 1 {
            fields.remove(at: index)
        } else {
            let rest = parts.dropFirst().map { $0.trimmingWhitespace() }.joined(separator: ", ")
            fields[index] = SIPHeaderField(name: fields[index].name, value: rest)
        }
    }

    /// Replaces the first element of a list header, keeping the others as written.
    mutating func replaceFirstValue(_ name: String, with value: String) throws(SIPParseError) {
        let key = SIPHeaders.canonicalKey(name)
        guard let index = fields.firstIndex(where: { $0.key == key }) else { return }
        let parts = try HeaderSyntax.split(fields[index].value[...], on: ",")
        let rest = parts.dropFirst().map { String($0.trimmingWhitespace()) }
        fields[index] = SIPHeaderField(name: fields[index].name, value: ([value] + rest).joined(separator: ", "))
    }

    /// Headers whose values are comma-separated lists (RFC 3261 §7.3.1).
    static let listKeys: Set<String> = [
        "via", "contact", "route", "record-route", "allow", "supported", "require", "proxy-require",
        "unsupported", "accept", "accept-encoding", "accept-language", "content-encoding", "allow-events",
        "path", "service-route", "in-reply-to", "alert-info", "call-info", "error-info", "warning",
        "content-language", "reply-to",
    ]

    /// The long form, lower-cased, of a header name (RFC 3261 §7.3.3 and the IANA compact forms).
    /// - Parameter name: a header name.
    /// - Returns: the canonical key.
    static func canonicalKey(_ name: String) -> String {
        if name.utf8.count == 1, let b = name.utf8.first {
            switch b | 0x20 {
            case UInt8(ascii: "i"): return "call-id"
            case UInt8(ascii: "m"): return "contact"
            case UInt8(ascii: "e"): return "content-encoding"
            case UInt8(ascii: "l"): return "content-length"
            case UInt8(ascii: "c"): return "content-type"
            case UInt8(ascii: "f"): return "from"
            case UInt8(ascii: "s"): return "subject"
            case UInt8(ascii: "k"): return "supported"
            case UInt8(ascii: "t"): return "to"
            case UInt8(ascii: "v"): return "via"
            case UInt8(ascii: "o"): return "event"
            case UInt8(ascii: "r"): return "refer-to"
            case UInt8(ascii: "b"): return "referred-by"
            case UInt8(ascii: "u"): return "allow-events"
            case UInt8(ascii: "x"): return "session-expires"
            case UInt8(ascii: "a"): return "accept-contact"
            case UInt8(ascii: "j"): return "reject-contact"
            case UInt8(ascii: "d"): return "request-disposition"
            case UInt8(ascii: "y"): return "identity"
            default: break
            }
        }
        // Fast path: already lower case.
        if !name.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) { return name }
        return name.lowercased()
    }
}
