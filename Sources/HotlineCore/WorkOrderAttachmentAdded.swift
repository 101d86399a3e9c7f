/// A file was attached to a work order (its bytes stored under the data directory).
public struct WorkOrderAttachmentAdded: DomainEvent, Hashable {
    /// `"workorder.attachment.added"`.
    public static let eventType = "workorder.attachment.added"
    /// The order's identifier.
    public var workOrderID: String
    /// The order's number.
    public var number: String
    /// The attachment's record.
    public var attachment: WorkOrder.Attachment

    /// Creates the event.
    ///
    /// - Parameters:
    ///   - workOrderID: The order.
    ///   - number: Its number.
    ///   - attachment: The file's record.
    public init(workOrderID: String, number: String, attachment: WorkOrder.Attachment) {
        self.workOrderID = workOrderID
        self.number = number
        self.attachment = attachment
    }
}

extension WorkOrderStateMachine {
    /// The most files one order may carry.
    public static let maximumAttachments = 100

    /// Checks a file's record against the rules for attachments (type, size, name).
    ///
    /// - Parameter attachment: The record.
    /// - Throws: ``WorkOrderError/invalidField(_:_:)`` naming the field.
    public static func validate(_ attachment: WorkOrder.Attachment) throws(WorkOrderError) {
        let draft = WorkOrderDraft(kind: .consultation, summary: "-", attachments: [attachment])
        if let problem = draft.problems.first { throw problem }
    }
}
