public import Foundation

/// A case opened from a call, fax, e-mail or the web: a consultation to answer, a complaint to
/// handle, a report (举报) to investigate, a field visit to make (工单).
///
/// A work order is moved through its life only by ``WorkOrderStateMachine``; every move records who
/// made it, when and why in ``history`` and yields a domain event.
public struct WorkOrder: Sendable, Hashable, Codable, Identifiable {
    /// What the caller wants.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A question to answer (咨询).
        case consultation
        /// A complaint about service or staff (投诉).
        case complaint
        /// A report of suspected tax violations (举报).
        case report
        /// A suggestion (建议).
        case suggestion
        /// A problem or fault report, e.g. an e-tax system failure (故障/问题报告).
        case problemReport
        /// A visit to be made by field staff (派工).
        case fieldDispatch
        /// A request for information (信息查询).
        case informationQuery
    }

    /// How urgent the order is; it decides the SLA together with the kind.
    public enum Priority: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        /// Low (一般缓办).
        case low
        /// Normal (一般).
        case normal
        /// High (紧急).
        case high
        /// Urgent (特急).
        case urgent

        private var rank: Int {
            switch self {
            case .low: 0
            case .normal: 1
            case .high: 2
            case .urgent: 3
            }
        }

        /// Orders priorities from low to urgent.
        public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rank < rhs.rank }
    }

    /// How the matter reached the hotline.
    public enum Channel: String, Sendable, Hashable, Codable, CaseIterable {
        /// A telephone call.
        case phone
        /// A fax.
        case fax
        /// An e-mail.
        case email
        /// An SMS.
        case sms
        /// The web portal.
        case web
        /// Another system through the API.
        case api
        /// In person at a service hall.
        case walkIn
    }

    /// Where a work order stands in its life.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Opened, not yet assigned (新建).
        case new
        /// Assigned to a department or person (已派单).
        case assigned
        /// Being handled (处理中).
        case inProgress
        /// Handled, waiting for the approver's instruction (待批示).
        case awaitingApproval
        /// Approved; the caller can be answered (已批示).
        case approved
        /// Sent back for rework by the approver (已退回).
        case returned
        /// The caller has been answered (已回复).
        case repliedToCaller
        /// Finished (已办结).
        case closed

        /// Whether the SLA clock runs in this status (it stops once the caller has been answered).
        public var slaRuns: Bool { self != .repliedToCaller && self != .closed }
    }

    /// Who a work order is assigned to.
    public struct Assignee: Sendable, Hashable, Codable {
        /// Whether a department or a person.
        public enum Kind: String, Sendable, Hashable, Codable {
            /// A department (e.g. `征管科`); any of its handlers may take it.
            case department
            /// A person, by ``User/id``.
            case person
        }

        /// Department or person.
        public var kind: Kind
        /// The department's name or the user's identifier.
        public var id: String

        /// Creates an assignee.
        ///
        /// - Parameters:
        ///   - kind: Department or person.
        ///   - id: Department name or user identifier.
        public init(kind: Kind, id: String) {
            self.kind = kind
            self.id = id
        }

        /// A department.
        ///
        /// - Parameter name: The department's name.
        /// - Returns: The assignee.
        public static func department(_ name: String) -> Assignee { Assignee(kind: .department, id: name) }

        /// A person.
        ///
        /// - Parameter userID: The user's identifier.
        /// - Returns: The assignee.
        public static func person(_ userID: String) -> Assignee { Assignee(kind: .person, id: userID) }
    }

    /// How to reach the person who raised the matter.
    public struct CallerContact: Sendable, Hashable, Codable {
        /// The caller's name as given.
        public var name: String?
        /// The number to call back.
        public var phone: PhoneNumber?
        /// An e-mail address for the written reply.
        public var email: String?

        /// Creates a contact.
        ///
        /// - Parameters:
        ///   - name: Name as given.
        ///   - phone: Call-back number.
        ///   - email: E-mail address.
        public init(name: String? = nil, phone: PhoneNumber? = nil, email: String? = nil) {
            self.name = name
            self.phone = phone
            self.email = email
        }
    }

    /// A file attached to a work order; the bytes live under the data directory, this is their record.
    public struct Attachment: Sendable, Hashable, Codable, Identifiable {
        /// Identifier of the attachment.
        public var id: String
        /// The file's name as uploaded.
        public var fileName: String
        /// Its media type, e.g. `application/pdf`.
        public var mediaType: String
        /// Its size in bytes.
        public var byteCount: Int
        /// Lower-case hex SHA-256 of the content, for integrity.
        public var sha256: String?
        /// Where the bytes are stored, relative to the data directory.
        public var storagePath: String
        /// When it was attached.
        public var addedAt: Date
        /// Who attached it (``User/id``).
        public var addedBy: String

        /// Creates attachment metadata.
        ///
        /// - Parameters:
        ///   - id: Identifier.
        ///   - fileName: Original name.
        ///   - mediaType: Media type.
        ///   - byteCount: Size.
        ///   - sha256: Hex digest, if known.
        ///   - storagePath: Relative path of the stored bytes.
        ///   - addedAt: When attached.
        ///   - addedBy: Who attached it.
        public init(id: String = UUID().uuidString.lowercased(), fileName: String, mediaType: String, byteCount: Int,
                    sha256: String? = nil, storagePath: String, addedAt: Date, addedBy: String) {
            self.id = id
            self.fileName = fileName
            self.mediaType = mediaType
            self.byteCount = byteCount
            self.sha256 = sha256
            self.storagePath = storagePath
            self.addedAt = addedAt
            self.addedBy = addedBy
        }
    }

    /// A link from a work order to the communication it came from or produced.
    public struct Link: Sendable, Hashable, Codable {
        /// What is linked.
        public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
            /// A call (its CDR).
            case call
            /// A call recording.
            case recording
            /// A voicemail message.
            case voicemail
            /// A fax document.
            case fax
            /// An e-mail message.
            case email
        }

        /// What is linked.
        public var kind: Kind
        /// The linked item's identifier in its own store (call ID, recording ID, message ID…).
        public var reference: String

        /// Creates a link.
        ///
        /// - Parameters:
        ///   - kind: What is linked.
        ///   - reference: Its identifier.
        public init(kind: Kind, reference: String) {
            self.kind = kind
            self.reference = reference
        }
    }

    /// The order's stable identifier (a UUID string).
    public var id: String
    /// The number told to the caller, e.g. `GD2026-000123`; given by the store on creation.
    public var number: String
    /// What the caller wants.
    public var kind: Kind
    /// Where the order stands.
    public var status: Status
    /// How urgent it is.
    public var priority: Priority
    /// How it reached the hotline.
    public var channel: Channel
    /// The taxpayer concerned, if known.
    public var taxpayerNumber: TaxpayerNumber?
    /// How to reach the caller.
    public var caller: CallerContact
    /// The business category as a path from the root, e.g. `["税费申报", "增值税", "小规模纳税人"]`.
    public var category: [String]
    /// One line saying what it is about.
    public var summary: String
    /// The full description.
    public var description: String
    /// Attached files.
    public var attachments: [Attachment]
    /// Linked calls, recordings, voicemails, faxes and e-mails.
    public var links: [Link]
    /// Who it is assigned to, once assigned.
    public var assignee: Assignee?
    /// Who opened it (``User/id``).
    public var createdBy: String
    /// When it was opened.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// When the caller must have been answered by, counted in working time (see ``ServiceLevelPolicy``).
    public var dueAt: Date?
    /// How many times it has been urged (催办), by people or by the SLA monitor.
    public var urgeCount: Int
    /// The highest automatic escalation level reached so far (0: none).
    public var escalationLevel: Int
    /// Whether the "due soon" reminder has been sent for the current due date.
    public var reminderSent: Bool
    /// Every transition, oldest first.
    public var history: [WorkOrderTransitioned]
    /// Field visits, oldest first (only for ``Kind/fieldDispatch`` orders).
    public var dispatches: [FieldDispatch]
    /// Increases with every change; stores refuse an update made from an older version.
    public var version: Int

    /// Creates a work order in status ``Status/new``; use ``WorkOrderStateMachine/open(_:by:at:policy:calendar:)``
    /// to validate a draft and obtain the creation event.
    ///
    /// - Parameters:
    ///   - id: Identifier.
    ///   - number: Number told to the caller (empty until the store assigns one).
    ///   - draft: What the order is about.
    ///   - createdBy: Who opened it.
    ///   - createdAt: When.
    ///   - dueAt: SLA due date.
    public init(id: String = UUID().uuidString.lowercased(), number: String = "", draft: WorkOrderDraft,
                createdBy: String, createdAt: Date, dueAt: Date?) {
        self.id = id
        self.number = number
        self.kind = draft.kind
        self.status = .new
        self.priority = draft.priority
        self.channel = draft.channel
        self.taxpayerNumber = draft.taxpayerNumber
        self.caller = draft.caller
        self.category = draft.category
        self.summary = draft.summary
        self.description = draft.description
        self.attachments = draft.attachments
        self.links = draft.links
        self.assignee = nil
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = createdAt
        self.dueAt = dueAt
        self.urgeCount = 0
        self.escalationLevel = 0
        self.reminderSent = false
        self.history = []
        self.dispatches = []
        self.version = 1
    }
}

