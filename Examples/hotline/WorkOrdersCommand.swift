public import ArgumentParser
import Foundation
import HotlineCore
import HotlineSQLite

/// `hotline workorders …`: open, move, list and show work orders.
struct WorkOrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workorders",
        abstract: "Open, move, list and show work orders (SLA counted in the office calendar: Mon–Fri 09:00–12:00, 13:30–17:30 China time).",
        subcommands: [WorkOrdersOpen.self, WorkOrdersTransition.self, WorkOrdersList.self, WorkOrdersShow.self]
    )
}

extension WorkOrder.Kind: ExpressibleByArgument {}
extension WorkOrder.Priority: ExpressibleByArgument {}
extension WorkOrder.Status: ExpressibleByArgument {}
extension WorkOrder.Channel: ExpressibleByArgument {}
extension WorkOrderTransition: ExpressibleByArgument {}

extension HotlineDatabase {
    /// The casework desk over this database, counting SLA time in the standard office calendar.
    var desk: WorkOrderDesk { WorkOrderDesk(store: self, audit: self, calendar: BusinessCalendar.weekdayOffice()) }

    /// The principal of a stored user, with the permissions of their roles.
    func principal(username: String) async throws -> Principal {
        guard let user = try await user(username: username) else {
            printError("no user '\(username)'; add one with: hotline users add \(username)")
            throw ExitCode(1)
        }
        return user.principal(roles: try await roles())
    }
}

func reportWorkOrderError<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let error as WorkOrderError {
        printError("\(error.code): \(error.description)")
        throw ExitCode(1)
    }
}

func printCaseworkJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

struct WorkOrdersOpen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "open", abstract: "Open a work order as a user.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("as"), help: "The acting user's sign-in name.") var actor: String
    @Option(help: "consultation, complaint, report, suggestion, problemReport, fieldDispatch, informationQuery.")
    var kind: WorkOrder.Kind
    @Option(help: "low, normal, high, urgent.") var priority: WorkOrder.Priority = .normal
    @Option(help: "phone, fax, email, sms, web, api, walkIn.") var channel: WorkOrder.Channel = .phone
    @Option(help: "One-line summary.") var summary: String
    @Option(help: "Full description.") var description: String = ""
    @Option(help: "Category path, '/'-separated, e.g. 纳税服务/办税服务厅.") var category: String?
    @Option(help: "The taxpayer's number.") var taxpayer: String?
    @Option(help: "The caller's name.") var callerName: String?
    @Option(help: "The caller's phone number.") var callerPhone: String?
    @Option(name: .customLong("recording"), help: "A recording to link (repeatable).") var recordings: [String] = []
    @Option(name: .customLong("call"), help: "A call to link (repeatable).") var calls: [String] = []

    func run() async throws {
        let database = try global.openDatabase()
        let principal = try await database.principal(username: actor)
        var draft = WorkOrderDraft(kind: kind, priority: priority, channel: channel, summary: summary, description: description)
        draft.category = category.map { $0.split(separator: "/").map(String.init) } ?? []
        do {
            draft.taxpayerNumber = try taxpayer.map { try TaxpayerNumber($0) }
            draft.caller = WorkOrder.CallerContact(name: callerName, phone: try callerPhone.map { try PhoneNumber($0) })
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        draft.links = recordings.map { .init(kind: .recording, reference: $0) } + calls.map { .init(kind: .call, reference: $0) }
        let order = try await reportWorkOrderError { try await database.desk.open(draft, by: principal, at: Date()) }
        print("opened \(order.number) (\(order.id)), due \(order.dueAt?.formatted(.iso8601) ?? "—")")
    }
}

struct WorkOrdersTransition: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transition",
        abstract: "Move a work order: assign, startWork, submitForApproval, approve, returnForRework, replyToCaller, close, reopen."
    )
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("as"), help: "The acting user's sign-in name.") var actor: String
    @Argument(help: "The work order's number or id.") var order: String
    @Argument(help: "The transition.") var transition: WorkOrderTransition
    @Option(help: "Why (required).") var comment: String
    @Option(help: "For assign: the department.") var department: String?
    @Option(help: "For assign: the person's sign-in name.") var person: String?

    func run() async throws {
        let database = try global.openDatabase()
        let principal = try await database.principal(username: actor)
        var assignee: WorkOrder.Assignee?
        if let department { assignee = .department(department) }
        if let person { assignee = .person(try await database.principal(username: person).userID) }
        let moved = try await reportWorkOrderError {
            try await database.desk.transition(order, .init(transition, comment: comment, assignee: assignee), by: principal, at: Date())
        }
        print("\(moved.number) is now \(moved.status.rawValue)")
    }
}

