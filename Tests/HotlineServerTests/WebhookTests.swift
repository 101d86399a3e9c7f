import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import HotlineCore
import HotlineServer
import HotlineSQLite
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("Webhooks")
struct WebhookTests {
    static func fast(_ configuration: inout APIConfiguration) {
        configuration.webhookPollInterval = .milliseconds(50)
        configuration.serviceLevelCheckInterval = .zero
        configuration.webhookRetryPolicy = WebhookRetryPolicy(maximumAttempts: 5, initialDelay: 30, maximumDelay: 3600)
    }

    static func deliveries(_ client: some TestClientProtocol, _ token: String, _ webhook: String) async throws -> [[String: Any]] {
        let response = try await client.send(.get, "/api/v1/webhooks/\(webhook)/deliveries", token: token)
        guard response.status == .ok else { throw APITestError.unexpected("deliveries: \(response.status) \(response.text)") }
        return response.items
    }

    static func date(_ value: Any?) -> Date? { (value as? String).flatMap { ISO8601DateFormatter().date(from: $0) } }

    @Test("a delivery is signed (openssl agrees), retried with exponential backoff on the manual clock, and its status is visible")
    func signedRetriedVisible() async throws {
        let fixture = try await APIFixture(configure: { Self.fast(&$0) })
        let receiver = WebhookReceiver(failFirst: 2)
        let (port, receiving) = try await receiver.start()
        defer { receiving.cancel() }
        try await fixture.test(.live) { client in
            let worker = Task { await fixture.api.runBackgroundWork() }
            defer { worker.cancel() }
            let admin = try await client.login("administrator")
            let created = try await client.send(.post, "/api/v1/webhooks", token: admin,
                                                json: ["url": "http://127.0.0.1:\(port)/hook", "eventTypes": ["workorder.*"], "description": "征管系统"])
            #expect(created.status == .created, "\(created.text)")
            let webhook = try #require(try created.object()["id"] as? String)
            let secret = try #require(try created.object()["secret"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            // The secret is shown once: neither the list nor the subscription show it again.
            let listed = try await client.send(.get, "/api/v1/webhooks", token: admin)
            #expect(listed.items.map { $0["id"] as? String } == [webhook])
            #expect(!listed.text.contains(secret))
            #expect(!(try await client.send(.get, "/api/v1/webhooks/\(webhook)", token: admin)).text.contains(secret))

            let agent = try await client.login("agent")
            let opened = try await client.send(.post, "/api/v1/workorders", token: agent, json: ["kind": "complaint", "summary": "办税服务厅排队过久"])
            #expect(opened.status == .created)
            let orderID = try #require(try opened.object()["id"] as? String)

            // First attempt: the receiver answers 503; retried 30 s later on the API's clock.
            try await eventually("the first attempt") { try await Self.deliveries(client, admin, webhook).first?["attempts"] as? Int == 1 }
            var delivery = try #require(try await Self.deliveries(client, admin, webhook).first)
            #expect(delivery["status"] as? String == "pending")
            #expect(delivery["lastStatusCode"] as? Int == 503)
            #expect(delivery["eventType"] as? String == "workorder.created")
            #expect(Self.date(delivery["nextAttemptAt"]) == fixture.clock.now.addingTimeInterval(30))
            try await Task.sleep(for: .milliseconds(300))
            #expect(receiver.received.count == 1, "no retry before the backoff has passed on the clock")

            fixture.clock.advance(seconds: 30)
            try await eventually("the second attempt") { try await Self.deliveries(client, admin, webhook).first?["attempts"] as? Int == 2 }
            delivery = try #require(try await Self.deliveries(client, admin, webhook).first)
            #expect(delivery["status"] as? String == "pending")
            #expect(Self.date(delivery["nextAttemptAt"]) == fixture.clock.now.addingTimeInterval(60), "the wait doubles")

            fixture.clock.advance(seconds: 60)
            try await eventually("delivered") { try await Self.deliveries(client, admin, webhook).first?["status"] as? String == "delivered" }
            delivery = try #require(try await Self.deliveries(client, admin, webhook).first)
            #expect(delivery["attempts"] as? Int == 3)
            #expect(delivery["lastStatusCode"] as? Int == 204)
            #expect(delivery["nextAttemptAt"] == nil)
            #expect(Self.date(delivery["deliveredAt"]) == fixture.clock.now)

            let received = receiver.received
            #expect(received.map(\.answered) == [503, 503, 204])
            #expect(Set(received.map(\.body)).count == 1, "every attempt carries the same body")
            #expect(Set(received.compactMap { $0.header("X-Hotline-Delivery") }) == [String(delivery["id"] as? Int ?? -1)])
            #expect(received.map { $0.header("X-Hotline-Attempt") } == ["1", "2", "3"])
            for attempt in received {
                let timestamp = try #require(attempt.header("X-Hotline-Timestamp"))
                let signature = try #require(attempt.header("X-Hotline-Signature"))
                #expect(signature == (try opensslSignature(body: attempt.body, timestamp: timestamp, secret: secret)))
                #expect(WebhookSignature.verify(signature: signature, timestamp: timestamp, body: attempt.body, secret: secret,
                                                now: fixture.clock.now))
                #expect(attempt.header("X-Hotline-Event") == "workorder.created")
                #expect(attempt.headers[.contentType] == "application/json")
            }
            let envelope = try #require(try JSONSerialization.jsonObject(with: received[0].body) as? [String: Any])
            let event = try #require(envelope["event"] as? [String: Any])
            #expect(event["type"] as? String == "workorder.created")
            #expect(event["subject"] as? String == "workorder:\(orderID)")
            #expect((event["payload"] as? [String: Any])?["workOrderID"] as? String == orderID)
            #expect(envelope["subscriptionID"] as? String == webhook)
            // A tampered body or an old timestamp does not verify.
            var tampered = received[0].body
            tampered.append(contentsOf: Array(" ".utf8))
            let firstTimestamp = try #require(received[0].header("X-Hotline-Timestamp"))
            let firstSignature = try #require(received[0].header("X-Hotline-Signature"))
            #expect(!WebhookSignature.verify(signature: firstSignature, timestamp: firstTimestamp, body: tampered, secret: secret, now: fixture.clock.now))
            #expect(!WebhookSignature.verify(signature: firstSignature, timestamp: firstTimestamp, body: received[0].body, secret: secret,
                                             now: fixture.clock.now.addingTimeInterval(3600)))

            let redeliver = try await client.send(.post, "/api/v1/webhooks/\(webhook)/deliveries/\(delivery["id"] as? Int ?? 0)/redeliver", token: admin)
            #expect(redeliver.status == .conflict)
            #expect(redeliver.code == "already_delivered")
        }
    }

    @Test("after the last attempt a delivery is failed with the receiver's status; redeliver tries once more")
    func givesUp() async throws {
        let fixture = try await APIFixture { configuration in
            Self.fast(&configuration)
            configuration.webhookRetryPolicy = WebhookRetryPolicy(maximumAttempts: 2, initialDelay: 10, maximumDelay: 10)
        }
        let receiver = WebhookReceiver(failFirst: 100, failureStatus: .internalServerError)
        let (port, receiving) = try await receiver.start()
        defer { receiving.cancel() }
        try await fixture.test(.live) { client in
            let worker = Task { await fixture.api.runBackgroundWork() }
            defer { worker.cancel() }
            let admin = try await client.login("administrator")
            let created = try await client.send(.post, "/api/v1/webhooks", token: admin,
                                                json: ["url": "http://127.0.0.1:\(port)/hook", "eventTypes": ["workorder.created"],
                                                       "secret": "shared-secret-of-the-crm-0001"])
            let webhook = try #require(try created.object()["id"] as? String)
            #expect(try created.object()["secret"] as? String == "shared-secret-of-the-crm-0001")
            _ = try await client.send(.post, "/api/v1/workorders", token: admin, json: ["kind": "suggestion", "summary": "延长办税服务厅开放时间"])
            try await eventually("the first attempt") { try await Self.deliveries(client, admin, webhook).first?["attempts"] as? Int == 1 }
            fixture.clock.advance(seconds: 10)
            try await eventually("given up") { try await Self.deliveries(client, admin, webhook).first?["status"] as? String == "failed" }
            var delivery = try #require(try await Self.deliveries(client, admin, webhook).first)
            #expect(delivery["attempts"] as? Int == 2)
            #expect(delivery["lastStatusCode"] as? Int == 500)
            #expect((delivery["lastError"] as? String)?.contains("500") == true)
            #expect(delivery["nextAttemptAt"] == nil)
            let failedOnly = try await client.send(.get, "/api/v1/webhooks/\(webhook)/deliveries?status=failed", token: admin)
            #expect(failedOnly.items.count == 1)
            #expect(try await client.send(.get, "/api/v1/webhooks/\(webhook)/deliveries?status=delivered", token: admin).items.isEmpty)

            let id = try #require(delivery["id"] as? Int)
            let again = try await client.send(.post, "/api/v1/webhooks/\(webhook)/deliveries/\(id)/redeliver", token: admin)
            #expect(again.status == .accepted)
            try await eventually("the extra attempt") { try await Self.deliveries(client, admin, webhook).first?["attempts"] as? Int == 3 }
            delivery = try #require(try await Self.deliveries(client, admin, webhook).first)
            #expect(delivery["status"] as? String == "failed")
            #expect(receiver.received.count == 3)

            let gone = try await client.send(.delete, "/api/v1/webhooks/\(webhook)", token: admin)
            #expect(gone.status == .noContent)
            #expect(try await client.send(.get, "/api/v1/webhooks/\(webhook)/deliveries", token: admin).status == .notFound)
            let audit = try await client.send(.get, "/api/v1/audit?subject=webhook:\(webhook)", token: admin)
            #expect(audit.items.compactMap { $0["action"] as? String } == ["webhook.create", "webhook.redeliver", "webhook.delete"])
            #expect(!audit.text.contains("shared-secret-of-the-crm-0001"), "the audit log never shows the secret")
        }
    }

    @Test("an unreachable receiver is recorded as an error without a status code")
    func unreachable() async throws {
        let fixture = try await APIFixture(configure: { Self.fast(&$0) })
        // A port that was free a moment ago: nothing listens there.
        let receiver = WebhookReceiver()
        let (port, receiving) = try await receiver.start()
        receiving.cancel()
        _ = await receiving.result
        try await fixture.test(.live) { client in
            let worker = Task { await fixture.api.runBackgroundWork() }
            defer { worker.cancel() }
            let admin = try await client.login("administrator")
            let created = try await client.send(.post, "/api/v1/webhooks", token: admin,
                                                json: ["url": "http://127.0.0.1:\(port)/hook", "eventTypes": ["*"]])
            let webhook = try #require(try created.object()["id"] as? String)
            _ = try await client.send(.post, "/api/v1/workorders", token: admin, json: ["kind": "consultation", "summary": "发票怎么开"])
            try await eventually("the first attempt") { try await Self.deliveries(client, admin, webhook).first?["attempts"] as? Int == 1 }
            let delivery = try #require(try await Self.deliveries(client, admin, webhook).first)
            #expect(delivery["status"] as? String == "pending")
            #expect(delivery["lastStatusCode"] == nil)
            #expect((delivery["lastError"] as? String)?.isEmpty == false)
        }
    }

    @Test("subscriptions are validated with the field at fault")
    func validation() async throws {
        let fixture = try await APIFixture(configure: { Self.fast(&$0) })
        try await fixture.test { client in
            let admin = try await client.login("administrator")
            let cases: [([String: Any], String)] = [
                (["url": "ftp://example.org/hook", "eventTypes": ["*"]], "url"),
                (["url": "http://user:pw@example.org/hook", "eventTypes": ["*"]], "url"),
                (["url": "http://example.org/hook", "eventTypes": []], "eventTypes"),
                (["url": "http://example.org/hook", "eventTypes": ["workorder..created"]], "eventTypes[0]"),
                (["url": "http://example.org/hook", "eventTypes": ["*"], "secret": "short"], "secret"),
            ]
            for (body, field) in cases {
                let response = try await client.send(.post, "/api/v1/webhooks", token: admin, json: body)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(response.code == "invalid_field")
                #expect(response.text.contains(field))
            }
            #expect(try await client.send(.get, "/api/v1/webhooks/wh_missing", token: admin).status == .notFound)
            #expect(try await client.send(.get, "/api/v1/webhooks/wh_missing/deliveries", token: admin).status == .notFound)
            let agent = try await client.login("agent")
            #expect(try await client.send(.get, "/api/v1/webhooks", token: agent).status == .forbidden)
        }
    }

    @Test("pending deliveries and undelivered events survive a restart: the cursor and retry state are in SQLite")
    func survivesRestart() async throws {
        let fixture = try await APIFixture(configure: { Self.fast(&$0) })
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let receiver = WebhookReceiver(failFirst: 1)
        let (port, receiving) = try await receiver.start()
        defer { receiving.cancel() }
        let admin = Principal(userID: "test-admin", username: "test-admin", permissions: Set(Permission.allCases))
        let subscription = try await fixture.database.create(WebhookSubscription(
            url: try #require(URL(string: "http://127.0.0.1:\(port)/hook")), eventTypes: ["workorder.created"], secret: "restart-secret-0123456789",
            createdAt: APIFixture.start, createdBy: admin.userID, startsAfterSequence: 0))
        let desk = WorkOrderDesk(store: fixture.database, audit: fixture.database, calendar: BusinessCalendar.weekdayOffice())
        let first = try await desk.open(WorkOrderDraft(kind: .report, summary: "举报虚开发票"), by: admin, at: fixture.clock.now)

        // Before the restart: one failed attempt of the first order's event.
        let before = Task { await fixture.api.runBackgroundWork() }
        try await eventually("the first attempt, recorded") {
            try await fixture.database.deliveries(subscriptionID: subscription.id, status: nil, before: nil, limit: 10).first?.attempts == 1
        }
        before.cancel()
        _ = await before.result
        let second = try await desk.open(WorkOrderDraft(kind: .report, summary: "举报偷税"), by: admin, at: fixture.clock.now)

        // "Restart": a new database connection and API on the same data directory.
        let reopened = try HotlineDatabase(directory: fixture.directory)
        let clock = fixture.clock
        var configuration = APIConfiguration(host: "127.0.0.1", port: 0, now: { clock.now })
        Self.fast(&configuration)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let api = try APIApplication(stores: try APIStores(database: reopened), authenticator: fixture.authenticator, logger: logger,
                                     configuration: configuration)
        let after = Task { await api.runBackgroundWork() }
        defer { after.cancel() }
        try await eventually("the second order's event") { receiver.received.count == 2 }
        fixture.clock.advance(seconds: 30)
        try await eventually("the retry of the first") { receiver.received.count == 3 }
        try await eventually("both delivered") {
            try await reopened.deliveries(subscriptionID: subscription.id, status: .delivered, before: nil, limit: 10).count == 2
        }
        let subjects = receiver.received.compactMap { received -> String? in
            let envelope = try? JSONSerialization.jsonObject(with: received.body) as? [String: Any]
            return (envelope?["event"] as? [String: Any])?["subject"] as? String
        }
        #expect(subjects == ["workorder:\(first.id)", "workorder:\(second.id)", "workorder:\(first.id)"])
        #expect(Set(receiver.received.compactMap { $0.header("X-Hotline-Delivery") }).count == 2, "no event delivered twice")
    }

    @Test("APIApplication.run() serves the API and runs the delivery worker beside it")
    func runStartsWorker() async throws {
        let fixture = try await APIFixture(configure: { Self.fast(&$0) })
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let receiver = WebhookReceiver()
        let (port, receiving) = try await receiver.start()
        defer { receiving.cancel() }
        try await fixture.database.create(WebhookSubscription(
            url: try #require(URL(string: "http://127.0.0.1:\(port)/hook")), eventTypes: ["taxpayer.*", "workorder.*"],
            secret: "run-secret-0123456789abcdef", createdAt: APIFixture.start, createdBy: "test", startsAfterSequence: 0))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = Task { try await fixture.api.run(onServerRunning: { continuation.yield($0) }) }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        let apiPort = try #require(await iterator.next())
        #expect(apiPort > 0)
        let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: "http://127.0.0.1:\(apiPort)/health")))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: data, as: UTF8.self).contains("ok"))
        let admin = Principal(userID: "test-admin", username: "test-admin", permissions: Set(Permission.allCases))
        let desk = WorkOrderDesk(store: fixture.database, audit: fixture.database, calendar: BusinessCalendar.weekdayOffice())
        _ = try await desk.open(WorkOrderDraft(kind: .consultation, summary: "个税汇算"), by: admin, at: fixture.clock.now)
        try await eventually("the delivery") { receiver.received.count == 1 }
        #expect(receiver.received.first?.header("X-Hotline-Event") == "workorder.created")
    }
}
