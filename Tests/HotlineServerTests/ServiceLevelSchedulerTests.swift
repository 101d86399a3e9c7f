import Foundation
import HTTPTypes
import HotlineCore
import HotlineServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("SLA urging run by the server")
struct ServiceLevelSchedulerTests {
    @Test("the server reminds before the due date and escalates after it, on the manual clock, without a manual call")
    func remindsAndEscalates() async throws {
        let fixture = try await APIFixture { configuration in
            configuration.serviceLevelCheckInterval = .milliseconds(50)
            configuration.webhookPollInterval = .zero
        }
        try await fixture.test { client in
            let worker = Task { await fixture.api.runBackgroundWork() }
            defer { worker.cancel() }
            // An API key: the clock moves a week, further than any session lasts.
            let issuer = Principal(userID: "test", username: "test", permissions: [.apiKeyAdmin])
            let agentID = try #require(fixture.userIDs["agent"])
            let (_, agent) = try await fixture.authenticator.createAPIKey(name: "desk", userID: agentID, by: issuer, at: APIFixture.start)
            let opened = try await client.send(.post, "/api/v1/workorders", token: agent, json: ["kind": "complaint", "summary": "退税迟迟未到账"])
            let id = try #require(try opened.object()["id"] as? String)
            let due = try #require(WebhookTests.date(try opened.object()["dueAt"]))
            func order() async throws -> [String: Any] { try await client.send(.get, "/api/v1/workorders/\(id)", token: agent).object() }

            try await Task.sleep(for: .milliseconds(200))
            #expect(try await order()["reminderSent"] as? Bool == false, "on track: nothing yet")

            fixture.clock.advance(seconds: due.timeIntervalSince(fixture.clock.now) - 60)
            try await eventually("the reminder") { try await order()["reminderSent"] as? Bool == true }
            #expect(try await order()["escalationLevel"] as? Int == 0)

            fixture.clock.advance(seconds: 60)
            try await eventually("the first escalation") { try await order()["escalationLevel"] as? Int == 1 }
            fixture.clock.advance(seconds: 7 * 86_400)
            try await eventually("a higher escalation") { (try await order()["escalationLevel"] as? Int ?? 0) > 1 }

            let adminID = try #require(fixture.userIDs["administrator"])
            let (_, admin) = try await fixture.authenticator.createAPIKey(name: "audit", userID: adminID, by: issuer, at: fixture.clock.now)
            let urged = try await client.send(.get, "/api/v1/events?type=workorder.urged&subject=workorder:\(id)", token: admin)
            let payloads = urged.items.compactMap { $0["payload"] as? [String: Any] }
            #expect(payloads.count == 3)
            #expect(payloads.compactMap { $0["reason"] as? String } == ["dueSoon", "overdue", "overdue"])
            #expect(Set(payloads.compactMap { $0["by"] as? String }) == [Principal.system.userID])
            #expect(try await order()["urgeCount"] as? Int == 2)
        }
    }

    @Test("checkServiceLevels() runs the same check once, for hosts with their own schedule")
    func once() async throws {
        let fixture = try await APIFixture { $0.serviceLevelCheckInterval = .zero }
        try await fixture.test { client in
            let agent = try await client.login("agent")
            let opened = try await client.send(.post, "/api/v1/workorders", token: agent, json: ["kind": "consultation", "summary": "社保费缴纳"])
            let due = try #require(WebhookTests.date(try opened.object()["dueAt"]))
            #expect(try await fixture.api.checkServiceLevels().isEmpty)
            fixture.clock.advance(seconds: due.timeIntervalSince(fixture.clock.now))
            #expect(try await fixture.api.checkServiceLevels().map(\.reason) == [.overdue])
            #expect(try await fixture.api.checkServiceLevels().isEmpty, "the same instant urges once")
        }
    }
}
