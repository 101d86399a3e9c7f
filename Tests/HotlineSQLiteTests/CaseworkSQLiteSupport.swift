import Foundation
import HotlineCore
import HotlineSQLite
import Testing

/// A hotline database in a fresh temporary directory, removed when the test is done.
final class CaseworkTemporaryDatabase {
    let directory: URL
    let database: HotlineDatabase

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-\(UUID().uuidString)", isDirectory: true)
        database = try HotlineDatabase(directory: directory)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

/// The two implementations every casework store test runs against.
enum CaseworkBackend: String, CaseIterable, CustomTestStringConvertible {
    case memory, sqlite

    var testDescription: String { rawValue }
}

/// Office hours Monday–Friday in China time with the 2026 National Day holiday.
enum CaseworkCalendar {
    static let calendar: BusinessCalendar = {
        var calendar = BusinessCalendar.weekdayOffice(timeZoneIdentifier: "Asia/Shanghai")
        for day in 1...7 { calendar.holidays[LocalDate(year: 2026, month: 10, day: day)!] = "国庆节" }
        return calendar
    }()

    static func at(_ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        calendar.instant(LocalDate(year: 2026, month: month, day: day)!, TimeOfDay(hour: hour, minute: minute))
    }
}
