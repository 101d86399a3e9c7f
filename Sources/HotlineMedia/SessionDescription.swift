/// An SDP session description (RFC 4566): the body of a SIP INVITE/200 that describes the media.
///
/// Parsing keeps every line it does not interpret (`b=`, `i=`, `k=`, unknown types) so a description
/// serialises back without loss. Lines end in CRLF when serialised; the parser accepts CRLF or LF.
///
/// ```swift
/// let offer = try SessionDescription(parsing: body)
/// let audio = offer.media.first { $0.media == "audio" }
/// ```
public struct SessionDescription: Sendable, Hashable {
    /// `o=` (RFC 4566 §5.2): who created the session and which version of it this is.
    public struct Origin: Sendable, Hashable {
        /// The user name, `-` when there is none.
        public var username: String
        /// A numeric session identifier, unique per originator.
        public var sessionID: UInt64
        /// Incremented on every change of the session (RFC 3264 §8).
        public var sessionVersion: UInt64
        /// The originator's address (network `IN`).
        public var address: ConnectionAddress

        /// Creates an origin.
        /// - Parameters:
        ///   - username: The user name (`-` if none).
        ///   - sessionID: The session identifier.
        ///   - sessionVersion: The version.
        ///   - address: The originator's address.
        public init(username: String = "-", sessionID: UInt64, sessionVersion: UInt64, address: ConnectionAddress) {
            self.username = username
            self.sessionID = sessionID
            self.sessionVersion = sessionVersion
            self.address = address
        }
    }

    /// A `c=` address or the address part of `o=`: network type `IN`, address type `IP4`/`IP6`.
    public struct ConnectionAddress: Sendable, Hashable {
        /// `IP4` or `IP6`.
        public var addressType: String
        /// The address (a dotted quad, an IPv6 literal or a host name).
        public var address: String

        /// Creates an address.
        /// - Parameters:
        ///   - addressType: `IP4` or `IP6`.
        ///   - address: The address itself.
        public init(addressType: String = "IP4", address: String) {
            self.addressType = addressType
            self.address = address
        }

        /// Whether this is the RFC 2543 hold address `0.0.0.0` (RFC 3264 §8.4 old-style hold).
        public var isHoldAddress: Bool { address == "0.0.0.0" || address == "::" }
    }

    /// An `a=` line: a name and an optional value (`a=sendrecv`, `a=rtpmap:0 PCMU/8000`).
    public struct Attribute: Sendable, Hashable {
        /// The attribute name (before the colon).
        public var name: String
        /// The value (after the colon), or `nil` for a property attribute.
        public var value: String?

        /// Creates an attribute.
        /// - Parameters:
        ///   - name: The name.
        ///   - value: The value, or `nil` for a property attribute.
        public init(_ name: String, _ value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    /// A line this type does not interpret, kept verbatim (`b=AS:64`).
    public struct Line: Sendable, Hashable {
        /// The one-letter type.
        public var type: Character
        /// Everything after `=`.
        public var value: String

        /// Creates a line.
        /// - Parameters:
        ///   - type: The one-letter type.
        ///   - value: The text after `=`.
        public init(type: Character, value: String) {
            self.type = type
            self.value = value
        }
    }

    /// `o=`.
    public var origin: Origin
    /// `s=`; `-` when the session has no name.
    public var sessionName: String
    /// Session-level `c=`, used by media sections without their own.
    public var connection: ConnectionAddress?
    /// `t=` start time (NTP seconds; 0 for an unbounded session).
    public var startTime: UInt64
    /// `t=` stop time (NTP seconds; 0 for an unbounded session).
    public var stopTime: UInt64
    /// Session-level `a=` lines.
    public var attributes: [Attribute]
    /// Session-level lines not otherwise interpreted, in order.
    public var otherLines: [Line]
    /// The `m=` sections, in order (their positions matter in offer/answer, RFC 3264 §6).
    public var media: [MediaDescription]

    /// Creates a description.
    /// - Parameters:
    ///   - origin: `o=`.
    ///   - sessionName: `s=`.
    ///   - connection: Session-level `c=`.
    ///   - attributes: Session-level attributes.
    ///   - media: The media sections.
    public init(
        origin: Origin, sessionName: String = "-", connection: ConnectionAddress? = nil,
        attributes: [Attribute] = [], media: [MediaDescription] = []
    ) {
        self.origin = origin
        self.sessionName = sessionName
        self.connection = connection
        self.startTime = 0
        self.stopTime = 0
        self.attributes = attributes
        self.otherLines = []
        self.media = media
    }
}

/// One `m=` section of an SDP description (RFC 4566 §5.14) with its `c=` and `a=` lines.
public struct MediaDescription: Sendable, Hashable {
    /// `audio`, `video`, `image` (T.38), …
    public var media: String
    /// The transport port; 0 rejects or disables the stream (RFC 3264 §6).
    public var port: UInt16
    /// The `/n` port count, if given.
    public var portCount: Int?
    /// The transport protocol: `RTP/AVP` for plain RTP, `udptl` for T.38.
    public var transport: String
    /// The format list: payload type numbers for RTP.
    public var formats: [String]
    /// Media-level `c=`, overriding the session's.
    public var connection: SessionDescription.ConnectionAddress?
    /// Media-level attributes, in order.
    public var attributes: [SessionDescription.Attribute]
    /// Media-level lines not otherwise interpreted (`b=`, `i=`).
    public var otherLines: [SessionDescription.Line]

