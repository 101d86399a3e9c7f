import Foundation
import HTTPTypes
import Hummingbird
import HotlineCore

/// A taxpayer as the API shows it: no PIN hash, but whether a PIN is set.
struct TaxpayerView: Encodable {
    var taxpayer: Taxpayer
    var arrears: ArrearsSummary?
    var match: TaxpayerSearchResult.Match?

    enum ExtraKeys: String, CodingKey { case hasPIN, arrears, match }

    func encode(to encoder: any Encoder) throws {
        var shown = taxpayer
        shown.pinHash = nil
        try shown.encode(to: encoder)
        var container = encoder.container(keyedBy: ExtraKeys.self)
        try container.encode(taxpayer.pinHash != nil, forKey: .hasPIN)
        try container.encodeIfPresent(arrears, forKey: .arrears)
        try container.encodeIfPresent(match, forKey: .match)
    }
}

/// `POST /api/v1/taxpayers` and `PUT /api/v1/taxpayers/{number}` body.
struct TaxpayerInput: Decodable {
    var number: TaxpayerNumber?
    var name: String
    var kind: Taxpayer.Kind
    var enterpriseName: String?
    var legalRepresentative: String?
    var phone: PhoneNumber?
    var mobile: PhoneNumber?
    var email: String?
    var region: String?
    var address: String?
    var building: String?
    var floor: String?
    var room: String?
    var bankName: String?
    var bankAccount: String?
    var category: Taxpayer.Category?
    var taxOffice: String?
    var assignedAgent: String?
    var customFields: [String: String]?

    func taxpayer(number: TaxpayerNumber, pinHash: PINHash?) -> Taxpayer {
        Taxpayer(number: number, name: name, kind: kind, enterpriseName: enterpriseName, legalRepresentative: legalRepresentative,
                 phone: phone, mobile: mobile, email: email, region: region, address: address, building: building, floor: floor,
                 room: room, bankName: bankName, bankAccount: bankAccount, category: category ?? .ordinary, taxOffice: taxOffice,
                 assignedAgent: assignedAgent, pinHash: pinHash, customFields: customFields ?? [:])
    }
}

/// `POST /api/v1/taxpayers/{number}/bills` body.
struct BillInput: Decodable {
    var period: BillingPeriod
    var taxType: String
    var amountDue: Money
    var amountPaid: Money?
    var dueDate: LocalDate
}

/// `POST /api/v1/taxpayers/{number}/contacts` body.
struct ContactInput: Decodable {
    var occurredAt: Date?
    var channel: ContactRecord.Channel
    var summary: String
    var agent: String?
    var callID: String?
    var workOrderID: String?
}

