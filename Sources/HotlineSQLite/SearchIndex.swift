import HotlineCore

/// The text of a taxpayer as the two full-text indexes see it.
///
/// - `taxpayer_gram` (FTS5 `unicode61` tokenizer) holds every single character and every pair of
///   adjacent characters of the names and places as separate tokens: one- and two-character
///   queries are a single-token lookup, longer ones an `AND` of their pairs (the index keeps no
///   positions, to stay small), and every hit is then checked against the record.
/// - `taxpayer_code` (FTS5 `ascii` tokenizer) holds, for every run of ASCII letters and digits in
///   the taxpayer number, the phones, the names and the places, each four-character window and
///   the run's last three characters, with every letter written `A`: a query of four or more such
///   characters is an `AND` of its windows (10,000 values for digits, so the lists are short), one
///   of three an `OR` of the tokens that start with them. Folding the letters keeps the index to about 16,000 distinct tokens
///   instead of 250,000 (the letters of credit codes), which halves the cost of writing it; the
///   check of every hit against the record drops what the folding lets through. Each token ends
///   in two characters computed from the others (``codeSuffix(_:)``), which spreads the tokens over
///   FTS5's pending-terms hash (its hash of short digit strings left chains of 3.5 entries per
///   lookup on average, 1.6 with the suffix).
///
/// Until the migration "2026-12-04 search: …" a third index, FTS5 `trigram` over all the text,
/// answered queries of three or more characters: about 100 tokens per record, the import's largest
/// cost, and digit trigrams (1,000 values) made long posting lists for phone fragments.
enum SearchDocument {
    /// The names of a taxpayer, joined by spaces.
    static func names(of taxpayer: Taxpayer) -> String {
        [taxpayer.name, taxpayer.enterpriseName, taxpayer.legalRepresentative].compactMap { $0 }.joined(separator: " ")
    }

    /// The places of a taxpayer (region, address, building, floor, room), joined by spaces.
    static func places(of taxpayer: Taxpayer) -> String {
        [taxpayer.region, taxpayer.address, taxpayer.building, taxpayer.floor, taxpayer.room]
            .compactMap { $0 }.joined(separator: " ")
    }

    /// The text of a taxpayer's row in `taxpayer_gram`.
    static func gramText(of taxpayer: Taxpayer) -> String {
        grams(names(of: taxpayer) + "\n" + places(of: taxpayer))
    }

    /// The text of a taxpayer's row in `taxpayer_code`.
    static func codeText(of taxpayer: Taxpayer) -> String {
        codeGrams([taxpayer.number.value, taxpayer.phone?.digits, taxpayer.mobile?.digits, taxpayer.name,
                   taxpayer.enterpriseName, taxpayer.legalRepresentative, taxpayer.region, taxpayer.address,
                   taxpayer.building, taxpayer.floor, taxpayer.room].compactMap { $0 })
    }

