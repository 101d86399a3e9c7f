public import Foundation

/// An in-memory ``EventLog`` for tests and simulations.
public actor InMemoryEventLog: EventLog {
    private var stored: [RecordedEvent] = []

    /// Creates an empty log.
    public init() {}

    /// Appends events, numbering them from 1.
    ///
    /// - Parameter events: The events.
    /// - Returns: The stored events with sequences.
    @discardableResult
    public func append(_ events: [RecordedEvent]) -> [RecordedEvent] {
        var appended: [RecordedEvent] = []
        for var event in events {
            event.sequence = Int64(stored.count + 1)
            stored.append(event)
            appended.append(event)
        }
        return appended
    }

    /// Events after a sequence, optionally about one subject.
    ///
    /// - Parameters:
    ///   - sequence: Return events with a greater sequence.
    ///   - subject: Only this subject, when given.
    ///   - limit: The most to return.
    /// - Returns: The events, oldest first.
    public func events(after sequence: Int64, subject: String?, limit: Int) -> [RecordedEvent] {
        let start = Int(max(0, min(sequence, Int64(stored.count))))
        return Array(stored[start...].lazy.filter { subject == nil || $0.subject == subject }.prefix(max(0, limit)))
    }
}

/// An in-memory ``TaxpayerStore``, ``TaxBillStore`` and ``ContactHistoryStore`` for tests, with the
/// same semantics as the SQLite implementation (search by substring instead of an index).
public actor InMemoryTaxpayerStore: TaxpayerStore, TaxBillStore, ContactHistoryStore {
    private var records: [TaxpayerNumber: Taxpayer] = [:]
    private var billsByTaxpayer: [TaxpayerNumber: [TaxBill.ID: TaxBill]] = [:]
    private var contacts: [TaxpayerNumber: [ContactRecord]] = [:]
    private let eventLog: InMemoryEventLog?

    /// Creates an empty store.
    ///
    /// - Parameter eventLog: Where change events go, if anywhere.
    public init(eventLog: InMemoryEventLog? = nil) {
        self.eventLog = eventLog
    }

    private func log<E: DomainEvent>(_ event: E, at date: Date, subject: String) async throws {
        guard let eventLog else { return }
        try await eventLog.append([RecordedEvent(event, occurredAt: date, subject: subject)])
    }

    // MARK: TaxpayerStore

    /// The taxpayer with a number.
    ///
    /// - Parameter number: The number.
    /// - Returns: The record, or `nil`.
    public func taxpayer(_ number: TaxpayerNumber) -> Taxpayer? { records[number] }

    /// Upserts a record and logs ``TaxpayerSaved``.
    ///
    /// - Parameters:
    ///   - taxpayer: The record.
    ///   - occurredAt: When.
    /// - Returns: `true` when new.
    /// - Throws: An encoding error from the event log.
    @discardableResult
    public func save(_ taxpayer: Taxpayer, at occurredAt: Date) async throws -> Bool {
        let created = records.updateValue(taxpayer, forKey: taxpayer.number) == nil
        try await log(TaxpayerSaved(taxpayerNumber: taxpayer.number, created: created), at: occurredAt,
                      subject: taxpayer.number.eventSubject)
        return created
    }

    /// Sets or clears the PIN hash and logs ``PINChanged``.
    ///
    /// - Parameters:
    ///   - pinHash: The hash or `nil`.
    ///   - number: The taxpayer.
    ///   - occurredAt: When.
    /// - Throws: ``StorageError/taxpayerNotFound(_:)``.
    public func setPIN(_ pinHash: PINHash?, for number: TaxpayerNumber, at occurredAt: Date) async throws {
        guard records[number] != nil else { throw StorageError.taxpayerNotFound(number) }
        records[number]?.pinHash = pinHash
        try await log(PINChanged(taxpayerNumber: number), at: occurredAt, subject: number.eventSubject)
    }

    /// Records with this landline or mobile.
    ///
    /// - Parameter phone: The number.
    /// - Returns: The records, by number.
    public func taxpayers(withPhone phone: PhoneNumber) -> [Taxpayer] {
        records.values.filter { $0.phone?.digits == phone.digits || $0.mobile?.digits == phone.digits }
            .sorted { $0.number < $1.number }
    }

    /// Exact number and phone matches first, then records whose text contains the query.
    ///
    /// - Parameters:
    ///   - query: The query.
    ///   - limit: The most results.
    /// - Returns: The matches.
    public func search(_ query: String, limit: Int) -> [TaxpayerSearchResult] {
        let needle = query.trimmingWhitespace().uppercased()
        guard !needle.isEmpty, limit > 0 else { return [] }
        var results: [TaxpayerSearchResult] = []
        var seen = Set<TaxpayerNumber>()
        if let number = try? TaxpayerNumber(needle), let record = records[number] {
            results.append(TaxpayerSearchResult(taxpayer: record, match: .taxpayerNumber))
            seen.insert(number)
        }
        if let phone = try? PhoneNumber(needle) {
            for record in taxpayers(withPhone: phone) where seen.insert(record.number).inserted {
                results.append(TaxpayerSearchResult(taxpayer: record, match: .phone))
            }
        }
        for record in records.values.sorted(by: { $0.number < $1.number }) where results.count < limit {
            guard !seen.contains(record.number) else { continue }
            if Self.searchableText(of: record).uppercased().contains(needle) {
                results.append(TaxpayerSearchResult(taxpayer: record, match: .text))
            }
        }
        return Array(results.prefix(limit))
    }

    /// The text a search looks at: name, enterprise name, legal representative, number, phones,
    /// region, address, building, floor, room.
    ///
    /// - Parameter taxpayer: The record.
    /// - Returns: The fields joined by spaces.
    public static func searchableText(of taxpayer: Taxpayer) -> String {
        [taxpayer.name, taxpayer.enterpriseName, taxpayer.legalRepresentative, taxpayer.number.value,
         taxpayer.phone?.digits, taxpayer.mobile?.digits, taxpayer.region, taxpayer.address,
         taxpayer.building, taxpayer.floor, taxpayer.room].compactMap { $0 }.joined(separator: " ")
    }

    /// The number of records.
    ///
    /// - Returns: The count.
    public func taxpayerCount() -> Int { records.count }

    /// A page of records in number order.
    ///
    /// - Parameters:
    ///   - number: Start after this number.
    ///   - limit: The page size.
    /// - Returns: The records.
    public func taxpayers(after number: TaxpayerNumber?, limit: Int) -> [Taxpayer] {
        Array(records.values.filter { record in number.map { record.number > $0 } ?? true }.sorted { $0.number < $1.number }.prefix(max(0, limit)))
    }

    // MARK: TaxBillStore

    /// Upserts a bill and logs ``TaxBillSaved``.
    ///
    /// - Parameters:
    ///   - bill: The bill.
    ///   - occurredAt: When.
    /// - Throws: ``StorageError/taxpayerNotFound(_:)``.
    public func save(_ bill: TaxBill, at occurredAt: Date) async throws {
        guard records[bill.taxpayerNumber] != nil else { throw StorageError.taxpayerNotFound(bill.taxpayerNumber) }
        billsByTaxpayer[bill.taxpayerNumber, default: [:]][bill.id] = bill
        try await log(TaxBillSaved(bill: bill.id, outstanding: bill.outstanding), at: occurredAt,
                      subject: bill.taxpayerNumber.eventSubject)
    }

    /// A taxpayer's bills, oldest first.
    ///
    /// - Parameter number: The taxpayer.
    /// - Returns: The bills.
    public func bills(of number: TaxpayerNumber) -> [TaxBill] {
        (billsByTaxpayer[number] ?? [:]).values.sorted { ($0.period, $0.taxType) < ($1.period, $1.taxType) }
    }

    /// Taxpayers with arrears on a day.
    ///
    /// - Parameters:
    ///   - date: The day.
    ///   - number: Start after this number.
    ///   - limit: The page size.
    /// - Returns: The numbers, in order.
    public func taxpayersInArrears(asOf date: LocalDate, after number: TaxpayerNumber?, limit: Int) -> [TaxpayerNumber] {
        let debtors = billsByTaxpayer.filter { entry in entry.value.values.contains { $0.arrears(asOf: date) > .zero } }.keys
        return Array(debtors.filter { debtor in number.map { debtor > $0 } ?? true }.sorted().prefix(max(0, limit)))
    }

    // MARK: ContactHistoryStore

    /// Records a contact and logs ``ContactRecorded``.
    ///
    /// - Parameter contact: The contact.
    /// - Throws: ``StorageError/taxpayerNotFound(_:)``.
    public func record(_ contact: ContactRecord) async throws {
        guard records[contact.taxpayerNumber] != nil else { throw StorageError.taxpayerNotFound(contact.taxpayerNumber) }
        contacts[contact.taxpayerNumber, default: []].append(contact)
        try await log(ContactRecorded(contact: contact), at: contact.occurredAt, subject: contact.taxpayerNumber.eventSubject)
    }

    /// A taxpayer's contacts, newest first.
    ///
    /// - Parameters:
    ///   - number: The taxpayer.
    ///   - limit: The most to return.
    /// - Returns: The contacts.
    public func history(of number: TaxpayerNumber, limit: Int) -> [ContactRecord] {
        Array((contacts[number] ?? []).sorted { $0.occurredAt > $1.occurredAt }.prefix(max(0, limit)))
    }
}
