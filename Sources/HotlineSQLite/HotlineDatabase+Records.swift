public import Foundation
import GRDB
public import HotlineCore

extension HotlineDatabase: TaxBillStore, ContactHistoryStore, EventLog {
    // MARK: Bills

    static func upsert(_ bill: TaxBill, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO tax_bill (taxpayer_number, period, tax_type, amount_due, amount_paid, due_date)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (taxpayer_number, period, tax_type) DO UPDATE SET
            amount_due = excluded.amount_due, amount_paid = excluded.amount_paid, due_date = excluded.due_date
            """).execute(arguments: [bill.taxpayerNumber.value, bill.period.description, bill.taxType,
                                     bill.amountDue.fen, bill.amountPaid.fen, bill.dueDate.description])
    }

    static func taxpayerExists(_ number: TaxpayerNumber, in db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM taxpayer WHERE number = ?)"),
                          arguments: [number.value]) ?? false
    }

    /// Upserts a bill and appends ``TaxBillSaved`` in one transaction.
    ///
    /// - Parameters:
    ///   - bill: The bill.
    ///   - occurredAt: When.
    /// - Throws: ``StorageError/taxpayerNotFound(_:)`` or SQLite errors.
    public func save(_ bill: TaxBill, at occurredAt: Date) async throws {
        try await pool.write { db in
            guard try Self.taxpayerExists(bill.taxpayerNumber, in: db) else {
                throw StorageError.taxpayerNotFound(bill.taxpayerNumber)
            }
            try Self.upsert(bill, in: db)
            try Self.appendEvent(TaxBillSaved(bill: bill.id, outstanding: bill.outstanding), at: occurredAt,
                                 subject: bill.taxpayerNumber.eventSubject, in: db)
        }
    }

    /// A taxpayer's bills, oldest period first.
    ///
    /// - Parameter number: The taxpayer.
    /// - Returns: The bills.
    /// - Throws: SQLite errors or ``StorageError/corruptRecord(_:)``.
    public func bills(of number: TaxpayerNumber) async throws -> [TaxBill] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT period, tax_type, amount_due, amount_paid, due_date FROM tax_bill
                WHERE taxpayer_number = ? ORDER BY period, tax_type
                """, arguments: [number.value]).map { row in
                guard let period = BillingPeriod(row["period"] as String),
                      let due = LocalDate(row["due_date"] as String) else {
                    throw StorageError.corruptRecord("bill of \(number): bad period or due date")
                }
                return TaxBill(taxpayerNumber: number, period: period, taxType: row["tax_type"],
                               amountDue: Money(fen: row["amount_due"]), amountPaid: Money(fen: row["amount_paid"]),
                               dueDate: due)
            }
        }
    }

    /// Taxpayers with arrears on a day, in number order.
    ///
    /// - Parameters:
    ///   - date: The day.
    ///   - number: Start after this number.
    ///   - limit: The page size.
    /// - Returns: The numbers.
    /// - Throws: SQLite errors.
    public func taxpayersInArrears(asOf date: LocalDate, after number: TaxpayerNumber?, limit: Int) async throws -> [TaxpayerNumber] {
        try await pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT DISTINCT taxpayer_number FROM tax_bill
                WHERE taxpayer_number > ? AND amount_due > amount_paid AND due_date < ?
                ORDER BY taxpayer_number LIMIT ?
                """, arguments: [number?.value ?? "", date.description, limit]).compactMap { try? TaxpayerNumber($0) }
        }
    }

    // MARK: Contacts

    static func insert(_ contact: ContactRecord, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO contact_record (id, taxpayer_number, occurred_at, channel, summary, agent, call_id, work_order_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [contact.id.uuidString, contact.taxpayerNumber.value,
                                     contact.occurredAt.timeIntervalSince1970, contact.channel.rawValue, contact.summary,
                                     contact.agent, contact.callID, contact.workOrderID])
    }

    /// Records a contact and appends ``ContactRecorded`` in one transaction.
    ///
    /// - Parameter contact: The contact.
    /// - Throws: ``StorageError/taxpayerNotFound(_:)`` or SQLite errors.
    public func record(_ contact: ContactRecord) async throws {
        try await pool.write { db in
            guard try Self.taxpayerExists(contact.taxpayerNumber, in: db) else {
                throw StorageError.taxpayerNotFound(contact.taxpayerNumber)
            }
            try Self.insert(contact, in: db)
            try Self.appendEvent(ContactRecorded(contact: contact), at: contact.occurredAt,
                                 subject: contact.taxpayerNumber.eventSubject, in: db)
        }
    }

    /// A taxpayer's contacts, newest first.
    ///
    /// - Parameters:
    ///   - number: The taxpayer.
    ///   - limit: The most to return.
    /// - Returns: The contacts.
    /// - Throws: SQLite errors or ``StorageError/corruptRecord(_:)``.
    public func history(of number: TaxpayerNumber, limit: Int) async throws -> [ContactRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, occurred_at, channel, summary, agent, call_id, work_order_id FROM contact_record
                WHERE taxpayer_number = ? ORDER BY occurred_at DESC LIMIT ?
                """, arguments: [number.value, limit]).map { row in
                guard let id = UUID(uuidString: row["id"]), let channel = ContactRecord.Channel(rawValue: row["channel"]) else {
                    throw StorageError.corruptRecord("contact of \(number): bad id or channel")
                }
                return ContactRecord(id: id, taxpayerNumber: number,
                                     occurredAt: Date(timeIntervalSince1970: row["occurred_at"]), channel: channel,
                                     summary: row["summary"], agent: row["agent"], callID: row["call_id"],
                                     workOrderID: row["work_order_id"])
            }
        }
    }

    // MARK: Event log

    /// Appends events in one transaction, assigning sequences.
    ///
    /// - Parameter events: The events.
    /// - Returns: The stored events.
    /// - Throws: SQLite errors.
    @discardableResult
    public func append(_ events: [RecordedEvent]) async throws -> [RecordedEvent] {
        try await pool.write { db in
            try events.map { event in
                var stored = event
                try db.cachedStatement(sql: "INSERT INTO event (type, occurred_at, subject, payload) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [event.type, event.occurredAt.timeIntervalSince1970, event.subject, event.payload])
                stored.sequence = db.lastInsertedRowID
                return stored
            }
        }
    }

    /// Events after a sequence, optionally about one subject, oldest first.
    ///
    /// - Parameters:
    ///   - sequence: Return events with a greater sequence.
    ///   - subject: Only this subject, when given.
    ///   - limit: The most to return.
    /// - Returns: The events.
    /// - Throws: SQLite errors.
    public func events(after sequence: Int64, subject: String?, limit: Int) async throws -> [RecordedEvent] {
        try await pool.read { db in
            let rows: [Row]
            if let subject {
                rows = try Row.fetchAll(db, sql: """
                    SELECT * FROM event WHERE subject = ? AND sequence > ? ORDER BY sequence LIMIT ?
                    """, arguments: [subject, sequence, limit])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM event WHERE sequence > ? ORDER BY sequence LIMIT ?",
                                        arguments: [sequence, limit])
            }
            return rows.map { row in
                RecordedEvent(sequence: row["sequence"], type: row["type"],
                              occurredAt: Date(timeIntervalSince1970: row["occurred_at"]), subject: row["subject"],
                              payload: row["payload"])
            }
        }
    }
}
