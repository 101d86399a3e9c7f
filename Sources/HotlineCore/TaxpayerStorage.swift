public import Foundation

/// Where taxpayer records live (F6): the embedded SQLite database in production
/// (`HotlineSQLite.HotlineDatabase`), ``InMemoryTaxpayerStore`` in tests.
///
/// Implementations append a ``TaxpayerSaved`` (and ``PINChanged``) event to their event log in
/// the same transaction as the change they describe.
public protocol TaxpayerStore: Sendable {
    /// The taxpayer with a number, if on record.
    ///
    /// - Parameter number: The taxpayer number.
    /// - Returns: The record, or `nil`.
    /// - Throws: A storage error.
    func taxpayer(_ number: TaxpayerNumber) async throws -> Taxpayer?

    /// Inserts or replaces a taxpayer record (upsert by number).
    ///
    /// - Parameters:
    ///   - taxpayer: The record.
    ///   - occurredAt: When the change happened (for the event log).
    /// - Returns: `true` when the record is new.
    /// - Throws: A storage error.
    @discardableResult
    func save(_ taxpayer: Taxpayer, at occurredAt: Date) async throws -> Bool

    /// Sets or clears a taxpayer's self-service PIN hash.
    ///
    /// - Parameters:
    ///   - pinHash: The new hash, or `nil` to remove the PIN.
    ///   - number: The taxpayer.
    ///   - occurredAt: When (for the event log).
    /// - Throws: ``StorageError/taxpayerNotFound(_:)`` or a storage error.
    func setPIN(_ pinHash: PINHash?, for number: TaxpayerNumber, at occurredAt: Date) async throws

    /// Taxpayers whose landline or mobile is this number: the screen pop's caller-ID lookup.
    ///
    /// - Parameter phone: The caller's number, normalised.
    /// - Returns: The matching records, by taxpayer number.
    /// - Throws: A storage error.
    func taxpayers(withPhone phone: PhoneNumber) async throws -> [Taxpayer]

    /// Searches names, enterprise names, taxpayer numbers, phones and addresses.
    ///
    /// Exact taxpayer-number and phone matches come first, then text matches (one-character Chinese
    /// queries included), best first.
    ///
    /// - Parameters:
    ///   - query: What the agent typed.
    ///   - limit: The most results to return.
    /// - Returns: The matches.
    /// - Throws: A storage error.
    func search(_ query: String, limit: Int) async throws -> [TaxpayerSearchResult]

    /// How many taxpayers are on record.
    ///
    /// - Returns: The count.
    /// - Throws: A storage error.
    func taxpayerCount() async throws -> Int

    /// A page of taxpayers in number order, for exports and batch jobs.
    ///
    /// - Parameters:
    ///   - number: Start after this number (`nil`: from the first).
    ///   - limit: The page size.
    /// - Returns: Up to `limit` records with numbers greater than `number`.
    /// - Throws: A storage error.
    func taxpayers(after number: TaxpayerNumber?, limit: Int) async throws -> [Taxpayer]
}

/// One search hit and why it matched.
public struct TaxpayerSearchResult: Sendable, Hashable, Codable {
    /// Why a record matched, strongest first.
    public enum Match: String, Sendable, Hashable, Codable, Comparable {
        /// The query is exactly the taxpayer number.
        case taxpayerNumber = "taxpayer_number"
        /// The query is exactly one of the phone numbers.
        case phone
        /// The query occurs in the record's text.
        case text

        private var rank: Int {
            switch self {
            case .taxpayerNumber: return 0
            case .phone: return 1
            case .text: return 2
            }
        }

        /// Orders matches strongest first.
        public static func < (lhs: Match, rhs: Match) -> Bool { lhs.rank < rhs.rank }
    }

    /// The matching record.
    public var taxpayer: Taxpayer
    /// Why it matched.
    public var match: Match

    /// Creates a result.
    ///
    /// - Parameters:
    ///   - taxpayer: The record.
    ///   - match: Why it matched.
    public init(taxpayer: Taxpayer, match: Match) {
        self.taxpayer = taxpayer
        self.match = match
    }
}

