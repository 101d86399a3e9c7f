public import NIOCore

/// The transports this stack speaks (RFC 3261 §18). TLS is not implemented yet.
public enum SIPTransportKind: String, Sendable, Hashable, CaseIterable {
    /// UDP: unreliable; transactions retransmit.
    case udp = "UDP"
    /// TCP: reliable, stream-framed by Content-Length.
    case tcp = "TCP"

    /// Whether the transport is reliable (no retransmissions, RFC 3261 §17.1.1.2).
    public var isReliable: Bool { self == .tcp }
}

/// Where a message came from or goes to: a transport and a socket address.
public struct SIPTransportAddress: Sendable, Hashable, CustomStringConvertible {
    /// The transport.
    public var transport: SIPTransportKind
    /// The remote socket address.
    public var address: SocketAddress

    /// Creates an address.
    /// - Parameters:
    ///   - transport: UDP or TCP.
    ///   - address: the socket address.
    public init(transport: SIPTransportKind, address: SocketAddress) {
        self.transport = transport
        self.address = address
    }

    /// Creates an address from an IP literal and port.
    /// - Parameters:
    ///   - transport: UDP or TCP.
    ///   - host: an IPv4 or IPv6 literal (names are not resolved: no DNS here).
    ///   - port: the port.
    /// - Throws: when `host` is not an IP literal.
    public init(transport: SIPTransportKind, host: String, port: Int) throws {
        self.transport = transport
        self.address = try SocketAddress(ipAddress: host, port: port)
    }

    /// The IP address as text.
    public var host: String { address.ipAddress ?? "" }
    /// The port.
    public var port: Int { address.port ?? 0 }

    public var description: String { "\(transport.rawValue) \(address.ipAddress ?? "?"):\(address.port ?? 0)" }

    /// The destination of a request to `uri` (RFC 3263 without DNS): its `maddr` or host, its port
    /// or 5060, and its `transport` parameter or UDP.
    /// - Parameter uri: a SIP URI whose host is an IP literal.
    /// - Throws: ``SIPParseError`` when the host is a name (no resolver in this stack) or the URI is not SIP.
    public init(uri: SIPURI) throws(SIPParseError) {
        guard uri.isSIP else { throw SIPParseError(statusCode: 416, "cannot route a \(uri.scheme) URI") }
        let transport: SIPTransportKind = uri.parameter("transport")?.lowercased() == "tcp" ? .tcp : .udp
        let host = uri.parameter("maddr") ?? uri.host
        do {
            self.init(transport: transport, address: try SocketAddress(ipAddress: host, port: uri.port ?? 5060))
        } catch {
            throw SIPParseError(statusCode: 503, "cannot resolve host '\(host)' (IP literals only)")
        }
    }
}
