import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import HotlineCore
import Logging
import Synchronization

/// `POST /api/v1/cti/agents/{agent}/login` body.
struct CTILoginInput: Decodable {
    var phone: String?
}

/// `POST /api/v1/cti/agents/{agent}/not-ready` body.
struct CTINotReadyInput: Decodable {
    var reason: String
}

/// `POST /api/v1/cti/agents/{agent}/alert` body.
struct CTIAlertInput: Decodable {
    var message: String?
}

/// `POST /api/v1/cti/calls/{call}/transfer` body: exactly one target.
struct CTITransferInput: Decodable {
    var agent: Int?
    var queue: String?
    var number: String?
}

/// `POST /api/v1/cti/calls/{call}/pickup` body.
struct CTIPickupInput: Decodable {
    var agent: Int?
}

/// `POST /api/v1/cti/calls/{call}/monitor` body.
struct CTIMonitorInput: Decodable {
    var mode: MonitorMode
    var phone: String?
}

/// What a CTI action answers.
struct CTIResult: Encodable {
    var result: String
}

/// The screen pop sent to the offered agent's event stream: who is calling, what we know about them,
/// and what they did in the IVR.
struct ScreenPop: Encodable {
    var type = "screenPop"
    var call: String?
    var caller: String?
    var queue: String?
    var agent: Int?
    var ivrPath: [String]
    var asOf: LocalDate
    var taxpayers: [TaxpayerView]
    var history: [ContactRecord]
}

/// Which events a stream passes on (query `types`, `agents`, `queues`, or a JSON text message with the
/// same keys as arrays, which replaces the filter).
struct EventFilter: Codable, Sendable {
    /// Type prefixes (`call.`, `agent.stateChanged`); empty: all.
    var types: [String] = []
    /// Agent numbers; empty: all the caller may see.
    var agents: [Int] = []
    /// Queue names; empty: all.
    var queues: [String] = []

    func passes(_ event: CallCenterEvent) -> Bool {
        if !types.isEmpty, !types.contains(where: { event.type.hasPrefix($0) }) { return false }
        if !agents.isEmpty, !(event.agent.map(agents.contains) ?? false) { return false }
        if !queues.isEmpty, !(event.queue.map(queues.contains) ?? false) { return false }
        return true
    }

    init(types: [String] = [], agents: [Int] = [], queues: [String] = []) {
        self.types = types
        self.agents = agents
        self.queues = queues
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        types = try container.decodeIfPresent([String].self, forKey: .types) ?? []
        agents = try container.decodeIfPresent([Int].self, forKey: .agents) ?? []
        queues = try container.decodeIfPresent([String].self, forKey: .queues) ?? []
    }

    init(query request: Request) throws(APIError) {
        func list(_ name: String) -> [String] {
            (request.uri.queryParameters.get(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
        types = list("types")
        queues = list("queues")
        var agents: [Int] = []
        for text in list("agents") {
            guard let number = Int(text) else { throw APIError.badParameter("agents", "must be agent numbers separated by commas") }
            agents.append(number)
        }
        self.agents = agents
    }
}

extension APIJSON {
    /// A value as one JSON text (a WebSocket text message).
    static func text(_ value: some Encodable) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self)
    }
}

/// A stream's filter, changed by the client while events flow.
final class LockedFilter: Sendable {
    private let value: Mutex<EventFilter>
    init(_ filter: EventFilter) { value = Mutex(filter) }
    func withLock<T>(_ body: (inout EventFilter) -> T) -> T { value.withLock { body(&$0) } }
}

/// The first message of a stream: who it is for and what it passes on.
struct StreamHello: Encodable {
    var type = "hello"
    var user: String
    var agent: Int?
    var filter: EventFilter
}

/// A snapshot of the live queue view.
struct QueueViewMessage: Encodable {
    var type = "queueView"
    var at: Date
    var queues: [QueueStatus]
}

/// Resolves the principal of a WebSocket upgrade from `Authorization`/`X-API-Key` or, as browsers cannot
/// set headers on a WebSocket, the `token` query parameter.
struct StreamAuthenticationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let authenticator: Authenticator
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var credentials = AuthenticationMiddleware.credentials(in: request)
        if credentials.isEmpty, let token = request.uri.queryParameters.get("token") { credentials = [String(token)] }
        guard let credential = credentials.first else { throw APIError.unauthenticated }
        var context = context
        context.principal = try await authenticator.principal(forToken: credential, at: now())
        return try await next(request, context)
    }
}

