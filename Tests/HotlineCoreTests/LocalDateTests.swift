import HotlineCore
import Testing

@Suite struct LocalDateTests {
    @Test func parsesAndFormats() throws {
        let date = try #require(LocalDate("2026-02-28"))
        #expect(date.description == "2026-02-28")
        #expect(LocalDate("2026-02-29") == nil)
        #expect(LocalDate("2024-02-29") != nil)
        #expect(LocalDate("1900-02-29") == nil)
        #expect(LocalDate("2000-02-29") != nil)
        #expect(LocalDate("2026-13-01") == nil)
        #expect(LocalDate("2026-1-01") == nil)
    }

    @Test func dayArithmeticMatchesTheCalendar() throws {
        #expect(LocalDate(daysSinceEpoch: 0).description == "1970-01-01")
        let start = try #require(LocalDate("1969-12-31"))
        #expect(start.daysSinceEpoch == -1)
        // Walk 200 years day by day and compare with month lengths.
        var date = try #require(LocalDate("1900-01-01"))
        var count = date.daysSinceEpoch
        while date.year < 2100 {
            let next = date.adding(days: 1)
            count += 1
            #expect(next.daysSinceEpoch == count)
            if date.day == LocalDate.daysIn(month: date.month, year: date.year) {
                #expect(next.day == 1)
            } else {
                #expect(next.day == date.day + 1 && next.month == date.month)
            }
            date = next
        }
        let due = try #require(LocalDate("2026-01-15"))
        #expect(due.days(until: try #require(LocalDate("2026-03-01"))) == 45)
    }

    @Test func billingPeriods() throws {
        let period = try #require(BillingPeriod("2026-12"))
        #expect(period.next.description == "2027-01")
        #expect(period.previous.description == "2026-11")
        #expect(BillingPeriod("2026-13") == nil)
        #expect(BillingPeriod("2026-1") == nil)
    }
}
