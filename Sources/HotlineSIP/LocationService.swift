/// One registered contact of an address of record (RFC 3261 §10.3).
public struct RegistrationBinding: Sendable, Hashable {
    /// The contact as registered (its URI is where requests for the user go).
    public var contact: NameAddress
    /// When it expires, in seconds of the injected clock.
    public var expiresAt: UInt64
    /// The Call-ID of the REGISTER that made it.
    public var callID: String
    /// The CSeq number of that REGISTER.
    public var sequence: UInt32
    /// The transport and address the REGISTER came from (for reaching phones behind NAT or over TCP).
    public var source: SIPTransportAddress?
}

/// The location service behind a registrar (RFC 3261 §10.3): bindings per address of record,
/// with expiry, multiple contacts, un-register (`Expires: 0`, `Contact: *`). A pure value; time
/// is passed in.
public struct LocationService: Sendable {
    /// Shortest accepted registration; shorter gets `423 Interval Too Brief`.
    public var minimumExpires: Int
    /// Used when the request names no expiry.
    public var defaultExpires: Int
    /// Longer requests are shortened to this.
    public var maximumExpires: Int
    private var bindings: [String: [RegistrationBinding]] = [:]

    /// Creates an empty location service.
    /// - Parameters:
    ///   - minimumExpires: seconds.
    ///   - defaultExpires: seconds.
    ///   - maximumExpires: seconds.
    public init(minimumExpires: Int = 60, defaultExpires: Int = 3600, maximumExpires: Int = 86_400) {
        self.minimumExpires = minimumExpires
        self.defaultExpires = defaultExpires
        self.maximumExpires = maximumExpires
    }

    /// The canonical address of record of a URI: `sip:user@host`, host lower-cased, no port or parameters.
    /// - Parameter uri: the To URI of a REGISTER, or a Request-URI.
    /// - Returns: the key.
    public static func addressOfRecord(_ uri: SIPURI) -> String {
        "sip:\(uri.decodedUser ?? "")@\(uri.host.lowercased())"
    }

    /// The outcome of a REGISTER.
    public enum Outcome: Sendable, Hashable {
        /// Accepted: the current bindings (put them in the 200's Contact with `expires`).
        case registered([RegistrationBinding])
        /// Refused with this status, reason and extra headers (e.g. `Min-Expires`).
        case refused(status: Int, reason: String, headers: [String: String])
    }

    /// Applies a REGISTER (RFC 3261 §10.3 steps 6–8).
    /// - Parameters:
    ///   - request: the REGISTER (authenticated already).
    ///   - source: where it came from.
    ///   - now: the current time in seconds.
    /// - Returns: the outcome.
    public mutating func register(_ request: SIPRequest, source: SIPTransportAddress? = nil, now: UInt64) -> Outcome {
        guard let to = try? request.to(), let cseq = try? request.cseq(), let callID = request.callID else {
            return .refused(status: 400, reason: "Malformed To or CSeq header", headers: [:])
        }
        let aor = Self.addressOfRecord(to.uri)
        var current = (bindings[aor] ?? []).filter { $0.expiresAt > now }
        let headerExpires = request.expires
        if request.isWildcardContact {
            guard headerExpires == 0, (try? request.headers.values("contact"))?.count == 1 else {
                return .refused(status: 400, reason: "Contact * requires Expires: 0 and no other contact", headers: [:])
            }
            if let mine = current.first(where: { $0.callID == callID }), cseq.number <= mine.sequence {
                return .refused(status: 500, reason: "Out of order REGISTER", headers: [:])
            }
            bindings[aor] = nil
            return .registered([])
        }
        let contacts: [NameAddress]
        do { contacts = try request.contacts() } catch {
            return .refused(status: 400, reason: error.reasonPhrase, headers: [:])
        }
        for contact in contacts {
            var expires = contact.parameters.value("expires").flatMap { Int($0) } ?? headerExpires ?? defaultExpires
            if expires != 0 && expires < minimumExpires {
                return .refused(status: 423, reason: "Interval Too Brief", headers: ["Min-Expires": String(minimumExpires)])
            }
            expires = min(expires, maximumExpires)
            if let index = current.firstIndex(where: { $0.contact.uri.isEquivalent(to: contact.uri) }) {
                if current[index].callID == callID && cseq.number <= current[index].sequence {
                    return .refused(status: 500, reason: "Out of order REGISTER", headers: [:])
                }
                if expires == 0 {
                    current.remove(at: index)
                } else {
                    current[index] = RegistrationBinding(contact: contact, expiresAt: now + UInt64(expires), callID: callID,
                                                         sequence: cseq.number, source: source)
                }
            } else if expires > 0 {
                current.append(RegistrationBinding(contact: contact, expiresAt: now + UInt64(expires), callID: callID,
                                                   sequence: cseq.number, source: source))
            }
        }
        bindings[aor] = current.isEmpty ? nil : current
        return .registered(current)
    }

    /// The live bindings of an address of record.
    /// - Parameters:
    ///   - aor: from ``addressOfRecord(_:)``.
    ///   - now: the current time in seconds.
    /// - Returns: unexpired bindings, most recent last.
    public func bindings(for aor: String, now: UInt64) -> [RegistrationBinding] {
        (bindings[aor] ?? []).filter { $0.expiresAt > now }
    }

    /// The live bindings of a user in any domain (for single-domain hotlines dialling by extension).
    /// - Parameters:
    ///   - user: the user part.
    ///   - now: the current time in seconds.
    /// - Returns: unexpired bindings.
    public func bindings(forUser user: String, now: UInt64) -> [RegistrationBinding] {
        bindings.filter { $0.key.hasPrefix("sip:\(user)@") }.flatMap { $0.value }.filter { $0.expiresAt > now }
    }

    /// The number of addresses of record with bindings.
    public var count: Int { bindings.count }

    /// Drops expired bindings.
    /// - Parameter now: the current time in seconds.
    public mutating func removeExpired(now: UInt64) {
        for (aor, list) in bindings {
            let live = list.filter { $0.expiresAt > now }
            if live.count != list.count { bindings[aor] = live.isEmpty ? nil : live }
        }
    }
}
