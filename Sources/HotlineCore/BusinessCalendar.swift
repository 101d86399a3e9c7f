public import Foundation

extension LocalDate {
    /// The day of the week (proleptic Gregorian; 1970-01-01 was a Thursday).
    public var weekday: Weekday {
        let index = ((daysSinceEpoch % 7) + 7 + 3) % 7  // 0 = Monday
        return Weekday.allCases[index]
    }
}

/// A day of the week.
public enum Weekday: String, Sendable, Hashable, Codable, CaseIterable {
    case monday, tuesday, wednesday, thursday, friday, saturday, sunday
}

/// A time of day in minutes after midnight, written `HH:MM` (`24:00` is allowed as an end).
public struct TimeOfDay: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Minutes after midnight, 0...1440.
    public var minutes: Int

    /// Creates a time of day from hours and minutes.
    public init(hour: Int, minute: Int = 0) { minutes = hour * 60 + minute }

    /// Parses `HH:MM` (00:00–24:00).
    ///
    /// - Parameter text: The time.
    /// - Returns: `nil` when the text is not a time of day.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
              let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0..<60).contains(m),
              h * 60 + m <= 1440 else { return nil }
        minutes = h * 60 + m
    }

    /// `HH:MM`.
    public var description: String {
        let h = minutes / 60, m = minutes % 60
        return (h < 10 ? "0\(h)" : "\(h)") + ":" + (m < 10 ? "0\(m)" : "\(m)")
    }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool { lhs.minutes < rhs.minutes }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = TimeOfDay(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "'\(text)' is not a time HH:MM"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A span of working time within one day, e.g. `09:00-12:00` (start included, end excluded).
public struct WorkingPeriod: Sendable, Hashable, Codable, CustomStringConvertible {
    /// When the period starts.
    public var start: TimeOfDay
    /// When the period ends (after ``start``).
    public var end: TimeOfDay

    /// Creates a period; see ``BusinessCalendar/problems`` for the checks.
    public init(start: TimeOfDay, end: TimeOfDay) {
        self.start = start
        self.end = end
    }

    /// Parses `HH:MM-HH:MM`.
    ///
    /// - Parameter text: The period.
    /// - Returns: `nil` when the text is malformed or the end is not after the start.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let s = TimeOfDay(parts[0].trimmingCharacters(in: .whitespaces)),
              let e = TimeOfDay(parts[1].trimmingCharacters(in: .whitespaces)), s < e else { return nil }
        self.init(start: s, end: e)
    }

    /// `HH:MM-HH:MM`.
    public var description: String { "\(start)-\(end)" }

    /// Whether the minute of the day falls inside the period.
    public func contains(_ time: TimeOfDay) -> Bool { start <= time && time < end }
}

/// The official business calendar of a hotline: working hours per weekday, public holidays and the
/// make-up working days on which China's State Council swaps weekends for holidays.
///
/// The calendar is data, not code: each year's holidays and make-up days are loaded from
/// configuration (YAML in the IVR, a table in storage). Times are read in an explicit time zone,
/// e.g. `Asia/Shanghai`, never in the machine's zone.
///
/// Used by the IVR to choose between working-hours and after-hours flows, and by the work-order SLA
/// to count working time (``workingTime(from:to:)``).
public struct BusinessCalendar: Sendable, Hashable, Codable {
    /// The IANA time zone the hours are read in, e.g. `"Asia/Shanghai"`.
    public var timeZoneIdentifier: String
    /// Working periods per weekday; a weekday without entries is a rest day.
    public var weeklyHours: [Weekday: [WorkingPeriod]]
    /// Public holidays (closed all day even on a weekday), with their names, e.g. `国庆节`.
    public var holidays: [LocalDate: String]
    /// Make-up working days (调休上班): rest days that are worked, and whose hours are those of the
    /// given weekday (usually the weekday whose holiday they make up for; Monday if unsure).
    public var makeUpWorkingDays: [LocalDate: Weekday]