struct WorkOrdersList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List work orders, newest first.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this status (repeatable).") var status: [WorkOrder.Status] = []
    @Option(help: "Only this kind (repeatable).") var kind: [WorkOrder.Kind] = []
    @Option(help: "Only orders assigned to this department.") var department: String?
    @Flag(help: "Only open orders past their due date.") var overdue = false
    @Option(help: "Start after this number (the previous page's last).") var before: String?
    @Option(help: "The most to show.") var limit = 50
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let database = try global.openDatabase()
        let now = Date()
        var query = WorkOrderQuery(statuses: Set(status), kinds: Set(kind), assignee: department.map(WorkOrder.Assignee.department),
                                   beforeNumber: before, limit: limit)
        if overdue {
            query.dueBefore = now
            if query.statuses.isEmpty { query.statuses = WorkOrderQuery.openStatuses }
        }
        let orders = try await database.workOrders(query)
        if json { return try printCaseworkJSON(orders) }
        for order in orders {
            let due = order.dueAt.map { ($0 < now && order.status.slaRuns ? "OVERDUE " : "") + $0.formatted(.iso8601) } ?? "—"
            let assignee = order.assignee.map { "\($0.kind.rawValue):\($0.id)" } ?? "unassigned"
            print("\(order.number)\t\(order.kind.rawValue)\t\(order.priority.rawValue)\t\(order.status.rawValue)\t\(assignee)\tdue \(due)\t\(order.summary)")
        }
        if orders.isEmpty { print("no work orders match") }
    }
}

struct WorkOrdersShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a work order with its history, visits and SLA state.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The work order's number or id.") var order: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let database = try global.openDatabase()
        guard let order = try await database.workOrder(order) else {
            printError("no work order '\(self.order)'")
            throw ExitCode(1)
        }
        if json { return try printCaseworkJSON(order) }
        let desk = database.desk
        let sla = desk.policy.assess(order, now: Date(), calendar: BusinessCalendar.weekdayOffice())
        print("\(order.number)  \(order.kind.rawValue) · \(order.priority.rawValue) · \(order.status.rawValue) · via \(order.channel.rawValue)")
        print("summary:   \(order.summary)")
        if !order.description.isEmpty { print("details:   \(order.description)") }
        if !order.category.isEmpty { print("category:  \(order.category.joined(separator: " / "))") }
        if let taxpayer = order.taxpayerNumber { print("taxpayer:  \(taxpayer)") }
        let caller = [order.caller.name, order.caller.phone?.description, order.caller.email].compactMap { $0 }
        if !caller.isEmpty { print("caller:    \(caller.joined(separator: ", "))") }
        print("assignee:  \(order.assignee.map { "\($0.kind.rawValue) \($0.id)" } ?? "—")")
        print("opened:    \(order.createdAt.formatted(.iso8601)) by \(order.createdBy)")
        print("due:       \(order.dueAt?.formatted(.iso8601) ?? "—")  (\(sla.state.rawValue)"
              + (sla.state == .overdue ? ", \(sla.overdue.components.seconds / 60) working minutes late, level \(sla.escalationLevel)" : "")
              + (order.urgeCount > 0 ? ", urged \(order.urgeCount)×" : "") + ")")
        for link in order.links { print("linked:    \(link.kind.rawValue) \(link.reference)") }
        for attachment in order.attachments { print("attached:  \(attachment.fileName) (\(attachment.mediaType), \(attachment.byteCount) bytes)") }
        if !order.history.isEmpty { print("history:") }
        for step in order.history {
            let to = step.assignee.map { " → \($0.kind.rawValue) \($0.id)" } ?? ""
            print("  \(step.at.formatted(.iso8601))  \(step.transition.rawValue)\(to)  [\(step.from.rawValue) → \(step.to.rawValue)] by \(step.by): \(step.comment)")
        }
        for (index, visit) in order.dispatches.enumerated() {
            print("visit \(index + 1):")
            for step in visit.steps { print("  \(step.at.formatted(.iso8601))  \(step.stage.rawValue) by \(step.by)  \(step.note)") }
        }
    }
}
