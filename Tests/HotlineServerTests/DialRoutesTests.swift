import Foundation
import HTTPTypes
import HotlineCore
import HotlineServer
import Testing

@Suite("Dial routes: who may dial for whom")
struct DialRoutesTests {
    @Test("agents dial for themselves with cti.dial; for another agent cti.force; the answer names the new call")
    func dialPermissions() async throws {
        let control = RecordingCallCenter()
        let (fixture, api) = try await CTIRoutesTests.start(control: control)
        try await CTIRoutesTests.test(api, fixture) { client in
            let zhang = try await client.login("zhang")
            let boss = try await client.login("boss")
            let own = try await client.send(.post, "/api/v1/cti/agents/me/dial", token: zhang, json: ["number": "01012345678"])
            #expect(own.status == .ok, "\(own.text)")
            guard case .dial(let request)? = control.last else {
                Issue.record("no dial command: \(String(describing: control.last))")
                return
            }
            #expect(request.agent == 1001)
            #expect(request.number == "01012345678")
            #expect(request.voicemail == nil)
            #expect(try own.object()["call"] as? String == request.id)
            #expect(request.id.hasPrefix("out-"))

            let other = try await client.send(.post, "/api/v1/cti/agents/1002/dial", token: zhang, json: ["number": "1"])
            #expect(other.status == .forbidden)
            #expect(try await client.send(.post, "/api/v1/cti/agents/1002/dial", token: boss, json: ["number": "1"]).status == .ok)
            let missing = try await client.send(.post, "/api/v1/cti/agents/me/dial", token: zhang, json: [:])
            #expect(missing.status == .badRequest || missing.status == .unprocessableContent, "\(missing.text)")
            let anonymous = try await client.send(.post, "/api/v1/cti/agents/me/dial", json: ["number": "1"])
            #expect(anonymous.status == .unauthorized)
            // No voicemail store attached: the call-back route says so rather than dialling.
            let callBack = try await client.send(.post, "/api/v1/voicemail/vm-1/callback", token: zhang)
            #expect(callBack.status == .serviceUnavailable, "\(callBack.text)")
        }
    }
}
