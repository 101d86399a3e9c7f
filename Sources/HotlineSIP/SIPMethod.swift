/// A SIP request method (RFC 3261 §7.1, §27.4). Unknown methods are kept verbatim, so a request
/// with an extension method survives parsing and serialisation unchanged.
public struct SIPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The method token exactly as written (methods are case-sensitive, RFC 3261 §7.1).
    public let rawValue: String

    /// Creates a method from its token.
    /// - Parameter rawValue: the method token, e.g. `INVITE`.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Creates a method from its token.
    /// - Parameter rawValue: the method token, e.g. `INVITE`.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    /// `INVITE` (RFC 3261 §13).
    public static let invite = SIPMethod("INVITE")
    /// `ACK` (RFC 3261 §13.2.2.4, §17.1.1.3).
    public static let ack = SIPMethod("ACK")
    /// `BYE` (RFC 3261 §15).
    public static let bye = SIPMethod("BYE")
    /// `CANCEL` (RFC 3261 §9).
    public static let cancel = SIPMethod("CANCEL")
    /// `OPTIONS` (RFC 3261 §11).
    public static let options = SIPMethod("OPTIONS")
    /// `REGISTER` (RFC 3261 §10).
    public static let register = SIPMethod("REGISTER")
    /// `INFO` (RFC 6086).
    public static let info = SIPMethod("INFO")
    /// `UPDATE` (RFC 3311).
    public static let update = SIPMethod("UPDATE")
    /// `PRACK` (RFC 3262).
    public static let prack = SIPMethod("PRACK")
    /// `REFER` (RFC 3515).
    public static let refer = SIPMethod("REFER")
    /// `NOTIFY` (RFC 6665).
    public static let notify = SIPMethod("NOTIFY")
    /// `SUBSCRIBE` (RFC 6665).
    public static let subscribe = SIPMethod("SUBSCRIBE")
    /// `MESSAGE` (RFC 3428).
    public static let message = SIPMethod("MESSAGE")
}
