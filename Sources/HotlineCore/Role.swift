/// A named set of permissions given to users, e.g. the built-in `agent` or a site's own
/// `complaints-desk`.
public struct Role: Sendable, Hashable, Codable, Identifiable {
    /// The role's stable name, lower-case letters, digits and `-` (`"agent"`, `"complaints-desk"`).
    public var id: String
    /// A human-readable title, e.g. `坐席` or `Department handler`.
    public var title: String
    /// What the role allows.
    public var permissions: Set<Permission>

    /// Creates a role.
    ///
    /// - Parameters:
    ///   - id: The stable name.
    ///   - title: The title shown to people.
    ///   - permissions: What the role allows.
    public init(id: String, title: String, permissions: Set<Permission>) {
        self.id = id
        self.title = title
        self.permissions = permissions
    }

    /// Whether a role name is acceptable: 1–40 characters of `a-z`, `0-9` and `-`, starting with a letter.
    ///
    /// - Parameter name: The proposed name.
    /// - Returns: `true` when it may be used as ``id``.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.unicodeScalars.count <= 40 else {
            return false
        }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// Hotline agents (坐席): take calls, open and answer work orders, search the knowledge base.
    public static let agent = Role(id: "agent", title: "Agent", permissions: [
        .workOrderCreate, .workOrderRead, .workOrderStart, .workOrderSubmit, .workOrderReply, .workOrderClose,
        .knowledgeRead, .taxpayerRead, .ctiAgent, .ctiDial, .ctiTransfer, .ctiPickup,
    ])

    /// Supervisors (班长): run the floor and the casework loop — assign, approve, urge, reopen.
    public static let supervisor = Role(id: "supervisor", title: "Supervisor", permissions: agent.permissions.union([
        .workOrderAssign, .workOrderApprove, .workOrderReturn, .workOrderReopen, .workOrderUrge,
        .workOrderDispatch, .workOrderHandleAny, .knowledgeEdit, .taxpayerWrite, .userRead, .reportRead,
        .ctiMonitor, .ctiForce, .recordingRead,
    ]))

    /// Handlers in the tax authority's departments (承办部门): work on orders assigned to them.
    public static let departmentHandler = Role(id: "department-handler", title: "Department handler", permissions: [
        .workOrderRead, .workOrderStart, .workOrderSubmit, .workOrderDispatch, .knowledgeRead, .taxpayerRead,
    ])

    /// Administrators: everything, including users, API keys, webhooks and the audit log.
    public static let administrator = Role(id: "administrator", title: "Administrator", permissions: Set(Permission.allCases))

    /// Other systems (CRM, OA, …) calling the API with a key: open and read work orders, read and
    /// write taxpayers, read the knowledge base and reports.
    public static let apiClient = Role(id: "api-client", title: "API client", permissions: [
        .workOrderCreate, .workOrderRead, .knowledgeRead, .taxpayerRead, .taxpayerWrite, .reportRead,
    ])

    /// The built-in roles, present in every store from the start.
    public static let builtIn: [Role] = [agent, supervisor, departmentHandler, administrator, apiClient]
}