    /// Creates a media section.
    /// - Parameters:
    ///   - media: The media type (`audio`).
    ///   - port: The port.
    ///   - transport: The protocol (`RTP/AVP`).
    ///   - formats: Payload type numbers as text.
    ///   - connection: A media-level `c=`.
    ///   - attributes: Media-level attributes.
    public init(
        media: String = "audio", port: UInt16, transport: String = "RTP/AVP", formats: [String],
        connection: SessionDescription.ConnectionAddress? = nil, attributes: [SessionDescription.Attribute] = []
    ) {
        self.media = media
        self.port = port
        self.portCount = nil
        self.transport = transport
        self.formats = formats
        self.connection = connection
        self.attributes = attributes
        self.otherLines = []
    }

    /// The values of every attribute called `name`.
    /// - Parameter name: The attribute name.
    /// - Returns: The values (`nil` values skipped).
    public func values(of name: String) -> [String] {
        attributes.compactMap { $0.name == name ? $0.value : nil }
    }

    /// The direction attribute of this section, if one is present (RFC 4566 §6, RFC 3264 §5.1).
    public var explicitDirection: MediaDirection? {
        for attribute in attributes where attribute.value == nil {
            if let direction = MediaDirection(rawValue: attribute.name) { return direction }
        }
        return nil
    }

    /// Sets (or replaces) the direction attribute.
    /// - Parameter direction: The new direction.
    public mutating func setDirection(_ direction: MediaDirection) {
        attributes.removeAll { $0.value == nil && MediaDirection(rawValue: $0.name) != nil }
        attributes.append(.init(direction.rawValue))
    }

    /// `a=ptime` in milliseconds, if present and numeric.
    public var packetTime: Int? { values(of: "ptime").first.flatMap { Int($0.trimmingSpaces()) } }

    /// The `a=rtpmap` entry for a payload type (RFC 4566 §6): encoding name, clock rate, channels.
    /// - Parameter payloadType: The payload type.
    /// - Returns: The mapping, or `nil` when the section has no `rtpmap` for it.
    public func rtpMap(for payloadType: UInt8) -> RTPMap? {
        for value in values(of: "rtpmap") {
            guard let map = RTPMap(attributeValue: value), map.payloadType == payloadType else { continue }
            return map
        }
        return nil
    }

    /// The `a=fmtp` parameters of a payload type, or `nil`.
    /// - Parameter payloadType: The payload type.
    /// - Returns: The text after `a=fmtp:<pt> `.
    public func formatParameters(for payloadType: UInt8) -> String? {
        for value in values(of: "fmtp") {
            let parts = value.split(separator: " ", maxSplits: 1)
            if let first = parts.first, UInt8(first) == payloadType {
                return parts.count > 1 ? String(parts[1]).trimmingSpaces() : ""
            }
        }
        return nil
    }
}

/// An `a=rtpmap:<pt> <name>/<rate>[/<channels>]` entry.
public struct RTPMap: Sendable, Hashable {
    /// The payload type.
    public var payloadType: UInt8
    /// The encoding name (`PCMU`, `telephone-event`), compared case-insensitively.
    public var encodingName: String
    /// The RTP clock rate.
    public var clockRate: Int
    /// Channel count, if given.
    public var channels: Int?

    /// Creates a mapping.
    /// - Parameters:
    ///   - payloadType: The payload type.
    ///   - encodingName: The encoding name.
    ///   - clockRate: The clock rate.
    ///   - channels: The channel count, if any.
    public init(payloadType: UInt8, encodingName: String, clockRate: Int, channels: Int? = nil) {
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
    }

    /// Parses the value of an `a=rtpmap` attribute.
    /// - Parameter attributeValue: `0 PCMU/8000`.
    public init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let pt = UInt8(parts[0]), pt < 128 else { return nil }
        let fields = parts[1].trimmingSpaces().split(separator: "/")
        guard fields.count >= 2, let rate = Int(fields[1]), rate > 0 else { return nil }
        self.payloadType = pt
        self.encodingName = String(fields[0])
        self.clockRate = rate
        self.channels = fields.count > 2 ? Int(fields[2]) : nil
    }

