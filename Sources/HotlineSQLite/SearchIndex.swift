import HotlineCore

/// The text of a taxpayer as the full-text index sees it.
///
/// `taxpayer_gram` (FTS5, `unicode61` tokenizer, contentless, `detail='none'`) holds, as separate
/// tokens, every single character, every pair and every triple of adjacent letters or digits of
/// the names, places, taxpayer number and phones. A query of one or two characters is one token;
/// a longer one is the `AND` of its triples. The index keeps no positions (small and fast to
/// build), so each hit is then checked against the record: no false match is returned.
struct SearchDocument: Equatable, Sendable {
    var names: String
    var places: String
    var codes: String

    init(_ taxpayer: Taxpayer) {
        names = [taxpayer.name, taxpayer.enterpriseName, taxpayer.legalRepresentative]
            .compactMap { $0 }.joined(separator: " ")
        places = [taxpayer.region, taxpayer.address, taxpayer.building, taxpayer.floor, taxpayer.room]
            .compactMap { $0 }.joined(separator: " ")
        codes = [taxpayer.number.value, taxpayer.phone?.digits, taxpayer.mobile?.digits]
            .compactMap { $0 }.joined(separator: " ")
    }

    /// The fields a query may be checked against, per column.
    static func fields(of taxpayer: Taxpayer, column: SearchColumn) -> [String] {
        switch column {
        case .names: return [taxpayer.name, taxpayer.enterpriseName, taxpayer.legalRepresentative].compactMap { $0 }
        case .places: return [taxpayer.region, taxpayer.address, taxpayer.building, taxpayer.floor, taxpayer.room].compactMap { $0 }
        case .codes: return [taxpayer.number.value, taxpayer.phone?.digits, taxpayer.mobile?.digits].compactMap { $0 }
        }
    }

    /// Unigram and bigram tokens of a text, separated by spaces, for `taxpayer_gram`.
    ///
    /// Only letters and digits form tokens (as `unicode61` would split on anything else); each
    /// distinct token appears once.
    static func grams(_ text: String) -> String {
        var seen = Set<UInt64>()
        var output = String.UnicodeScalarView()
        var first: Unicode.Scalar?   // two scalars back, within the run
        var second: Unicode.Scalar?  // the previous scalar, within the run
        func emit(_ key: UInt64, _ scalars: Unicode.Scalar...) {
            guard seen.insert(key).inserted else { return }
            if !output.isEmpty { output.append(" ") }
            output.append(contentsOf: scalars)
        }
        for raw in text.unicodeScalars {
            guard isTokenScalar(raw) else { first = nil; second = nil; continue }
            let scalar = raw.value >= 0x61 && raw.value <= 0x7A ? Unicode.Scalar(raw.value - 32) ?? raw : raw
            let value = UInt64(scalar.value)
            emit(value, scalar)
            if let second {
                emit(UInt64(second.value) << 21 | value, second, scalar)
                if let first { emit(UInt64(first.value) << 42 | UInt64(second.value) << 21 | value, first, second, scalar) }
            }
            first = second
            second = scalar
        }
        return String(output)
    }

    /// Letters and digits (what `unicode61` keeps in tokens); fast for ASCII and CJK ideographs.
    static func isTokenScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x4E00...0x9FFF: return true
        case 0..<0x80: return false
        default:
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .decimalNumber, .letterNumber, .otherNumber, .privateUse:
                return true
            default:
                return false
            }
        }
    }

    static func isTokenCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber
    }
}

/// The columns of the full-text indexes, strongest first.
enum SearchColumn: String, CaseIterable {
    case names, places, codes
}

/// A query as the search understands it.
struct SearchQuery {
    /// The trimmed, upper-cased query.
    let text: String
    let characterCount: Int
    let isASCII: Bool
    let isDigits: Bool

    init(_ raw: String) {
        let trimmed = String(raw.unicodeScalars.filter { !$0.properties.isWhitespace && $0 != "\"" })
        text = trimmed.uppercased()
        characterCount = text.count
        isASCII = text.utf8.allSatisfy { $0 < 128 }
        isDigits = !text.isEmpty && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// The FTS5 match expression: the query's runs of letters and digits, each as its trigrams (or
    /// as itself when shorter than three), all required (`AND`). `nil` when the query has no letter
    /// or digit at all.
    var indexExpression: String? {
        var tokens: [String] = []
        var seen = Set<String>()
        var run: [Unicode.Scalar] = []
        func flush() {
            defer { run.removeAll() }
            guard !run.isEmpty else { return }
            if run.count < 3 {
                let token = String(String.UnicodeScalarView(run))
                if seen.insert(token).inserted { tokens.append(token) }
                return
            }
            for index in 0...(run.count - 3) {
                let token = String(String.UnicodeScalarView(run[index..<(index + 3)]))
                if seen.insert(token).inserted { tokens.append(token) }
            }
        }
        for scalar in text.unicodeScalars {
            if SearchDocument.isTokenScalar(scalar) { run.append(scalar) } else { flush() }
        }
        flush()
        guard !tokens.isEmpty else { return nil }
        return tokens.map { "\"" + $0 + "\"" }.joined(separator: " AND ")
    }

    /// Whether a record's fields in a column really contain the query.
    func matches(_ taxpayer: Taxpayer, column: SearchColumn) -> Bool {
        SearchDocument.fields(of: taxpayer, column: column).contains { $0.uppercased().contains(text) }
    }
}
