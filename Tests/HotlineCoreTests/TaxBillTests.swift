import HotlineCore
import Testing

@Suite struct TaxBillTests {
    let number = try! TaxpayerNumber("91350100M000100Y43")

    func bill(due: Int64, paid: Int64, dueDate: String = "2026-01-15") throws -> TaxBill {
        TaxBill(taxpayerNumber: number, period: try #require(BillingPeriod("2025-12")), taxType: "增值税",
                amountDue: Money(fen: due), amountPaid: Money(fen: paid), dueDate: try #require(LocalDate(dueDate)))
    }

    @Test func noArrearsOnOrBeforeTheDueDate() throws {
        let bill = try bill(due: 1_000_000, paid: 0)
        let dueDay = try #require(LocalDate("2026-01-15"))
        #expect(bill.arrears(asOf: dueDay) == .zero)
        #expect(bill.surcharge(asOf: dueDay) == .zero)
        #expect(bill.daysOverdue(asOf: dueDay.adding(days: -3)) == 0)
    }

    @Test func statutorySurchargeIsFiveInTenThousandADay() throws {
        // 10,000.00 yuan unpaid, 45 days late: 10,000 × 0.0005 × 45 = 225.00 yuan.
        let bill = try bill(due: 1_000_000, paid: 0)
        let asOf = try #require(LocalDate("2026-03-01"))
        #expect(bill.daysOverdue(asOf: asOf) == 45)
        #expect(bill.arrears(asOf: asOf) == Money(yuan: 10_000))
        #expect(bill.surcharge(asOf: asOf) == Money(yuan: 225))
    }

    @Test(arguments: [(Int64(500), 1, Int64(6)), (1000, 1, 12), (500, 10, 62), (0, 30, 0)])
    func surchargeRateIsAParameter(ppm: Int64, days: Int, expectedFen: Int64) throws {
        // 123.45 yuan outstanding.
        let bill = try bill(due: 20_000, paid: 7_655)
        let asOf = try #require(LocalDate("2026-01-15")).adding(days: days)
        let expected = (12_345 * ppm * Int64(days) * 2 + 1_000_000) / 2_000_000 // half-up
        #expect(bill.surcharge(asOf: asOf, rule: LateSurchargeRule(partsPerMillionPerDay: ppm)).fen == expected)
        #expect(expected == expectedFen)
    }

    @Test func partialAndOverPayments() throws {
        let asOf = try #require(LocalDate("2026-02-14"))
        #expect(try bill(due: 50_000, paid: 20_000).arrears(asOf: asOf) == Money(fen: 30_000))
        #expect(try bill(due: 50_000, paid: 60_000).arrears(asOf: asOf) == .zero)
        #expect(try bill(due: 50_000, paid: 60_000).surcharge(asOf: asOf) == .zero)
    }

    @Test func summarySumsOverdueBillsOnly() throws {
        let asOf = try #require(LocalDate("2026-03-01"))
        let overdue = try bill(due: 1_000_000, paid: 0)
        var notYetDue = try bill(due: 500_000, paid: 0, dueDate: "2026-03-15")
        notYetDue.period = try #require(BillingPeriod("2026-02"))
        var other = try bill(due: 100, paid: 0)
        other.period = try #require(BillingPeriod("2025-11"))
        other.taxType = "印花税"
        let summary = ArrearsSummary(bills: [overdue, notYetDue, other], of: number, asOf: asOf)
        #expect(summary.arrears == Money(fen: 1_000_100))
        #expect(summary.surcharge == Money(fen: 22_500 + 2)) // 1.00 × 0.0005 × 45 = 0.0225 → 0.02
        #expect(summary.periods.map(\.description) == ["2025-11", "2025-12"])
        #expect(summary.total == summary.arrears + summary.surcharge)
    }
}