    /// The attribute value, `0 PCMU/8000`.
    public var attributeValue: String {
        "\(payloadType) \(encodingName)/\(clockRate)" + (channels.map { "/\($0)" } ?? "")
    }
}

/// The direction of a media stream from the describing side's point of view (RFC 3264 §5.1).
public enum MediaDirection: String, Sendable, Hashable, CaseIterable {
    /// Send and receive.
    case sendrecv
    /// Send only (the describing side holds the other).
    case sendonly
    /// Receive only.
    case recvonly
    /// Neither (both held).
    case inactive

    /// Whether the describing side sends.
    public var sends: Bool { self == .sendrecv || self == .sendonly }
    /// Whether the describing side receives.
    public var receives: Bool { self == .sendrecv || self == .recvonly }

    /// The direction with the given send and receive flags.
    /// - Parameters:
    ///   - sends: Whether media is sent.
    ///   - receives: Whether media is received.
    public init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }

    /// The same stream seen from the other side: `sendonly` ⇄ `recvonly`.
    public var reversed: MediaDirection { MediaDirection(sends: receives, receives: sends) }

    /// The directions both allow (RFC 3264 §6.1: the answer may only narrow the offer's reversed direction).
    /// - Parameter other: Another direction.
    /// - Returns: Sends when both send, receives when both receive.
    public func intersection(_ other: MediaDirection) -> MediaDirection {
        MediaDirection(sends: sends && other.sends, receives: receives && other.receives)
    }
}

/// An SDP text that could not be parsed, with the line that is wrong.
public struct SDPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    /// What is wrong and what was expected.
    public var reason: String

    /// Creates an error.
    /// - Parameters:
    ///   - line: The 1-based line number.
    ///   - reason: What is wrong.
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "SDP line \(line): \(reason)" }
}

extension SessionDescription {
    /// The largest body the parser accepts; anything larger is refused rather than scanned.
    public static let maximumSize = 64 * 1024

