/// A taxpayer record was created or changed.
public struct TaxpayerSaved: DomainEvent {
    /// `"taxpayer.saved"`.
    public static let eventType = "taxpayer.saved"
    /// The taxpayer.
    public var taxpayerNumber: TaxpayerNumber
    /// `true` when the record did not exist before.
    public var created: Bool

    /// Creates the event.
    ///
    /// - Parameters:
    ///   - taxpayerNumber: The taxpayer.
    ///   - created: Whether the record is new.
    public init(taxpayerNumber: TaxpayerNumber, created: Bool) {
        self.taxpayerNumber = taxpayerNumber
        self.created = created
    }
}

/// A bulk import of taxpayer records or tax bills completed (one event per import, not per row).
public struct RecordsImported: DomainEvent {
    /// `"taxpayer.imported"`.
    public static let eventType = "taxpayer.imported"
    /// What was imported.
    public enum Kind: String, Sendable, Codable, Equatable {
        /// Taxpayer records.
        case taxpayers
        /// Tax bills.
        case bills
    }
    /// What was imported.
    public var kind: Kind
    /// The source file's name.
    public var source: String
    /// Records that did not exist before.
    public var inserted: Int
    /// Records replaced.
    public var updated: Int
    /// Rows rejected (only with skip-invalid).
    public var rejected: Int

    /// Creates the event.
    ///
    /// - Parameters:
    ///   - kind: What was imported.
    ///   - source: The file name.
    ///   - inserted: New records.
    ///   - updated: Replaced records.
    ///   - rejected: Rejected rows.
    public init(kind: Kind, source: String, inserted: Int, updated: Int, rejected: Int) {
        self.kind = kind
        self.source = source
        self.inserted = inserted
        self.updated = updated
        self.rejected = rejected
    }
}

/// A tax bill was created or replaced.
public struct TaxBillSaved: DomainEvent {
    /// `"taxpayer.bill.saved"`.
    public static let eventType = "taxpayer.bill.saved"
    /// The bill's identity.
    public var bill: TaxBill.ID
    /// The amount still outstanding after the change.
    public var outstanding: Money

    /// Creates the event.
    ///
    /// - Parameters:
    ///   - bill: The bill's identity.
    ///   - outstanding: The amount still outstanding.
    public init(bill: TaxBill.ID, outstanding: Money) {
        self.bill = bill
        self.outstanding = outstanding
    }
}

/// A contact with a taxpayer was recorded in the service history.
public struct ContactRecorded: DomainEvent {
    /// `"taxpayer.contact.recorded"`.
    public static let eventType = "taxpayer.contact.recorded"
    /// The record.
    public var contact: ContactRecord

    /// Creates the event.
    ///
    /// - Parameter contact: The record.
    public init(contact: ContactRecord) { self.contact = contact }
}

/// A taxpayer's self-service PIN was set or changed (the hash is not part of the event).
public struct PINChanged: DomainEvent {
    /// `"taxpayer.pin.changed"`.
    public static let eventType = "taxpayer.pin.changed"
    /// The taxpayer.
    public var taxpayerNumber: TaxpayerNumber

    /// Creates the event.
    ///
    /// - Parameter taxpayerNumber: The taxpayer.
    public init(taxpayerNumber: TaxpayerNumber) { self.taxpayerNumber = taxpayerNumber }
}

extension TaxpayerNumber {
    /// The ``RecordedEvent/subject`` for events about this taxpayer: `taxpayer:<number>`.
    public var eventSubject: String { "taxpayer:" + value }
}
