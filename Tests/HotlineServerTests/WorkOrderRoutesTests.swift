import Foundation
import HTTPTypes
import HotlineCore
import HotlineServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Work order routes")
struct WorkOrderRoutesTests {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!

    @Test("a complaint's life: open, assign, start, submit, approve, reply, close; each step an event")
    func complaintLife() async throws {
        let fixture = try await APIFixture()
        let handlerID = try #require(fixture.userIDs["agent"])
        try await fixture.test { client in
            let supervisor = try await client.login("supervisor")
            let agent = try await client.login("agent")
            let opened = try await client.send(.post, "/api/v1/workorders", token: agent, json: [
                "kind": "complaint", "priority": "high", "channel": "phone", "summary": "办税服务厅窗口人员态度差",
                "description": "来电人称11月28日在海淀区办税服务厅办理发票领用时受到冷遇。",
                "caller": ["name": "王先生", "phone": "13812345678"], "category": ["纳税服务", "服务态度"],
                "links": [["kind": "recording", "reference": "rec-20261130-0001"]],
            ])
            #expect(opened.status == .created, "\(opened.text)")
            let order = try opened.object()
            let number = try #require(order["number"] as? String)
            #expect(order["status"] as? String == "new")
            #expect(order["dueAt"] as? String != nil)
            #expect(order["allowedTransitions"] as? [String] == [])

            func move(_ token: String, _ body: [String: Any]) async throws -> [String: Any] {
                let response = try await client.send(.post, "/api/v1/workorders/\(number)/transitions", token: token, json: body)
                #expect(response.status == .ok, "\(body["transition"] ?? ""): \(response.text)")
                return try response.object()
            }
            _ = try await move(supervisor, ["transition": "assign", "comment": "请王五处理",
                                            "assignee": ["kind": "person", "id": handlerID]])
            _ = try await move(agent, ["transition": "startWork", "comment": "已联系来电人"])
            _ = try await move(agent, ["transition": "submitForApproval", "comment": "已核实并批评教育窗口人员"])
            _ = try await move(supervisor, ["transition": "approve", "comment": "同意"])
            _ = try await move(agent, ["transition": "replyToCaller", "comment": "已电话回复王先生，表示满意"])
            let closed = try await move(agent, ["transition": "close", "comment": "办结"])
            #expect(closed["status"] as? String == "closed")
            #expect((closed["history"] as? [Any])?.count == 6)

            let events = try await client.send(.get, "/api/v1/events?type=workorder.transitioned", token: supervisor)
            #expect(events.status == .ok)
            #expect(events.items.count == 6)
            #expect(events.items.map { ($0["payload"] as? [String: Any])?["transition"] as? String }
                    == ["assign", "startWork", "submitForApproval", "approve", "replyToCaller", "close"])
            let created = try await client.send(.get, "/api/v1/events?type=workorder.created", token: supervisor)
            #expect(created.items.count == 1)
            let after = try #require(created.items.first?["sequence"] as? Int)
            let later = try await client.send(.get, "/api/v1/events?after=\(after)&limit=2", token: supervisor)
            #expect(later.items.count == 2)
            #expect(later.items.allSatisfy { ($0["sequence"] as? Int ?? 0) > after })
            #expect(try later.object()["nextCursor"] as? String != nil)

            let shown = try await client.send(.get, "/api/v1/workorders/\(number)", token: supervisor)
            #expect(shown.status == .ok)
            #expect(try shown.object()["allowedTransitions"] as? [String] == ["reopen"])
        }
    }

    @Test("a transition not allowed from the current state is 409 with the allowed ones listed")
    func conflict() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let supervisor = try await client.login("supervisor")
            let opened = try await client.send(.post, "/api/v1/workorders", token: supervisor, json: ["kind": "suggestion", "summary": "建议延长服务时间"])
            let id = try #require(try opened.object()["id"] as? String)
            let response = try await client.send(.post, "/api/v1/workorders/\(id)/transitions", token: supervisor,
                                                 json: ["transition": "approve", "comment": "同意"])
            #expect(response.status == .conflict)
            #expect(response.code == "transition_not_allowed")
            let details = try #require(try response.object()["details"] as? [String: [String]])
            #expect(details["allowed"] == ["assign"])
            #expect(try response.object()["message"] as? String != nil)

            let stale = try await client.send(.post, "/api/v1/workorders/\(id)/transitions", token: supervisor,
                                              json: ["transition": "assign", "comment": "派单", "expectedVersion": 7,
                                                     "assignee": ["kind": "department", "id": "纳税服务科"]])
            #expect(stale.status == .conflict)
            #expect(stale.code == "version_conflict")

            let missing = try await client.send(.post, "/api/v1/workorders/\(id)/transitions", token: supervisor,
                                                json: ["transition": "assign", "comment": "派单"])
            #expect(missing.status == .unprocessableContent)
            #expect(missing.code == "invalid_field")
            let unknown = try await client.send(.post, "/api/v1/workorders/\(id)/transitions", token: supervisor,
                                                json: ["transition": "teleport", "comment": "x"])
            #expect(unknown.status == .badRequest)
            #expect(unknown.code == "invalid_json")
            #expect(unknown.text.contains("transition"))
            #expect(try await client.send(.get, "/api/v1/workorders/GD1999-999999", token: supervisor).status == .notFound)
        }
    }

    @Test("Idempotency-Key: a retried create returns the first order; another body with the same key is 422")
    func idempotency() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let agent = try await client.login("agent")
            let body: [String: Any] = ["kind": "consultation", "summary": "个税专项附加扣除怎么填"]
            let first = try await client.send(.post, "/api/v1/workorders", token: agent, json: body, headers: [Self.idempotencyKey: "call-7731"])
            let second = try await client.send(.post, "/api/v1/workorders", token: agent, json: body, headers: [Self.idempotencyKey: "call-7731"])
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(try first.object()["id"] as? String == (try second.object()["id"] as? String))
            let list = try await client.send(.get, "/api/v1/workorders", token: agent)
            #expect(list.items.count == 1)

            let other = try await client.send(.post, "/api/v1/workorders", token: agent, json: ["kind": "consultation", "summary": "别的问题"],
                                              headers: [Self.idempotencyKey: "call-7731"])
            #expect(other.status == .unprocessableContent)
            #expect(other.code == "idempotency_key_reused")

            // A failed create does not burn the key.
            let bad = try await client.send(.post, "/api/v1/workorders", token: agent, json: ["kind": "consultation", "summary": " "],
                                            headers: [Self.idempotencyKey: "call-7732"])
            #expect(bad.status == .unprocessableContent)
            let retried = try await client.send(.post, "/api/v1/workorders", token: agent, json: ["kind": "consultation", "summary": "好的问题"],
                                                headers: [Self.idempotencyKey: "call-7732"])
            #expect(retried.status == .created)
            let badKey = try await client.send(.post, "/api/v1/workorders", token: agent, json: body, headers: [Self.idempotencyKey: "有空格 key"])
            #expect(badKey.status == .badRequest)
            #expect(badKey.code == "invalid_idempotency_key")
        }
    }

    @Test("lists filter by status, kind and assignee and page with limit and cursor")
    func listing() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let supervisor = try await client.login("supervisor")
            var numbers: [String] = []
            for index in 0..<7 {
                let kind = index % 2 == 0 ? "complaint" : "consultation"
                let opened = try await client.send(.post, "/api/v1/workorders", token: supervisor, json: ["kind": kind, "summary": "事项 \(index)"])
                numbers.append(try #require(try opened.object()["number"] as? String))
            }
            _ = try await client.send(.post, "/api/v1/workorders/\(numbers[0])/transitions", token: supervisor,
                                      json: ["transition": "assign", "comment": "派单", "assignee": ["kind": "department", "id": "稽查局"]])
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.send(.get, "/api/v1/workorders?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""), token: supervisor)
                #expect(page.status == .ok)
                #expect(page.items.count <= 3)
                seen += page.items.compactMap { $0["number"] as? String }
                cursor = try page.object()["nextCursor"] as? String
            } while cursor != nil
            #expect(seen == numbers.reversed())

            let complaints = try await client.send(.get, "/api/v1/workorders?kind=complaint", token: supervisor)
            #expect(complaints.items.count == 4)
            let assigned = try await client.send(.get, "/api/v1/workorders?status=assigned&assignee=department:%E7%A8%BD%E6%9F%A5%E5%B1%80", token: supervisor)
            #expect(assigned.items.compactMap { $0["number"] as? String } == [numbers[0]])
            let open = try await client.send(.get, "/api/v1/workorders?status=new,assigned", token: supervisor)
            #expect(open.items.count == 7)

            for bad in ["status=lost", "kind=", "limit=0", "limit=201", "limit=ten", "assignee=bob", "dueBefore=tomorrow", "taxpayer=123"] {
                let response = try await client.send(.get, "/api/v1/workorders?\(bad)", token: supervisor)
                if bad == "kind=" {
                    #expect(response.status == .ok)
                } else {
                    #expect(response.status == .badRequest, "\(bad)")
                    #expect(response.code == "invalid_parameter", "\(bad)")
                }
            }
        }
    }

    @Test("urge and field dispatch steps; a step out of order is 409 with the expected one")
    func urgeAndDispatch() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let supervisor = try await client.login("supervisor")
            let opened = try await client.send(.post, "/api/v1/workorders", token: supervisor, json: ["kind": "fieldDispatch", "summary": "上门核查经营地址"])
            let id = try #require(try opened.object()["id"] as? String)
            let urged = try await client.send(.post, "/api/v1/workorders/\(id)/urge", token: supervisor, json: ["comment": "请尽快"])
            #expect(urged.status == .ok)
            #expect(try urged.object()["urgeCount"] as? Int == 1)
            let early = try await client.send(.post, "/api/v1/workorders/\(id)/dispatch", token: supervisor, json: ["stage": "onSite"])
            #expect(early.status == .conflict)
            #expect(early.code == "dispatch_step_not_allowed")
            let assigned = try await client.send(.post, "/api/v1/workorders/\(id)/transitions", token: supervisor,
                                                 json: ["transition": "assign", "comment": "派外勤", "assignee": ["kind": "department", "id": "外勤组"]])
            #expect(assigned.status == .ok)
            let skipped = try await client.send(.post, "/api/v1/workorders/\(id)/dispatch", token: supervisor, json: ["stage": "departed"])
            #expect(skipped.status == .conflict)
            #expect((try skipped.object()["details"] as? [String: [String]])?["expected"] == ["dispatched"])
            let sent = try await client.send(.post, "/api/v1/workorders/\(id)/dispatch", token: supervisor, json: ["stage": "dispatched", "note": "派李四"])
            #expect(sent.status == .ok, "\(sent.text)")
            let linked = try await client.send(.post, "/api/v1/workorders/\(id)/links", token: supervisor,
                                               json: ["links": [["kind": "call", "reference": "call-42"]]])
            #expect(linked.status == .ok)
            #expect((try linked.object()["links"] as? [Any])?.count == 1)
        }
    }
}
