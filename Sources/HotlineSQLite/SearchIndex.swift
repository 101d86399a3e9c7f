import HotlineCore

/// The text of a taxpayer as the two full-text indexes see it.
///
/// - `taxpayer_trigram` (FTS5 `trigram` tokenizer) answers queries of three or more characters;
///   multi-trigram queries are sent as an `AND` of trigrams (the index keeps no positions, to stay
///   small) and the hits are then checked against the record, so no false match is returned.
/// - `taxpayer_gram` (FTS5 `unicode61` tokenizer) holds every single character and every pair of
///   adjacent characters of the names and places as separate tokens, so one- and two-character
///   queries are a single-token lookup.
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
        // Built as UTF-8 bytes (appending scalars to a String costs far more); the set of tokens
        // already written is sized for a typical record up front.
        var seen = Set<UInt64>(minimumCapacity: 2 * text.utf8.count / 3 + 8)
        var output: [UInt8] = []
        output.reserveCapacity(3 * text.utf8.count)
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            guard isTokenScalar(scalar) else { previous = nil; continue }
            if seen.insert(UInt64(scalar.value)).inserted {
                if !output.isEmpty { output.append(0x20) }
                UTF8.encode(scalar) { output.append($0) }
            }
            if let previous, seen.insert(UInt64(previous.value) << 32 | UInt64(scalar.value)).inserted {
                output.append(0x20)
                UTF8.encode(previous) { output.append($0) }
                UTF8.encode(scalar) { output.append($0) }
            }
            previous = scalar
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Letters and digits (what `unicode61` keeps in tokens); fast for ASCII and CJK ideographs.
    static func isTokenScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x4E00...0x9FFF: return true
        case 0..<0x80: return false
        default:
            let properties = scalar.properties
            return properties.isAlphabetic || properties.numericType != nil
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

    /// The FTS5 match expression for the trigram index: an `AND` of all the query's trigrams (a
    /// covering subset was tried: it lets through so many false hits in digit queries that
    /// checking them costs far more than the intersection saves).
    var trigramExpression: String {
        let characters = Array(text)
        var grams: [String] = []
        var seen = Set<String>()
        for index in 0...(characters.count - 3) {
            let gram = String(characters[index..<(index + 3)])
            if seen.insert(gram).inserted { grams.append("\"" + gram + "\"") }
        }
        return "(" + grams.joined(separator: " AND ") + ")"
    }

    /// The FTS5 match expression for the unigram/bigram index.
    var gramExpression: String { "\"" + text + "\"" }

    /// Whether a record's fields in a column really contain the query.
    func matches(_ taxpayer: Taxpayer, column: SearchColumn) -> Bool {
        SearchDocument.fields(of: taxpayer, column: column).contains { $0.uppercased().contains(text) }
    }
}
