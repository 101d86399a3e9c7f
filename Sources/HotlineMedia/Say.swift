import Foundation

/// One recorded word or syllable that "say" functions string together: a file `KEY.wav` in the
/// language's prompt directory, and the text it speaks.
public struct Fragment: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file name without `.wav`, ASCII (e.g. `wan` for 万, `thirty`).
    public var key: String
    /// What the fragment says (万, "thirty").
    public var text: String

    /// Creates a fragment.
    /// - Parameters:
    ///   - key: the file name without extension.
    ///   - text: the words spoken.
    public init(key: String, text: String) {
        self.key = key
        self.text = text
    }

    /// The text.
    public var description: String { text }
}

/// Why a value could not be spoken.
public struct SayError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong with the value, quoting it.
    public var message: String

    /// Creates an error.
    /// - Parameter message: what was wrong, quoting the value.
    public init(message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// "Say" functions: numbers, digit strings, money, dates and durations as sequences of recorded
/// fragments, in Mandarin and English.
///
/// Mandarin follows the usual reading rules: groups of four digits with 万 and 亿; one 零 for any run
/// of zeros inside a number (1005 → 一千零五, 100010 → 十万零一十); 十 not 一十 at the start; money in
/// 元/角/分 with 零 before 分 when 角 is zero (1005.07 → 一千零五元零七分) and 整 for whole amounts.
/// English reads "one thousand two hundred thirty-four", money as "… yuan and fifty-six cents",
/// dates as "March fifth, two thousand twenty-six".
public enum Say {
    /// The largest number the say functions read: 999,999,999,999.
    public static let maximumNumber = 999_999_999_999

    /// Reads a whole number.
    /// - Parameters:
    ///   - number: 0 … `maximumNumber` (negative numbers are read with 负 / "minus").
    ///   - language: Mandarin or English.
    /// - Returns: the fragments, in order.
    /// - Throws: `SayError` when the number is out of range.
    public static func number(_ number: Int, language: SpokenLanguage) throws -> [Fragment] {
        guard abs(number) <= maximumNumber, number != Int.min else {
            throw SayError(message: "number \(number) is out of range: at most \(maximumNumber) can be read")
        }
        let sign: [Fragment] = number < 0 ? [language == .mandarin ? Mandarin.fu : English.minus] : []
        switch language {
        case .mandarin: return sign + Mandarin.number(abs(number))
        case .english: return sign + English.number(abs(number))
        }
    }

    /// Reads a string of digits one by one (phone numbers, taxpayer IDs, confirmation codes).
    /// - Parameters:
    ///   - digits: `0`–`9`, `*`, `#` (spaces and dashes are skipped).
    ///   - language: Mandarin or English.
    /// - Returns: one fragment per digit.
    /// - Throws: `SayError` naming the first character that is not a digit.
    public static func digits(_ digits: String, language: SpokenLanguage) throws -> [Fragment] {
        var fragments: [Fragment] = []
        for (position, character) in digits.enumerated() {
            if character == " " || character == "-" { continue }
            if let value = character.wholeNumberValue, character.isASCII {
                fragments.append(language == .mandarin ? Mandarin.digits[value] : English.ones[value])
            } else if character == "*" {
                fragments.append(language == .mandarin ? Mandarin.star : English.star)
            } else if character == "#" {
                fragments.append(language == .mandarin ? Mandarin.hash : English.hash)
            } else {
                throw SayError(message: "cannot read '\(character)' at position \(position + 1) of \"\(digits)\" as a digit")
            }
        }
        return fragments
    }

    /// Reads an amount of money in yuan given in fen (hundredths of a yuan).
    /// - Parameters:
    ///   - fen: the amount in fen (123456 is ¥1,234.56).
    ///   - language: Mandarin or English.
    /// - Returns: the fragments.
    /// - Throws: `SayError` when the amount is negative or too large.
    public static func money(fen: Int, language: SpokenLanguage) throws -> [Fragment] {
        guard fen >= 0, fen / 100 <= maximumNumber else {
            throw SayError(message: "amount of \(fen) fen is out of range: 0 … \(maximumNumber).99 yuan can be read")
        }
        let yuan = fen / 100
        let jiao = fen / 10 % 10
        let cents = fen % 10
        switch language {
        case .mandarin:
            var fragments: [Fragment] = []
            if yuan > 0 || (jiao == 0 && cents == 0) {
                fragments += Mandarin.number(yuan) + [Mandarin.yuan]
            }
            if jiao == 0 && cents == 0 {
                return fragments + [Mandarin.zheng]
            }
            if jiao > 0 {
                fragments += [Mandarin.digits[jiao], Mandarin.jiao]
            } else if yuan > 0 {
                fragments.append(Mandarin.digits[0])
            }
            if cents > 0 {
                fragments += [Mandarin.digits[cents], Mandarin.fen]
            }
            return fragments
        case .english:
            var fragments: [Fragment] = []
            let hundredths = fen % 100
            if yuan > 0 || hundredths == 0 {
                fragments += English.number(yuan) + [English.yuan]
            }
            if hundredths > 0 {
                if yuan > 0 { fragments.append(English.and) }
                fragments += English.number(hundredths) + [hundredths == 1 ? English.cent : English.cents]
            }
            return fragments
        }
    }

    /// Reads an amount of money written in yuan with up to two decimals ("1234.56", "1005.07", "88").
    /// - Parameters:
    ///   - amount: the amount as text.
    ///   - language: Mandarin or English.
    /// - Returns: the fragments.
    /// - Throws: `SayError` when the text is not such an amount.
    public static func money(_ amount: String, language: SpokenLanguage) throws -> [Fragment] {
        try money(fen: parseFen(amount), language: language)
    }

    /// Parses "1234.56" into 123456 fen.
    /// - Parameter amount: digits, optionally a dot and one or two more digits.
    /// - Returns: the amount in fen.
    /// - Throws: `SayError` quoting the text.
    public static func parseFen(_ amount: String) throws -> Int {
        let parts = amount.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false)
        func isDigits(_ text: Substring) -> Bool { !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber } }
        guard (1...2).contains(parts.count), isDigits(parts[0]), parts[0].count <= 12,
              parts.count == 1 || (isDigits(parts[1]) && parts[1].count <= 2),
              let yuan = Int(parts[0])
        else {
            throw SayError(message: "\"\(amount)\" is not an amount of money: expected yuan with up to two decimals, like 1234.56")
        }
        var fen = yuan * 100
        if parts.count == 2 {
            let decimals = parts[1].count == 1 ? parts[1] + "0" : parts[1]
            fen += Int(decimals) ?? 0
        }
        return fen
    }

    /// Reads a calendar date.
    /// - Parameters:
    ///   - year: e.g. 2026.
    ///   - month: 1–12.
    ///   - day: 1–31.
    ///   - language: Mandarin (二零二六年三月五日) or English (March fifth, two thousand twenty-six).
    /// - Returns: the fragments.
    /// - Throws: `SayError` for an impossible month or day.
    public static func date(year: Int, month: Int, day: Int, language: SpokenLanguage) throws -> [Fragment] {
        guard (1...12).contains(month) else { throw SayError(message: "month \(month) is not 1–12") }
        let daysInMonth = [31, (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...daysInMonth[month - 1]).contains(day) else {
            throw SayError(message: "day \(day) does not exist in month \(month) of \(year)")
        }
        guard (1...9999).contains(year) else { throw SayError(message: "year \(year) is not 1–9999") }
        switch language {
        case .mandarin:
            return try digits(String(year), language: .mandarin) + [Mandarin.nian]
                + Mandarin.number(month) + [Mandarin.yue] + Mandarin.number(day) + [Mandarin.ri]
        case .english:
            return [English.months[month - 1], English.ordinals[day - 1]] + English.number(year)
        }
    }

    /// Reads a duration in hours, minutes and seconds (zero parts are left out; 0 is "0 seconds").
    /// - Parameters:
    ///   - seconds: the duration in whole seconds, ≥ 0.
    ///   - language: Mandarin (一小时五分钟) or English (one hour five minutes).
    /// - Returns: the fragments.
    /// - Throws: `SayError` for a negative duration.
    public static func duration(seconds: Int, language: SpokenLanguage) throws -> [Fragment] {
        guard seconds >= 0, seconds / 3600 <= maximumNumber else {
            throw SayError(message: "duration of \(seconds) s cannot be read")
        }
        let parts = [(seconds / 3600, 0), (seconds / 60 % 60, 1), (seconds % 60, 2)]
        var fragments: [Fragment] = []
        for (value, unit) in parts where value > 0 || (seconds == 0 && unit == 2) {
            switch language {
            case .mandarin:
                fragments += Mandarin.number(value) + [[Mandarin.xiaoshi, Mandarin.fenzhong, Mandarin.miao][unit]]
            case .english:
                let names = value == 1 ? [English.hour, English.minute, English.second] : [English.hours, English.minutes, English.seconds]
                fragments += English.number(value) + [names[unit]]
            }
        }
        return fragments
    }

    /// The text the fragments speak: joined without spaces for Mandarin, with spaces for English.
    /// - Parameters:
    ///   - fragments: the fragments.
    ///   - language: their language.
    /// - Returns: e.g. 一千二百三十四元五角六分.
    public static func text(_ fragments: [Fragment], language: SpokenLanguage) -> String {
        fragments.map(\.text).joined(separator: language == .mandarin ? "" : " ")
    }
}

