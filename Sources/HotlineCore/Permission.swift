/// One action a user may be allowed to take; roles grant sets of them.
///
/// Raw values are stable dotted names (`"workorder.approve"`) used in storage, in the API and in
/// audit entries; never change one once shipped.
public enum Permission: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    // MARK: Work orders
    /// Open a new work order.
    case workOrderCreate = "workorder.create"
    /// Read work orders.
    case workOrderRead = "workorder.read"
    /// Assign (or reassign) a work order to a department or person (派单).
    case workOrderAssign = "workorder.assign"
    /// Start or resume handling an assigned work order.
    case workOrderStart = "workorder.start"
    /// Submit a handled work order for approval (报批).
    case workOrderSubmit = "workorder.submit"
    /// Approve a work order's handling (批示).
    case workOrderApprove = "workorder.approve"
    /// Return a work order's handling for rework.
    case workOrderReturn = "workorder.return"
    /// Record that the caller has been answered (回复来电人).
    case workOrderReply = "workorder.reply"
    /// Close a work order.
    case workOrderClose = "workorder.close"
    /// Reopen a closed work order.
    case workOrderReopen = "workorder.reopen"
    /// Urge a late work order (催办).
    case workOrderUrge = "workorder.urge"
    /// Record field dispatch progress (dispatched, departed, on site, result, returned).
    case workOrderDispatch = "workorder.dispatch"
    /// Handle work orders not assigned to oneself or one's department.
    case workOrderHandleAny = "workorder.handleAny"

    // MARK: Knowledge base
    /// Read and search knowledge articles.
    case knowledgeRead = "kb.read"
    /// Write knowledge articles and new versions.
    case knowledgeEdit = "kb.edit"

    // MARK: Taxpayers
    /// Read taxpayer records.
    case taxpayerRead = "taxpayer.read"
    /// Create and change taxpayer records.
    case taxpayerWrite = "taxpayer.write"

    // MARK: Administration
    /// List users and roles.
    case userRead = "user.read"
    /// Create, change and disable users, reset passwords, change roles.
    case userAdmin = "user.admin"
    /// Create and revoke API keys.
    case apiKeyAdmin = "apikey.admin"
    /// Read the audit log.
    case auditRead = "audit.read"
    /// Read reports and the event log.
    case reportRead = "report.read"
    /// Manage webhook subscriptions.
    case webhookAdmin = "webhook.admin"
    /// Search every call's record and listen to its recording (quality inspection, 质检); agents see
    /// their own calls without it.
    case recordingRead = "recording.read"

    // MARK: CTI
    /// Log in and out as an agent and change one's own state.
    case ctiAgent = "cti.agent"
    /// Dial out, click-to-dial, call back.
    case ctiDial = "cti.dial"
    /// Transfer, hold, conference one's own calls.
    case ctiTransfer = "cti.transfer"
    /// Pick up a ringing or queued call.
    case ctiPickup = "cti.pickup"
    /// Listen to, whisper to or barge into another agent's call.
    case ctiMonitor = "cti.monitor"
    /// Force another agent's call down or force an agent's login/logout.
    case ctiForce = "cti.force"

    /// Orders permissions by their raw value, so that lists print in a stable order.
    public static func < (lhs: Permission, rhs: Permission) -> Bool { lhs.rawValue < rhs.rawValue }
}