/// What is needed to open a work order; validated by ``WorkOrderStateMachine/open(_:by:at:policy:calendar:)``.
public struct WorkOrderDraft: Sendable, Hashable, Codable {
    /// What the caller wants.
    public var kind: WorkOrder.Kind
    /// How urgent.
    public var priority: WorkOrder.Priority
    /// How it arrived.
    public var channel: WorkOrder.Channel
    /// The taxpayer concerned, if known.
    public var taxpayerNumber: TaxpayerNumber?
    /// How to reach the caller.
    public var caller: WorkOrder.CallerContact
    /// Category path.
    public var category: [String]
    /// One-line summary (1–200 characters).
    public var summary: String
    /// Full description (up to 20,000 characters).
    public var description: String
    /// Attached files.
    public var attachments: [WorkOrder.Attachment]
    /// Linked communications.
    public var links: [WorkOrder.Link]

    /// Creates a draft.
    ///
    /// - Parameters:
    ///   - kind: What the caller wants.
    ///   - priority: How urgent (default normal).
    ///   - channel: How it arrived (default phone).
    ///   - taxpayerNumber: The taxpayer, if known.
    ///   - caller: Contact details.
    ///   - category: Category path.
    ///   - summary: One-line summary.
    ///   - description: Full description.
    ///   - attachments: Files.
    ///   - links: Linked communications.
    public init(kind: WorkOrder.Kind, priority: WorkOrder.Priority = .normal, channel: WorkOrder.Channel = .phone,
                taxpayerNumber: TaxpayerNumber? = nil, caller: WorkOrder.CallerContact = .init(),
                category: [String] = [], summary: String, description: String = "",
                attachments: [WorkOrder.Attachment] = [], links: [WorkOrder.Link] = []) {
        self.kind = kind
        self.priority = priority
        self.channel = channel
        self.taxpayerNumber = taxpayerNumber
        self.caller = caller
        self.category = category
        self.summary = summary
        self.description = description
        self.attachments = attachments
        self.links = links
    }