extension APIApplication {
    // MARK: REST

    func addCTIRoutes(to api: RouterGroup<APIRequestContext>) {
        api.get("cti/agents") { _, context in
            _ = try context.require(.ctiAgent)
            return try APIJSON.response(Page(items: try await control().agents(), nextCursor: nil))
        }
        api.post("cti/agents/{agent}/login") { request, context in
            let (principal, agent) = try await targetAgent(context, .ctiAgent)
            let input = try await optionalJSON(request, CTILoginInput(), CTILoginInput.self)
            return try await act(.logIn(agent: agent, phone: input.phone), principal)
        }
        api.post("cti/agents/{agent}/logout") { _, context in
            let (principal, agent) = try await targetAgent(context, .ctiAgent)
            let own = try await ownAgent(principal)
            return try await act(.logOut(agent: agent, forced: own != agent), principal)
        }
        api.post("cti/agents/{agent}/ready") { _, context in
            let (principal, agent) = try await targetAgent(context, .ctiAgent)
            return try await act(.ready(agent: agent), principal)
        }
        api.post("cti/agents/{agent}/not-ready") { request, context in
            let (principal, agent) = try await targetAgent(context, .ctiAgent)
            let input = try await request.decodeJSON(CTINotReadyInput.self, limit: 16_384)
            return try await act(.notReady(agent: agent, reason: input.reason), principal)
        }
        api.post("cti/agents/{agent}/alert") { request, context in
            let (principal, agent) = try await targetAgent(context, .ctiAgent)
            let input = try await optionalJSON(request, CTIAlertInput(), CTIAlertInput.self)
            return try await act(.alert(agent: agent, message: input.message ?? ""), principal)
        }
        api.get("cti/calls") { _, context in
            let principal = try context.require(.ctiAgent)
            var calls = try await control().calls()
            if !principal.can(.ctiMonitor) {
                let own = try await ownAgent(principal)
                calls = calls.filter { $0.agent != nil && $0.agent == own }
            }
            return try APIJSON.response(Page(items: calls, nextCursor: nil))
        }
        api.get("cti/queues") { _, context in
            _ = try context.require(.ctiPickup)
            return try APIJSON.response(Page(items: try await control().queues(), nextCursor: nil))
        }
        api.post("cti/calls/{call}/hangup") { _, context in
            let (principal, call) = try await ownCall(context, .ctiAgent)
            return try await act(.hangUp(call: call.call), principal)
        }
        api.post("cti/calls/{call}/force-hangup") { _, context in
            let principal = try context.require(.ctiForce)
            let call = try context.parameters.require("call")
            return try await act(.forceHangUp(call: call), principal)
        }
        api.post("cti/calls/{call}/hold") { _, context in
            let (principal, call) = try await ownCall(context, .ctiTransfer)
            return try await act(.hold(call: call.call), principal)
        }
        api.post("cti/calls/{call}/resume") { _, context in
            let (principal, call) = try await ownCall(context, .ctiTransfer)
            return try await act(.resume(call: call.call), principal)
        }
        api.post("cti/calls/{call}/transfer") { request, context in
            let (principal, call) = try await ownCall(context, .ctiTransfer)
            let input = try await request.decodeJSON(CTITransferInput.self, limit: 16_384)
            let targets: [TransferTarget] = [input.agent.map { .agent($0) }, input.queue.map { .queue($0) },
                                             input.number.map { .number($0) }].compactMap { $0 }
            guard targets.count == 1, let target = targets.first else {
                throw APIError.invalidField("body", "must name exactly one of agent, queue, number")
            }
            return try await act(.transfer(call: call.call, to: target), principal)
        }
        api.post("cti/calls/{call}/pickup") { request, context in
            let principal = try context.require(.ctiPickup)
            let input = try await optionalJSON(request, CTIPickupInput(), CTIPickupInput.self)
            let own = try await ownAgent(principal)
            guard let agent = input.agent ?? own else {
                throw APIError(.conflict, code: "no_agent_number", message: "user \(principal.username) has no agent number; name the agent")
            }
            if agent != own, !principal.can(.ctiForce) { throw APIError.forbidden(.ctiForce) }
            let call = try context.parameters.require("call")
            return try await act(.pickUp(call: call, agent: agent), principal)
        }
        api.post("cti/calls/{call}/monitor") { request, context in
            let principal = try context.require(.ctiMonitor)
            let input = try await request.decodeJSON(CTIMonitorInput.self, limit: 16_384)
            let call = try context.parameters.require("call")
            let phone = try await monitorPhone(principal, input.phone)
            return try await act(.monitor(call: call, phone: phone, mode: input.mode), principal)
        }
        api.delete("cti/calls/{call}/monitor") { _, context in
            let principal = try context.require(.ctiMonitor)
            let call = try context.parameters.require("call")
            return try await act(.stopMonitoring(call: call), principal)
        }
    }

