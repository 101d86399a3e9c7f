import Foundation
import HotlineCore
import Hummingbird

/// `POST /api/v1/cti/agents/{agent}/dial` body.
struct CTIDialInput: Decodable {
    var number: String
    /// A voicemail message this call answers (marked handled when the far end answers).
    var voicemail: String?
}

/// `POST /api/v1/voicemail/{id}/callback` body.
struct CTICallbackInput: Decodable {
    var agent: Int?
}

/// What a click-to-dial answers: what was done and the new call's identifier.
struct CTIDialResult: Encodable {
    var result: String
    var call: String
}

extension APIApplication {
    /// Click-to-dial and call-backs through the outbound trunk (permission `cti.dial`; for another agent also
    /// `cti.force`). Without a trunk they answer `422 cti_unavailable`.
    func addDialRoutes(to api: RouterGroup<APIRequestContext>) {
        api.post("cti/agents/{agent}/dial") { request, context in
            let (principal, agent) = try await targetAgent(context, .ctiDial)
            let input = try await request.decodeJSON(CTIDialInput.self, limit: 16_384)
            if let id = input.voicemail { _ = try await voicemailToCallBack(id) }
            return try await dial(OutboundDial(agent: agent, number: input.number, voicemail: input.voicemail), principal)
        }
        api.post("voicemail/{id}/callback") { request, context in
            let principal = try context.require(.ctiDial)
            let input = try await optionalJSON(request, CTICallbackInput(), CTICallbackInput.self)
            let own = try await ownAgent(principal)
            guard let agent = input.agent ?? own else {
                throw APIError(.conflict, code: "no_agent_number", message: "user \(principal.username) has no agent number; name the agent")
            }
            if agent != own, !principal.can(.ctiForce) { throw APIError.forbidden(.ctiForce) }
            let voicemail = try await voicemailToCallBack(try context.path("id"))
            return try await dial(OutboundDial(agent: agent, number: voicemail.caller, voicemail: voicemail.id), principal)
        }
    }

    /// The voicemail message to call back (404 when unknown, 409 when it has no calling number).
    private func voicemailToCallBack(_ id: String) async throws -> Voicemail {
        guard let store = operations?.voicemailStore else {
            throw APIError(.serviceUnavailable, code: "not_available", message: "this API is not attached to a running hotline server")
        }
        guard let voicemail = try await store.voicemail(id: id) else { throw APIError.notFound("voicemail \(id)") }
        guard !voicemail.caller.isEmpty else {
            throw APIError(.conflict, code: "no_caller_number", message: "voicemail \(id) has no calling number to call back")
        }
        return voicemail
    }

    private func dial(_ request: OutboundDial, _ principal: Principal) async throws -> Response {
        do {
            let done = try await control().perform(.dial(request), by: principal.username)
            return try APIJSON.response(CTIDialResult(result: done, call: request.id))
        } catch let error as CallCenterError {
            switch error.kind {
            case .notFound: throw APIError(.notFound, code: "not_found", message: error.message)
            case .conflict: throw APIError(.conflict, code: "cti_conflict", message: error.message)
            case .unavailable: throw APIError(.unprocessableContent, code: "cti_unavailable", message: error.message)
            case .invalid: throw APIError(.unprocessableContent, code: "invalid_field", message: error.message)
            }
        }
    }
}