// MARK: - Mandarin

enum Mandarin {
    static let digits: [Fragment] = zip(0..., Array("零一二三四五六七八九")).map { Fragment(key: "\($0)", text: String($1)) }
    static let shi = Fragment(key: "shi", text: "十")
    static let bai = Fragment(key: "bai", text: "百")
    static let qian = Fragment(key: "qian", text: "千")
    static let wan = Fragment(key: "wan", text: "万")
    static let yi = Fragment(key: "yi", text: "亿")
    static let fu = Fragment(key: "fu", text: "负")
    static let yuan = Fragment(key: "yuan", text: "元")
    static let jiao = Fragment(key: "jiao", text: "角")
    static let fen = Fragment(key: "fen", text: "分")
    static let zheng = Fragment(key: "zheng", text: "整")
    static let nian = Fragment(key: "nian", text: "年")
    static let yue = Fragment(key: "yue", text: "月")
    static let ri = Fragment(key: "ri", text: "日")
    static let xiaoshi = Fragment(key: "xiaoshi", text: "小时")
    static let fenzhong = Fragment(key: "fenzhong", text: "分钟")
    static let miao = Fragment(key: "miao", text: "秒")
    static let star = Fragment(key: "star", text: "星号")
    static let hash = Fragment(key: "hash", text: "井号")

