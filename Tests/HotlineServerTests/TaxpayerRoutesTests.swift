import Foundation
import HTTPTypes
import HotlineCore
import HotlineServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Taxpayer routes")
struct TaxpayerRoutesTests {
    @Test("create, show with arrears as of today, update, search, bills and contacts")
    func lifecycle() async throws {
        let fixture = try await APIFixture()
        let number = APIFixture.creditCode("A1234567")
        try await fixture.test { client in
            let supervisor = try await client.login("supervisor")
            let created = try await client.send(.post, "/api/v1/taxpayers", token: supervisor, json: [
                "number": number, "name": "北京海淀示例商贸有限公司", "kind": "enterprise", "phone": "010-82561234",
                "mobile": "13912345678", "region": "海淀区", "customFields": ["industry": "批发"],
            ])
            #expect(created.status == .created, "\(created.text)")
            #expect(try created.object()["hasPIN"] as? Bool == false)
            #expect(try created.object()["pinHash"] == nil)
            let again = try await client.send(.post, "/api/v1/taxpayers", token: supervisor,
                                              json: ["number": number, "name": "重复", "kind": "enterprise"])
            #expect(again.status == .conflict)
            #expect(again.code == "taxpayer_exists")

            // A bill due 2026-10-15, unpaid: in arrears on 2026-11-30 (today in the fixture) with a surcharge.
            let bill = try await client.send(.post, "/api/v1/taxpayers/\(number)/bills", token: supervisor, json: [
                "period": "2026-09", "taxType": "增值税", "amountDue": 1_000_000, "dueDate": "2026-10-15",
            ])
            #expect(bill.status == .created, "\(bill.text)")
            let shown = try await client.send(.get, "/api/v1/taxpayers/\(number)", token: supervisor)
            #expect(shown.status == .ok)
            let arrears = try #require(try shown.object()["arrears"] as? [String: Any])
            #expect(arrears["asOf"] as? String == "2026-11-30")
            #expect(arrears["arrears"] as? Int == 1_000_000)
            // 46 days × 0.05 % of ¥10,000 = ¥230.00
            #expect(arrears["surcharge"] as? Int == 23_000)
            let before = try await client.send(.get, "/api/v1/taxpayers/\(number)?asOf=2026-10-15", token: supervisor)
            #expect((try before.object()["arrears"] as? [String: Any])?["arrears"] as? Int == 0)

            let updated = try await client.send(.put, "/api/v1/taxpayers/\(number)", token: supervisor,
                                                json: ["name": "北京海淀示例商贸有限公司", "kind": "enterprise", "category": "vip"])
            #expect(updated.status == .ok, "\(updated.text)")
            #expect(try updated.object()["category"] as? String == "vip")
            let mismatch = try await client.send(.put, "/api/v1/taxpayers/\(number)", token: supervisor,
                                                 json: ["number": APIFixture.creditCode("A7654321"), "name": "x", "kind": "enterprise"])
            #expect(mismatch.status == .unprocessableContent)

            let byName = try await client.send(.get, "/api/v1/taxpayers?q=%E6%B5%B7%E6%B7%80%E7%A4%BA%E4%BE%8B", token: supervisor)
            #expect(byName.items.first?["number"] as? String == number)
            let byNumber = try await client.send(.get, "/api/v1/taxpayers?q=\(number)", token: supervisor)
            #expect(byNumber.items.first?["match"] as? String == "taxpayer_number")

            let contact = try await client.send(.post, "/api/v1/taxpayers/\(number)/contacts", token: supervisor,
                                                json: ["channel": "inbound_call", "summary": "咨询逾期申报", "callID": "call-1"])
            #expect(contact.status == .created, "\(contact.text)")
            let history = try await client.send(.get, "/api/v1/taxpayers/\(number)/contacts", token: supervisor)
            #expect(history.items.count == 1)
            let bills = try await client.send(.get, "/api/v1/taxpayers/\(number)/bills", token: supervisor)
            #expect(bills.items.count == 1)
        }
    }

    @Test("bad input gets clear 4xx errors naming the place")
    func badInput() async throws {
        let fixture = try await APIFixture(maximumBodyBytes: 2048)
        try await fixture.test { client in
            let supervisor = try await client.login("supervisor")
            let badNumber = try await client.send(.get, "/api/v1/taxpayers/91110108MA01A2B3C9", token: supervisor)
            #expect(badNumber.status == .badRequest)
            #expect(badNumber.code == "invalid_taxpayer_number")
            let unknown = try await client.send(.get, "/api/v1/taxpayers/\(APIFixture.creditCode("Y9999999"))", token: supervisor)
            #expect(unknown.status == .notFound)

            let malformed = try await client.send(.post, "/api/v1/taxpayers", token: supervisor, raw: "{\"name\": ")
            #expect(malformed.status == .badRequest)
            #expect(malformed.code == "invalid_json")
            let missing = try await client.send(.post, "/api/v1/taxpayers", token: supervisor, json: ["number": APIFixture.creditCode("A1111111"), "kind": "enterprise"])
            #expect(missing.status == .badRequest)
            #expect(missing.text.contains("body.name"))
            let wrongType = try await client.send(.post, "/api/v1/taxpayers", token: supervisor, json: ["number": 5, "name": "x", "kind": "enterprise"])
            #expect(wrongType.status == .badRequest)
            #expect(wrongType.text.contains("body.number"))
            let badPhone = try await client.send(.post, "/api/v1/taxpayers", token: supervisor,
                                                 json: ["number": APIFixture.creditCode("A1111111"), "name": "x", "kind": "enterprise", "mobile": "12"])
            #expect(badPhone.status == .badRequest)
            #expect(badPhone.text.contains("body.mobile"))
            let xml = try await client.send(.post, "/api/v1/taxpayers", token: supervisor, raw: "<taxpayer/>",
                                            headers: [.contentType: "application/xml"])
            #expect(xml.status == .unsupportedMediaType)
            let huge = try await client.send(.post, "/api/v1/taxpayers", token: supervisor,
                                             json: ["number": APIFixture.creditCode("A1111111"), "name": String(repeating: "大", count: 3000), "kind": "enterprise"])
            #expect(huge.status == .contentTooLarge)
            #expect(huge.code == "payload_too_large")
            let badBill = try await client.send(.post, "/api/v1/taxpayers/\(APIFixture.creditCode("A1111111"))/bills", token: supervisor,
                                                json: ["period": "2026-13", "taxType": "增值税", "amountDue": 1, "dueDate": "2026-10-15"])
            #expect(badBill.status == .badRequest)
            #expect(badBill.text.contains("body.period"))
            let badLimit = try await client.send(.get, "/api/v1/taxpayers?limit=-1", token: supervisor)
            #expect(badLimit.status == .badRequest)
            #expect(badLimit.text.contains("limit"))
        }
    }

    @Test("the taxpayer list pages in number order with a cursor")
    func paging() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let supervisor = try await client.login("supervisor")
            var numbers: [String] = []
            for index in 0..<5 {
                let number = APIFixture.creditCode("C000000\(index)")
                numbers.append(number)
                let created = try await client.send(.post, "/api/v1/taxpayers", token: supervisor,
                                                    json: ["number": number, "name": "公司\(index)", "kind": "enterprise"])
                #expect(created.status == .created)
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.send(.get, "/api/v1/taxpayers?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: supervisor)
                seen += page.items.compactMap { $0["number"] as? String }
                cursor = try page.object()["nextCursor"] as? String
            } while cursor != nil
            #expect(seen == numbers.sorted())
        }
    }
}
