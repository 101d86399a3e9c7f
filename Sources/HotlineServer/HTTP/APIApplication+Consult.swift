import HotlineCore
import Hummingbird

/// `POST /api/v1/cti/calls/{call}/consult` and `…/conference` body: exactly one target (optional for
/// `…/conference`, which then joins the consulted party).
struct CTIConsultInput: Decodable {
    var agent: Int?
    var queue: String?
    var phone: String?

    /// The one target named, nil when none; throws when several are.
    func target() throws -> ConsultTarget? {
        let targets: [ConsultTarget] = [agent.map { .agent($0) }, queue.map { .queue($0) }, phone.map { .phone($0) }].compactMap { $0 }
        guard targets.count <= 1 else { throw APIError.invalidField("body", "must name exactly one of agent, queue, phone") }
        return targets.first
    }
}

extension APIApplication {
    /// Consultative transfer and conference: the agent on the call with `cti.transfer`, anyone else with `cti.force`.
    func addConsultRoutes(to api: RouterGroup<APIRequestContext>) {
        api.post("cti/calls/{call}/consult") { request, context in
            let (principal, call) = try await ownCall(context, .ctiTransfer)
            let input = try await request.decodeJSON(CTIConsultInput.self, limit: 16_384)
            guard let target = try input.target() else { throw APIError.invalidField("body", "must name exactly one of agent, queue, phone") }
            return try await act(.consult(call: call.call, .start(target)), principal)
        }
        api.post("cti/calls/{call}/consult/complete") { _, context in
            let (principal, call) = try await ownCall(context, .ctiTransfer)
            return try await act(.consult(call: call.call, .complete), principal)
        }
        api.post("cti/calls/{call}/consult/cancel") { _, context in
            let (principal, call) = try await ownCall(context, .ctiTransfer)
            return try await act(.consult(call: call.call, .cancel), principal)
        }
        api.post("cti/calls/{call}/conference") { request, context in
            let (principal, call) = try await ownCall(context, .ctiTransfer)
            let input = try await optionalJSON(request, CTIConsultInput(), CTIConsultInput.self)
            if let target = try input.target() {
                return try await act(.consult(call: call.call, .add(target)), principal)
            }
            return try await act(.consult(call: call.call, .conference), principal)
        }
        api.delete("cti/calls/{call}/conference/{participant}") { _, context in
            let (principal, call) = try await ownCall(context, .ctiTransfer)
            let participant = try context.parameters.require("participant")
            return try await act(.consult(call: call.call, .remove(participant)), principal)
        }
    }
}
