public import Foundation
import GRDB
import GRDBSQLite
public import HotlineCore

/// A taxpayer with everything its row and index entries need, computed off the writing thread.
struct PreparedTaxpayer: Sendable {
    let taxpayer: Taxpayer
    /// The row's values in ``HotlineDatabase/insertTaxpayerSQL`` order (all text; `nil` is NULL),
    /// built here (on the parsing thread) so that the writing thread only binds them.
    let values: [String?]
    /// The record's row in `taxpayer_gram` (``SearchDocument/gramText(of:)``).
    let gramText: String
    /// The record's row in `taxpayer_code` (``SearchDocument/codeText(of:)``).
    let codeText: String

    init(taxpayer: Taxpayer) {
        self.taxpayer = taxpayer
        values = HotlineDatabase.values(of: taxpayer)
        gramText = SearchDocument.gramText(of: taxpayer)
        codeText = SearchDocument.codeText(of: taxpayer)
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

    /// Custom fields as a JSON object with sorted keys, e.g. `{"grade":"A","industry_code":"I6510"}`
    /// (written by hand: `JSONEncoder` cost more than the rest of a row's preparation).
    static func customFieldsJSON(_ fields: [String: String]) -> String? {
        guard !fields.isEmpty else { return nil }
        var json: [UInt8] = [0x7B]
        func append(_ text: String) {
            json.append(0x22)
            for byte in text.utf8 {
                switch byte {
                case 0x22: json += [0x5C, 0x22]
                case 0x5C: json += [0x5C, 0x5C]
                case 0x0A: json += [0x5C, 0x6E]
                case 0x0D: json += [0x5C, 0x72]
                case 0x09: json += [0x5C, 0x74]
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    json += [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                default: json.append(byte)
                }
            }
            json.append(0x22)
        }
        for (index, key) in fields.keys.sorted().enumerated() {
            if index > 0 { json.append(0x2C) }
            append(key)
            json.append(0x3A)
            append(fields[key] ?? "")
        }
        json.append(0x7D)
        return String(decoding: json, as: UTF8.self)
    }

    /// The values of a taxpayer's row, in ``insertTaxpayerSQL`` order.
    static func values(of taxpayer: Taxpayer) -> [String?] {
        [
            taxpayer.number.value, taxpayer.name, taxpayer.kind.rawValue, taxpayer.enterpriseName,
            taxpayer.legalRepresentative, taxpayer.phone?.digits, taxpayer.phone?.extension, taxpayer.mobile?.digits,
            taxpayer.email, taxpayer.region, taxpayer.address, taxpayer.building, taxpayer.floor, taxpayer.room,
            taxpayer.bankName, taxpayer.bankAccount, taxpayer.category.rawValue, taxpayer.taxOffice,
            taxpayer.assignedAgent, taxpayer.pinHash?.description, customFieldsJSON(taxpayer.customFields),
        ]
    }

    /// Inserts a taxpayer row unless its number exists.
    static let insertTaxpayerSQL = """
        INSERT INTO taxpayer (number, name, kind, enterprise_name, legal_representative, phone, phone_extension,
        mobile, email, region, address, building, floor, room, bank_name, bank_account, category, tax_office,
        assigned_agent, pin_hash, custom_fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (number) DO NOTHING
        """

    /// Inserts or replaces a taxpayer and keeps both search indexes in step, inside the caller's
    /// transaction.
    ///
    /// - Returns: `true` when the record is new.
    static func upsert(_ taxpayer: Taxpayer, in db: Database) throws -> Bool {
        try upsert(PreparedTaxpayer(taxpayer: taxpayer), in: db)
    }

    /// Inserts (the common case, one statement) or, when the number exists, replaces a taxpayer and
    /// re-indexes it if its searchable text changed.
    ///
    /// - Parameter inserter: The import's prepared insert statements (faster for many rows).
    static func upsert(_ prepared: PreparedTaxpayer, in db: Database, inserter: TaxpayerInserter? = nil) throws -> Bool {
        let values = { StatementArguments(prepared.values.map { $0 as (any DatabaseValueConvertible)? }) }
        if let inserter {
            if try inserter.insert(prepared, in: db) { return true }
        } else {
            try db.cachedStatement(sql: insertTaxpayerSQL).execute(arguments: values())
            if db.changesCount == 1 {
                try insertIntoIndexes(id: db.lastInsertedRowID, prepared: prepared, in: db)
                return true
            }
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
            """).execute(arguments: values() + [id])
        if old.gramText != prepared.gramText {
            try db.cachedStatement(sql: "INSERT INTO taxpayer_gram (taxpayer_gram, rowid, text) VALUES ('delete', ?, ?)")
                .execute(arguments: [id, old.gramText])
            try db.cachedStatement(sql: "INSERT INTO taxpayer_gram (rowid, text) VALUES (?, ?)")
                .execute(arguments: [id, prepared.gramText])
        }
        if old.codeText != prepared.codeText {
            try db.cachedStatement(sql: "INSERT INTO taxpayer_code (taxpayer_code, rowid, text) VALUES ('delete', ?, ?)")
                .execute(arguments: [id, old.codeText])
            try db.cachedStatement(sql: "INSERT INTO taxpayer_code (rowid, text) VALUES (?, ?)")
                .execute(arguments: [id, prepared.codeText])
        }
        return false
    }

    static func insertIntoIndexes(id: Int64, prepared: PreparedTaxpayer, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO taxpayer_gram (rowid, text) VALUES (?, ?)")
            .execute(arguments: [id, prepared.gramText])
        try db.cachedStatement(sql: "INSERT INTO taxpayer_code (rowid, text) VALUES (?, ?)")
            .execute(arguments: [id, prepared.codeText])
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
    /// numbers and phones (numbers and phones first for digit queries). Chinese queries and the
    /// like use the unigram/bigram index, ASCII queries of three or more characters the
    /// four-character index of numbers and phones, and one or two ASCII characters number and
    /// phone prefixes (see ``SearchDocument``).
    ///
    /// - Parameters:
    ///   - query: What the agent typed.
    ///   - limit: The most results.
    /// - Returns: The matches, strongest first.
    /// - Throws: SQLite errors.
    /// - Complexity: O(limit) index probes for most queries; a query whose index tokens are
    ///   frequent but rarely occur together pages through their hits until `limit` match.
    public func search(_ query: String, limit: Int) async throws -> [TaxpayerSearchResult] {
        try await pool.read { db in try Self.search(query, limit: limit, in: db) }
    }

    static func search(_ raw: String, limit: Int, in db: Database) throws -> [TaxpayerSearchResult] {
        let query = SearchQuery(raw)
        guard limit > 0, !query.text.isEmpty else { return [] }
        var results: [TaxpayerSearchResult] = []
        var seen = Set<Int64>()
        func add(_ rows: [Row], _ match: TaxpayerSearchResult.Match) throws {
            for row in rows where results.count < limit {
                let id: Int64 = row[0]
                guard seen.insert(id).inserted else { continue }
                results.append(TaxpayerSearchResult(taxpayer: try taxpayer(from: row), match: match))
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
        if !query.isASCII {
            try add(Row.fetchAll(db.cachedStatement(sql: "\(select) WHERE name = ? LIMIT ?"),
                                 arguments: [query.text, remaining()]), .text)
            if remaining() > 0 {
                try add(Row.fetchAll(db.cachedStatement(sql: "\(select) WHERE name > ?1 AND name < ?1 || char(1114111) ORDER BY name LIMIT ?2"),
                                     arguments: [query.text, remaining() + seen.count]), .text)
            }
        }
        guard remaining() > 0 else { return results }
        if query.isASCII && query.characterCount < 3 {
            for column in ["number", "phone", "mobile"] where remaining() > 0 {
                try add(Row.fetchAll(db.cachedStatement(sql: "\(select) WHERE \(column) >= ?1 AND \(column) < ?1 || char(127) ORDER BY \(column) LIMIT ?2"),
                                     arguments: [query.text, remaining() + seen.count]), .text)
            }
        } else if let (table, expression) = query.fullText {
            let ids = try fullTextHits(table: table, expression: expression, query: query, skipping: seen, wanted: remaining(), db: db)
            guard !ids.isEmpty else { return results }
            let rows = try Row.fetchAll(db, sql: "\(select) WHERE id IN (\(databaseQuestionMarks(count: ids.count)))",
                                        arguments: StatementArguments(ids))
            let byID = Dictionary(rows.map { (row: Row) -> (Int64, Row) in (row[0], row) }, uniquingKeysWith: { first, _ in first })
            try add(ids.compactMap { byID[$0] }, .text)
        }
        return results
    }

    /// The columns a full-text hit is checked against, after `id`: numbers and phones, names, places.
    private static let searchedColumns = """
        taxpayer.id, number, phone, mobile, name, enterprise_name, legal_representative, region, address, building, floor, room
        """

    /// The first `wanted` records that really contain the query, by index hit: names before
    /// places before numbers and phones (numbers and phones first for digit queries), index
    /// (insertion) order within each.
    ///
    /// Hits are paged through in rowid order, with no ranking over all matches (a surname may match
    /// 100,000 rows), and checked against the record's text columns before any record is decoded:
    /// that drops hits whose tokens occur apart and tells which column matched.
    private static func fullTextHits(
        table: String, expression: String, query: SearchQuery, skipping seen: Set<Int64>, wanted: Int, db: Database
    ) throws -> [Int64] {
        // Column ranges of `searchedColumns` per tier.
        let codes = 1...3, names = 4...6, places = 7...11
        let order = query.isDigits ? [codes, names, places] : [names, places, codes]
        var after: Int64 = 0
        var verified: [(tier: Int, id: Int64)] = []
        let statement = try db.cachedStatement(sql: """
            SELECT \(searchedColumns) FROM \(table) CROSS JOIN taxpayer ON taxpayer.id = \(table).rowid
            WHERE \(table) MATCH ? AND \(table).rowid > ? ORDER BY \(table).rowid LIMIT ?
            """)
        var page = wanted * 2 + 8
        while verified.count < wanted {
            var count = 0
            let rows = try Row.fetchCursor(statement, arguments: [expression, after, page])
            while let row = try rows.next() {
                count += 1
                let id: Int64 = row[0]
                after = id
                guard !seen.contains(id) else { continue }
                let tier = order.firstIndex { columns in
                    columns.contains { index in (row[index] as String?).map(query.matches) ?? false }
                }
                if let tier { verified.append((tier, id)) }
            }
            if count < page { break }
            page = min(2 * page, 1000) // many hits fail the check: read more of them at a time
        }
        return verified.enumerated()
            .sorted { ($0.element.tier, $0.offset) < ($1.element.tier, $1.offset) }
            .prefix(wanted).map(\.element.id)
    }
}

/// The statements of an import's insert path, prepared once and bound through the SQLite C API:
/// GRDB's argument handling cost as much as the row and index writes of a small record.
struct TaxpayerInserter {
    private let row: Statement
    private let gram: Statement
    private let code: Statement

    /// Prepares the statements on the import's connection.
    init(_ db: Database) throws {
        row = try db.makeStatement(sql: HotlineDatabase.insertTaxpayerSQL)
        gram = try db.makeStatement(sql: "INSERT INTO taxpayer_gram (rowid, text) VALUES (?, ?)")
        code = try db.makeStatement(sql: "INSERT INTO taxpayer_code (rowid, text) VALUES (?, ?)")
    }

    /// Inserts the row and its index entries unless the number exists.
    ///
    /// - Returns: `true` when inserted, `false` when the number was already on record (nothing written).
    func insert(_ prepared: PreparedTaxpayer, in db: Database) throws -> Bool {
        for (index, value) in prepared.values.enumerated() { Self.bind(value, at: Int32(index + 1), in: row) }
        try Self.run(row, in: db)
        guard sqlite3_changes(db.sqliteConnection) == 1 else { return false }
        let id = sqlite3_last_insert_rowid(db.sqliteConnection)
        for (statement, text) in [(gram, prepared.gramText), (code, prepared.codeText)] {
            sqlite3_bind_int64(statement.sqliteStatement, 1, id)
            Self.bind(text, at: 2, in: statement)
            try Self.run(statement, in: db)
        }
        return true
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func bind(_ value: String?, at index: Int32, in statement: Statement) {
        guard var value else {
            sqlite3_bind_null(statement.sqliteStatement, index)
            return
        }
        value.withUTF8 { text in
            // An empty buffer may have no address, which SQLite would read as NULL.
            let address = text.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(("" as StaticString).utf8Start)
            sqlite3_bind_text(statement.sqliteStatement, index, address.assumingMemoryBound(to: CChar.self),
                              Int32(text.count), transient)
        }
    }

    private static func run(_ statement: Statement, in db: Database) throws {
        let code = sqlite3_step(statement.sqliteStatement)
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            sqlite3_reset(statement.sqliteStatement)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        sqlite3_reset(statement.sqliteStatement)
    }
}