    static var catalogue: [Fragment] {
        digits + [shi, bai, qian, wan, yi, fu, yuan, jiao, fen, zheng, nian, yue, ri, xiaoshi, fenzhong, miao, star, hash]
    }

    /// 0 … 999,999,999,999 in Mandarin fragments.
    static func number(_ number: Int) -> [Fragment] {
        if number == 0 { return [digits[0]] }
        let groups = [number / 100_000_000, number / 10_000 % 10_000, number % 10_000]
        let groupUnits: [Fragment?] = [yi, wan, nil]
        var fragments: [Fragment] = []
        var zeroPending = false
        for (index, group) in groups.enumerated() {
            if group == 0 {
                if !fragments.isEmpty { zeroPending = true }
                continue
            }
            if !fragments.isEmpty, zeroPending || group < 1000 {
                fragments.append(digits[0])
            }
            fragments += section(group, isFirst: fragments.isEmpty)
            if let unit = groupUnits[index] { fragments.append(unit) }
            zeroPending = false
        }
        return fragments
    }

    /// 1 … 9999 within a group; `isFirst` when nothing precedes it (so 10–19 read 十…, not 一十…).
    private static func section(_ group: Int, isFirst: Bool) -> [Fragment] {
        let places: [(Int, Fragment?)] = [(group / 1000, qian), (group / 100 % 10, bai), (group / 10 % 10, shi), (group % 10, nil)]
        var fragments: [Fragment] = []
        var zeroPending = false
        for (digit, unit) in places {
            if digit == 0 {
                if !fragments.isEmpty { zeroPending = true }
                continue
            }
            if zeroPending {
                fragments.append(digits[0])
                zeroPending = false
            }
            if unit == shi, digit == 1, isFirst, fragments.isEmpty {
                fragments.append(shi)
                continue
            }
            fragments.append(digits[digit])
            if let unit { fragments.append(unit) }
        }
        return fragments
    }
}

