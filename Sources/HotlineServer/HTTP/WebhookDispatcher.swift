public import AsyncHTTPClient
public import Foundation
public import HotlineCore
public import Logging
import NIOCore
import NIOHTTP1

/// Turns the event log into webhook deliveries and delivers them: a cursor over the log (stored
/// with the deliveries, moved in the same transaction) makes one delivery per matching event and
/// subscription, so nothing is lost or doubled across restarts; each delivery is POSTed, signed
/// (``WebhookSignature``), and retried with exponential backoff (``WebhookRetryPolicy``) until the
/// receiver answers 2xx or the policy gives up. Delivery is at least once: a receiver deduplicates on
/// `X-Hotline-Delivery`.
///
/// ``run(pollInterval:)`` runs inside the API process (``APIApplication/run()``); tests may call
/// ``fanOut(batchSize:)`` and ``deliverDue(using:limit:)`` step by step.
public struct WebhookDispatcher: Sendable {
    /// Subscriptions, deliveries and the cursor.
    public var store: any WebhookStore
    /// The event log deliveries are made from.
    public var events: any EventLog
    /// When failed deliveries are retried.
    public var policy: WebhookRetryPolicy
    /// The clock (injected; tests move it by hand).
    public var now: @Sendable () -> Date
    /// Where attempts are logged.
    public var logger: Logger
    /// Seconds an attempt may take in all (connect, send, answer).
    public var attemptTimeout: Int64 = 10
    /// Attempts made at the same time.
    public var concurrency = 8

    /// Creates a dispatcher.
    ///
    /// - Parameters:
    ///   - store: The webhook store.
    ///   - events: The event log.
    ///   - policy: The retry policy.
    ///   - now: The clock.
    ///   - logger: The logger.
    public init(store: any WebhookStore, events: any EventLog, policy: WebhookRetryPolicy = .standard,
                now: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.events = events
        self.policy = policy
        self.now = now
        self.logger = logger
    }

