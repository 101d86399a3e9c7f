public import HotlineCore

/// A language a flow speaks, identified by a BCP 47 tag such as `zh` (Mandarin) or `en` (English).
public struct Language: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The BCP 47 tag, e.g. `"zh"`.
    public var rawValue: String
    /// Creates a language from its tag.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Mandarin Chinese, the default of a 12366 flow.
    public static let mandarin = Language(rawValue: "zh")
    /// English.
    public static let english = Language(rawValue: "en")
    /// The tag.
    public var description: String { rawValue }
}

/// A value a flow handles: collected digits, a lookup's figure, a flag.
public enum FlowValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Text, e.g. a taxpayer number or a payment status code.
    case text(String)
    /// A whole number.
    case number(Int64)
    /// An amount of money in fen (分, 1/100 yuan).
    case money(fen: Int64)
    /// A calendar day.
    case date(LocalDate)
    /// A yes/no flag, e.g. "has arrears".
    case flag(Bool)

    /// The value as branch nodes compare it: text as is, numbers in decimal, money in fen,
    /// dates as `YYYY-MM-DD`, flags as `true`/`false`.
    public var description: String {
        switch self {
        case .text(let s): s
        case .number(let n): String(n)
        case .money(let fen): String(fen)
        case .date(let d): d.description
        case .flag(let b): b ? "true" : "false"
        }
    }
}

/// Where a value comes from: written into the flow, or read from a call variable.
public enum ValueSource: Sendable, Hashable {
    /// A fixed value.
    case literal(FlowValue)
    /// The current value of a call variable (`$name` in YAML).
    case variable(String)
}

/// How a "say" prompt speaks a value.
public enum SayFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// An amount of money (fen), e.g. "一百二十三元四角五分".
    case money
    /// A number, e.g. "一千二百".
    case number
    /// A date, e.g. "2026年12月1日".
    case date
    /// Digit by digit, e.g. a taxpayer number.
    case digits
    /// The value as text, synthesized (e.g. the latest notice).
    case text
}

/// One piece of a prompt as written in a flow.
public enum PromptItem: Sendable, Hashable {
    /// A recorded prompt file (path relative to the prompt directory, e.g. `zh/welcome.wav`).
    case file(String)
    /// Text to synthesize (TTS).
    case text(String)
    /// A value spoken by the say engine.
    case say(SayFormat, ValueSource)
}

/// One piece of a prompt ready to play: variables resolved, language chosen.
public enum PlaybackItem: Sendable, Hashable {
    /// A recorded prompt file.
    case file(String)
    /// Text to synthesize.
    case text(String)
    /// Money in fen to speak.
    case money(fen: Int64)
    /// A number to speak.
    case number(Int64)
    /// A date to speak.
    case date(LocalDate)
    /// Digits to speak one by one.
    case digits(String)
}

/// A named prompt with one variant per language, each a sequence of items.
public struct PromptDefinition: Sendable, Hashable {
    /// The prompt's name, referenced by nodes.
    public var name: String
    /// The items to play per language.
    public var variants: [Language: [PromptItem]]

    /// Creates a prompt from its variants.
    ///
    /// - Parameters:
    ///   - name: The prompt's name.
    ///   - variants: Items per language.
    public init(_ name: String, _ variants: [Language: [PromptItem]]) {
        self.name = name
        self.variants = variants
    }

    /// Creates a prompt of synthesized text in Mandarin and English.
    ///
    /// - Parameters:
    ///   - name: The prompt's name.
    ///   - zh: The Mandarin text.
    ///   - en: The English text.
    public init(_ name: String, zh: String, en: String) {
        self.init(name, [.mandarin: [.text(zh)], .english: [.text(en)]])
    }
}

extension PlaybackItem {
    /// A plain-text rendering for transcripts and logs (not what the say engine speaks).
    ///
    /// - Parameter language: The language of the surrounding prompt.
    /// - Returns: Text such as `"123.45元"` or `"[file zh/welcome.wav]"`.
    public func transcriptText(in language: Language) -> String {
        switch self {
        case .file(let path): return "[\(path)]"
        case .text(let text): return text
        case .money(let fen):
            let sign = fen < 0 ? "-" : ""
            let a = fen.magnitude
            let cents = a % 100
            let amount = "\(sign)\(a / 100).\(cents < 10 ? "0" : "")\(cents)"
            return language == .mandarin ? "\(amount)元" : "\(amount) yuan"
        case .number(let n): return String(n)
        case .date(let d):
            return language == .mandarin ? "\(d.year)年\(d.month)月\(d.day)日" : d.description
        case .digits(let s): return s.map(String.init).joined(separator: " ")
        }
    }
}
