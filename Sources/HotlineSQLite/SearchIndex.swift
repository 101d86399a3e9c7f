import HotlineCore

/// The text of a taxpayer as the two full-text indexes see it.
///
/// - `taxpayer_trigram` (FTS5 `trigram` tokenizer) answers queries of three or more characters;
///   multi-trigram queries are sent as an `AND` of trigrams (the index keeps no positions, to stay
///   small) and the hits are then checked against the record, so no false match is returned.
/// - `taxpayer_gram` (FTS5 `unicode61` tokenizer) holds every single character and every pair of
///   adjacent characters of the names and places as separate tokens, so one- and two-character
///   queries are a single-token lookup.
struct SearchDocument: Equatable {
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
        var seen = Set<String>()
        var output = ""
        output.reserveCapacity(text.utf8.count * 3)
        func emit(_ token: String) {
            if seen.insert(token).inserted {
                if !output.isEmpty { output.append(" ") }
                output.append(token)
            }
        }
        var previous: Character?
        for character in text.uppercased() {
            guard isTokenCharacter(character) else { previous = nil; continue }
            emit(String(character))
            if let previous { emit(String([previous, character])) }
            previous = character
        }
        return output
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

    /// The FTS5 match expression for the trigram index: an `AND` of the query's trigrams.
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