    func control() throws(APIError) -> any CallCenterControl {
        guard let callCenter else {
            throw APIError(.serviceUnavailable, code: "cti_not_running", message: "no call centre is attached to this API (run hotline serve)")
        }
        return callCenter
    }

    /// Carries out a CTI action for a principal and answers with what was done.
    func act(_ command: CallCenterCommand, _ principal: Principal) async throws -> Response {
        do {
            let done = try await control().perform(command, by: principal.username)
            return try APIJSON.response(CTIResult(result: done))
        } catch let error as CallCenterError {
            switch error.kind {
            case .notFound: throw APIError(.notFound, code: "not_found", message: error.message)
            case .conflict: throw APIError(.conflict, code: "cti_conflict", message: error.message)
            case .unavailable: throw APIError(.unprocessableContent, code: "cti_unavailable", message: error.message)
            case .invalid: throw APIError(.unprocessableContent, code: "invalid_field", message: error.message)
            }
        }
    }

    /// The agent number of a user (`agentNumber`, else a numeric user name), if any.
    func ownAgent(_ principal: Principal) async throws -> Int? {
        let user = try await stores.users.user(id: principal.userID)
        if let number = user?.agentNumber.flatMap({ Int($0) }) { return number }
        return Int(principal.username)
    }

    /// The `{agent}` of the path (a number or `me`) after checking the caller may act on it: agents on
    /// themselves with `permission`, others need `cti.force`.
    func targetAgent(_ context: APIRequestContext, _ permission: Permission) async throws -> (Principal, Int) {
        let principal = try context.require(permission)
        let raw = try context.parameters.require("agent")
        let own = try await ownAgent(principal)
        let agent: Int
        if raw == "me" {
            guard let own else {
                throw APIError(.conflict, code: "no_agent_number", message: "user \(principal.username) has no agent number")
            }
            agent = own
        } else {
            guard let number = Int(raw) else { throw APIError.notFound("no agent \(raw)") }
            agent = number
        }
        if agent != own, !principal.can(.ctiForce) { throw APIError.forbidden(.ctiForce) }
        return (principal, agent)
    }

    /// The `{call}` of the path after checking the caller may act on it: the agent on it with
    /// `permission`, anyone else needs `cti.force`.
    func ownCall(_ context: APIRequestContext, _ permission: Permission) async throws -> (Principal, CallStatus) {
        let principal = try context.require(permission)
        let id = try context.parameters.require("call")
        guard let call = try await control().calls().first(where: { $0.call == id }) else { throw APIError.notFound("no call \(id) in progress") }
        if !principal.can(.ctiForce) {
            let own = try await ownAgent(principal)
            guard own != nil, call.agent == own else {
                throw APIError(.forbidden, code: "not_your_call", message: "call \(id) is not with your agent number; supervisors (cti.force) may act on it")
            }
        }
        return (principal, call)
    }

    /// The supervisor's phone for monitoring: the body's, else the user's agent number, else the user name.
    func monitorPhone(_ principal: Principal, _ requested: String?) async throws -> String {
        if let requested, !requested.isEmpty { return requested }
        if let own = try await ownAgent(principal) { return String(own) }
        return principal.username
    }

    func optionalJSON<T: Decodable>(_ request: Request, _ empty: T, _ type: T.Type) async throws -> T {
        let data = try await request.bodyData(limit: 16_384)
        if data.isEmpty { return empty }
        return try request.decodeJSON(type, from: data)
    }

    // MARK: WebSocket streams

