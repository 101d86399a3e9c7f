public import Foundation
import GRDB
public import HotlineCore

/// A taxpayer with everything its row and index entries need, computed off the writing thread.
struct PreparedTaxpayer: Sendable {
    let taxpayer: Taxpayer
    /// The row's values as statement arguments, built here (on the parsing thread) so that the
    /// writing thread, the import's bottleneck, only binds them.
    let arguments: StatementArguments
    let document: SearchDocument
    let trigramText: String
    let grams: String

    init(taxpayer: Taxpayer) {
        self.taxpayer = taxpayer
        arguments = StatementArguments(HotlineDatabase.values(of: taxpayer))
        document = SearchDocument(taxpayer)
        trigramText = document.names + "\n" + document.places + "\n" + document.codes
        grams = SearchDocument.grams(document.names + "\n" + document.places)
    }
}

extension HotlineDatabase: TaxpayerStore {
    static let taxpayerColumns = """
        id, number, name, kind, enterprise_name, legal_representative, phone, phone_extension, mobile, email,
        region, address, building, floor, room, bank_name, bank_account, category, tax_office, assigned_agent,
        pin_hash, custom_fields
        """

    /// Reads a taxpayer from a row selected with ``taxpayerColumns``.
    static func taxpayer(from row: Row) throws -> Taxpayer {
        let numberText: String = row["number"]
        let number: TaxpayerNumber
        do { number = try TaxpayerNumber(numberText) } catch {
            throw StorageError.corruptRecord("taxpayer \(numberText): \(error.description)")
        }
        func phone(_ column: String, extension extensionColumn: String? = nil) throws -> PhoneNumber? {
            guard let digits: String = row[column] else { return nil }
            var text = digits
            if let extensionColumn, let ext: String = row[extensionColumn] { text += " 转 " + ext }
            do { return try PhoneNumber(text) } catch {
                throw StorageError.corruptRecord("taxpayer \(numberText) \(column): \(error.description)")
            }
        }
        guard let kind = Taxpayer.Kind(rawValue: row["kind"]),
              let category = Taxpayer.Category(rawValue: row["category"]) else {
            throw StorageError.corruptRecord("taxpayer \(numberText): unknown kind or category")
        }
        var pinHash: PINHash?
        if let stored: String = row["pin_hash"] {
            do { pinHash = try PINHash(stored: stored) } catch {
                throw StorageError.corruptRecord("taxpayer \(numberText) pin_hash: \(error.description)")
            }
        }
        var custom: [String: String] = [:]
        if let json: String = row["custom_fields"] {
            custom = (try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))) ?? [:]
        }
        return Taxpayer(
            number: number, name: row["name"], kind: kind, enterpriseName: row["enterprise_name"],
            legalRepresentative: row["legal_representative"], phone: try phone("phone", extension: "phone_extension"),
            mobile: try phone("mobile"), email: row["email"], region: row["region"], address: row["address"],
            building: row["building"], floor: row["floor"], room: row["room"], bankName: row["bank_name"],
            bankAccount: row["bank_account"], category: category, taxOffice: row["tax_office"],
            assignedAgent: row["assigned_agent"], pinHash: pinHash, customFields: custom)
    }

    static func customFieldsJSON(_ fields: [String: String]) -> String? {
        guard !fields.isEmpty else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(fields)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func values(of taxpayer: Taxpayer) -> [DatabaseValue] {
        let values: [(any DatabaseValueConvertible)?] = [
            taxpayer.number.value, taxpayer.name, taxpayer.kind.rawValue, taxpayer.enterpriseName,
            taxpayer.legalRepresentative, taxpayer.phone?.digits, taxpayer.phone?.extension, taxpayer.mobile?.digits,
            taxpayer.email, taxpayer.region, taxpayer.address, taxpayer.building, taxpayer.floor, taxpayer.room,
            taxpayer.bankName, taxpayer.bankAccount, taxpayer.category.rawValue, taxpayer.taxOffice,
            taxpayer.assignedAgent, taxpayer.pinHash?.description, customFieldsJSON(taxpayer.customFields),
        ]
        return values.map { $0?.databaseValue ?? .null }
    }

    /// Inserts or replaces a taxpayer and keeps both search indexes in step, inside the caller's
    /// transaction.
    ///
    /// - Returns: `true` when the record is new.
    static func upsert(_ taxpayer: Taxpayer, in db: Database) throws -> Bool {
        try upsert(PreparedTaxpayer(taxpayer: taxpayer), in: db)
    }

    /// Inserts (the common case, one statement) or, when the number exists, replaces a taxpayer and
    /// re-indexes it if its searchable text changed.
    static func upsert(_ prepared: PreparedTaxpayer, in db: Database) throws -> Bool {
        let values = prepared.arguments
        try db.cachedStatement(sql: """
            INSERT INTO taxpayer (number, name, kind, enterprise_name, legal_representative, phone, phone_extension,
            mobile, email, region, address, building, floor, room, bank_name, bank_account, category, tax_office,
            assigned_agent, pin_hash, custom_fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (number) DO NOTHING
            """).execute(arguments: values)
        if db.changesCount == 1 {
            try insertIntoIndexes(id: db.lastInsertedRowID, prepared: prepared, in: db)
            return true
        }
        guard let existing = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(taxpayerColumns) FROM taxpayer WHERE number = ?"),
            arguments: [prepared.taxpayer.number.value]) else {
            throw StorageError.corruptRecord("taxpayer \(prepared.taxpayer.number) neither inserted nor found")
        }
        let id: Int64 = existing["id"]
        let old = PreparedTaxpayer(taxpayer: try Self.taxpayer(from: existing))
        try db.cachedStatement(sql: """
            UPDATE taxpayer SET number = ?, name = ?, kind = ?, enterprise_name = ?, legal_representative = ?,
            phone = ?, phone_extension = ?, mobile = ?, email = ?, region = ?, address = ?, building = ?, floor = ?,
            room = ?, bank_name = ?, bank_account = ?, category = ?, tax_office = ?, assigned_agent = ?,
            pin_hash = ?, custom_fields = ? WHERE id = ?
            """).execute(arguments: values + [id])
        if old.document != prepared.document {
            try deleteFromIndexes(id: id, prepared: old, in: db)
            try insertIntoIndexes(id: id, prepared: prepared, in: db)
        }
        return false
    }

    static func insertIntoIndexes(id: Int64, prepared: PreparedTaxpayer, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO taxpayer_trigram (rowid, text) VALUES (?, ?)")
            .execute(arguments: [id, prepared.trigramText])
        try db.cachedStatement(sql: "INSERT INTO taxpayer_gram (rowid, text) VALUES (?, ?)")
            .execute(arguments: [id, prepared.grams])
    }

    static func deleteFromIndexes(id: Int64, prepared: PreparedTaxpayer, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO taxpayer_trigram (taxpayer_trigram, rowid, text) VALUES ('delete', ?, ?)
            """).execute(arguments: [id, prepared.trigramText])
        try db.cachedStatement(sql: """
            INSERT INTO taxpayer_gram (taxpayer_gram, rowid, text) VALUES ('delete', ?, ?)
            """).execute(arguments: [id, prepared.grams])
    }

    static func appendEvent<E: DomainEvent>(_ event: E, at date: Date, subject: String, in db: Database) throws {
        let recorded = try RecordedEvent(event, occurredAt: date, subject: subject)
        try db.cachedStatement(sql: "INSERT INTO event (type, occurred_at, subject, payload) VALUES (?, ?, ?, ?)")
            .execute(arguments: [recorded.type, recorded.occurredAt.timeIntervalSince1970, recorded.subject, recorded.payload])
    }

    /// The taxpayer with a number.
    ///
    /// - Parameter number: The number.
    /// - Returns: The record, or `nil`.
    /// - Throws: SQLite errors or ``StorageError/corruptRecord(_:)``.
    public func taxpayer(_ number: TaxpayerNumber) async throws -> Taxpayer? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.taxpayerColumns) FROM taxpayer WHERE number = ?",
                             arguments: [number.value]).map(Self.taxpayer(from:))
        }
    }

    /// Upserts a taxpayer, its search entries and a ``TaxpayerSaved`` event in one transaction.
    ///
    /// - Parameters:
    ///   - taxpayer: The record.
    ///   - occurredAt: When.
    /// - Returns: `true` when new.
    /// - Throws: SQLite errors.
    @discardableResult
    public func save(_ taxpayer: Taxpayer, at occurredAt: Date) async throws -> Bool {
        try await pool.write { db in
            let created = try Self.upsert(taxpayer, in: db)
            try Self.appendEvent(TaxpayerSaved(taxpayerNumber: taxpayer.number, created: created), at: occurredAt,
                                 subject: taxpayer.number.eventSubject, in: db)
            return created
        }
    }

    /// Sets or clears a PIN hash and appends ``PINChanged``.
    ///
    /// - Parameters:
    ///   - pinHash: The hash, or `nil`.
    ///   - number: The taxpayer.
    ///   - occurredAt: When.
    /// - Throws: ``StorageError/taxpayerNotFound(_:)`` or SQLite errors.
    public func setPIN(_ pinHash: PINHash?, for number: TaxpayerNumber, at occurredAt: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE taxpayer SET pin_hash = ? WHERE number = ?",
                           arguments: [pinHash?.description, number.value])
            guard db.changesCount == 1 else { throw StorageError.taxpayerNotFound(number) }
            try Self.appendEvent(PINChanged(taxpayerNumber: number), at: occurredAt, subject: number.eventSubject, in: db)
        }
    }

    /// Taxpayers with this landline or mobile (indexed lookups).
    ///
    /// - Parameter phone: The number.
    /// - Returns: The records, by number.
    /// - Throws: SQLite errors.
    public func taxpayers(withPhone phone: PhoneNumber) async throws -> [Taxpayer] {
        try await pool.read { db in
            try Self.fetchTaxpayers(db, sql: """
                SELECT \(Self.taxpayerColumns) FROM taxpayer WHERE phone = ?1
                UNION SELECT \(Self.taxpayerColumns) FROM taxpayer WHERE mobile = ?1 ORDER BY number LIMIT 100
                """, arguments: [phone.digits])
        }
    }

    static func fetchTaxpayers(_ db: Database, sql: String, arguments: StatementArguments) throws -> [Taxpayer] {
        try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map(taxpayer(from:))
    }

    /// The number of taxpayers.
    ///
    /// - Returns: The count.
    /// - Throws: SQLite errors.
    public func taxpayerCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM taxpayer") ?? 0 }
    }

    /// A page of taxpayers in number order.
    ///
    /// - Parameters:
    ///   - number: Start after this number.
    ///   - limit: The page size.
    /// - Returns: The records.
    /// - Throws: SQLite errors.
    public func taxpayers(after number: TaxpayerNumber?, limit: Int) async throws -> [Taxpayer] {
        try await pool.read { db in
            try Self.fetchTaxpayers(db, sql: "SELECT \(Self.taxpayerColumns) FROM taxpayer WHERE number > ? ORDER BY number LIMIT ?",
                                    arguments: [number?.value ?? "", limit])
        }
    }

    /// Searches taxpayers. Tiers, each bounded so that no query ranks more rows than it returns:
    /// exact taxpayer number; exact phone or mobile; name equal to the query; name starting with
    /// it; then full-text hits in names, in places (region, address, building/floor/room) and in
    /// numbers and phones. Queries of one or two characters use the unigram/bigram index (or, when
    /// they are ASCII, number and phone prefixes); longer ones the trigram index.
    ///
    /// - Parameters:
    ///   - query: What the agent typed.
    ///   - limit: The most results.
    /// - Returns: The matches, strongest first.
    /// - Throws: SQLite errors.
    /// - Complexity: O(limit) index probes for every query, however many records match.
    public func search(_ query: String, limit: Int) async throws -> [TaxpayerSearchResult] {
        try await pool.read { db in try Self.search(query, limit: limit, in: db) }
    }

    static func search(_ raw: String, limit: Int, in db: Database) throws -> [TaxpayerSearchResult] {
        let query = SearchQuery(raw)
        guard limit > 0, !query.text.isEmpty else { return [] }
        var results: [TaxpayerSearchResult] = []
        var seen = Set<Int64>()
        func add(_ rows: [Row], _ match: TaxpayerSearchResult.Match, check: ((Taxpayer) -> Bool)? = nil) throws {
            for row in rows where results.count < limit {
                let id: Int64 = row["id"]
                guard !seen.contains(id) else { continue }
                let taxpayer = try taxpayer(from: row)
                if let check, !check(taxpayer) { continue }
                seen.insert(id)
                results.append(TaxpayerSearchResult(taxpayer: taxpayer, match: match))
            }
        }
        func remaining() -> Int { limit - results.count }
        let select = "SELECT \(taxpayerColumns) FROM taxpayer"

        if let number = try? TaxpayerNumber(query.text) {
            try add(Row.fetchAll(db.cachedStatement(sql: "\(select) WHERE number = ?"), arguments: [number.value]), .taxpayerNumber)
        }
        if remaining() > 0, query.isASCII, let phone = try? PhoneNumber(query.text) {
            try add(Row.fetchAll(db.cachedStatement(sql: "\(select) WHERE phone = ?1 UNION \(select) WHERE mobile = ?1 LIMIT ?2"),
                                 arguments: [phone.digits, remaining()]), .phone)
        }
        // A complete taxpayer number or phone number that is on record identifies the caller: no
        // need to look for it as a fragment of other records.
        if !results.isEmpty { return results }
        if remaining() > 0, !query.isASCII {
            try add(Row.fetchAll(db.cachedStatement(sql: "\(select) WHERE name = ? LIMIT ?"),
                                 arguments: [query.text, remaining()]), .text)
            if remaining() > 0 {
                try add(Row.fetchAll(db.cachedStatement(sql: "\(select) WHERE name > ?1 AND name < ?1 || char(1114111) ORDER BY name LIMIT ?2"),
                                     arguments: [query.text, remaining() + seen.count]), .text)
            }
        }
        // Full-text hits, checked against the record; names before places before numbers and phones
        // (numbers first for digit queries), insertion order within each.
        let order: [SearchColumn] = query.isDigits ? [.codes, .names, .places] : [.names, .places, .codes]
        if query.characterCount >= 3 {
            try addFullText(table: "taxpayer_trigram", expression: query.trigramExpression, order: order,
                            query: query, db: db, add: add, remaining: remaining)
        } else if !query.isASCII {
            try addFullText(table: "taxpayer_gram", expression: query.gramExpression, order: order,
                            query: query, db: db, add: add, remaining: remaining)
        } else {
            for column in ["number", "phone", "mobile"] where remaining() > 0 {
                try add(Row.fetchAll(db.cachedStatement(sql: "\(select) WHERE \(column) >= ?1 AND \(column) < ?1 || char(127) ORDER BY \(column) LIMIT ?2"),
                                     arguments: [query.text, remaining() + seen.count]), .text)
            }
        }
        return results
    }

    private static func addFullText(
        table: String, expression: String, order: [SearchColumn], query: SearchQuery, db: Database,
        add: ([Row], TaxpayerSearchResult.Match, ((Taxpayer) -> Bool)?) throws -> Void, remaining: () -> Int
    ) throws {
        // Page through index hits in rowid order (no ranking over all matches: a surname may match
        // 100,000 rows). Each hit is checked against the record, which drops the rare trigram hit
        // whose trigrams occur apart, and tells which column matched for the ordering.
        var after: Int64 = 0
        var verified: [(tier: Int, row: Row)] = []
        let wanted = remaining()
        while verified.count < wanted {
            let page = wanted * 2 + 8
            let ids = try Int64.fetchAll(db.cachedStatement(sql: """
                SELECT rowid FROM \(table) WHERE \(table) MATCH ? AND rowid > ? ORDER BY rowid LIMIT ?
                """), arguments: [expression, after, page])
            guard let last = ids.last else { break }
            after = last
            let placeholders = databaseQuestionMarks(count: ids.count)
            let rows: [Row]
            if query.isDigits {
                // Digit trigrams (1,000 values) often occur apart in a record's 40-odd digits: drop
                // those hits in SQL, before decoding them, with a test every true match passes
                // (the fields joined by a non-digit, so a fragment cannot span two fields).
                rows = try Row.fetchAll(db, sql: """
                    SELECT \(taxpayerColumns) FROM taxpayer WHERE id IN (\(placeholders)) AND instr(
                    number || char(10) || ifnull(phone, '') || char(10) || ifnull(mobile, '') || char(10) || ifnull(name, '')
                    || char(10) || ifnull(enterprise_name, '') || char(10) || ifnull(legal_representative, '') || char(10)
                    || ifnull(region, '') || char(10) || ifnull(address, '') || char(10) || ifnull(building, '') || char(10)
                    || ifnull(floor, '') || char(10) || ifnull(room, ''), ?) > 0 ORDER BY id
                    """, arguments: StatementArguments(ids) + [query.text])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT \(taxpayerColumns) FROM taxpayer WHERE id IN (\(placeholders)) ORDER BY id",
                                        arguments: StatementArguments(ids))
            }
            for row in rows {
                let taxpayer = try taxpayer(from: row)
                if let tier = order.firstIndex(where: { query.matches(taxpayer, column: $0) }) {
                    verified.append((tier, row))
                }
            }
            if ids.count < page { break }
        }
        let ordered = verified.enumerated().sorted { ($0.element.tier, $0.offset) < ($1.element.tier, $1.offset) }
        try add(ordered.map(\.element.row), .text, nil)
    }
}
