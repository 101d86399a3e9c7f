import Crypto

/// A digest algorithm of RFC 7616 / RFC 8760.
public enum DigestAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// MD5 (what most phones, baresip among them, support).
    case md5 = "MD5"
    /// SHA-256 (RFC 8760).
    case sha256 = "SHA-256"

    /// The hex digest of a text.
    /// - Parameter text: the input.
    /// - Returns: lower-case hex.
    public func hash(_ text: String) -> String {
        switch self {
        case .md5: Insecure.MD5.hash(data: Array(text.utf8)).hexString
        case .sha256: SHA256.hash(data: Array(text.utf8)).hexString
        }
    }
}

extension Sequence where Element == UInt8 {
    var hexString: String {
        var s = ""
        for byte in self {
            let hex = String(byte, radix: 16)
            if hex.count == 1 { s += "0" }
            s += hex
        }
        return s
    }
}

/// The parameters of a `Digest` challenge or credentials (WWW-Authenticate, Authorization,
/// Proxy-Authenticate, Proxy-Authorization; RFC 3261 §22, RFC 7616 §3.3–§3.4).
public struct DigestParameters: Sendable, Hashable, CustomStringConvertible {
    /// The parameters in order, values unquoted.
    public var values: [(name: String, value: String)]

    public static func == (a: DigestParameters, b: DigestParameters) -> Bool {
        a.values.map { $0.name + "=" + $0.value } == b.values.map { $0.name + "=" + $0.value }
    }
    public func hash(into hasher: inout Hasher) { for (n, v) in values { hasher.combine(n); hasher.combine(v) } }

    /// Creates parameters.
    /// - Parameter values: name/value pairs, unquoted.
    public init(_ values: [(name: String, value: String)]) { self.values = values }

    /// A parameter's value, by case-insensitive name.
    /// - Parameter name: e.g. `nonce`.
    public subscript(name: String) -> String? {
        values.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The algorithm (MD5 when absent), or `nil` for an algorithm we do not support.
    public var algorithm: DigestAlgorithm? {
        guard let text = self["algorithm"] else { return .md5 }
        return DigestAlgorithm.allCases.first { $0.rawValue.lowercased() == text.lowercased() }
    }

    /// Parses `Digest a="b", c=d`.
    /// - Parameter text: the header value.
    /// - Throws: ``SIPParseError`` when the scheme is not Digest or a parameter is malformed.
    public init(parsing text: String) throws(SIPParseError) {
        let t = text.trimmingWhitespace()
        guard t.count > 6, t.prefix(6).lowercased() == "digest", t.dropFirst(6).first == " " || t.dropFirst(6).first == "\t" else {
            throw SIPParseError("authentication scheme is not Digest")
        }
        var values: [(name: String, value: String)] = []
        for part in try HeaderSyntax.split(t.dropFirst(6), on: ",") {
            let item = part.trimmingWhitespace()
            if item.isEmpty { continue }
            guard let eq = item.firstIndex(of: "=") else { throw SIPParseError("malformed digest parameter '\(item.prefix(20))'") }
            let name = item[..<eq].trimmingWhitespace()
            guard HeaderSyntax.isToken(name) else { throw SIPParseError("malformed digest parameter name") }
            values.append((String(name), HeaderSyntax.unquote(String(item[item.index(after: eq)...]))))
        }
        self.values = values
    }

    /// Names whose values are written without quotes (RFC 7616 §3.4).
    static let unquoted: Set<String> = ["algorithm", "nc", "stale"]

    public var description: String {
        "Digest " + values.map { (name, value) in
            DigestParameters.unquoted.contains(name.lowercased()) ? "\(name)=\(value)" : "\(name)=\(HeaderSyntax.quote(value))"
        }.joined(separator: ", ")
    }
}

/// A user name and password for answering digest challenges (UAC side, RFC 3261 §22.2).
public struct DigestCredentials: Sendable, Hashable {
    /// The user name.
    public var username: String
    /// The password.
    public var password: String