    /// Creates a calendar.
    ///
    /// - Parameters:
    ///   - timeZoneIdentifier: IANA zone name, e.g. `"Asia/Shanghai"`.
    ///   - weeklyHours: Working periods per weekday.
    ///   - holidays: Holidays with their names.
    ///   - makeUpWorkingDays: Make-up working days, with the weekday whose hours apply.
    public init(timeZoneIdentifier: String,
                weeklyHours: [Weekday: [WorkingPeriod]],
                holidays: [LocalDate: String] = [:],
                makeUpWorkingDays: [LocalDate: Weekday] = [:]) {
        self.timeZoneIdentifier = timeZoneIdentifier
        self.weeklyHours = weeklyHours
        self.holidays = holidays
        self.makeUpWorkingDays = makeUpWorkingDays
    }

    /// Office hours Monday to Friday 09:00–12:00 and 13:30–17:30 (a common 12366 seat schedule),
    /// no holidays, in the given zone.
    ///
    /// - Parameter timeZoneIdentifier: IANA zone name.
    /// - Returns: The calendar; add holidays and make-up days from the year's official notice.
    public static func weekdayOffice(timeZoneIdentifier: String = "Asia/Shanghai") -> BusinessCalendar {
        let day = [WorkingPeriod(start: .init(hour: 9), end: .init(hour: 12)),
                   WorkingPeriod(start: .init(hour: 13, minute: 30), end: .init(hour: 17, minute: 30))]
        return BusinessCalendar(timeZoneIdentifier: timeZoneIdentifier,
                                weeklyHours: [.monday: day, .tuesday: day, .wednesday: day,
                                              .thursday: day, .friday: day])
    }

    /// What is wrong with this calendar, as sentences; empty when it is usable.
    ///
    /// Checks: the time zone is known; periods of a day do not overlap; no day is both a holiday
    /// and a make-up working day; a make-up day's weekday has working hours.
    public var problems: [String] {
        var found: [String] = []
        if TimeZone(identifier: timeZoneIdentifier) == nil {
            found.append("unknown time zone '\(timeZoneIdentifier)' (use an IANA name such as Asia/Shanghai)")
        }
        for weekday in Weekday.allCases {
            let periods = (weeklyHours[weekday] ?? []).sorted { $0.start < $1.start }
            for p in periods where !(p.start < p.end) {
                found.append("\(weekday.rawValue): period \(p) ends before it starts")
            }
            for (a, b) in zip(periods, periods.dropFirst()) where b.start < a.end {
                found.append("\(weekday.rawValue): periods \(a) and \(b) overlap")
            }
        }
        for day in makeUpWorkingDays.keys.sorted() {
            if let name = holidays[day] {
                found.append("\(day) is both a holiday (\(name)) and a make-up working day")
            }
            if let weekday = makeUpWorkingDays[day], (weeklyHours[weekday] ?? []).isEmpty {
                found.append("make-up working day \(day) takes the hours of \(weekday.rawValue), which has none")
            }
        }
        return found
    }

    /// What kind of day a calendar day is.
    public enum DayKind: Sendable, Hashable {
        /// An ordinary working day.
        case workingDay
        /// A weekend or other weekday without hours.
        case restDay
        /// A public holiday, with its name.
        case holiday(String)
        /// A rest day that is worked to make up for a holiday.
        case makeUpWorkingDay
    }

    /// Classifies a day: holiday first, then make-up working day, then the weekly pattern.
    ///
    /// - Parameter day: The day.
    /// - Returns: Its kind.
    public func kind(of day: LocalDate) -> DayKind {
        if let name = holidays[day] { return .holiday(name) }
        if makeUpWorkingDays[day] != nil { return .makeUpWorkingDay }
        return (weeklyHours[day.weekday] ?? []).isEmpty ? .restDay : .workingDay
    }

