/// One `;name=value` parameter of a header or URI (RFC 3261 §7.3.1, §19.1.1), kept as written.
public struct HeaderParameter: Sendable, Hashable, CustomStringConvertible {
    /// The parameter name as written (compare case-insensitively).
    public var name: String
    /// The value as written (a quoted value keeps its quotes); `nil` for a flag such as `;lr`.
    public var value: String?

    /// Creates a parameter.
    /// - Parameters:
    ///   - name: the name.
    ///   - value: the value as it should be written, or `nil` for a flag.
    public init(name: String, value: String?) {
        self.name = name
        self.value = value
    }

    /// The value with surrounding quotes and `\`-escapes removed.
    public var unquotedValue: String? { value.map(HeaderSyntax.unquote) }

    public var description: String { value.map { "\(name)=\($0)" } ?? name }
}

extension Array where Element == HeaderParameter {
    /// The value of the first parameter with this name (case-insensitive): `""` for a flag,
    /// `nil` when absent. Quoted values are unquoted.
    /// - Parameter name: parameter name.
    /// - Returns: the value.
    public func value(_ name: String) -> String? {
        for p in self where p.name.count == name.count && p.name.lowercased() == name.lowercased() {
            return p.unquotedValue ?? ""
        }
        return nil
    }

    /// Sets, replaces, or (with `nil`) removes a parameter.
    /// - Parameters:
    ///   - name: parameter name.
    ///   - value: value as written, `""` for a flag, or `nil` to remove.
    public mutating func set(_ name: String, _ value: String?) {
        let key = name.lowercased()
        guard let value else { removeAll { $0.name.lowercased() == key }; return }
        let parameter = HeaderParameter(name: name, value: value.isEmpty ? nil : value)
        if let index = firstIndex(where: { $0.name.lowercased() == key }) { self[index] = parameter } else { append(parameter) }
    }
}

/// Lexical helpers for header values (RFC 3261 §25.1): quoted strings, lists, parameters.
enum HeaderSyntax {
    /// Removes surrounding quotes and quoted-pair escapes; unquoted text is returned trimmed.
    static func unquote(_ text: String) -> String {
        let t = text.trimmingWhitespace()
        guard t.count >= 2, t.first == "\"", t.last == "\"" else { return String(t) }
        var out = ""
        var escaped = false
        for c in t.dropFirst().dropLast() {
            if escaped { out.append(c); escaped = false } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }

    /// Quotes a string, escaping `"` and `\`.
    static func quote(_ text: String) -> String {
        var out = "\""
        for c in text {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }

    /// Splits `text` at `separator` where it is outside quoted strings and `<…>`.
    /// - Throws: an error when a quoted string or angle bracket is not closed.
    static func split(_ text: Substring, on separator: Character) throws(SIPParseError) -> [Substring] {
        var parts: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        var inQuotes = false, inAngle = false, escaped = false
        while index < text.endIndex {
            let c = text[index]
            if inQuotes {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inQuotes = false }
            } else if inAngle {
                if c == ">" { inAngle = false }
            } else if c == "\"" {
                inQuotes = true
            } else if c == "<" {
                inAngle = true
            } else if c == separator {
                parts.append(text[start..<index])
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        if inQuotes { throw SIPParseError("unterminated quoted string") }
        if inAngle { throw SIPParseError("unterminated '<'") }
        parts.append(text[start...])
        return parts
    }

    /// Parses `;a=b;c;d="x;y"` (the text after the first `;`, or empty).
    static func parameters(_ text: Substring) throws(SIPParseError) -> [HeaderParameter] {
        var result: [HeaderParameter] = []
        for item in try split(text, on: ";") {
            let item = item.trimmingWhitespace()
            guard !item.isEmpty else { throw SIPParseError("empty parameter") }
            if let eq = item.firstIndex(of: "=") {
                let name = item[..<eq].trimmingWhitespace()
                let value = item[item.index(after: eq)...].trimmingWhitespace()
                guard isToken(name) else { throw SIPParseError("bad parameter name '\(name.prefix(20))'") }
                if value.first == "\"" && (value.count < 2 || value.last != "\"") {
                    throw SIPParseError("unterminated quoted parameter value")
                }
                result.append(HeaderParameter(name: String(name), value: String(value)))
            } else {
                guard isToken(item) else { throw SIPParseError("bad parameter '\(item.prefix(20))'") }
                result.append(HeaderParameter(name: String(item), value: nil))
            }
        }
        return result
    }

    /// Whether `text` is a non-empty RFC 3261 `token`.
    static func isToken(_ text: some StringProtocol) -> Bool {
        guard !text.isEmpty else { return false }
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                continue
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "*"),
                 UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "`"), UInt8(ascii: "'"), UInt8(ascii: "~"):
                continue
            default:
                return false
            }
        }
        return true
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (and CR/LF).
    func trimmingWhitespace() -> SubSequence {
        var start = startIndex, end = endIndex
        while start < end, self[start] == " " || self[start] == "\t" || self[start] == "\r\n" || self[start] == "\n" || self[start] == "\r" { start = index(after: start) }
        while end > start {
            let before = index(before: end)
            let c = self[before]
            if c == " " || c == "\t" || c == "\r\n" || c == "\n" || c == "\r" { end = before } else { break }
        }
        return self[start..<end]
    }
}
