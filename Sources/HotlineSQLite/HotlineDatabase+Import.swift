public import Foundation
import GRDB
public import HotlineCore

/// What an import did.
public struct ImportSummary: Sendable {
    /// A row left out (with `skipInvalid`), its original fields and why.
    public struct RejectedRow: Sendable {
        /// The line it starts on.
        public var line: Int
        /// Its fields as read.
        public var fields: [String]
        /// What is wrong with it.
        public var problems: [ImportProblem]
    }

    /// The encoding the file was read in.
    public var encoding: CSVText.Encoding
    /// The header fields as read.
    public var header: [String]
    /// Data rows read.
    public var rows: Int
    /// Records that did not exist before.
    public var inserted: Int
    /// Records replaced.
    public var updated: Int
    /// Rows left out.
    public var rejected: [RejectedRow]
}

extension HotlineDatabase {
    /// Imports taxpayers from CSV bytes in one transaction, upserting by taxpayer number.
    ///
    /// Without `skipInvalid` the import is all-or-nothing: if any row is invalid nothing is written
    /// and the thrown ``ImportFailure`` lists every bad row's line, column and reason. With it, valid
    /// rows are imported and the rejected ones returned in the summary. A process killed in the
    /// middle leaves the database as it was (the transaction never commits).
    ///
    /// - Parameters:
    ///   - data: The file's bytes: UTF-8 (with or without BOM) or GB18030.
    ///   - source: The file name, for the ``RecordsImported`` event.
    ///   - skipInvalid: Import the valid rows even when some are invalid.
    ///   - occurredAt: When (for the event log).
    ///   - pinIterations: PBKDF2 iterations for plain-text PINs in the `pin` column.
    ///   - progress: Called now and then with the fraction of the file read (0…1).
    /// - Returns: What was imported.
    /// - Throws: ``ImportFailure`` (bad header, CSV syntax, or invalid rows without `skipInvalid`),
    ///   ``CSVError`` for undecodable text, or SQLite errors.
    public func importTaxpayers(
        csv data: [UInt8], source: String, skipInvalid: Bool = false, at occurredAt: Date,
        pinIterations: Int = PINHash.defaultIterations, progress: ((Double) -> Void)? = nil
    ) throws -> ImportSummary {
        try importRows(data: data, source: source, kind: .taxpayers, skipInvalid: skipInvalid, at: occurredAt,
                       progress: progress, header: TaxpayerCSV.header) { fields, line, header, db, write in
            switch TaxpayerCSV.taxpayer(from: fields, line: line, header: header, hashPIN: { pin throws(PINError) in
                try PINHash(pin: pin, iterations: pinIterations)
            }) {
            case .failure(let failure): return .failure(failure)
            case .success(let taxpayer):
                guard write else { return .success(false) }
                return .success(try Self.upsert(taxpayer, in: db))
            }
        }
    }

    /// Imports tax bills from CSV bytes in one transaction, upserting by taxpayer, period and tax type.
    ///
    /// Same all-or-nothing rules as ``importTaxpayers(csv:source:skipInvalid:at:pinIterations:progress:)``;
    /// a bill whose taxpayer is not on record is an invalid row.
    ///
    /// - Parameters:
    ///   - data: The file's bytes.
    ///   - source: The file name.
    ///   - skipInvalid: Import the valid rows even when some are invalid.
    ///   - occurredAt: When.
    ///   - progress: Called with the fraction read.
    /// - Returns: What was imported.
    /// - Throws: ``ImportFailure``, ``CSVError`` or SQLite errors.
    public func importBills(
        csv data: [UInt8], source: String, skipInvalid: Bool = false, at occurredAt: Date,
        progress: ((Double) -> Void)? = nil
    ) throws -> ImportSummary {
        try importRows(data: data, source: source, kind: .bills, skipInvalid: skipInvalid, at: occurredAt,
                       progress: progress, header: TaxBillCSV.header) { fields, line, header, db, write in
            switch TaxBillCSV.bill(from: fields, line: line, header: header) {
            case .failure(let failure): return .failure(failure)
            case .success(let bill):
                guard try Self.taxpayerExists(bill.taxpayerNumber, in: db) else {
                    return .failure(ImportFailure(problems: [ImportProblem(line: line, column: "taxpayer_number",
                        reason: "no taxpayer \(bill.taxpayerNumber) is on record (import the taxpayers first)")]))
                }
                let existed = try Bool.fetchOne(db.cachedStatement(sql: """
                    SELECT EXISTS (SELECT 1 FROM tax_bill WHERE taxpayer_number = ? AND period = ? AND tax_type = ?)
                    """), arguments: [bill.taxpayerNumber.value, bill.period.description, bill.taxType]) ?? false
                guard write else { return .success(false) }
                try Self.upsert(bill, in: db)
                return .success(!existed)
            }
        }
    }