    /// Unigram and bigram tokens of a text, separated by spaces, for `taxpayer_gram`.
    ///
    /// Only letters and digits form tokens (as `unicode61` would split on anything else); each
    /// distinct token appears once.
    static func grams(_ text: String) -> String {
        // Built as UTF-8 bytes (appending scalars to a String costs far more); the tokens already
        // written are kept in a small open-addressing table (hashing them with `Set` cost more
        // than the rest of the function).
        var seen = TokenSet(capacity: 2 * text.utf8.count)
        var output: [UInt8] = []
        output.reserveCapacity(3 * text.utf8.count)
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            guard isTokenScalar(scalar) else { previous = nil; continue }
            if seen.insert(UInt64(scalar.value)) {
                if !output.isEmpty { output.append(0x20) }
                UTF8.encode(scalar) { output.append($0) }
            }
            if let previous, seen.insert(UInt64(previous.value) << 32 | UInt64(scalar.value)) {
                output.append(0x20)
                UTF8.encode(previous) { output.append($0) }
                UTF8.encode(scalar) { output.append($0) }
            }
            previous = scalar
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The tokens of `taxpayer_code` for some texts, separated by spaces: per run of ASCII letters
    /// and digits (a run ends at any other character and at the end of each text), with every
    /// letter written `A`, every four-character window and the last three characters. Each
    /// distinct token appears once.
    static func codeGrams<Texts: Sequence<String>>(_ texts: Texts) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(192)
        var seen: [UInt32] = [] // a record has about 40 windows: a linear scan beats hashing
        seen.reserveCapacity(48)
        var run: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0) // the last four characters, newest last
        var length = 0
        func emit(_ key: UInt32, _ count: Int) {
            guard !seen.contains(key) else { return }
            seen.append(key)
            if !output.isEmpty { output.append(0x20) }
            for shift in stride(from: 8 * (count - 1), through: 0, by: -8) { output.append(UInt8(truncatingIfNeeded: key >> UInt32(shift))) }
            let suffix = codeSuffix(key)
            output.append(suffix.0)
            output.append(suffix.1)
        }
        func endRun() {
            if length >= 3 { emit(UInt32(run.1) << 16 | UInt32(run.2) << 8 | UInt32(run.3), 3) }
            length = 0
        }
        for text in texts {
            for var byte in text.utf8 {
                switch byte {
                case 0x30...0x39: break
                case 0x41...0x5A, 0x61...0x7A: byte = Self.foldedLetter
                default: endRun(); continue
                }
                run = (run.1, run.2, run.3, byte)
                length += 1
                if length >= 4 {
                    emit(UInt32(run.0) << 24 | UInt32(run.1) << 16 | UInt32(run.2) << 8 | UInt32(run.3), 4)
                }
            }
            endRun()
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The two lower-case characters that end a `taxpayer_code` token, from its (folded) characters
    /// packed big-endian into `key`: the top ten bits of a multiplicative hash, in base 32.
    static func codeSuffix(_ key: UInt32) -> (UInt8, UInt8) {
        let mixed = key &* 0x9E37_79B1
        return (suffixDigits[Int(mixed >> 27)], suffixDigits[Int((mixed >> 22) & 31)])
    }

    private static let suffixDigits = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    /// A `taxpayer_code` token for three or four folded characters.
    static func codeToken(_ characters: some Collection<UInt8>) -> String {
        let key = characters.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let suffix = codeSuffix(key)
        return String(decoding: Array(characters) + [suffix.0, suffix.1], as: UTF8.self)
    }

    /// What every ASCII letter becomes in `taxpayer_code`.
    static let foldedLetter = UInt8(ascii: "A")

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
    /// `text` as UTF-8.
    private let bytes: [UInt8]

    init(_ raw: String) {
        let trimmed = String(raw.unicodeScalars.filter { !$0.properties.isWhitespace && $0 != "\"" })
        text = trimmed.uppercased()
        characterCount = text.count
        isASCII = text.utf8.allSatisfy { $0 < 128 }
        isDigits = !text.isEmpty && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
        bytes = Array(text.utf8)
    }

    /// Which full-text index answers the query, and the FTS5 match expression; `nil` when the
    /// query has nothing an index holds (only punctuation, say).
    ///
    /// ASCII queries with a run of three or more letters and digits use `taxpayer_code` (an `AND`
    /// of the runs' four-character windows, letters folded; for a run of three, an `OR` of the
    /// windows and tails that start with it); all others use
    /// `taxpayer_gram` (an `AND` of the pairs of adjacent letters and digits, single characters
    /// where they stand alone). Either may let through records whose tokens occur apart: the
    /// caller checks every hit with ``matches(_:)``.
    var fullText: (table: String, expression: String)? {
        var terms: [String] = []
        func add(_ term: String) { if !terms.contains(term) { terms.append(term) } }
        if isASCII {
            for run in text.utf8.split(whereSeparator: { !Self.isASCIIAlphanumeric($0) }) where run.count >= 3 {
                let characters = run.map { $0 >= 0x41 ? SearchDocument.foldedLetter : $0 }
                if characters.count == 3 {
                    // The windows starting with the three (one per possible fourth character) and
                    // the tails of runs ending with them, spelled out: an FTS5 prefix query reads
                    // every matching token's whole list before returning a row (17 ms for "131").
                    let tokens = (Array("0123456789".utf8) + [SearchDocument.foldedLetter]).map { next in
                        SearchDocument.codeToken(characters + [next])
                    } + [SearchDocument.codeToken(characters)]
                    add("(" + tokens.map { "\"" + $0 + "\"" }.joined(separator: " OR ") + ")")
                } else {
                    for start in 0...(characters.count - 4) {
                        add("\"" + SearchDocument.codeToken(characters[start..<(start + 4)]) + "\"")
                    }
                }
            }
            if !terms.isEmpty { return ("taxpayer_code", terms.joined(separator: " AND ")) }
        }
        var run: [Unicode.Scalar] = []
        func endRun() {
            if run.count == 1 { add("\"" + String(String.UnicodeScalarView(run)) + "\"") }
            if run.count >= 2 {
                for index in 1..<run.count { add("\"" + String(String.UnicodeScalarView(run[(index - 1)...index])) + "\"") }
            }
            run.removeAll()
        }
        for scalar in text.unicodeScalars {
            if SearchDocument.isTokenScalar(scalar) { run.append(scalar) } else { endRun() }
        }
        endRun()
        return terms.isEmpty ? nil : ("taxpayer_gram", terms.joined(separator: " AND "))
    }

    static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// Whether a field, upper-cased, contains the query (compared as Unicode scalars).
    func matches(_ field: String) -> Bool {
        guard !bytes.isEmpty else { return true }
        var field = field
        if Self.changesWhenUppercased(field) { field = field.uppercased() }
        return field.utf8.withContiguousStorageIfAvailable { contains($0) } ?? contains(Array(field.utf8))
    }

    private func contains<Haystack: RandomAccessCollection<UInt8>>(_ haystack: Haystack) -> Bool where Haystack.Index == Int {
        let needle = bytes
        guard haystack.count >= needle.count else { return false }
        let first = needle[0]
        var start = haystack.startIndex
        let last = haystack.endIndex - needle.count
        outer: while start <= last {
            if haystack[start] == first {
                for offset in 1..<needle.count where haystack[start + offset] != needle[offset] {
                    start += 1
                    continue outer
                }
                return true
            }
            start += 1
        }
        return false
    }

    /// Whether upper-casing may change a text: ASCII lower-case letters or cased letters outside
    /// the CJK blocks.
    private static func changesWhenUppercased(_ text: String) -> Bool {
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x61...0x7A: return true
            case 0..<0x80, 0x3000..<0xA000: continue
            default: if scalar.properties.changesWhenUppercased { return true }
            }
        }
        return false
    }
}

/// A set of non-zero 64-bit tokens for one record: open addressing with linear probing in a
/// power-of-two table at most half full.
private struct TokenSet {
    private var slots: [UInt64]
    private let mask: Int

    /// A set for up to `capacity` tokens.
    init(capacity: Int) {
        var size = 16
        while size < 2 * capacity { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    /// Adds a token (never 0); `false` when it was there already.
    mutating func insert(_ token: UInt64) -> Bool {
        var index = Int(truncatingIfNeeded: (token &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        while slots[index] != 0 {
            if slots[index] == token { return false }
            index = (index + 1) & mask
        }
        slots[index] = token
        return true
    }
}
