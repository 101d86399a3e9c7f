public import Foundation
public import HotlineCore
public import HotlineSQLite

/// Everything the HTTP API reads and writes, as the storage protocols of HotlineCore.
public struct APIStores: Sendable {
    /// Taxpayers.
    public var taxpayers: any TaxpayerStore
    /// Tax bills.
    public var bills: any TaxBillStore
    /// Contact history.
    public var contacts: any ContactHistoryStore
    /// The domain event log.
    public var events: any EventLog
    /// Work orders.
    public var workOrders: any WorkOrderStore
    /// The knowledge base.
    public var knowledge: any KnowledgeBaseStore
    /// Users and roles.
    public var users: any UserStore
    /// The audit log.
    public var audit: any AuditLog
    /// Responses remembered for `Idempotency-Key`.
    public var idempotency: any IdempotencyStore
    /// Webhook subscriptions, deliveries and their cursor over the event log.
    public var webhooks: any WebhookStore
    /// Where work-order attachments' bytes are kept.
    public var attachmentFiles: AttachmentFiles
    /// Finished calls' records and recordings (`/calls`); `nil`: those routes answer 503.
    public var calls: (any CallDetailRecordSearching)?

    /// Creates the set from separate stores.
    /// - Parameters:
    ///   - taxpayers: Taxpayers.
    ///   - bills: Tax bills.
    ///   - contacts: Contact history.
    ///   - events: The event log.
    ///   - workOrders: Work orders.
    ///   - knowledge: The knowledge base.
    ///   - users: Users and roles.
    ///   - audit: The audit log.
    ///   - idempotency: Remembered responses.
    ///   - webhooks: Webhook subscriptions and deliveries (in memory when not given).
    ///   - attachmentFiles: Where attachments are kept (a temporary directory when not given).
    ///   - calls: Call detail records and their recordings (none when not given).
    public init(taxpayers: any TaxpayerStore, bills: any TaxBillStore, contacts: any ContactHistoryStore, events: any EventLog,
                workOrders: any WorkOrderStore, knowledge: any KnowledgeBaseStore, users: any UserStore, audit: any AuditLog,
                idempotency: any IdempotencyStore, webhooks: any WebhookStore = InMemoryWebhookStore(),
                attachmentFiles: AttachmentFiles = AttachmentFiles(dataDirectory: FileManager.default.temporaryDirectory
                    .appendingPathComponent("hotline-attachments-\(ProcessInfo.processInfo.processIdentifier)")),
                calls: (any CallDetailRecordSearching)? = nil) {
        self.taxpayers = taxpayers
        self.bills = bills
        self.contacts = contacts
        self.events = events
        self.workOrders = workOrders
        self.knowledge = knowledge
        self.users = users
        self.audit = audit
        self.idempotency = idempotency
        self.webhooks = webhooks
        self.attachmentFiles = attachmentFiles
        self.calls = calls
    }

    /// All stores on one Hotline database.
    /// - Parameter database: The open database.
    /// - Throws: If the idempotency or call record table cannot be created.
    public init(database: HotlineDatabase) throws {
        self.init(taxpayers: database, bills: database, contacts: database, events: database, workOrders: database,
                  knowledge: database, users: database, audit: database, idempotency: try SQLiteIdempotencyStore(database: database),
                  webhooks: database, attachmentFiles: AttachmentFiles(dataDirectory: database.url.deletingLastPathComponent()),
                  calls: try SQLiteCallDetailRecordStore(database: database))
    }
}
