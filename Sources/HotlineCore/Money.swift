/// An exact amount of Chinese yuan (CNY), held as a whole number of fen (1 yuan = 100 fen).
///
/// Money never passes through `Double`: amounts are parsed from decimal text (`"1234.56"`), added
/// and subtracted as integers, and proportional amounts (a late-payment surcharge) are rounded
/// half-up to the fen once, at the end.
public struct Money: Sendable, Hashable, Comparable, Codable, CustomStringConvertible,
    AdditiveArithmetic, ExpressibleByIntegerLiteral {
    /// The amount in fen (hundredths of a yuan); negative for a credit or refund.
    public var fen: Int64

    /// Creates an amount from fen.
    ///
    /// - Parameter fen: Hundredths of a yuan.
    public init(fen: Int64) { self.fen = fen }

    /// Creates an amount of whole yuan.
    ///
    /// - Parameter yuan: Whole yuan.
    public init(yuan: Int64) { self.fen = yuan * 100 }

    /// Creates an amount from an integer literal, read as whole yuan.
    ///
    /// - Parameter value: Whole yuan.
    public init(integerLiteral value: Int64) { self.init(yuan: value) }

    /// Parses a decimal amount of yuan: `"1234"`, `"1234.5"`, `"-0.05"`, `"1,234.56"`, `"¥12.30"`.
    ///
    /// At most two decimals are accepted (a third would be a fraction of a fen); thousands separators
    /// `,` and a leading `¥`/`￥` are ignored.
    ///
    /// - Parameter text: The amount in yuan.
    /// - Throws: ``MoneyError`` naming the problem.
    public init(yuan text: String) throws(MoneyError) {
        var body = Substring(text.trimmingWhitespace())
        if body.first == "¥" || body.first == "￥" { body = body.dropFirst() }
        guard !body.isEmpty else { throw .empty }
        var negative = false
        if body.first == "-" { negative = true; body = body.dropFirst() } else if body.first == "+" { body = body.dropFirst() }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenPoint = false
        var seenDigit = false
        for character in body {
            if character == "," && !seenPoint { continue }
            if character == "." {
                guard !seenPoint else { throw .malformed(text) }
                seenPoint = true
                continue
            }
            guard let ascii = character.asciiValue, ascii >= 48, ascii <= 57 else { throw .malformed(text) }
            seenDigit = true
            let digit = Int64(ascii - 48)
            if seenPoint {
                fractionDigits += 1
                guard fractionDigits <= 2 else { throw .tooManyDecimals(text) }
                fraction = fraction * 10 + digit
            } else {
                let (times, overflow1) = whole.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(digit)
                guard !overflow1, !overflow2, sum <= Int64.max / 100 else { throw .outOfRange(text) }
                whole = sum
            }
        }
        guard seenDigit else { throw .malformed(text) }
        if fractionDigits == 1 { fraction *= 10 }
        let total = whole * 100 + fraction
        self.fen = negative ? -total : total
    }

    /// Zero yuan.
    public static let zero = Money(fen: 0)

    /// The amount as yuan with exactly two decimals, e.g. `"1234.50"`, `"-0.05"`.
    public var yuanText: String {
        let magnitude = fen.magnitude
        let whole = magnitude / 100
        let cents = magnitude % 100
        return (fen < 0 ? "-" : "") + "\(whole)." + (cents < 10 ? "0" : "") + "\(cents)"
    }

    /// `¥1234.50`.
    public var description: String { "¥" + yuanText }

    /// This amount times a rational factor, rounded half away from zero to the fen.
    ///
    /// - Parameters:
    ///   - numerator: The factor's numerator.
    ///   - denominator: The factor's denominator (positive).
    /// - Returns: `self × numerator ÷ denominator`, rounded to the fen.
    /// - Precondition: `denominator > 0`.
    public func multiplied(by numerator: Int64, dividedBy denominator: Int64) -> Money {
        precondition(denominator > 0, "denominator must be positive")
        let product = Int128(fen) * Int128(numerator)
        let denominator128 = Int128(denominator)
        let quotient = product / denominator128
        let remainder = product % denominator128
        var rounded = quotient
        if remainder.magnitude * 2 >= denominator128.magnitude {
            rounded += product < 0 ? -1 : 1
        }
        return Money(fen: Int64(clamping: rounded))
    }

    /// Adds two amounts.
    public static func + (lhs: Money, rhs: Money) -> Money { Money(fen: lhs.fen + rhs.fen) }
    /// Subtracts two amounts.
    public static func - (lhs: Money, rhs: Money) -> Money { Money(fen: lhs.fen - rhs.fen) }
    /// Orders amounts.
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.fen < rhs.fen }

    /// Decodes an amount stored as a whole number of fen.
    ///
    /// - Parameter decoder: The decoder to read an integer from.
    /// - Throws: Whatever the decoder throws.
    public init(from decoder: any Decoder) throws {
        self.fen = try decoder.singleValueContainer().decode(Int64.self)
    }

    /// Encodes the amount as a whole number of fen.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(fen)
    }
}

/// Why a text is not an amount of money.
public enum MoneyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing but white space.
    case empty
    /// Not a decimal number.
    case malformed(String)
    /// More than two decimals (fractions of a fen).
    case tooManyDecimals(String)
    /// Too large to hold.
    case outOfRange(String)

    /// A sentence explaining the problem.
    public var description: String {
        switch self {
        case .empty: return "amount is empty"
        case .malformed(let text): return "'\(text)' is not an amount in yuan (e.g. 1234.56)"
        case .tooManyDecimals(let text): return "'\(text)' has more than two decimals (fen are the smallest unit)"
        case .outOfRange(let text): return "'\(text)' is too large an amount"
        }
    }
}