    func addCTIStreams(to router: Router<APIRequestContext>) {
        let streams = router.group("api/v1").add(middleware: StreamAuthenticationMiddleware(authenticator: authenticator, now: configuration.now))
        streams.ws("events/stream", shouldUpgrade: { request, context in
            let principal = try context.require(.ctiAgent)
            _ = try control()
            _ = try EventFilter(query: request)
            _ = principal
            return .upgrade([:])
        }, onUpgrade: { inbound, outbound, context in
            try await eventStream(inbound, outbound, context)
        })
        streams.ws("cti/queues/stream", shouldUpgrade: { _, context in
            _ = try context.require(.ctiPickup)
            _ = try control()
            return .upgrade([:])
        }, onUpgrade: { inbound, outbound, context in
            try await queueStream(inbound, outbound, context)
        })
    }

    private func eventStream(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter,
                             _ context: WebSocketRouterContext<APIRequestContext>) async throws {
        guard let principal = context.requestContext.principal, let control = callCenter else { return }
        let own = try await ownAgent(principal)
        let supervisor = principal.can(.ctiMonitor)
        let filter = LockedFilter(try EventFilter(query: context.request))
        let events = control.subscribe()
        try await outbound.write(.text(try APIJSON.text(StreamHello(user: principal.username, agent: own, filter: filter.withLock { $0 }))))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Filter changes from the client; the stream ends when the client closes.
                for try await message in inbound.messages(maxSize: 65_536) {
                    guard case .text(let text) = message,
                          let changed = try? JSONDecoder().decode(EventFilter.self, from: Data(text.utf8)) else { continue }
                    filter.withLock { $0 = changed }
                    try await outbound.write(.text(try APIJSON.text(StreamHello(user: principal.username, agent: own, filter: changed))))
                }
            }
            group.addTask {
                for await event in events {
                    // Agents see their own events, queue changes and nothing of other agents; supervisors everything.
                    let visible = supervisor || event.agent == own || (event.agent == nil && event.type.hasPrefix("queue."))
                    if visible, filter.withLock({ $0.passes(event) }) {
                        try await outbound.write(.text(try APIJSON.text(event)))
                    }
                    if event.type == "call.offered" || event.type == "call.consultCompleted" || event.type == "call.dialing", let own, event.agent == own, principal.can(.taxpayerRead) {
                        let pop = await screenPop(for: event)
                        try await outbound.write(.text(try APIJSON.text(pop)))
                    }
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// The caller's taxpayer record(s) by calling number, arrears as of today in Beijing, the last
    /// contacts, and the IVR path.
    func screenPop(for event: CallCenterEvent) async -> ScreenPop {
        let day = APIConfiguration.chinaDate(of: now)
        var taxpayers: [TaxpayerView] = []
        var history: [ContactRecord] = []
        if let caller = event.caller, let phone = try? PhoneNumber(caller) {
            do {
                for taxpayer in try await stores.taxpayers.taxpayers(withPhone: phone).prefix(5) {
                    let arrears = try await stores.bills.arrears(of: taxpayer.number, asOf: day)
                    taxpayers.append(TaxpayerView(taxpayer: taxpayer, arrears: arrears))
                    history += try await stores.contacts.history(of: taxpayer.number, limit: 5)
                }
            } catch {
                logger.error("screen pop lookup failed: \(error)")
            }
        }
        history.sort { $0.occurredAt > $1.occurredAt }
        return ScreenPop(call: event.call, caller: event.caller, queue: event.queue, agent: event.agent, ivrPath: event.ivrPath ?? [],
                         asOf: day, taxpayers: taxpayers, history: Array(history.prefix(10)))
    }

    private func queueStream(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter,
                             _ context: WebSocketRouterContext<APIRequestContext>) async throws {
        guard let control = callCenter else { return }
        let events = control.subscribe()
        let (ticks, tick) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let clock = configuration.now
        tick.yield()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await _ in inbound.messages(maxSize: 65_536) {}
            }
            group.addTask {
                for await event in events where event.type.hasPrefix("queue.") || event.type.hasPrefix("call.") { tick.yield() }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(1))
                    tick.yield()
                }
            }
            group.addTask {
                for await _ in ticks {
                    let view = QueueViewMessage(at: clock(), queues: await control.queues())
                    try await outbound.write(.text(try APIJSON.text(view)))
                }
            }
            _ = try await group.next()
            group.cancelAll()
            tick.finish()
        }
    }
}
