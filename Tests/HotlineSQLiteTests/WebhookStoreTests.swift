import Foundation
import HotlineCore
import HotlineSQLite
import Testing

/// The SQLite webhook store and its in-memory twin agree on the cursor, fan-out and retry state.
@Suite struct WebhookStoreTests {
    let at = Date(timeIntervalSince1970: 1_790_000_000)

    func event(_ type: String, _ subject: String) -> RecordedEvent {
        RecordedEvent(type: type, occurredAt: at, subject: subject, payload: Data("{}".utf8))
    }

    func exercise(_ store: any WebhookStore, log: any EventLog) async throws {
        try await log.append([event("workorder.created", "workorder:before")])
        let subscription = try await store.create(WebhookSubscription(
            id: "wh_1", url: try #require(URL(string: "https://crm.example.org/hook")), eventTypes: ["workorder.*"], secret: "0123456789abcdef",
            createdAt: at, createdBy: "u1", startsAfterSequence: 0))
        let other = try await store.create(WebhookSubscription(
            id: "wh_2", url: try #require(URL(string: "http://oa.example.org/h")), eventTypes: ["taxpayer.updated"], secret: "0123456789abcdef",
            createdAt: at, createdBy: "u1", startsAfterSequence: 0))
        #expect(try await store.subscriptions(after: nil, limit: 10).map(\.id) == ["wh_1", "wh_2"])
        #expect(try await store.subscriptions(after: "wh_1", limit: 10).map(\.id) == ["wh_2"])

        let stored = try await log.append([event("workorder.created", "workorder:a"), event("taxpayer.updated", "taxpayer:t"),
                                           event("kb.saved", "kb:x")])
        let cursor = try await store.deliveryCursor()
        let batch = try await log.events(after: cursor, subject: nil, limit: 100)
        let deliveries = webhookDeliveries(for: batch, subscriptions: [subscription, other], at: at)
        #expect(deliveries.map(\.subscriptionID) == ["wh_1", "wh_2"], "the event before the subscriptions is not delivered")
        let last = try #require(batch.last?.sequence)
        #expect(try await store.enqueue(deliveries, movingCursorFrom: cursor, to: last))
        #expect(try await store.enqueue(deliveries, movingCursorFrom: cursor, to: last) == false, "a stale cursor queues nothing")
        #expect(try await store.deliveryCursor() == stored.last?.sequence)

        var due = try await store.dueDeliveries(at: at, limit: 10)
        #expect(due.map(\.subscriptionID) == ["wh_1", "wh_2"])
        var first = due[0]
        first.recordAttempt(statusCode: 502, error: nil, at: at, policy: WebhookRetryPolicy(maximumAttempts: 3, initialDelay: 30))
        try await store.update(first)
        #expect(try await store.delivery(first.id) == first)
        due = try await store.dueDeliveries(at: at.addingTimeInterval(29), limit: 10)
        #expect(due.map(\.subscriptionID) == ["wh_2"])
        #expect(try await store.dueDeliveries(at: at.addingTimeInterval(30), limit: 10).count == 2)
        #expect(try await store.deliveries(subscriptionID: "wh_1", status: .pending, before: nil, limit: 10).map(\.lastStatusCode) == [502])
        #expect(try await store.deliveries(subscriptionID: "wh_1", status: .delivered, before: nil, limit: 10).isEmpty)

        #expect(try await store.deleteSubscription("wh_2"))
        #expect(try await store.deleteSubscription("wh_2") == false)
        #expect(try await store.deliveries(subscriptionID: "wh_2", status: nil, before: nil, limit: 10).isEmpty, "deliveries go with it")
        #expect(try await store.subscription("wh_2") == nil)
    }

    @Test func sqliteStore() async throws {
        let temporary = try CaseworkTemporaryDatabase()
        try await exercise(temporary.database, log: temporary.database)
    }

    @Test func inMemoryTwin() async throws {
        let log = InMemoryEventLog()
        try await exercise(InMemoryWebhookStore(eventLog: log), log: log)
    }

    @Test func retryPolicyDoublesAndGivesUp() {
        let policy = WebhookRetryPolicy(maximumAttempts: 10, initialDelay: 30, maximumDelay: 3600)
        #expect((1...9).map { policy.delay(afterAttempt: $0) } == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600])
        #expect(policy.delay(afterAttempt: 10) == nil)
        #expect(WebhookSubscription.pattern("workorder.*", matches: "workorder.attachment.added"))
        #expect(!WebhookSubscription.pattern("workorder.*", matches: "workorders.created"))
        #expect(WebhookSubscription.pattern("*", matches: "x"))
    }
}
