import Foundation
import HTTPTypes
import Hummingbird
import HotlineCore

/// A work order as the API shows it, with the transitions the caller may make now.
struct WorkOrderView: Encodable {
    var order: WorkOrder
    var allowedTransitions: [WorkOrderTransition]?

    enum ExtraKeys: String, CodingKey { case allowedTransitions }

    func encode(to encoder: any Encoder) throws {
        try order.encode(to: encoder)
        if let allowedTransitions {
            var container = encoder.container(keyedBy: ExtraKeys.self)
            try container.encode(allowedTransitions, forKey: .allowedTransitions)
        }
    }
}

/// `POST /api/v1/workorders` body.
struct WorkOrderInput: Decodable {
    var kind: WorkOrder.Kind
    var priority: WorkOrder.Priority?
    var channel: WorkOrder.Channel?
    var taxpayerNumber: TaxpayerNumber?
    var caller: WorkOrder.CallerContact?
    var category: [String]?
    var summary: String
    var description: String?
    var links: [WorkOrder.Link]?

    var draft: WorkOrderDraft {
        WorkOrderDraft(kind: kind, priority: priority ?? .normal, channel: channel ?? .api, taxpayerNumber: taxpayerNumber,
                       caller: caller ?? .init(), category: category ?? [], summary: summary, description: description ?? "",
                       links: links ?? [])
    }
}

/// `POST /api/v1/workorders/{id}/transitions` body.
struct TransitionInput: Decodable {
    var transition: WorkOrderTransition
    var comment: String
    var assignee: WorkOrder.Assignee?
    var expectedVersion: Int?
}

/// `POST /api/v1/workorders/{id}/urge` body.
struct UrgeInput: Decodable {
    var comment: String
}

/// `POST /api/v1/workorders/{id}/dispatch` body.
struct DispatchInput: Decodable {
    var stage: FieldDispatch.Stage
    var note: String?
}

/// `POST /api/v1/workorders/{id}/links` body.
struct LinksInput: Decodable {
    var links: [WorkOrder.Link]
}

extension APIApplication {
    func addWorkOrderRoutes(to api: RouterGroup<APIRequestContext>) {
        api.get("workorders") { request, context in
            _ = try context.require(.workOrderRead)
            var query = WorkOrderQuery(statuses: try request.queryEnumList("status", WorkOrder.Status.self),
                                       kinds: try request.queryEnumList("kind", WorkOrder.Kind.self),
                                       limit: try request.limit(maximum: maxPage))
            if let assignee = request.query("assignee") {
                let parts = assignee.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, let kind = WorkOrder.Assignee.Kind(rawValue: String(parts[0])), !parts[1].isEmpty else {
                    throw APIError.badParameter("assignee", "must be 'person:<user id>' or 'department:<name>', not '\(assignee)'")
                }
                query.assignee = WorkOrder.Assignee(kind: kind, id: String(parts[1]))
            }
            if let number = request.query("taxpayer") {
                do { query.taxpayerNumber = try TaxpayerNumber(number) } catch {
                    throw APIError.badParameter("taxpayer", "\(error)")
                }
            }
            if let due = request.query("dueBefore") {
                guard let date = ISO8601DateFormatter().date(from: due) else {
                    throw APIError.badParameter("dueBefore", "must be an ISO 8601 date-time like 2026-11-30T09:00:00Z, not '\(due)'")
                }
                query.dueBefore = date
            }
            if let cursor = try request.cursor() {
                guard !cursor.isEmpty, cursor.count <= 40 else { throw APIError.badParameter("cursor", "is not a cursor from a previous page") }
                query.beforeNumber = cursor
            }
            let orders = try await stores.workOrders.workOrders(query)
            return try APIJSON.response(Page(items: orders.map { WorkOrderView(order: $0) },
                                             nextCursor: orders.count == query.limit ? orders.last?.number : nil))
        }
        api.post("workorders") { request, context in
            let principal = try context.require(.workOrderCreate)
            let data = try await request.bodyData(limit: limitBytes)
            let input = try request.decodeJSON(WorkOrderInput.self, from: data)
            return try await idempotent(request, principal: principal, body: data) {
                let order = try await desk.open(input.draft, by: principal, at: now)
                return (.created, try APIJSON.encoder().encode(view(order, for: principal)))
            }
        }
        api.get("workorders/{id}") { _, context in
            let principal = try context.require(.workOrderRead)
            let id = try context.path("id")
            guard let order = try await stores.workOrders.workOrder(id) else { throw APIError.notFound("no work order '\(id)'") }
            return try APIJSON.response(view(order, for: principal))
        }
        api.post("workorders/{id}/transitions") { request, context in
            let principal = try context.require(.workOrderRead)
            let id = try context.path("id")
            let input = try await request.decodeJSON(TransitionInput.self, limit: limitBytes)
            guard principal.can(input.transition.permission) else { throw APIError.forbidden(input.transition.permission) }
            let order = try await desk.transition(id, WorkOrderTransitionRequest(input.transition, comment: input.comment, assignee: input.assignee),
                                                  expectedVersion: input.expectedVersion, by: principal, at: now)
            return try APIJSON.response(view(order, for: principal))
        }
        api.post("workorders/{id}/urge") { request, context in
            let principal = try context.require(.workOrderUrge)
            let id = try context.path("id")
            let input = try await request.decodeJSON(UrgeInput.self, limit: limitBytes)
            guard input.comment.count <= 4000 else { throw APIError.invalidField("comment", "is \(input.comment.count) characters; at most 4000") }
            let order = try await desk.urge(id, comment: input.comment, by: principal, at: now)
            return try APIJSON.response(view(order, for: principal))
        }
        api.post("workorders/{id}/dispatch") { request, context in
            let principal = try context.require(.workOrderDispatch)
            let id = try context.path("id")
            let input = try await request.decodeJSON(DispatchInput.self, limit: limitBytes)
            guard (input.note ?? "").count <= 4000 else { throw APIError.invalidField("note", "is longer than 4000 characters") }
            let order = try await desk.recordDispatch(id, input.stage, note: input.note ?? "", by: principal, at: now)
            return try APIJSON.response(view(order, for: principal))
        }
        api.post("workorders/{id}/links") { request, context in
            let principal = try context.require(.workOrderRead)
            let id = try context.path("id")
            let input = try await request.decodeJSON(LinksInput.self, limit: limitBytes)
            let order = try await desk.addLinks(id, input.links, by: principal, at: now)
            return try APIJSON.response(view(order, for: principal))
        }
    }

    func view(_ order: WorkOrder, for principal: Principal) -> WorkOrderView {
        let machine = WorkOrderStateMachine(order: order, policy: configuration.serviceLevels, calendar: configuration.calendar)
        return WorkOrderView(order: order, allowedTransitions: machine.allowedTransitions(for: principal))
    }
}