    /// The HTTP client settings: no redirects (a receiver answers where it is), 5 s to connect.
    public static var clientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        return configuration
    }

    /// Delivers until the task is cancelled: every `pollInterval`, new events become deliveries and
    /// due deliveries are attempted. Errors are logged and the loop goes on.
    ///
    /// - Parameter pollInterval: The pause between rounds.
    public func run(pollInterval: Duration = .seconds(1)) async {
        do {
            try await HTTPClient.withHTTPClient(configuration: Self.clientConfiguration) { client in
                logger.info("webhook dispatcher started")
                while !Task.isCancelled {
                    do {
                        try await fanOut()
                        try await deliverDue(using: client)
                    } catch {
                        logger.error("webhook round failed", metadata: ["error": "\(error)"])
                    }
                    try? await Task.sleep(for: pollInterval)
                }
            }
        } catch {
            logger.error("webhook dispatcher stopped", metadata: ["error": "\(error)"])
        }
    }

    /// Reads the event log after the cursor and queues a delivery per matching event and subscription,
    /// moving the cursor in the same transaction.
    ///
    /// - Parameter batchSize: Events read per transaction.
    /// - Returns: How many deliveries were queued.
    /// - Throws: Storage errors.
    @discardableResult
    public func fanOut(batchSize: Int = 500) async throws -> Int {
        var queued = 0
        for _ in 0..<100 {
            let cursor = try await store.deliveryCursor()
            let batch = try await events.events(after: cursor, subject: nil, limit: batchSize)
            guard let last = batch.last else { break }
            let deliveries = webhookDeliveries(for: batch, subscriptions: try await allSubscriptions(), at: now())
            if try await store.enqueue(deliveries, movingCursorFrom: cursor, to: last.sequence) {
                queued += deliveries.count
            }
            if batch.count < batchSize { break }
        }
        return queued
    }

    /// Attempts the deliveries that are due now, `concurrency` at a time.
    ///
    /// - Parameters:
    ///   - client: The HTTP client.
    ///   - limit: The most deliveries attempted in this round.
    /// - Returns: How many were attempted.
    /// - Throws: Storage errors.
    @discardableResult
    public func deliverDue(using client: HTTPClient, limit: Int = 64) async throws -> Int {
        let due = try await store.dueDeliveries(at: now(), limit: limit)
        guard !due.isEmpty else { return 0 }
        var subscriptions: [String: WebhookSubscription] = [:]
        for id in Set(due.map(\.subscriptionID)) { subscriptions[id] = try await store.subscription(id) }
        let found = subscriptions
        try await withThrowingTaskGroup(of: Void.self) { group in
            var running = 0
            for delivery in due {
                guard let subscription = found[delivery.subscriptionID] else { continue }
                if running == concurrency {
                    _ = try await group.next()
                    running -= 1
                }
                group.addTask { try await attempt(delivery, to: subscription, using: client) }
                running += 1
            }
            try await group.waitForAll()
        }
        return due.count
    }

    /// The exact body POSTed for a delivery: the delivery and subscription ids and the event as
    /// `GET /api/v1/events` shows it. The same on every attempt.
    ///
    /// - Parameters:
    ///   - delivery: The delivery.
    ///   - event: Its event.
    /// - Returns: JSON bytes.
    /// - Throws: Encoding errors.
    public static func body(for delivery: WebhookDelivery, event: RecordedEvent) throws -> Data {
        try APIJSON.encoder().encode(WebhookEnvelope(deliveryID: delivery.id, subscriptionID: delivery.subscriptionID, event: EventView(event)))
    }

    private func attempt(_ delivery: WebhookDelivery, to subscription: WebhookSubscription, using client: HTTPClient) async throws {
        var delivery = delivery
        guard let event = try await events.events(after: delivery.eventSequence - 1, subject: nil, limit: 1).first,
              event.sequence == delivery.eventSequence else {
            delivery.recordAttempt(statusCode: nil, error: "event \(delivery.eventSequence) is missing from the event log", at: now(),
                                   policy: WebhookRetryPolicy(maximumAttempts: 1))
            try await store.update(delivery)
            return
        }
        let body = try Self.body(for: delivery, event: event)
        let timestamp = Int64(now().timeIntervalSince1970.rounded(.down))
        var request = HTTPClientRequest(url: subscription.url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "hotline-webhooks/1")
        request.headers.add(name: WebhookSignature.deliveryHeader, value: String(delivery.id))
        request.headers.add(name: WebhookSignature.eventHeader, value: event.type)
        request.headers.add(name: WebhookSignature.timestampHeader, value: String(timestamp))
        request.headers.add(name: WebhookSignature.signatureHeader, value: WebhookSignature.sign(body, timestamp: timestamp, secret: subscription.secret))
        request.headers.add(name: "X-Hotline-Attempt", value: String(delivery.attempts + 1))
        request.body = .bytes(ByteBuffer(bytes: body))
        var statusCode: Int?
        var failure: String?
        do {
            let response = try await client.execute(request, timeout: .seconds(attemptTimeout))
            statusCode = Int(response.status.code)
            // Read (and drop) at most 64 KiB of the answer so the connection can be reused.
            var read = 0
            for try await chunk in response.body {
                read += chunk.readableBytes
                if read > 65_536 { break }
            }
        } catch {
            if Task.isCancelled { return } // shutting down: the delivery stays due and is attempted after the restart
            failure = String(String(describing: error).prefix(300))
        }
        delivery.recordAttempt(statusCode: statusCode, error: failure, at: now(), policy: policy)
        try await store.update(delivery)
        let metadata: Logger.Metadata = ["delivery": "\(delivery.id)", "subscription": "\(subscription.id)", "status": "\(delivery.status.rawValue)",
                                         "attempts": "\(delivery.attempts)", "code": "\(statusCode.map(String.init) ?? "-")"]
        if delivery.status == .delivered {
            logger.debug("webhook delivered", metadata: metadata)
        } else {
            logger.notice("webhook attempt failed", metadata: metadata.merging(["error": "\(delivery.lastError ?? "")"]) { $1 })
        }
    }

    private func allSubscriptions() async throws -> [WebhookSubscription] {
        var all: [WebhookSubscription] = []
        var after: String?
        while true {
            let page = try await store.subscriptions(after: after, limit: 500)
            all += page
            guard page.count == 500, let last = page.last else { return all }
            after = last.id
        }
    }
}

/// The JSON body of a webhook delivery.
struct WebhookEnvelope: Encodable {
    var deliveryID: Int64
    var subscriptionID: String
    var event: EventView
}
