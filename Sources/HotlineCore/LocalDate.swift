/// A calendar day in the proleptic Gregorian calendar, without time or time zone: a bill's due date,
/// the day "as of" which arrears are computed.
///
/// Kept as plain numbers so that date arithmetic (days between due date and today) is exact and does
/// not depend on the machine's time zone. Text form is ISO 8601 `YYYY-MM-DD`.
public struct LocalDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The year, e.g. 2026.
    public let year: Int
    /// The month, 1–12.
    public let month: Int
    /// The day of the month, 1–31.
    public let day: Int

    /// Creates a date from its parts, or `nil` when the day does not exist.
    ///
    /// - Parameters:
    ///   - year: The year (1–9999).
    ///   - month: The month, 1–12.
    ///   - day: The day of the month.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
              day <= Self.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    ///
    /// - Parameter text: The date in ISO 8601 calendar form.
    /// - Returns: The date, or `nil` when the text is not a real `YYYY-MM-DD` date.
    public init?(_ text: String) {
        let parts = text.trimmingWhitespace().split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Creates the date that lies the given number of days after 1970-01-01.
    ///
    /// - Parameter daysSinceEpoch: Days since 1970-01-01 (negative before it).
    public init(daysSinceEpoch: Int) {
        // Civil-from-days (H. Hinnant's public-domain date algorithms).
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01 (negative before it).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date the given number of days later (earlier when negative).
    ///
    /// - Parameter days: Days to add.
    /// - Returns: The shifted date.
    public func adding(days: Int) -> LocalDate { LocalDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// Whole days from this date to another (positive when `other` is later).
    ///
    /// - Parameter other: The later date.
    /// - Returns: `other - self` in days.
    public func days(until other: LocalDate) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    /// `YYYY-MM-DD`.
    public var description: String {
        "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))"
    }

    /// Orders dates chronologically.
    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    /// Decodes `YYYY-MM-DD`.
    ///
    /// - Parameter decoder: The decoder to read a string from.
    /// - Throws: `DecodingError.dataCorrupted` when the text is not a date.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = LocalDate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a YYYY-MM-DD date")
        }
        self = date
    }

    /// Encodes the date as `YYYY-MM-DD`.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The number of days in a month of a year.
    ///
    /// - Parameters:
    ///   - month: 1–12.
    ///   - year: The year (leap years by the Gregorian rule).
    /// - Returns: 28–31.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

/// A tax period of one month (`YYYY-MM`), the period a ``TaxBill`` is for.
public struct BillingPeriod: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The year.
    public let year: Int
    /// The month, 1–12.
    public let month: Int

    /// Creates a period, or `nil` when the month is not 1–12.
    ///
    /// - Parameters:
    ///   - year: The year (1–9999).
    ///   - month: The month, 1–12.
    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM`.
    ///
    /// - Parameter text: The period.
    /// - Returns: The period, or `nil` when the text is not `YYYY-MM`.
    public init?(_ text: String) {
        let parts = text.trimmingWhitespace().split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]) else { return nil }
        self.init(year: year, month: month)
    }

    /// `YYYY-MM`.
    public var description: String { "\(LocalDate.pad(year, 4))-\(LocalDate.pad(month, 2))" }

    /// The following month.
    public var next: BillingPeriod {
        month == 12 ? BillingPeriod(uncheckedYear: year + 1, month: 1) : BillingPeriod(uncheckedYear: year, month: month + 1)
    }

    /// The preceding month.
    public var previous: BillingPeriod {
        month == 1 ? BillingPeriod(uncheckedYear: year - 1, month: 12) : BillingPeriod(uncheckedYear: year, month: month - 1)
    }

    private init(uncheckedYear year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// Orders periods chronologically.
    public static func < (lhs: BillingPeriod, rhs: BillingPeriod) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }

    /// Decodes `YYYY-MM`.
    ///
    /// - Parameter decoder: The decoder to read a string from.
    /// - Throws: `DecodingError.dataCorrupted` when the text is not a period.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let period = BillingPeriod(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a YYYY-MM period")
        }
        self = period
    }

    /// Encodes the period as `YYYY-MM`.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