    /// Largest attachment accepted, in bytes (20 MiB).
    public static let maximumAttachmentBytes = 20 * 1024 * 1024

    /// Media types accepted as attachments: documents, images, audio and e-mail.
    public static let acceptedMediaTypes: Set<String> = [
        "application/pdf", "image/jpeg", "image/png", "image/tiff", "audio/wav", "audio/x-wav", "audio/mpeg",
        "text/plain", "message/rfc822", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/msword", "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]

    /// What is wrong with the draft, field by field; empty when it can be opened.
    public var problems: [WorkOrderError] {
        var problems: [WorkOrderError] = []
        let trimmedSummary = summary.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmedSummary.isEmpty {
            problems.append(.invalidField("summary", "must not be empty"))
        } else if summary.count > 200 {
            problems.append(.invalidField("summary", "is \(summary.count) characters; at most 200"))
        }
        if description.count > 20_000 {
            problems.append(.invalidField("description", "is \(description.count) characters; at most 20000"))
        }
        if category.count > 8 || category.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty || $0.count > 60 }) {
            problems.append(.invalidField("category", "must be at most 8 non-empty names of at most 60 characters"))
        }
        if let email = caller.email, !(email.contains("@") && email.count <= 254 && !email.contains(where: \.isWhitespace)) {
            problems.append(.invalidField("caller.email", "'\(email)' is not an e-mail address"))
        }
        for (index, attachment) in attachments.enumerated() {
            if !Self.acceptedMediaTypes.contains(attachment.mediaType.lowercased()) {
                problems.append(.invalidField("attachments[\(index)].mediaType", "'\(attachment.mediaType)' is not an accepted type"))
            }
            if attachment.byteCount < 0 || attachment.byteCount > Self.maximumAttachmentBytes {
                problems.append(.invalidField("attachments[\(index)].byteCount", "\(attachment.byteCount) bytes; at most \(Self.maximumAttachmentBytes)"))
            }
            if attachment.fileName.isEmpty || attachment.fileName.contains("/") || attachment.fileName.contains("\\") {
                problems.append(.invalidField("attachments[\(index)].fileName", "must be a plain file name"))
            }
        }
        for (index, link) in links.enumerated() where link.reference.isEmpty {
            problems.append(.invalidField("links[\(index)].reference", "must not be empty"))
        }
        return problems
    }
}
