import Foundation
import Testing
@testable import HotlineCore

@Suite struct BlacklistEntryTests {
    static let since = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: [
        (BlacklistEntry.BlockingPeriod.fiveMinutes, 299.0, true),
        (.fiveMinutes, 300.0, false),
        (.thirtyMinutes, 1799.0, true),
        (.thirtyMinutes, 1800.0, false),
        (.permanent, 1e9, true),
        (.until(Date(timeIntervalSince1970: 1_800_003_600)), 3599.0, true),
        (.until(Date(timeIntervalSince1970: 1_800_003_600)), 3600.0, false),
        (.permanent, -1.0, false),  // before the block began
    ])
    func activeUntilItExpires(period: BlacklistEntry.BlockingPeriod, secondsLater: Double, active: Bool) {
        let entry = BlacklistEntry(number: "13900000001", since: Self.since, period: period, action: .refuse)
        #expect(entry.isActive(at: Self.since.addingTimeInterval(secondsLater)) == active)
    }

    @Test func screeningPrefersRefusalAndExactCategories() {
        let filter = CallerFilter(
            blacklist: [
                BlacklistEntry(number: "139", matchesPrefix: true, since: Self.since, period: .permanent, action: .warn),
                BlacklistEntry(number: "13900000001", since: Self.since, period: .fiveMinutes, action: .refuse),
            ],
            categories: [
                CallerCategoryRule(number: "139", matchesPrefix: true, category: "enterprise"),
                CallerCategoryRule(number: "13900000001", category: "vip"),
            ])
        let soon = filter.screen("13900000001", at: Self.since.addingTimeInterval(60))
        #expect(soon.blacklistEntry?.action == .refuse)
        #expect(soon.category == "vip")
        let later = filter.screen("13900000001", at: Self.since.addingTimeInterval(600))
        #expect(later.blacklistEntry?.action == .warn)
        let other = filter.screen("13800000000", at: Self.since)
        #expect(other == CallerScreening())
    }
}
