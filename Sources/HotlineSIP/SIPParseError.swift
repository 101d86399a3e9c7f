/// A SIP message that cannot be accepted, with the response it implies (RFC 3261 §8.2, §21.4).
///
/// The `reason` names the problem and the place (header, line), and is suitable as the reason
/// phrase of the error response, e.g. `400 Malformed Via header (line 2)`.
public struct SIPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The status code of the response this error implies (400, 413, 414, 505, 513, …).
    public var statusCode: Int
    /// What is wrong and where, in words fit for a reason phrase.
    public var reason: String
    /// The 1-based line of the message where the problem is, when known.
    public var line: Int?

    /// Creates an error.
    /// - Parameters:
    ///   - statusCode: the response status code this error implies; 400 by default.
    ///   - reason: what is wrong and where.
    ///   - line: the 1-based line of the problem, when known.
    public init(statusCode: Int = 400, _ reason: String, line: Int? = nil) {
        self.statusCode = statusCode
        self.reason = reason
        self.line = line
    }

    /// The reason phrase for the implied response: the reason, plus the line when known.
    public var reasonPhrase: String {
        let text = line.map { "\(reason) (line \($0))" } ?? reason
        // A reason phrase may not contain CR or LF (RFC 3261 §25.1, Reason-Phrase).
        return String(text.map { $0 == "\r" || $0 == "\n" ? " " : $0 })
    }

    public var description: String { "\(statusCode) \(reasonPhrase)" }
}
