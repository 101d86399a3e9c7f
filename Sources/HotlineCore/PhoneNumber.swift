import Foundation

/// A Chinese telephone number in one canonical form, so that a number written `+86 138-0013-8000`,
/// `0086 13800138000` or `13800138000` is the same number when a caller's ID is looked up.
///
/// The canonical ``digits`` are the national form as dialled inside China: mobile numbers as 11
/// digits (`13800138000`), landlines with trunk prefix `0` and area code (`01065123456`,
/// `075512345678`), service numbers as they are (`12366`, `4008123123`). An extension, if any, is
/// kept apart in ``extension``.
///
/// Number plan: mobile `1[3-9]` + 9 digits; area codes `10`, `2X` (two digits) or three digits
/// `[3-9]XX`; subscriber numbers of 7 or 8 digits; service numbers `1XXXX` (5 digits), `95XXX`(X),
/// `400`/`800` + 7 digits.
public struct PhoneNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What sort of line a number reaches.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A mobile number (`1[3-9]XXXXXXXXX`).
        case mobile
        /// A fixed line with area code.
        case landline
        /// A short or national service number (`12366`, `95566`, `400…`, `800…`).
        case service
    }

    /// The canonical national digits (see the type's description).
    public let digits: String
    /// The extension after the main number, if any (`801` in `010-65123456-801`).
    public let `extension`: String?
    /// What sort of line it is.
    public let kind: Kind

    /// Parses and normalises a number.
    ///
    /// Accepts spaces, `-`, `.`, `/` and parentheses as separators; a country prefix `+86`, `0086`
    /// or `86` (before 11 or more digits); an extension after `-`, `#`, `x`, `ext`, `转` or `分机`
    /// following a complete landline number.
    ///
    /// - Parameters:
    ///   - text: The number as written.
    ///   - defaultAreaCode: The area code (without `0`, e.g. `"10"` for Beijing) to assume for a 7- or
    ///     8-digit local landline number; without it such numbers are rejected.
    /// - Throws: ``PhoneNumberError`` saying why the text is not a usable Chinese number.
    public init(_ text: String, defaultAreaCode: String? = nil) throws(PhoneNumberError) {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .empty }

        // Split off an extension marked by words or letters.
        var main = Substring(trimmed)
        var extensionPart: String?
        let plain = trimmed.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || $0 == 32 || $0 == 45 || $0 == 43 || $0 == 40 || $0 == 41 || $0 == 46 || $0 == 47 }
        for marker in ["分机", "转", "ext.", "ext", "EXT", "x", "X", "#"] where !plain {
            if let range = main.range(of: marker) {
                extensionPart = String(main[range.upperBound...])
                main = main[..<range.lowerBound]
                break
            }
        }

        // Keep digits, remember the groups separated by separators (for a trailing "-801" extension).
        var groups: [String] = []
        var current = ""
        var hasPlus = false
        if main.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            // Fast path (the usual stored and exported form): one group of digits.
            groups = [String(main)]
        } else {
        for character in main {
            if let ascii = character.asciiValue, ascii >= 48, ascii <= 57 {
                current.append(character)
            } else if character == "+" && groups.isEmpty && current.isEmpty {
                hasPlus = true
            } else if " -./()（）\u{3000}".contains(character) {
                if !current.isEmpty { groups.append(current); current = "" }
            } else {
                throw .invalidCharacter(character)
            }
        }
        }
        if !current.isEmpty { groups.append(current) }
        guard !groups.isEmpty else { throw .empty }

        if let raw = extensionPart {
            let digitsOnly = raw.filter { $0.isASCII && $0.isNumber }
            guard !digitsOnly.isEmpty, digitsOnly.count == raw.trimmingWhitespace().count else {
                throw .invalidExtension(raw)
            }
            extensionPart = digitsOnly
        }

        var all = groups.joined()
        // Country prefix.
        if hasPlus {
            guard all.hasPrefix("86") else { throw .notChinese }
            all.removeFirst(2)
            if !all.hasPrefix("1") && !all.hasPrefix("0") && !all.hasPrefix("4") && !all.hasPrefix("8") {
                all = "0" + all
            } else if all.hasPrefix("1") && all.count != 11 {
                all = "0" + all // +86 10 …: Beijing landline
            } else if all.hasPrefix("8") && all.count != 10 {
                all = "0" + all
            }
        } else if all.hasPrefix("0086") {
            all.removeFirst(4)
            if !all.hasPrefix("1") || all.count != 11 { all = "0" + all }
        } else if all.hasPrefix("86") && all.count >= 12 && !all.hasPrefix("860") {
            let rest = all.dropFirst(2)
            if rest.hasPrefix("1") && rest.count == 11 { all = String(rest) }
            else if rest.count >= 9 { all = "0" + rest }
        }

        // A trailing group that makes the number too long is an extension ("010-65123456-801").
        if extensionPart == nil, groups.count >= 2, all.hasPrefix("0"), let last = groups.last,
           last.count <= 5, Self.landline(String(all.dropLast(last.count))) != nil {
            all.removeLast(last.count)
            extensionPart = last
        }

        if let mobile = Self.mobile(all) {
            self.digits = mobile
            self.kind = .mobile
        } else if let fixed = Self.landline(all) {
            self.digits = fixed
            self.kind = .landline
        } else if Self.isService(all) {
            self.digits = all
            self.kind = .service
        } else if (all.count == 7 || all.count == 8), !all.hasPrefix("0"), !all.hasPrefix("1") {
            guard let area = defaultAreaCode, let fixed = Self.landline("0" + area + all) else {
                throw .missingAreaCode(all)
            }
            self.digits = fixed
            self.kind = .landline
        } else if all.hasPrefix("1") {
            throw .invalidMobile(all)
        } else if all.hasPrefix("0") {
            throw .invalidLandline(all)
        } else {
            throw .unrecognised(all)
        }
        if extensionPart != nil && kind != .landline && kind != .service { throw .invalidExtension(extensionPart ?? "") }
        self.extension = extensionPart
    }

    /// The number in E.164 form (`+8613800138000`, `+861065123456`); service numbers stay national.
    public var e164: String {
        switch kind {
        case .mobile: return "+86" + digits
        case .landline: return "+86" + digits.dropFirst()
        case .service: return digits
        }
    }

    /// The canonical digits, with `-extension` (landlines) or ` 转 extension` (service numbers) when
    /// there is one; ``init(_:defaultAreaCode:)`` reads this form back.
    public var description: String {
        guard let ext = `extension` else { return digits }
        return kind == .landline ? digits + "-" + ext : digits + " 转 " + ext
    }

    /// Normalises a number if it can, for matching a caller ID against stored numbers.
    ///
    /// - Parameter text: Any number text, e.g. a SIP `From` user part.
    /// - Returns: The canonical ``digits``, or the text's digits when it is not a recognisable number.
    public static func matchKey(for text: String) -> String {
        if let number = try? PhoneNumber(text) { return number.digits }
        return text.filter { $0.isASCII && $0.isNumber }
    }

    /// Decodes a number from its text (``description`` form).
    ///
    /// - Parameter decoder: The decoder to read a string from.
    /// - Throws: `DecodingError.dataCorrupted` when the text is not a number.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try PhoneNumber(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the number as its ``description``.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static func mobile(_ digits: String) -> String? {
        let bytes = Array(digits.utf8)
        guard bytes.count == 11, bytes[0] == UInt8(ascii: "1"), bytes[1] >= UInt8(ascii: "3") else { return nil }
        return digits
    }

    private static func landline(_ digits: String) -> String? {
        let bytes = Array(digits.utf8)
        guard bytes.count >= 3, bytes[0] == UInt8(ascii: "0"), bytes[1] != UInt8(ascii: "0") else { return nil }
        let areaLength = (bytes[1] == UInt8(ascii: "1") || bytes[1] == UInt8(ascii: "2")) ? 2 : 3
        if bytes[1] == UInt8(ascii: "1") && bytes[2] != UInt8(ascii: "0") { return nil }
        let subscriber = bytes.count - 1 - areaLength
        guard subscriber == 7 || subscriber == 8 else { return nil }
        guard bytes[1 + areaLength] != UInt8(ascii: "0"), bytes[1 + areaLength] != UInt8(ascii: "1") else { return nil }
        return digits
    }

    private static func isService(_ digits: String) -> Bool {
        let count = digits.count
        if (digits.hasPrefix("400") || digits.hasPrefix("800")) && count == 10 { return true }
        if digits.hasPrefix("95") && (count == 5 || count == 6) { return true }
        if digits.hasPrefix("1") && count == 5 { return true }
        return false
    }
}