// MARK: - English

enum English {
    static let ones: [Fragment] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    ].map { Fragment(key: $0, text: $0) }
    static let tens: [Fragment] = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
        .map { Fragment(key: $0, text: $0) }
    static let hundred = Fragment(key: "hundred", text: "hundred")
    static let scales: [Fragment] = ["thousand", "million", "billion"].map { Fragment(key: $0, text: $0) }
    static let minus = Fragment(key: "minus", text: "minus")
    static let and = Fragment(key: "and", text: "and")
    static let yuan = Fragment(key: "yuan", text: "yuan")
    static let cent = Fragment(key: "cent", text: "cent")
    static let cents = Fragment(key: "cents", text: "cents")
    static let hour = Fragment(key: "hour", text: "hour")
    static let hours = Fragment(key: "hours", text: "hours")
    static let minute = Fragment(key: "minute", text: "minute")
    static let minutes = Fragment(key: "minutes", text: "minutes")
    static let second = Fragment(key: "second", text: "second")
    static let seconds = Fragment(key: "seconds", text: "seconds")
    static let star = Fragment(key: "star", text: "star")
    static let hash = Fragment(key: "hash", text: "hash")
    static let months: [Fragment] = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ].map { Fragment(key: $0.lowercased(), text: $0) }
    static let ordinals: [Fragment] = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth",
        "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth",
        "twenty-first", "twenty-second", "twenty-third", "twenty-fourth", "twenty-fifth", "twenty-sixth", "twenty-seventh",
        "twenty-eighth", "twenty-ninth", "thirtieth", "thirty-first",
    ].map { Fragment(key: "ordinal-\($0)", text: $0) }

    static var catalogue: [Fragment] {
        ones + tens + [hundred] + scales + [minus, and, yuan, cent, cents, hour, hours, minute, minutes, second, seconds, star, hash]
            + months + ordinals
    }

    /// 0 … 999,999,999,999 in English fragments (no "and" inside numbers, US style).
    static func number(_ number: Int) -> [Fragment] {
        if number == 0 { return [ones[0]] }
        var fragments: [Fragment] = []
        let groups = [(number / 1_000_000_000, scales[2]), (number / 1_000_000 % 1000, scales[1]), (number / 1000 % 1000, scales[0]), (number % 1000, nil)]
        for (group, scale) in groups where group > 0 {
            fragments += belowThousand(group)
            if let scale { fragments.append(scale) }
        }
        return fragments
    }

    private static func belowThousand(_ value: Int) -> [Fragment] {
        var fragments: [Fragment] = []
        if value >= 100 {
            fragments += [ones[value / 100], hundred]
        }
        let rest = value % 100
        if rest >= 20 {
            fragments.append(tens[rest / 10 - 2])
            if rest % 10 > 0 { fragments.append(ones[rest % 10]) }
        } else if rest > 0 {
            fragments.append(ones[rest])
        }
        return fragments
    }
}

/// The recorded fragments each language needs for every "say" function: the list the prompt-set
/// generator renders and a voice talent records.
public enum FragmentCatalogue {
    /// All fragments a language's "say" functions can produce.
    /// - Parameter language: Mandarin or English.
    /// - Returns: distinct fragments, in a stable order.
    public static func fragments(for language: SpokenLanguage) -> [Fragment] {
        var seen = Set<String>()
        let all = language == .mandarin ? Mandarin.catalogue : English.catalogue
        return all.filter { seen.insert($0.key).inserted }
    }
}
