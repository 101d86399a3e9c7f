import Foundation
import Testing
@testable import HotlineCore

private func at(_ text: String) -> Date {
    guard let date = ISO8601DateFormatter().date(from: text) else { preconditionFailure("bad test instant \(text)") }
    return date
}

@Suite struct BusinessCalendarTests {
    /// 2026: National Day Oct 1–7 (Thu–Wed), make-up working days Sun Sep 20 and Sat Oct 10.
    static let calendar: BusinessCalendar = {
        var c = BusinessCalendar.weekdayOffice()
        for day in 1...7 { c.holidays[LocalDate(year: 2026, month: 10, day: day)!] = "国庆节" }
        c.makeUpWorkingDays[LocalDate("2026-09-20")!] = .monday
        c.makeUpWorkingDays[LocalDate("2026-10-10")!] = .friday
        return c
    }()

    @Test(arguments: [
        ("2026-09-30T10:00:00+08:00", true),   // Wednesday morning
        ("2026-09-30T12:30:00+08:00", false),  // lunch break
        ("2026-09-30T17:30:00+08:00", false),  // end is excluded
        ("2026-10-01T10:00:00+08:00", false),  // holiday on a Thursday
        ("2026-09-20T10:00:00+08:00", true),   // make-up Sunday
        ("2026-09-19T10:00:00+08:00", false),  // ordinary Saturday
        ("2026-10-10T16:00:00+08:00", true),   // make-up Saturday
        ("2026-09-30T02:00:00Z", true),        // 10:00 in Shanghai
    ])
    func openingHours(instant: String, open: Bool) {
        #expect(Self.calendar.isOpen(at: at(instant)) == open)
    }

    @Test func dayKindsAndWeekdays() throws {
        let c = Self.calendar
        #expect(c.kind(of: try #require(LocalDate("2026-10-01"))) == .holiday("国庆节"))
        #expect(c.kind(of: try #require(LocalDate("2026-10-10"))) == .makeUpWorkingDay)
        #expect(c.kind(of: try #require(LocalDate("2026-10-11"))) == .restDay)
        #expect(c.kind(of: try #require(LocalDate("2026-10-12"))) == .workingDay)
        #expect(try #require(LocalDate("2026-12-01")).weekday == .tuesday)
        #expect(try #require(LocalDate("1970-01-01")).weekday == .thursday)
    }

    @Test func workingTimeSkipsNightsWeekendsAndHolidays() {
        let c = Self.calendar
        // Tue 16:00 → Wed 10:00: 1.5 h Tuesday + 1 h Wednesday.
        #expect(c.workingTime(from: at("2026-09-29T16:00:00+08:00"), to: at("2026-09-30T10:00:00+08:00")) == .seconds(9000))
        // Wed 17:00 → Fri Oct 9 09:30: Oct 1–7 are holidays, Oct 8 is a full 7-hour day.
        #expect(c.workingTime(from: at("2026-09-30T17:00:00+08:00"), to: at("2026-10-09T09:30:00+08:00")) == .seconds((30 + 420 + 30) * 60))
        #expect(c.workingTime(from: at("2026-09-30T10:00:00+08:00"), to: at("2026-09-30T09:00:00+08:00")) == .zero)
    }

    @Test func deadlineAfterWorkingTime() {
        let c = Self.calendar
        // Two working days (14 h) from Wednesday Sep 30 09:00: Sep 30 (7 h), then the holidays, then Oct 8 (7 h).
        #expect(c.date(addingWorkingTime: .seconds(14 * 3600), to: at("2026-09-30T09:00:00+08:00")) == at("2026-10-08T17:30:00+08:00"))
        #expect(c.date(addingWorkingTime: .seconds(3600), to: at("2026-09-30T12:30:00+08:00")) == at("2026-09-30T14:30:00+08:00"))
        let never = BusinessCalendar(timeZoneIdentifier: "Asia/Shanghai", weeklyHours: [:])
        #expect(never.date(addingWorkingTime: .seconds(60), to: at("2026-09-30T09:00:00+08:00")) == nil)
    }

    @Test func problemsAreNamed() throws {
        var c = BusinessCalendar(timeZoneIdentifier: "Nowhere/City",
                                 weeklyHours: [.monday: [try #require(WorkingPeriod("09:00-12:00")), try #require(WorkingPeriod("11:00-13:00"))]])
        c.holidays[try #require(LocalDate("2026-10-01"))] = "国庆节"
        c.makeUpWorkingDays[try #require(LocalDate("2026-10-01"))] = .sunday
        let problems = c.problems
        #expect(problems.contains { $0.contains("unknown time zone 'Nowhere/City'") })
        #expect(problems.contains { $0.contains("overlap") })
        #expect(problems.contains { $0.contains("both a holiday") })
        #expect(problems.contains { $0.contains("takes the hours of sunday, which has none") })
        #expect(BusinessCalendar.weekdayOffice().problems.isEmpty)
    }

    @Test(arguments: ["25:00", "9:60", "0900", "", "ab:cd"])
    func badTimesAreRejected(text: String) {
        #expect(TimeOfDay(text) == nil)
    }

    @Test func periodsParseAndRoundTrip() throws {
        let period = try #require(WorkingPeriod("13:30-17:30"))
        #expect(period.description == "13:30-17:30")
        #expect(WorkingPeriod("17:30-13:30") == nil)
        let data = try JSONEncoder().encode(Self.calendar)
        #expect(try JSONDecoder().decode(BusinessCalendar.self, from: data) == Self.calendar)
    }
}