    /// Parses an SDP body (RFC 4566 §5).
    /// - Parameter text: The body, CRLF- or LF-separated.
    /// - Throws: ``SDPParseError`` naming the first bad line: missing `v=0`/`o=`, a malformed `o=`, `c=`, `m=`
    ///   or `t=`, a line without `type=`.
    public init(parsing text: String) throws(SDPParseError) {
        guard text.utf8.count <= Self.maximumSize else {
            throw SDPParseError(line: 0, reason: "body of \(text.utf8.count) bytes exceeds \(Self.maximumSize)")
        }
        var origin: Origin?
        var sessionName = "-"
        var connection: ConnectionAddress?
        var timing: (UInt64, UInt64) = (0, 0)
        var attributes: [Attribute] = []
        var otherLines: [Line] = []
        var media: [MediaDescription] = []
        var sawVersion = false
        var lineNumber = 0
        var lastLine = 1
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.isEmpty { continue }
            lastLine = lineNumber
            guard line.count >= 2, let type = line.first, line.dropFirst().first == "=" else {
                throw SDPParseError(line: lineNumber, reason: "expected `<type>=<value>`, found \"\(line.prefix(40))\"")
            }
            let value = String(line.dropFirst(2))
            if !sawVersion {
                guard type == "v", value.trimmingSpaces() == "0" else {
                    throw SDPParseError(line: lineNumber, reason: "the first line must be `v=0`")
                }
                sawVersion = true
                continue
            }
            switch type {
            case "o":
                let fields = value.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count == 6, let id = UInt64(fields[1]), let version = UInt64(fields[2]), fields[3] == "IN"
                else {
                    throw SDPParseError(
                        line: lineNumber,
                        reason: "`o=` needs `<user> <session-id> <version> IN <IP4|IP6> <address>`")
                }
                origin = Origin(
                    username: String(fields[0]), sessionID: id, sessionVersion: version,
                    address: ConnectionAddress(addressType: String(fields[4]), address: String(fields[5])))
            case "s":
                sessionName = value
            case "c":
                let address = try Self.parseConnection(value, line: lineNumber)
                if media.isEmpty { connection = address } else { media[media.count - 1].connection = address }
            case "t":
                let fields = value.split(separator: " ")
                guard fields.count == 2, let start = UInt64(fields[0]), let stop = UInt64(fields[1]) else {
                    throw SDPParseError(line: lineNumber, reason: "`t=` needs `<start> <stop>`")
                }
                timing = (start, stop)
            case "m":
                media.append(try Self.parseMedia(value, line: lineNumber))
            case "a":
                let attribute: Attribute
                if let colon = value.firstIndex(of: ":") {
                    attribute = Attribute(String(value[..<colon]), String(value[value.index(after: colon)...]))
                } else {
                    attribute = Attribute(value)
                }
                if media.isEmpty { attributes.append(attribute) } else { media[media.count - 1].attributes.append(attribute) }
            case "v":
                throw SDPParseError(line: lineNumber, reason: "`v=` appears twice")
            default:
                let other = Line(type: type, value: value)
                if media.isEmpty { otherLines.append(other) } else { media[media.count - 1].otherLines.append(other) }
            }
        }
        guard sawVersion else { throw SDPParseError(line: 1, reason: "empty body; expected `v=0`") }
        guard let origin else { throw SDPParseError(line: lastLine, reason: "missing `o=` line") }
        self.origin = origin
        self.sessionName = sessionName
        self.connection = connection
        self.startTime = timing.0
        self.stopTime = timing.1
        self.attributes = attributes
        self.otherLines = otherLines
        self.media = media
    }

    private static func parseConnection(_ value: String, line: Int) throws(SDPParseError) -> ConnectionAddress {
        let fields = value.split(separator: " ")
        guard fields.count == 3, fields[0] == "IN", !fields[2].isEmpty else {
            throw SDPParseError(line: line, reason: "`c=` needs `IN <IP4|IP6> <address>`")
        }
        // Multicast TTL/count suffixes (`224.2.1.1/127`) are kept as part of the address.
        return ConnectionAddress(addressType: String(fields[1]), address: String(fields[2]))
    }

    private static func parseMedia(_ value: String, line: Int) throws(SDPParseError) -> MediaDescription {
        let fields = value.split(separator: " ")
        guard fields.count >= 3 else {
            throw SDPParseError(line: line, reason: "`m=` needs `<media> <port> <proto> <fmt> …`")
        }
        let portField = fields[1].split(separator: "/", maxSplits: 1)
        guard let portText = portField.first, let port = UInt16(portText) else {
            throw SDPParseError(line: line, reason: "`m=` port \"\(fields[1])\" is not a number 0–65535")
        }
        var description = MediaDescription(
            media: String(fields[0]), port: port, transport: String(fields[2]), formats: fields.dropFirst(3).map(String.init))
        if portField.count == 2 {
            guard let count = Int(portField[1]), count > 0 else {
                throw SDPParseError(line: line, reason: "`m=` port count \"\(portField[1])\" is not a positive number")
            }
            description.portCount = count
        }
        return description
    }

    /// The description as SDP text, lines ending in CRLF, in the order RFC 4566 §5 requires.
    public var text: String {
        var out = "v=0\r\n"
        out += "o=\(origin.username) \(origin.sessionID) \(origin.sessionVersion) IN \(origin.address.addressType) \(origin.address.address)\r\n"
        out += "s=\(sessionName.isEmpty ? "-" : sessionName)\r\n"
        for line in otherLines where "iuep".contains(line.type) { out += "\(line.type)=\(line.value)\r\n" }
        if let connection { out += "c=IN \(connection.addressType) \(connection.address)\r\n" }
        for line in otherLines where line.type == "b" { out += "b=\(line.value)\r\n" }
        out += "t=\(startTime) \(stopTime)\r\n"
        for line in otherLines where !"iuepb".contains(line.type) { out += "\(line.type)=\(line.value)\r\n" }
        for attribute in attributes { out += attribute.line }
        for section in media {
            let port = section.portCount.map { "\(section.port)/\($0)" } ?? "\(section.port)"
            out += "m=\(section.media) \(port) \(section.transport)"
            for format in section.formats { out += " \(format)" }
            out += "\r\n"
            for line in section.otherLines where line.type == "i" { out += "i=\(line.value)\r\n" }
            if let connection = section.connection { out += "c=IN \(connection.addressType) \(connection.address)\r\n" }
            for line in section.otherLines where line.type != "i" { out += "\(line.type)=\(line.value)\r\n" }
            for attribute in section.attributes { out += attribute.line }
        }
        return out
    }

    /// The connection address that applies to a media section: its own `c=`, else the session's.
    /// - Parameter section: A section of this description.
    /// - Returns: The address, or `nil` if neither level has one.
    public func connection(for section: MediaDescription) -> ConnectionAddress? {
        section.connection ?? connection
    }

    /// The effective direction of a media section: its own attribute, else the session-level one, else
    /// `sendrecv` (RFC 4566 §6).
    /// - Parameter section: A section of this description.
    /// - Returns: The direction.
    public func direction(of section: MediaDescription) -> MediaDirection {
        if let direction = section.explicitDirection { return direction }
        for attribute in attributes where attribute.value == nil {
            if let direction = MediaDirection(rawValue: attribute.name) { return direction }
        }
        return .sendrecv
    }
}

extension SessionDescription.Attribute {
    /// The attribute as one `a=` line with CRLF.
    fileprivate var line: String {
        if let value { "a=\(name):\(value)\r\n" } else { "a=\(name)\r\n" }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
