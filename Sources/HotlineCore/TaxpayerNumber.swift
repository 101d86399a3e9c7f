/// A taxpayer's identifying number, validated: either an organisation's 18-character Unified Social
/// Credit Code (统一社会信用代码, GB 32100-2015) or an individual's 18-character resident identity
/// number (公民身份号码, GB 11643-1999).
///
/// Both kinds end in a check character computed from the first 17; a number is only ever created
/// when that check character is right, so holding a `TaxpayerNumber` means holding a well-formed one.
/// The stored text is upper-case without spaces (`91350100M000100Y43`, `11010519491231002X`).
///
/// ```swift
/// let number = try TaxpayerNumber("11010519491231002X")
/// number.kind            // .residentIdentity
/// TaxpayerNumber.validate("91350100M000100Y44")  // .failure(.checkCharacterMismatch(…))
/// ```
public struct TaxpayerNumber: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Which numbering scheme a taxpayer number follows.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// An organisation's Unified Social Credit Code (GB 32100-2015): enterprises, individual
        /// businesses, public institutions, social organisations.
        case unifiedSocialCreditCode
        /// A citizen's resident identity number (GB 11643-1999), the taxpayer number of an individual.
        case residentIdentity
    }

    /// The number as 18 upper-case characters.
    public let value: String
    /// Which scheme the number follows.
    public let kind: Kind

    /// Validates and normalises a taxpayer number.
    ///
    /// Leading and trailing white space is ignored and letters may be lower-case. An 18-character
    /// all-digit number (or 17 digits and `X`) whose GB 11643 check digit and birth date are valid is a
    /// resident identity number; otherwise the text must be a Unified Social Credit Code.
    ///
    /// - Parameter text: The number as written or keyed.
    /// - Throws: ``TaxpayerNumberError`` saying why the text is not a valid number.
    public init(_ text: String) throws(TaxpayerNumberError) {
        switch Self.validate(text) {
        case .success(let number): self = number
        case .failure(let error): throw error
        }
    }

    /// Validates a number keyed on a telephone keypad, where `*` stands for the check character `X`
    /// of a resident identity number (the usual convention of 12366 IVR menus).
    ///
    /// - Parameter digits: The keyed digits, `0`–`9` and `*`.
    /// - Throws: ``TaxpayerNumberError`` saying why the digits are not a valid number.
    public init(keypadDigits digits: String) throws(TaxpayerNumberError) {
        try self.init(String(digits.map { $0 == "*" ? "X" : $0 }))
    }

    private init(uncheckedValue value: String, kind: Kind) {
        self.value = value
        self.kind = kind
    }

    /// Checks a taxpayer number without throwing.
    ///
    /// - Parameter text: The number as written.
    /// - Returns: The normalised number, or the reason it is invalid.
    public static func validate(_ text: String) -> Result<TaxpayerNumber, TaxpayerNumberError> {
        let trimmed = text.trimmingWhitespace().uppercased()
        if trimmed.isEmpty { return .failure(.empty) }
        let characters = Array(trimmed.unicodeScalars)
        guard characters.count == 18 else { return .failure(.wrongLength(characters.count)) }

        let firstSeventeenAreDigits = characters[0..<17].allSatisfy { $0.isASCIIDigit }
        let lastIsDigitOrX = characters[17].isASCIIDigit || characters[17] == "X"
        if firstSeventeenAreDigits && lastIsDigitOrX {
            let identity = ResidentIdentityRules.check(characters)
            if case .success = identity {
                return .success(TaxpayerNumber(uncheckedValue: trimmed, kind: .residentIdentity))
            }
            // All digits: it may still be a credit code whose characters happen to be digits.
            if case .success = CreditCodeRules.check(characters) {
                return .success(TaxpayerNumber(uncheckedValue: trimmed, kind: .unifiedSocialCreditCode))
            }
            if case .failure(let error) = identity { return .failure(error) }
        }
        switch CreditCodeRules.check(characters) {
        case .success:
            return .success(TaxpayerNumber(uncheckedValue: trimmed, kind: .unifiedSocialCreditCode))
        case .failure(let error):
            return .failure(error)
        }
    }

    /// Computes the GB 32100 check character for the first 17 characters of a credit code.
    ///
    /// - Parameter first17: 17 characters from the code alphabet `0-9 A-H J-N P-R T U W-Y`.
    /// - Returns: The check character, or `nil` when the input has the wrong length or characters.
    public static func creditCodeCheckCharacter(for first17: String) -> Character? {
        let scalars = Array(first17.uppercased().unicodeScalars)
        guard scalars.count == 17 else { return nil }
        return CreditCodeRules.checkCharacter(scalars)
    }

    /// Computes the GB 11643 check digit (`0`–`9` or `X`) for the first 17 digits of an identity number.
    ///
    /// - Parameter first17: 17 ASCII digits.
    /// - Returns: The check character, or `nil` when the input is not 17 digits.
    public static func residentIdentityCheckCharacter(for first17: String) -> Character? {
        let scalars = Array(first17.unicodeScalars)
        guard scalars.count == 17, scalars.allSatisfy({ $0.isASCIIDigit }) else { return nil }
        return ResidentIdentityRules.checkCharacter(scalars)
    }

    /// For a resident identity number, the six-digit administrative division code of the place of
    /// registration (GB/T 2260); for a credit code, the division code at positions 3–8.
    public var divisionCode: String {
        let scalars = Array(value.unicodeScalars)
        let start = kind == .residentIdentity ? 0 : 2
        return String(String.UnicodeScalarView(scalars[start..<(start + 6)]))
    }

    /// The number itself.
    public var description: String { value }

    /// Orders numbers by their text.
    public static func < (lhs: TaxpayerNumber, rhs: TaxpayerNumber) -> Bool { lhs.value < rhs.value }

    /// Decodes a number from its text, validating it.
    ///
    /// - Parameter decoder: The decoder to read a single string from.
    /// - Throws: `DecodingError.dataCorrupted` when the text is not a valid taxpayer number.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        switch Self.validate(text) {
        case .success(let number): self = number
        case .failure(let error):
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the number as its text.
    ///
    /// - Parameter encoder: The encoder to write a single string to.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// Why a text is not a valid ``TaxpayerNumber``.
