import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension ServerConfiguration {
    /// The outbound SIP trunk (the "PSTN" side): where click-to-dial, call-backs and transfers to external
    /// numbers go. Optional: without it those actions answer `422 cti_unavailable`.
    ///
    /// ```yaml
    /// trunk:
    ///   host: 192.0.2.10        # an IP address, or a name resolved once at start (A/AAAA, no SRV)
    ///   port: 5060
    ///   transport: udp          # or tcp
    ///   username: hotline12366  # digest credentials for 401/407 challenges and REGISTER
    ///   password: s3cret
    ///   register: true          # keep a registration with the trunk alive
    ///   register-expires: 600
    ///   caller-id: "12366"      # the From user of outbound calls
    ///   prefix: "0"             # prepended to every dialled number
    ///   answer-timeout: 60      # seconds the far end may ring before the call is given up
    /// ```
    public struct Trunk: Sendable, Hashable, Codable {
        /// The trunk's address: an IPv4 or IPv6 literal.
        public var host: String
        /// The trunk's SIP port.
        public var port: Int
        /// `udp` or `tcp`.
        public var transport: String
        /// The digest user name (also the user part of the registered address of record).
        public var username: String?
        /// The digest password.
        public var password: String?
        /// Whether the server registers with the trunk (refreshing at half the granted interval).
        public var register: Bool
        /// The registration interval asked for, in seconds.
        public var registerExpires: Int
        /// The calling number presented on outbound calls (the From user); the user name when absent.
        public var callerID: String?
        /// Digits prepended to every dialled number (an outside-line prefix).
        public var prefix: String
        /// Seconds the far end may ring before the outbound call (or external transfer) is given up.
        public var answerTimeout: Int

        /// Creates trunk settings.
        /// - Parameters:
        ///   - host: The trunk's IP address or host name.
        ///   - port: Its port.
        ///   - transport: `udp` or `tcp`.
        ///   - username: The digest user name.
        ///   - password: The digest password.
        ///   - register: Whether to register.
        ///   - registerExpires: The registration interval in seconds.
        ///   - callerID: The presented calling number.
        ///   - prefix: Digits prepended to dialled numbers.
        ///   - answerTimeout: Seconds the far end may ring.
        public init(host: String, port: Int = 5060, transport: String = "udp", username: String? = nil, password: String? = nil,
                    register: Bool = false, registerExpires: Int = 600, callerID: String? = nil, prefix: String = "",
                    answerTimeout: Int = 60) {
            self.host = host
            self.port = port
            self.transport = transport
            self.username = username
            self.password = password
            self.register = register
            self.registerExpires = registerExpires
            self.callerID = callerID
            self.prefix = prefix
            self.answerTimeout = answerTimeout
        }

        enum CodingKeys: String, CodingKey {
            case host, port, transport, username, password, register, prefix
            case registerExpires = "register-expires"
            case callerID = "caller-id"
            case answerTimeout = "answer-timeout"
        }

        /// Decodes the settings; missing fields other than `host` take their defaults.
        /// - Parameter decoder: The decoder.
        /// - Throws: `DecodingError` for a missing host or a field of the wrong type.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let host = try c.decode(String.self, forKey: .host)
            let d = Trunk(host: host)
            self.host = host
            port = try c.decodeIfPresent(Int.self, forKey: .port) ?? d.port
            transport = try c.decodeIfPresent(String.self, forKey: .transport) ?? d.transport
            username = try c.decodeIfPresent(String.self, forKey: .username)
            password = try c.decodeIfPresent(String.self, forKey: .password)
            register = try c.decodeIfPresent(Bool.self, forKey: .register) ?? d.register
            registerExpires = try c.decodeIfPresent(Int.self, forKey: .registerExpires) ?? d.registerExpires
            callerID = try c.decodeIfPresent(String.self, forKey: .callerID)
            prefix = try c.decodeIfPresent(String.self, forKey: .prefix) ?? d.prefix
            answerTimeout = try c.decodeIfPresent(Int.self, forKey: .answerTimeout) ?? d.answerTimeout
        }

        /// The presented calling number: the caller ID, else the user name, else `hotline`.
        var presentedNumber: String { callerID ?? username ?? "hotline" }

        /// Checks the settings.
        /// - Parameter file: The file name used in messages.
        /// - Throws: ``ServerConfigurationError`` naming the field.
        func validate(file: String) throws {
            guard SocketAddressCheck.isIPLiteral(host) || SocketAddressCheck.isHostName(host) else {
                throw ServerConfigurationError(message: "\(file): trunk.host: '\(host)' is neither an IP address nor a host name")
            }
            guard (1...65535).contains(port) else {
                throw ServerConfigurationError(message: "\(file): trunk.port: \(port) is not a port")
            }
            guard transport == "udp" || transport == "tcp" else {
                throw ServerConfigurationError(message: "\(file): trunk.transport: '\(transport)' is neither udp nor tcp")
            }
            if (username == nil) != (password == nil) {
                throw ServerConfigurationError(message: "\(file): trunk: username and password go together")
            }
            if register && username == nil {
                throw ServerConfigurationError(message: "\(file): trunk.register: registering needs a username and password")
            }
            guard registerExpires >= 60 else {
                throw ServerConfigurationError(message: "\(file): trunk.register-expires: \(registerExpires) is below 60 seconds")
            }
            guard (5...600).contains(answerTimeout) else {
                throw ServerConfigurationError(message: "\(file): trunk.answer-timeout: \(answerTimeout) is not 5–600 seconds")
            }
            guard prefix.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "*" || $0 == "#" || $0 == "+") }) else {
                throw ServerConfigurationError(message: "\(file): trunk.prefix: '\(prefix)' must be digits")
            }
        }
    }
}

/// Whether a host text is an IPv4 or IPv6 literal.
enum SocketAddressCheck {
    static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// Whether a host text is a host name (RFC 1123): dot-separated labels of 1–63 letters, digits and
    /// hyphens, not starting or ending with a hyphen, 253 characters at most.
    static func isHostName(_ host: String) -> Bool {
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return !host.isEmpty && host.utf8.count <= 253 && labels.allSatisfy { label in
            (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
