import Foundation
import HTTPTypes
import HotlineServer
import HummingbirdTesting
import Synchronization
import Testing

@Suite("Consult and conference routes: who may act on whom")
struct ConsultRoutesTests {
    @Test("the agent on the call consults, completes, cancels and conferences; others need cti.force")
    func consultActions() async throws {
        let control = RecordingCallCenter()
        let (fixture, api) = try await CTIRoutesTests.start(control: control)
        try await CTIRoutesTests.test(api, fixture) { client in
            let zhang = try await client.login("zhang")
            let li = try await client.login("li")
            let boss = try await client.login("boss")
            #expect(try await client.send(.post, "/api/v1/cti/calls/c-1/consult", token: zhang, json: ["agent": 1002]).status == .ok)
            #expect(control.last == .consult(call: "c-1", .start(.agent(1002))))
            #expect(try await client.send(.post, "/api/v1/cti/calls/c-1/consult", token: zhang, json: ["queue": "vip"]).status == .ok)
            #expect(control.last == .consult(call: "c-1", .start(.queue("vip"))))
            #expect(try await client.send(.post, "/api/v1/cti/calls/c-1/consult", token: zhang, json: ["phone": "8001"]).status == .ok)
            #expect(control.last == .consult(call: "c-1", .start(.phone("8001"))))
            let both = try await client.send(.post, "/api/v1/cti/calls/c-1/consult", token: zhang, json: ["agent": 1002, "phone": "8001"])
            #expect(both.status == .unprocessableContent, "\(both.text)")
            let none = try await client.send(.post, "/api/v1/cti/calls/c-1/consult", token: zhang, json: [:])
            #expect(none.status == .unprocessableContent, "\(none.text)")

            #expect(try await client.send(.post, "/api/v1/cti/calls/c-1/consult/complete", token: zhang).status == .ok)
            #expect(control.last == .consult(call: "c-1", .complete))
            #expect(try await client.send(.post, "/api/v1/cti/calls/c-1/consult/cancel", token: zhang).status == .ok)
            #expect(control.last == .consult(call: "c-1", .cancel))
            #expect(try await client.send(.post, "/api/v1/cti/calls/c-1/conference", token: zhang).status == .ok)
            #expect(control.last == .consult(call: "c-1", .conference))
            #expect(try await client.send(.post, "/api/v1/cti/calls/c-1/conference", token: zhang, json: ["agent": 1003]).status == .ok)
            #expect(control.last == .consult(call: "c-1", .add(.agent(1003))))
            #expect(try await client.send(.delete, "/api/v1/cti/calls/c-1/conference/1003", token: zhang).status == .ok)
            #expect(control.last == .consult(call: "c-1", .remove("1003")))

            // Another agent may not act on the call; a supervisor (cti.force) may.
            let count = control.commands.withLock { $0.count }
            for (method, path) in [(HTTPRequest.Method.post, "consult/complete"), (.post, "consult/cancel"), (.post, "conference"),
                                   (.delete, "conference/1003")] {
                let response = try await client.send(method, "/api/v1/cti/calls/c-1/\(path)", token: li)
                #expect(response.status == .forbidden, "\(path)")
                #expect(response.code == "not_your_call", "\(path)")
            }
            let consult = try await client.send(.post, "/api/v1/cti/calls/c-1/consult", token: li, json: ["agent": 1003])
            #expect(consult.code == "not_your_call")
            #expect(control.commands.withLock { $0.count } == count, "refused requests reach no call centre")
            #expect(try await client.send(.post, "/api/v1/cti/calls/c-1/consult/cancel", token: boss).status == .ok)
            #expect(try await client.send(.post, "/api/v1/cti/calls/c-9/consult", token: boss, json: ["agent": 1002]).status == .notFound)
        }
    }
}