    /// Creates credentials.
    /// - Parameters:
    ///   - username: user.
    ///   - password: password.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// Answers a challenge (RFC 7616 §3.4.1 with RFC 8760's algorithms; qop=auth when offered).
    /// - Parameters:
    ///   - challenge: the parsed WWW-Authenticate/Proxy-Authenticate value.
    ///   - method: the request's method.
    ///   - uri: the request's Request-URI.
    ///   - cnonce: a fresh client nonce.
    ///   - nonceCount: how often this nonce was used (1 for the first).
    /// - Returns: the Authorization value, or `nil` when the algorithm is unsupported.
    public func authorization(for challenge: DigestParameters, method: SIPMethod, uri: SIPURI,
                              cnonce: String, nonceCount: Int = 1) -> String? {
        guard let algorithm = challenge.algorithm, let realm = challenge["realm"], let nonce = challenge["nonce"] else { return nil }
        let qops = (challenge["qop"] ?? "").split(separator: ",").map { $0.trimmingWhitespace().lowercased() }
        let useQop = qops.contains("auth")
        let ha1 = algorithm.hash("\(username):\(realm):\(password)")
        let ha2 = algorithm.hash("\(method.rawValue):\(uri)")
        let hex = String(nonceCount, radix: 16)
        let ncText = String(repeating: "0", count: max(0, 8 - hex.count)) + hex
        let response = useQop
            ? algorithm.hash("\(ha1):\(nonce):\(ncText):\(cnonce):auth:\(ha2)")
            : algorithm.hash("\(ha1):\(nonce):\(ha2)")
        var values: [(name: String, value: String)] = [
            ("username", username), ("realm", realm), ("nonce", nonce), ("uri", uri.description),
            ("response", response), ("algorithm", algorithm.rawValue),
        ]
        if useQop { values += [("qop", "auth"), ("nc", ncText), ("cnonce", cnonce)] }
        if let opaque = challenge["opaque"] { values.append(("opaque", opaque)) }
        var text = "Digest "
        text += values.map { name, value in
            (name == "algorithm" || name == "nc" || name == "qop") ? "\(name)=\(value)" : "\(name)=\(HeaderSyntax.quote(value))"
        }.joined(separator: ", ")
        return text
    }
}

/// Server-side digest authentication (RFC 3261 §22.4, RFC 7616, RFC 8760): issues challenges
/// for SHA-256 and MD5 with qop=auth, and verifies credentials. Nonces are stateless
/// (time + HMAC), expire after ``nonceLifetime`` seconds, and an expired one is answered
/// with `stale=true`.
public struct DigestAuthenticator: Sendable {
    /// The realm.
    public let realm: String
    /// Seconds a nonce stays valid.
    public let nonceLifetime: UInt64
    /// Algorithms offered, in order of preference (RFC 8760 §2.4: strongest first).
    public let algorithms: [DigestAlgorithm]
    private let secret: [UInt8]

    /// Creates an authenticator.
    /// - Parameters:
    ///   - realm: the realm shown to users.
    ///   - secret: bytes keying the nonce HMAC (random per process is fine).
    ///   - nonceLifetime: seconds a nonce is valid.
    ///   - algorithms: offered algorithms; include MD5 for phones that know nothing else.
    public init(realm: String, secret: [UInt8], nonceLifetime: UInt64 = 300,
                algorithms: [DigestAlgorithm] = [.sha256, .md5]) {
        self.realm = realm
        self.secret = secret
        self.nonceLifetime = nonceLifetime
        self.algorithms = algorithms
    }

    /// The challenge header values (one per algorithm) for a 401/407.
    /// - Parameters:
    ///   - now: the current time in seconds (from the injected clock).
    ///   - stale: whether the client's nonce had merely expired.
    /// - Returns: `WWW-Authenticate` values.
    public func challenges(now: UInt64, stale: Bool = false) -> [String] {
        let nonce = makeNonce(now: now)
        return algorithms.map { algorithm in
            var text = "Digest realm=\(HeaderSyntax.quote(realm)), nonce=\(HeaderSyntax.quote(nonce)), algorithm=\(algorithm.rawValue), qop=\"auth\""
            if stale { text += ", stale=true" }
            return text
        }
    }

    func makeNonce(now: UInt64) -> String {
        let stamp = String(now, radix: 16)
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(stamp):\(realm)".utf8), using: SymmetricKey(data: secret))
        return stamp + "." + Array(mac).prefix(16).hexString
    }

    /// The outcome of checking credentials.
    public enum Verdict: Sendable, Hashable {
        /// The credentials are right, for this user.
        case authenticated(username: String)
        /// Right password but an expired nonce: challenge again with `stale=true`.
        case stale
        /// Missing, wrong or malformed: challenge again.
        case rejected(reason: String)
    }

    /// Verifies an Authorization header value.
    /// - Parameters:
    ///   - authorization: the header value, or `nil` when absent.
    ///   - method: the request's method.
    ///   - now: the current time in seconds.
    ///   - password: looks up a user's password.
    /// - Returns: the verdict.
    public func verify(_ authorization: String?, method: SIPMethod, now: UInt64,
                       password: (String) -> String?) -> Verdict {
        guard let authorization else { return .rejected(reason: "no credentials") }
        guard let p = try? DigestParameters(parsing: authorization) else { return .rejected(reason: "malformed credentials") }
        guard let username = p["username"], let nonce = p["nonce"], let uri = p["uri"], let response = p["response"],
              p["realm"] == realm else { return .rejected(reason: "incomplete credentials") }
        guard let algorithm = p.algorithm, algorithms.contains(algorithm) else { return .rejected(reason: "unsupported algorithm") }
        // Nonce: ours and fresh?
        let parts = nonce.split(separator: ".")
        guard parts.count == 2, let stamp = UInt64(parts[0], radix: 16), makeNonce(now: stamp) == nonce else {
            return .rejected(reason: "unknown nonce")
        }
        guard let secret = password(username) else { return .rejected(reason: "unknown user") }
        let ha1 = algorithm.hash("\(username):\(realm):\(secret)")
        let ha2 = algorithm.hash("\(method.rawValue):\(uri)")
        let expected: String
        if let qop = p["qop"] {
            guard qop.lowercased() == "auth", let nc = p["nc"], let cnonce = p["cnonce"] else {
                return .rejected(reason: "unsupported qop")
            }
            expected = algorithm.hash("\(ha1):\(nonce):\(nc):\(cnonce):auth:\(ha2)")
        } else {
            expected = algorithm.hash("\(ha1):\(nonce):\(ha2)")
        }
        guard expected == response.lowercased() else { return .rejected(reason: "wrong password") }
        if now > stamp + nonceLifetime { return .stale }
        return .authenticated(username: username)
    }
}
