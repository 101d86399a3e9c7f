import Foundation
import HTTPTypes
import Hummingbird
import HotlineCore

/// `POST /api/v1/webhooks` body.
struct WebhookInput: Decodable {
    var url: String
    var eventTypes: [String]
    var secret: String?
    var description: String?
}

/// A subscription as the API shows it: never its secret (only the create answer carries it).
struct WebhookView: Codable {
    var id: String
    var url: String
    var eventTypes: [String]
    var description: String
    var createdAt: Date
    var createdBy: String
    var startsAfterSequence: Int64
    var secret: String?

    init(_ subscription: WebhookSubscription, showingSecret: Bool = false) {
        id = subscription.id
        url = subscription.url.absoluteString
        eventTypes = subscription.eventTypes
        description = subscription.description
        createdAt = subscription.createdAt
        createdBy = subscription.createdBy
        startsAfterSequence = subscription.startsAfterSequence
        secret = showingSecret ? subscription.secret : nil
    }
}

extension APIApplication {
    func addWebhookRoutes(to api: RouterGroup<APIRequestContext>) {
        api.post("webhooks") { request, context in
            let principal = try context.require(.webhookAdmin)
            let data = try await request.bodyData(limit: 65_536)
            let input = try request.decodeJSON(WebhookInput.self, from: data)
            let description = input.description ?? ""
            let problems = WebhookSubscription.problems(url: input.url, eventTypes: input.eventTypes, secret: input.secret,
                                                        description: description)
            if let first = problems.first {
                throw APIError(.unprocessableContent, code: "invalid_field", message: "\(first.field) \(first.reason)",
                               details: ["fields": problems.map(\.field)])
            }
            guard let url = URL(string: input.url) else { throw APIError.invalidField("url", "is not a URL") }
            return try await idempotent(request, principal: principal, body: data) {
                let subscription = try await stores.webhooks.create(WebhookSubscription(
                    url: url, eventTypes: input.eventTypes, secret: input.secret ?? SecretToken.generate(prefix: "whsec_"),
                    description: description, createdAt: now, createdBy: principal.userID, startsAfterSequence: 0))
                try await auditChange("webhook.create", subject: "webhook:\(subscription.id)", before: WebhookView?.none,
                                      after: WebhookView(subscription), by: principal)
                return (.created, try APIJSON.encoder().encode(WebhookView(subscription, showingSecret: true)))
            }
        }
        api.get("webhooks") { request, context in
            _ = try context.require(.webhookAdmin)
            let limit = try request.limit(maximum: maxPage)
            let list = try await stores.webhooks.subscriptions(after: try request.cursor(), limit: limit)
            return try APIJSON.response(Page(items: list.map { WebhookView($0) }, nextCursor: list.count == limit ? list.last?.id : nil))
        }
        api.get("webhooks/{id}") { _, context in
            _ = try context.require(.webhookAdmin)
            return try APIJSON.response(WebhookView(try await findSubscription(context)))
        }
        api.delete("webhooks/{id}") { _, context in
            let principal = try context.require(.webhookAdmin)
            let subscription = try await findSubscription(context)
            try await stores.webhooks.deleteSubscription(subscription.id)
            try await auditChange("webhook.delete", subject: "webhook:\(subscription.id)", before: WebhookView(subscription),
                                  after: WebhookView?.none, by: principal)
            return Response(status: .noContent)
        }
        api.get("webhooks/{id}/deliveries") { request, context in
            _ = try context.require(.webhookAdmin)
            let subscription = try await findSubscription(context)
            let limit = try request.limit(maximum: maxPage)
            var before: Int64?
            if let cursor = try request.cursor() {
                guard let value = Int64(cursor), value > 0 else { throw APIError.badParameter("cursor", "is not a cursor from a previous page") }
                before = value
            }
            let list = try await stores.webhooks.deliveries(subscriptionID: subscription.id,
                                                            status: try request.queryEnum("status", WebhookDelivery.Status.self),
                                                            before: before, limit: limit)
            return try APIJSON.response(Page(items: list, nextCursor: list.count == limit ? list.last.map { String($0.id) } : nil))
        }
        api.post("webhooks/{id}/deliveries/{deliveryID}/redeliver") { _, context in
            let principal = try context.require(.webhookAdmin)
            let subscription = try await findSubscription(context)
            let text = try context.path("deliveryID")
            guard let id = Int64(text), let found = try await stores.webhooks.delivery(id), found.subscriptionID == subscription.id else {
                throw APIError.notFound("no delivery '\(text)' of webhook '\(subscription.id)'")
            }
            guard found.status != .delivered else {
                throw APIError(.conflict, code: "already_delivered", message: "delivery \(id) was delivered at \(found.deliveredAt.map { "\($0)" } ?? "?"); nothing to redeliver")
            }
            var delivery = found
            delivery.status = .pending
            delivery.nextAttemptAt = now
            try await stores.webhooks.update(delivery)
            try await auditChange("webhook.redeliver", subject: "webhook:\(subscription.id)", before: found, after: delivery, by: principal)
            return try APIJSON.response(delivery, status: .accepted)
        }
    }

    private func findSubscription(_ context: APIRequestContext) async throws -> WebhookSubscription {
        let id = try context.path("id")
        guard let subscription = try await stores.webhooks.subscription(id) else { throw APIError.notFound("no webhook '\(id)'") }
        return subscription
    }
}