extension APIApplication {
    func addTaxpayerRoutes(to api: RouterGroup<APIRequestContext>) {
        api.get("taxpayers") { request, context in
            _ = try context.require(.taxpayerRead)
            let limit = try request.limit(maximum: maxPage)
            if let query = request.query("q") {
                let trimmed = query.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !trimmed.isEmpty, trimmed.count <= 100 else { throw APIError.badParameter("q", "must be 1–100 characters") }
                if request.query("cursor") != nil { throw APIError.badParameter("cursor", "is not supported with q (search returns one ranked page)") }
                let hits = try await stores.taxpayers.search(trimmed, limit: limit)
                return try APIJSON.response(Page(items: hits.map { TaxpayerView(taxpayer: $0.taxpayer, match: $0.match) }, nextCursor: nil))
            }
            var after: TaxpayerNumber?
            if let cursor = try request.cursor() {
                do { after = try TaxpayerNumber(cursor) } catch { throw APIError.badParameter("cursor", "is not a cursor from a previous page") }
            }
            let list = try await stores.taxpayers.taxpayers(after: after, limit: limit)
            return try APIJSON.response(Page(items: list.map { TaxpayerView(taxpayer: $0) },
                                             nextCursor: list.count == limit ? list.last?.number.value : nil))
        }
        api.post("taxpayers") { request, context in
            let principal = try context.require(.taxpayerWrite)
            let data = try await request.bodyData(limit: limitBytes)
            let input = try request.decodeJSON(TaxpayerInput.self, from: data)
            guard let number = input.number else { throw APIError.invalidField("number", "is required") }
            return try await idempotent(request, principal: principal, body: data) {
                if try await stores.taxpayers.taxpayer(number) != nil {
                    throw APIError(.conflict, code: "taxpayer_exists", message: "taxpayer \(number) already exists; use PUT /api/v1/taxpayers/\(number)")
                }
                let taxpayer = input.taxpayer(number: number, pinHash: nil)
                try validate(taxpayer)
                try await stores.taxpayers.save(taxpayer, at: now)
                return (.created, try APIJSON.encoder().encode(TaxpayerView(taxpayer: taxpayer)))
            }
        }
        api.get("taxpayers/{number}") { request, context in
            _ = try context.require(.taxpayerRead)
            let number = try context.taxpayerNumber()
            guard let taxpayer = try await stores.taxpayers.taxpayer(number) else { throw APIError.notFound("no taxpayer \(number)") }
            let day = try request.queryDate("asOf") ?? APIConfiguration.chinaDate(of: now)
            let arrears = try await stores.bills.arrears(of: number, asOf: day)
            return try APIJSON.response(TaxpayerView(taxpayer: taxpayer, arrears: arrears))
        }
        api.put("taxpayers/{number}") { request, context in
            _ = try context.require(.taxpayerWrite)
            let number = try context.taxpayerNumber()
            let input = try await request.decodeJSON(TaxpayerInput.self, limit: limitBytes)
            if let bodyNumber = input.number, bodyNumber != number {
                throw APIError.invalidField("number", "is \(bodyNumber) but the path names \(number)")
            }
            guard let existing = try await stores.taxpayers.taxpayer(number) else { throw APIError.notFound("no taxpayer \(number)") }
            let taxpayer = input.taxpayer(number: number, pinHash: existing.pinHash)
            try validate(taxpayer)
            try await stores.taxpayers.save(taxpayer, at: now)
            return try APIJSON.response(TaxpayerView(taxpayer: taxpayer))
        }
        api.get("taxpayers/{number}/bills") { _, context in
            _ = try context.require(.taxpayerRead)
            let number = try await existingTaxpayer(context)
            return try APIJSON.response(Page(items: try await stores.bills.bills(of: number), nextCursor: nil))
        }
        api.post("taxpayers/{number}/bills") { request, context in
            let principal = try context.require(.taxpayerWrite)
            let number = try context.taxpayerNumber()
            let data = try await request.bodyData(limit: limitBytes)
            let input = try request.decodeJSON(BillInput.self, from: data)
            return try await idempotent(request, principal: principal, body: data) {
                _ = try await existingTaxpayer(context)
                let bill = TaxBill(taxpayerNumber: number, period: input.period, taxType: input.taxType, amountDue: input.amountDue,
                                   amountPaid: input.amountPaid ?? .zero, dueDate: input.dueDate)
                let problems = bill.problems()
                if !problems.isEmpty {
                    throw APIError(.unprocessableContent, code: "invalid_field", message: problems.map(\.description).joined(separator: "; "))
                }
                try await stores.bills.save(bill, at: now)
                return (.created, try APIJSON.encoder().encode(bill))
            }
        }
        api.get("taxpayers/{number}/contacts") { request, context in
            _ = try context.require(.taxpayerRead)
            let number = try await existingTaxpayer(context)
            let limit = try request.limit(maximum: maxPage)
            return try APIJSON.response(Page(items: try await stores.contacts.history(of: number, limit: limit), nextCursor: nil))
        }
        api.post("taxpayers/{number}/contacts") { request, context in
            let principal = try context.require(.taxpayerWrite)
            let data = try await request.bodyData(limit: limitBytes)
            let input = try request.decodeJSON(ContactInput.self, from: data)
            let summary = input.summary.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !summary.isEmpty, summary.count <= 2000 else { throw APIError.invalidField("summary", "must be 1–2000 characters") }
            return try await idempotent(request, principal: principal, body: data) {
                let number = try await existingTaxpayer(context)
                let record = ContactRecord(id: UUID(), taxpayerNumber: number, occurredAt: input.occurredAt ?? now, channel: input.channel,
                                           summary: summary, agent: input.agent ?? principal.userID, callID: input.callID,
                                           workOrderID: input.workOrderID)
                try await stores.contacts.record(record)
                return (.created, try APIJSON.encoder().encode(record))
            }
        }
    }

    func existingTaxpayer(_ context: APIRequestContext) async throws -> TaxpayerNumber {
        let number = try context.taxpayerNumber()
        guard try await stores.taxpayers.taxpayer(number) != nil else { throw APIError.notFound("no taxpayer \(number)") }
        return number
    }

    func validate(_ taxpayer: Taxpayer) throws(APIError) {
        let problems = taxpayer.problems()
        if !problems.isEmpty {
            throw APIError(.unprocessableContent, code: "invalid_field", message: problems.map(\.description).joined(separator: "; "))
        }
    }
}