/// Why a text is not a usable ``PhoneNumber``.
public enum PhoneNumberError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing but white space.
    case empty
    /// A character that has no place in a phone number.
    case invalidCharacter(Character)
    /// An international number outside China (`+` without `86`).
    case notChinese
    /// Starts with 1 but is not an 11-digit mobile number `1[3-9]…`.
    case invalidMobile(String)
    /// Starts with 0 but is not an area code followed by 7 or 8 subscriber digits.
    case invalidLandline(String)
    /// A 7- or 8-digit local number without area code, and no default area code was given.
    case missingAreaCode(String)
    /// The extension is not made of digits, or follows a mobile number.
    case invalidExtension(String)
    /// Digits that fit no Chinese number plan.
    case unrecognised(String)

    /// A sentence explaining the problem.
    public var description: String {
        switch self {
        case .empty: return "phone number is empty"
        case .invalidCharacter(let character): return "phone number contains '\(character)'"
        case .notChinese: return "phone number is international but not Chinese (+86)"
        case .invalidMobile(let digits): return "'\(digits)' is not an 11-digit mobile number starting 13-19"
        case .invalidLandline(let digits):
            return "'\(digits)' is not a landline: expected 0, an area code and 7 or 8 digits"
        case .missingAreaCode(let digits): return "local number '\(digits)' needs an area code"
        case .invalidExtension(let text): return "extension '\(text)' is not valid (digits after a landline)"
        case .unrecognised(let digits): return "'\(digits)' is not a Chinese phone number"
        }
    }
}