    /// The shared import loop. `handle` validates a row and, when told to write (i.e. while no
    /// problem has been met in all-or-nothing mode), writes it and says whether it was new.
    private func importRows(
        data: [UInt8], source: String, kind: RecordsImported.Kind, skipInvalid: Bool, at occurredAt: Date,
        progress: ((Double) -> Void)?, header makeHeader: ([String], Int) -> TaxpayerCSV.Header,
        handle: ([String], Int, TaxpayerCSV.Header, Database, Bool) throws -> Result<Bool, ImportFailure>
    ) throws -> ImportSummary {
        let (utf8, encoding) = try CSVText.decode(data)
        var iterator = CSVReader(utf8: utf8).makeIterator()
        guard let headerRecord = iterator.next() else {
            if let error = iterator.error {
                throw ImportFailure(problems: [ImportProblem(line: error.line, column: nil, reason: error.message)])
            }
            throw ImportFailure(problems: [ImportProblem(line: 1, column: nil, reason: "the file is empty (a header row is required)")])
        }
        let header = makeHeader(headerRecord.fields, headerRecord.line)
        if !header.problems.isEmpty { throw ImportFailure(problems: header.problems) }

        var summary = ImportSummary(encoding: encoding, header: headerRecord.fields, rows: 0, inserted: 0, updated: 0, rejected: [])
        var problems: [ImportProblem] = []
        let total = Double(max(utf8.count, 1))
        var nextProgress = 0
        try pool.writeWithoutTransaction { db in
            let previousCache = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -65536
            try db.execute(sql: "PRAGMA cache_size = -262144")
            defer { try? db.execute(sql: "PRAGMA cache_size = \(previousCache)") }
            try db.inTransaction(.immediate) {
                while let record = iterator.next() {
                    if record.fields.count == 1 && record.fields[0].isEmpty { continue } // blank line
                    summary.rows += 1
                    let writing = skipInvalid || problems.isEmpty
                    switch try handle(record.fields, record.line, header, db, writing) {
                    case .success(let created):
                        if created { summary.inserted += 1 } else if writing { summary.updated += 1 }
                    case .failure(let failure):
                        problems += failure.problems
                        if skipInvalid {
                            summary.rejected.append(.init(line: record.line, fields: record.fields, problems: failure.problems))
                        }
                    }
                    if let progress, summary.rows >= nextProgress {
                        nextProgress = summary.rows + 2000
                        progress(Double(iterator.position) / total)
                    }
                }
                if let error = iterator.error {
                    problems.append(ImportProblem(line: error.line, column: nil, reason: error.message))
                    throw ImportFailure(problems: problems)
                }
                if !skipInvalid && !problems.isEmpty { throw ImportFailure(problems: problems) }
                try Self.appendEvent(
                    RecordsImported(kind: kind, source: source, inserted: summary.inserted, updated: summary.updated,
                                    rejected: summary.rejected.count),
                    at: occurredAt, subject: "import:\(kind.rawValue)", in: db)
                return .commit
            }
        }
        progress?(1)
        return summary
    }

    /// Writes every taxpayer as CSV (UTF-8 with BOM, CRLF), in number order, streaming page by page.
    ///
    /// Custom field columns are those used by any record. The `pin_hash` column carries PIN hashes,
    /// so importing the file into an empty database gives identical records.
    ///
    /// - Parameter url: The output file.
    /// - Returns: The number of taxpayers written.
    /// - Throws: File-system or SQLite errors.
    @discardableResult
    public func exportTaxpayers(to url: URL) throws -> Int {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.truncate(atOffset: 0)
        return try pool.read { db in
            var keys = Set<String>()
            let customRows = try String.fetchCursor(db, sql: "SELECT custom_fields FROM taxpayer WHERE custom_fields IS NOT NULL")
            while let json = try customRows.next() {
                if let fields = try? JSONDecoder().decode([String: String].self, from: Data(json.utf8)) { keys.formUnion(fields.keys) }
            }
            let customKeys = keys.sorted()
            var writer = CSVWriter(byteOrderMark: true)
            writer.write(TaxpayerCSV.exportHeader(customKeys: customKeys))
            var count = 0
            let rows = try Row.fetchCursor(db, sql: "SELECT \(Self.taxpayerColumns) FROM taxpayer ORDER BY number")
            while let row = try rows.next() {
                writer.write(TaxpayerCSV.exportRow(try Self.taxpayer(from: row), customKeys: customKeys))
                count += 1
                if writer.bytes.count > 1 << 20 { try handle.write(contentsOf: writer.take()) }
            }
            try handle.write(contentsOf: writer.take())
            return count
        }
    }
}