    /// The working periods of a day (empty on rest days and holidays).
    ///
    /// - Parameter day: The day.
    /// - Returns: Periods sorted by start.
    public func workingPeriods(on day: LocalDate) -> [WorkingPeriod] {
        if holidays[day] != nil { return [] }
        let weekday = makeUpWorkingDays[day] ?? day.weekday
        return (weeklyHours[weekday] ?? []).sorted { $0.start < $1.start }
    }

    /// The calendar day and time of day of an instant in this calendar's zone.
    ///
    /// - Parameter date: The instant.
    /// - Returns: The local day and minute (seconds dropped); UTC when the zone is unknown.
    public func localTime(of date: Date) -> (day: LocalDate, time: TimeOfDay) {
        let offset = (TimeZone(identifier: timeZoneIdentifier) ?? TimeZone(secondsFromGMT: 0) ?? .current)
            .secondsFromGMT(for: date)
        let local = Int((date.timeIntervalSince1970).rounded(.down)) + offset
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = local - days * 86_400
        return (LocalDate(daysSinceEpoch: days), TimeOfDay(hour: 0, minute: secondOfDay / 60))
    }

    /// The instant at which a local day and time happen in this calendar's zone.
    ///
    /// - Parameters:
    ///   - day: The local day.
    ///   - time: The local time of day.
    /// - Returns: The instant.
    public func instant(_ day: LocalDate, _ time: TimeOfDay) -> Date {
        let zone = TimeZone(identifier: timeZoneIdentifier) ?? TimeZone(secondsFromGMT: 0) ?? .current
        let naive = Double(day.daysSinceEpoch * 86_400 + time.minutes * 60)
        // Two passes settle the offset around a DST change (China has none, other zones may).
        var guess = naive - Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: naive)))
        guess = naive - Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: guess)))
        return Date(timeIntervalSince1970: guess)
    }

    /// Whether the hotline is within working hours at an instant.
    ///
    /// - Parameter date: The instant (from the caller's injected clock).
    /// - Returns: `true` inside a working period of a working or make-up day.
    public func isOpen(at date: Date) -> Bool {
        let (day, time) = localTime(of: date)
        return workingPeriods(on: day).contains { $0.contains(time) }
    }

    /// Working time between two instants: the overlap of `[start, end)` with the working periods.
    ///
    /// - Parameters:
    ///   - start: The earlier instant.
    ///   - end: The later instant (earlier than `start` gives zero).
    /// - Returns: The working time.
    /// - Complexity: O(days between the instants).
    public func workingTime(from start: Date, to end: Date) -> Duration {
        guard start < end else { return .zero }
        var total = 0.0
        var day = localTime(of: start).day
        let lastDay = localTime(of: end).day
        while day <= lastDay {
            for period in workingPeriods(on: day) {
                let s = max(instant(day, period.start), start)
                let e = min(instant(day, period.end), end)
                if s < e { total += e.timeIntervalSince(s) }
            }
            day = day.adding(days: 1)
        }
        return .milliseconds(Int64((total * 1000).rounded()))
    }

    /// The instant at which a given amount of working time has passed after `start`.
    ///
    /// - Parameters:
    ///   - duration: Working time to add (e.g. a 2-working-day SLA as 16 hours of an 8-hour day).
    ///   - start: Where to count from.
    /// - Returns: The deadline, or `nil` when the calendar has no working time in the next 3 years.
    public func date(addingWorkingTime duration: Duration, to start: Date) -> Date? {
        var remaining = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        var day = localTime(of: start).day
        for _ in 0..<(366 * 3) {
            for period in workingPeriods(on: day) {
                let s = max(instant(day, period.start), start)
                let e = instant(day, period.end)
                guard s < e else { continue }
                let available = e.timeIntervalSince(s)
                if remaining <= available { return s.addingTimeInterval(remaining) }
                remaining -= available
            }
            day = day.adding(days: 1)
        }
        return nil
    }
}