public enum TaxpayerNumberError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text is empty.
    case empty
    /// The text does not have 18 characters (it has the associated count).
    case wrongLength(Int)
    /// A character outside the credit-code alphabet (which has no I, O, S, V or Z) at the given
    /// 1-based position.
    case invalidCharacter(Character, position: Int)
    /// The first character is not a registration-authority code of GB 32100 (`1`–`9`, `A`–`N`, `Y`).
    case invalidRegistrationAuthority(Character)
    /// Positions 3–8 of a credit code must be the digits of an administrative division code.
    case invalidDivisionCode(String)
    /// The resident identity number's birth date (positions 7–14) is not a real calendar date.
    case invalidBirthDate(String)
    /// The check character is wrong: the number has `found` where its first 17 characters require
    /// `expected`. Usually a typing error.
    case checkCharacterMismatch(kind: TaxpayerNumber.Kind, expected: Character, found: Character)

    /// A sentence explaining the problem, for error messages and import reports.
    public var description: String {
        switch self {
        case .empty:
            return "taxpayer number is empty"
        case .wrongLength(let count):
            return "taxpayer number must have 18 characters, found \(count)"
        case .invalidCharacter(let character, let position):
            return "taxpayer number has an invalid character '\(character)' at position \(position)"
                + " (credit codes use 0-9 and A-Y without I, O, S, V, Z)"
        case .invalidRegistrationAuthority(let character):
            return "credit code starts with '\(character)', which is not a registration authority code"
                + " (1-9, A-N or Y)"
        case .invalidDivisionCode(let code):
            return "credit code positions 3-8 '\(code)' are not an administrative division code (six digits)"
        case .invalidBirthDate(let date):
            return "resident identity number has an impossible birth date \(date)"
        case .checkCharacterMismatch(let kind, let expected, let found):
            let scheme = kind == .residentIdentity
                ? "resident identity number (GB 11643)" : "unified social credit code (GB 32100)"
            return "check character of \(scheme) is '\(found)' but should be '\(expected)'"
        }
    }
}

