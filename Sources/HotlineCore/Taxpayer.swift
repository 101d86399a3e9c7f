/// A taxpayer on record (F6): who they are, how to reach them, how they pay, how they are served.
///
/// Identity is the ``number``; everything else may change. Text fields are `nil` when unknown,
/// never empty strings. The self-service PIN is held only as a ``PINHash``.
public struct Taxpayer: Sendable, Hashable, Codable, Identifiable {
    /// Whether the taxpayer is an organisation or a person.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A company or other organisation (taxpayer number: a credit code).
        case enterprise
        /// A natural person (taxpayer number: a resident identity number).
        case individual
        /// An individual business (个体工商户), registered with a credit code or the owner's identity number.
        case individualBusiness = "individual_business"
    }

    /// How the tax office groups a taxpayer for service (VIP routing, key-enterprise desks).
    public enum Category: String, Sendable, Hashable, Codable, CaseIterable {
        /// No special treatment.
        case ordinary
        /// A VIP taxpayer, routed to VIP agents.
        case vip
        /// A key enterprise (重点税源企业) with its own service desk.
        case keyEnterprise = "key_enterprise"
        /// A member of an enterprise group (集团成员).
        case groupMember = "group_member"
    }

    /// The validated taxpayer number; the record's identity.
    public var number: TaxpayerNumber
    /// The taxpayer's name: the person's name, or the organisation's short name.
    public var name: String
    /// Organisation or person.
    public var kind: Kind
    /// The registered enterprise name (organisations and individual businesses).
    public var enterpriseName: String?
    /// The legal representative (法定代表人).
    public var legalRepresentative: String?
    /// The landline number.
    public var phone: PhoneNumber?
    /// The mobile number.
    public var mobile: PhoneNumber?
    /// The e-mail address.
    public var email: String?
    /// The region (province/city/district), e.g. `北京市朝阳区`.
    public var region: String?
    /// The street address.
    public var address: String?
    /// Building (楼).
    public var building: String?
    /// Floor (层).
    public var floor: String?
    /// Room (室).
    public var room: String?
    /// The bank of the tax debit agreement.
    public var bankName: String?
    /// The debit account, masked (only the first and last four digits are kept).
    public var bankAccount: String?
    /// The service category.
    public var category: Category
    /// The competent tax office (主管税务机关).
    public var taxOffice: String?
    /// The agent assigned to this taxpayer ("first-responsible" routing), by agent ID.
    public var assignedAgent: String?
    /// The self-service PIN, hashed.
    public var pinHash: PINHash?
    /// Further attributes defined by the deployment (`custom.<key>` columns in CSV files).
    public var customFields: [String: String]

    /// The record's identity: the taxpayer number.
    public var id: TaxpayerNumber { number }

    /// Creates a taxpayer record.
    ///
    /// - Parameters:
    ///   - number: The validated taxpayer number.
    ///   - name: The name (not empty).
    ///   - kind: Organisation or person.
    ///   - enterpriseName: The registered enterprise name.
    ///   - legalRepresentative: The legal representative.
    ///   - phone: The landline.
    ///   - mobile: The mobile.
    ///   - email: The e-mail address.
    ///   - region: The region.
    ///   - address: The street address.
    ///   - building: The building.
    ///   - floor: The floor.
    ///   - room: The room.
    ///   - bankName: The debit bank.
    ///   - bankAccount: The debit account; masked by ``maskBankAccount(_:)`` before it is stored.
    ///   - category: The service category.
    ///   - taxOffice: The competent tax office.
    ///   - assignedAgent: The assigned agent's ID.
    ///   - pinHash: The hashed self-service PIN.
    ///   - customFields: Deployment-defined attributes.
    public init(
        number: TaxpayerNumber, name: String, kind: Kind, enterpriseName: String? = nil,
        legalRepresentative: String? = nil, phone: PhoneNumber? = nil, mobile: PhoneNumber? = nil,
        email: String? = nil, region: String? = nil, address: String? = nil, building: String? = nil,
        floor: String? = nil, room: String? = nil, bankName: String? = nil, bankAccount: String? = nil,
        category: Category = .ordinary, taxOffice: String? = nil, assignedAgent: String? = nil,
        pinHash: PINHash? = nil, customFields: [String: String] = [:]
    ) {
        self.number = number
        self.name = name
        self.kind = kind
        self.enterpriseName = enterpriseName
        self.legalRepresentative = legalRepresentative
        self.phone = phone
        self.mobile = mobile
        self.email = email
        self.region = region
        self.address = address
        self.building = building
        self.floor = floor
        self.room = room
        self.bankName = bankName
        self.bankAccount = bankAccount.map(Self.maskBankAccount)
        self.category = category
        self.taxOffice = taxOffice
        self.assignedAgent = assignedAgent
        self.pinHash = pinHash
        self.customFields = customFields
    }

    /// The phone numbers on record, landline first.
    public var phoneNumbers: [PhoneNumber] { [phone, mobile].compactMap { $0 } }

    /// The longest name accepted, in characters.
    public static let maximumNameLength = 200

    /// Checks the record's consistency: a name of at most ``maximumNameLength`` characters, a number of the right kind, a plausible e-mail address
    /// and well-formed custom field keys.
    ///
    /// - Returns: The problems found, each naming its field; empty when the record is valid.
    public func problems() -> [TaxpayerProblem] {
        var problems: [TaxpayerProblem] = []
        if name.trimmingWhitespace().isEmpty { problems.append(TaxpayerProblem(field: "name", reason: "name is empty")) }
        if name.count > Self.maximumNameLength {
            problems.append(TaxpayerProblem(field: "name", reason: "name is longer than \(Self.maximumNameLength) characters"))
        }
        switch (kind, number.kind) {
        case (.enterprise, .residentIdentity):
            problems.append(TaxpayerProblem(field: "taxpayer_number",
                reason: "an enterprise's taxpayer number must be a unified social credit code, not an identity number"))
        case (.individual, .unifiedSocialCreditCode):
            problems.append(TaxpayerProblem(field: "taxpayer_number",
                reason: "an individual's taxpayer number must be a resident identity number"))
        default: break
        }
        if let email, !Self.isPlausibleEmail(email) {
            problems.append(TaxpayerProblem(field: "email", reason: "'\(email)' is not an e-mail address"))
        }
        for key in customFields.keys where !Self.isValidCustomFieldKey(key) {
            problems.append(TaxpayerProblem(field: "custom.\(key)",
                reason: "custom field key must be letters, digits, '_' or '-'"))
        }
        return problems
    }

    /// Masks a bank account number: keeps the first four and last four digits, replaces the rest
    /// with `*`. Already-masked and short texts stay as they are, so masking twice changes nothing.
    ///
    /// - Parameter account: The account number as given.
    /// - Returns: The masked account.
    public static func maskBankAccount(_ account: String) -> String {
        // Fast path: ASCII digits, `*`, spaces and dashes only (the usual case), byte by byte.
        if account.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 42 || $0 == 32 || $0 == 45 }) {
            let compact = account.utf8.filter { $0 != 32 && $0 != 45 }
            guard compact.count > 8 else { return account }
            return String(decoding: compact[0..<4] + [UInt8](repeating: 42, count: compact.count - 8)
                          + compact[(compact.count - 4)...], as: UTF8.self)
        }
        let compact = account.filter { $0 != " " && $0 != "-" }
        guard compact.count > 8, compact.allSatisfy({ $0.isNumber || $0 == "*" }) else { return account }
        let characters = Array(compact)
        return String(characters[0..<4]) + String(repeating: "*", count: characters.count - 8)
            + String(characters[(characters.count - 4)...])
    }

    /// Whether a custom field key is acceptable: 1–64 ASCII letters, digits, `_` or `-`.
    ///
    /// - Parameter key: The key without the `custom.` prefix.
    /// - Returns: `true` when acceptable.
    public static func isValidCustomFieldKey(_ key: String) -> Bool {
        (1...64).contains(key.utf8.count) && key.utf8.allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 95 || byte == 45
        }
    }

    /// Whether a text looks like an e-mail address (`local@domain.tld`, no spaces).
    ///
    /// - Parameter text: The candidate.
    /// - Returns: `true` when plausible.
    public static func isPlausibleEmail(_ text: String) -> Bool {
        // Fast path for ASCII text (one pass over the bytes, no allocation); same rules as below.
        if text.utf8.allSatisfy({ $0 < 128 }) {
            var ats = 0, local = 0, domainHasDot = false
            var domainFirst: UInt8?, domainLast: UInt8?
            for byte in text.utf8 {
                if byte == 32 { return false }
                if byte == 64 { ats += 1; continue }
                if ats == 0 {
                    local += 1
                } else if ats == 1 {
                    if domainFirst == nil { domainFirst = byte }
                    domainLast = byte
                    if byte == 46 { domainHasDot = true }
                }
            }
            return ats == 1 && local > 0 && domainHasDot && domainFirst != 46 && domainLast != 46
        }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
              !parts[1].hasSuffix("."), !text.contains(" ") else { return false }
        return true
    }
}

/// One thing wrong with a ``Taxpayer`` record, naming the field (its CSV column name).
public struct TaxpayerProblem: Sendable, Hashable, CustomStringConvertible {
    /// The field, as the CSV column name (`email`, `custom.grade`).
    public var field: String
    /// What is wrong.
    public var reason: String

    /// Creates a problem report.
    ///
    /// - Parameters:
    ///   - field: The field's column name.
    ///   - reason: What is wrong.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// `field: reason`.
    public var description: String { "\(field): \(reason)" }
}