/// Where tax bills live (F8 self-service queries, F10 dunning).
///
/// Implementations append a ``TaxBillSaved`` event in the same transaction as the change.
public protocol TaxBillStore: Sendable {
    /// Inserts or replaces a bill (upsert by taxpayer, period and tax type).
    ///
    /// - Parameters:
    ///   - bill: The bill.
    ///   - occurredAt: When (for the event log).
    /// - Throws: ``StorageError/taxpayerNotFound(_:)`` when the taxpayer is not on record.
    func save(_ bill: TaxBill, at occurredAt: Date) async throws

    /// A taxpayer's bills, oldest period first.
    ///
    /// - Parameter number: The taxpayer.
    /// - Returns: The bills.
    /// - Throws: A storage error.
    func bills(of number: TaxpayerNumber) async throws -> [TaxBill]

    /// Taxpayers with arrears on a day, in number order: the dunning list.
    ///
    /// - Parameters:
    ///   - date: The day.
    ///   - number: Start after this number (`nil`: from the first).
    ///   - limit: The page size.
    /// - Returns: Up to `limit` taxpayer numbers.
    /// - Throws: A storage error.
    func taxpayersInArrears(asOf date: LocalDate, after number: TaxpayerNumber?, limit: Int) async throws -> [TaxpayerNumber]
}

extension TaxBillStore {
    /// A taxpayer's arrears and surcharge on a day.
    ///
    /// - Parameters:
    ///   - number: The taxpayer.
    ///   - date: The day.
    ///   - rule: The surcharge rate.
    /// - Returns: The summary (zero when nothing is owed).
    /// - Throws: A storage error.
    public func arrears(of number: TaxpayerNumber, asOf date: LocalDate,
                        rule: LateSurchargeRule = .statutory) async throws -> ArrearsSummary {
        ArrearsSummary(bills: try await bills(of: number), of: number, asOf: date, rule: rule)
    }
}

/// Where the service history lives (F5 screen pop).
///
/// Implementations append a ``ContactRecorded`` event in the same transaction.
public protocol ContactHistoryStore: Sendable {
    /// Records a contact.
    ///
    /// - Parameter contact: The contact.
    /// - Throws: ``StorageError/taxpayerNotFound(_:)`` when the taxpayer is not on record.
    func record(_ contact: ContactRecord) async throws

    /// A taxpayer's contacts, newest first.
    ///
    /// - Parameters:
    ///   - number: The taxpayer.
    ///   - limit: The most records to return.
    /// - Returns: The contacts.
    /// - Throws: A storage error.
    func history(of number: TaxpayerNumber, limit: Int) async throws -> [ContactRecord]
}

/// The append-only log of every ``RecordedEvent``: the spine reports, live views and webhooks read.
public protocol EventLog: Sendable {
    /// Appends events in order, assigning their ``RecordedEvent/sequence``.
    ///
    /// - Parameter events: The events (their `sequence` is ignored).
    /// - Returns: The events as stored, with sequences.
    /// - Throws: A storage error.
    @discardableResult
    func append(_ events: [RecordedEvent]) async throws -> [RecordedEvent]

    /// Events after a sequence number, oldest first.
    ///
    /// - Parameters:
    ///   - sequence: Return events with a greater sequence (0: from the start).
    ///   - subject: Only events about this subject, when given.
    ///   - limit: The most events to return.
    /// - Returns: The events.
    /// - Throws: A storage error.
    func events(after sequence: Int64, subject: String?, limit: Int) async throws -> [RecordedEvent]
}

/// Errors common to every storage implementation.
public enum StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No taxpayer with this number is on record.
    case taxpayerNotFound(TaxpayerNumber)
    /// A stored row could not be read back as a record (the message names the row and column).
    case corruptRecord(String)

    /// A sentence explaining the problem.
    public var description: String {
        switch self {
        case .taxpayerNotFound(let number): return "no taxpayer with number \(number) is on record"
        case .corruptRecord(let message): return "stored record is corrupt: \(message)"
        }
    }
}