// MARK: - GB 32100-2015

private enum CreditCodeRules {
    /// The 31-character alphabet of GB 32100 (no I, O, S, V, Z), in value order 0…30.
    static let alphabet: [Unicode.Scalar] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".unicodeScalars)
    /// Weights of positions 1…17: 3^(i-1) mod 31.
    static let weights: [Int] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    static func value(of scalar: Unicode.Scalar) -> Int? {
        alphabet.firstIndex(of: scalar)
    }

    static func checkCharacter(_ scalars: [Unicode.Scalar]) -> Character? {
        var sum = 0
        for index in 0..<17 {
            guard let value = value(of: scalars[index]) else { return nil }
            sum += value * weights[index]
        }
        let check = (31 - sum % 31) % 31
        return Character(alphabet[check])
    }

    static func check(_ scalars: [Unicode.Scalar]) -> Result<Void, TaxpayerNumberError> {
        for (index, scalar) in scalars.enumerated() where value(of: scalar) == nil {
            return .failure(.invalidCharacter(Character(scalar), position: index + 1))
        }
        let first = scalars[0]
        let authorities = "123456789ABCDEFGHJKLMNY".unicodeScalars
        guard authorities.contains(first) else { return .failure(.invalidRegistrationAuthority(Character(first))) }
        let division = scalars[2..<8]
        guard division.allSatisfy({ $0.isASCIIDigit }) else {
            return .failure(.invalidDivisionCode(String(String.UnicodeScalarView(division))))
        }
        guard let expected = checkCharacter(scalars) else { return .failure(.wrongLength(scalars.count)) }
        let found = Character(scalars[17])
        guard expected == found else {
            return .failure(.checkCharacterMismatch(kind: .unifiedSocialCreditCode, expected: expected, found: found))
        }
        return .success(())
    }
}

// MARK: - GB 11643-1999

private enum ResidentIdentityRules {
    /// Weights of positions 1…17: 2^(18-i) mod 11.
    static let weights: [Int] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

    static func checkCharacter(_ scalars: [Unicode.Scalar]) -> Character {
        var sum = 0
        for index in 0..<17 {
            sum += Int(scalars[index].value - 48) * weights[index]
        }
        let check = (12 - sum % 11) % 11
        return check == 10 ? "X" : Character(String(check))
    }

    static func check(_ scalars: [Unicode.Scalar]) -> Result<Void, TaxpayerNumberError> {
        let birth = String(String.UnicodeScalarView(scalars[6..<14]))
        guard isCalendarDate(birth) else { return .failure(.invalidBirthDate(birth)) }
        let expected = checkCharacter(scalars)
        let found = Character(scalars[17])
        guard expected == found else {
            return .failure(.checkCharacterMismatch(kind: .residentIdentity, expected: expected, found: found))
        }
        return .success(())
    }

    /// `YYYYMMDD` with a year from 1800 to 2199 and a day that exists in that month.
    static func isCalendarDate(_ text: String) -> Bool {
        guard let number = Int(text) else { return false }
        let year = number / 10_000, month = number / 100 % 100, day = number % 100
        guard (1800...2199).contains(year), (1...12).contains(month), day >= 1 else { return false }
        return day <= LocalDate.daysIn(month: month, year: year)
    }
}

extension Unicode.Scalar {
    var isASCIIDigit: Bool { value >= 48 && value <= 57 }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks (including U+3000, the
    /// ideographic space common in Chinese text).
    func trimmingWhitespace() -> String {
        // Fast path: visible ASCII at both ends.
        if let first = utf8.first, let last = utf8.last, first > 32, first < 127, last > 32, last < 127 { return self }
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        guard let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        if start == scalars.startIndex && scalars.index(after: end) == scalars.endIndex { return self }
        return String(scalars[start...end])
    }
}
