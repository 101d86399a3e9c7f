public import Foundation

/// A caller number that is blocked for a period, and what happens to its calls (F16).
public struct BlacklistEntry: Sendable, Hashable, Codable {
    /// How long a number stays blocked.
    public enum BlockingPeriod: Sendable, Hashable, Codable {
        /// Five minutes after ``BlacklistEntry/since`` (a caller who just hung up abusively).
        case fiveMinutes
        /// Thirty minutes after ``BlacklistEntry/since``.
        case thirtyMinutes
        /// Until lifted by an administrator.
        case permanent
        /// Until the given instant.
        case until(Date)
    }

    /// What the hotline does with a call from a blocked number.
    public enum Action: String, Sendable, Hashable, Codable {
        /// Play a warning prompt, then continue the flow.
        case warn
        /// Play a refusal prompt and hang up.
        case refuse
    }

    /// The caller number as presented (digits only, e.g. `13800138000`), or a prefix when
    /// ``matchesPrefix`` is set (e.g. `0755` for a whole area).
    public var number: String
    /// Whether ``number`` is a prefix rather than a whole number.
    public var matchesPrefix: Bool
    /// When the block began.
    public var since: Date
    /// How long it lasts.
    public var period: BlockingPeriod
    /// Warn or refuse.
    public var action: Action
    /// Why the number was blocked (shown to supervisors, never played).
    public var reason: String

    /// Creates an entry.
    ///
    /// - Parameters:
    ///   - number: Caller number or prefix (digits).
    ///   - matchesPrefix: Whether `number` is a prefix.
    ///   - since: When the block began.
    ///   - period: How long it lasts.
    ///   - action: Warn or refuse.
    ///   - reason: Why.
    public init(number: String, matchesPrefix: Bool = false, since: Date, period: BlockingPeriod,
                action: Action, reason: String = "") {
        self.number = number
        self.matchesPrefix = matchesPrefix
        self.since = since
        self.period = period
        self.action = action
        self.reason = reason
    }

    /// When the block ends, or `nil` for a permanent block.
    public var expiresAt: Date? {
        switch period {
        case .fiveMinutes: since.addingTimeInterval(5 * 60)
        case .thirtyMinutes: since.addingTimeInterval(30 * 60)
        case .permanent: nil
        case .until(let date): date
        }
    }

    /// Whether the block is in force at an instant (from `since`, up to but excluding the expiry).
    ///
    /// - Parameter date: The instant, from the injected clock.
    /// - Returns: `true` while blocked.
    public func isActive(at date: Date) -> Bool {
        guard date >= since else { return false }
        guard let end = expiresAt else { return true }
        return date < end
    }

    /// Whether the entry concerns a caller number.
    ///
    /// - Parameter caller: The caller number, digits only.
    /// - Returns: `true` when it equals ``number`` (or starts with it, for a prefix entry).
    public func matches(_ caller: String) -> Bool {
        matchesPrefix ? caller.hasPrefix(number) : caller == number
    }
}

/// A rule that puts callers into a category (VIP, enterprise group, …) by their number (F16).
public struct CallerCategoryRule: Sendable, Hashable, Codable {
    /// The caller number, or its prefix when ``matchesPrefix`` is set.
    public var number: String
    /// Whether ``number`` is a prefix.
    public var matchesPrefix: Bool
    /// The category's name, e.g. `"vip"`, `"enterprise"`.
    public var category: String

    /// Creates a rule.
    ///
    /// - Parameters:
    ///   - number: Caller number or prefix.
    ///   - matchesPrefix: Whether `number` is a prefix.
    ///   - category: The category's name.
    public init(number: String, matchesPrefix: Bool = false, category: String) {
        self.number = number
        self.matchesPrefix = matchesPrefix
        self.category = category
    }

    /// Whether the rule applies to a caller number.
    ///
    /// - Parameter caller: The caller number.
    /// - Returns: `true` on a match.
    public func matches(_ caller: String) -> Bool {
        matchesPrefix ? caller.hasPrefix(number) : caller == number
    }
}

/// The result of screening a caller: the blacklist entry in force (if any) and the category.
public struct CallerScreening: Sendable, Hashable, Codable {
    /// The blacklist entry in force for the caller, or `nil`.
    public var blacklistEntry: BlacklistEntry?
    /// The caller's category (`"vip"`, …), or `nil` for an ordinary caller.
    public var category: String?

    /// Creates a screening result.
    public init(blacklistEntry: BlacklistEntry? = nil, category: String? = nil) {
        self.blacklistEntry = blacklistEntry
        self.category = category
    }
}

/// The caller-filtering data of a hotline: blacklist and category rules.
public struct CallerFilter: Sendable, Hashable, Codable {
    /// Blacklist entries (expired ones are ignored when screening).
    public var blacklist: [BlacklistEntry]
    /// Category rules; the first match wins, whole numbers before prefixes.
    public var categories: [CallerCategoryRule]

    /// Creates caller-filtering data.
    public init(blacklist: [BlacklistEntry] = [], categories: [CallerCategoryRule] = []) {
        self.blacklist = blacklist
        self.categories = categories
    }

    /// Screens a caller at an instant.
    ///
    /// When several blacklist entries are in force, `refuse` wins over `warn`.
    ///
    /// - Parameters:
    ///   - caller: The caller number, digits only.
    ///   - date: The instant of the call (from the injected clock).
    /// - Returns: The entry in force and the category.
    public func screen(_ caller: String, at date: Date) -> CallerScreening {
        let active = blacklist.filter { $0.matches(caller) && $0.isActive(at: date) }
        let entry = active.first { $0.action == .refuse } ?? active.first
        let exact = categories.first { !$0.matchesPrefix && $0.matches(caller) }
        let rule = exact ?? categories.first { $0.matchesPrefix && $0.matches(caller) }
        return CallerScreening(blacklistEntry: entry, category: rule?.category)
    }
}
