public import Foundation

/// A calendar that can count working time: what SLA due dates are measured in.
///
/// The official ``BusinessCalendar`` (working hours per weekday, public holidays, make-up working
/// days) conforms; so can a site's own calendar.
public protocol WorkingTimeCalendar: Sendable {
    /// Working time between two instants.
    ///
    /// - Parameters:
    ///   - start: The earlier instant.
    ///   - end: The later instant (earlier than `start` gives zero).
    /// - Returns: The working time in between.
    func workingTime(from start: Date, to end: Date) -> Duration

    /// The instant at which a given amount of working time has passed after `start`.
    ///
    /// - Parameters:
    ///   - duration: Working time to add.
    ///   - start: Where to count from.
    /// - Returns: The deadline, or `nil` when the calendar has no working time ahead.
    func date(addingWorkingTime duration: Duration, to start: Date) -> Date?
}

/// How long work orders may take, in working time, per kind and priority, and when to remind and
/// escalate (催办) a late one.
///
/// The clock starts when an order is opened (or reopened) and stops once the caller has been
/// answered (``WorkOrder/Status/repliedToCaller``).
public struct ServiceLevelPolicy: Sendable, Hashable, Codable {
    /// The time allowed for one kind at one priority.
    public struct Target: Sendable, Hashable, Codable {
        /// The order kind.
        public var kind: WorkOrder.Kind
        /// The priority.
        public var priority: WorkOrder.Priority
        /// Working minutes allowed until the caller is answered.
        public var workingMinutes: Int

        /// Creates a target.
        ///
        /// - Parameters:
        ///   - kind: Order kind.
        ///   - priority: Priority.
        ///   - workingMinutes: Working minutes allowed.
        public init(kind: WorkOrder.Kind, priority: WorkOrder.Priority, workingMinutes: Int) {
            self.kind = kind
            self.priority = priority
            self.workingMinutes = workingMinutes
        }
    }

    /// The targets; a kind/priority pair without one has no due date.
    public var targets: [Target]
    /// The share of the allowed time after which a "due soon" reminder goes out (0.75: with a quarter left).
    public var reminderFraction: Double
    /// Working minutes after the due date between one escalation level and the next.
    public var escalationIntervalMinutes: Int
    /// The highest escalation level (1: assignee, 2: supervisors, 3: director).
    public var maximumEscalationLevel: Int

    /// Creates a policy.
    ///
    /// - Parameters:
    ///   - targets: Allowed time per kind and priority.
    ///   - reminderFraction: When to remind, as a share of the allowed time (0…1).
    ///   - escalationIntervalMinutes: Working minutes between escalation levels.
    ///   - maximumEscalationLevel: Highest level.
    public init(targets: [Target], reminderFraction: Double = 0.75, escalationIntervalMinutes: Int = 240,
                maximumEscalationLevel: Int = 3) {
        self.targets = targets
        self.reminderFraction = reminderFraction
        self.escalationIntervalMinutes = escalationIntervalMinutes
        self.maximumEscalationLevel = maximumEscalationLevel
    }

    /// Working days of 7 hours (the 09:00–12:00, 13:30–17:30 office of ``BusinessCalendar/weekdayOffice(timeZoneIdentifier:)``) are the unit of the defaults.
    private static let day = 420

    /// Defaults in the spirit of 12366 service rules: consultations and queries answered within
    /// 1 working day, problem reports 2, complaints 5, reports (举报) and suggestions 10; high
    /// priority halves the time (at most 1 day), urgent gives 2 working hours, low doubles it.
    public static let standard: ServiceLevelPolicy = {
        let normalDays: [WorkOrder.Kind: Int] = [
            .consultation: 1, .informationQuery: 1, .problemReport: 2, .fieldDispatch: 2,
            .complaint: 5, .report: 10, .suggestion: 10,
        ]
        var targets: [Target] = []
        for kind in WorkOrder.Kind.allCases {
            let normal = (normalDays[kind] ?? 5) * day
            targets.append(Target(kind: kind, priority: .low, workingMinutes: normal * 2))
            targets.append(Target(kind: kind, priority: .normal, workingMinutes: normal))
            targets.append(Target(kind: kind, priority: .high, workingMinutes: min(day, normal / 2)))
            targets.append(Target(kind: kind, priority: .urgent, workingMinutes: 120))
        }
        return ServiceLevelPolicy(targets: targets)
    }()

    /// The working time allowed for a kind at a priority.
    ///
    /// - Parameters:
    ///   - kind: Order kind.
    ///   - priority: Priority.
    /// - Returns: The allowance, or `nil` when the policy sets none.
    public func allowance(for kind: WorkOrder.Kind, priority: WorkOrder.Priority) -> Duration? {
        targets.last { $0.kind == kind && $0.priority == priority }.map { .seconds(Int64($0.workingMinutes) * 60) }
    }

    /// The due date of an order opened at `start`.
    ///
    /// - Parameters:
    ///   - kind: Order kind.
    ///   - priority: Priority.
    ///   - start: When the clock starts.
    ///   - calendar: The working-time calendar.
    /// - Returns: The due date, or `nil` without a target or without working time ahead.
    public func dueDate(for kind: WorkOrder.Kind, priority: WorkOrder.Priority, from start: Date,
                        calendar: some WorkingTimeCalendar) -> Date? {
        guard let allowance = allowance(for: kind, priority: priority) else { return nil }
        return calendar.date(addingWorkingTime: allowance, to: start)
    }

    /// Where an order stands against its due date at `now`.
    ///
    /// - Parameters:
    ///   - order: The order.
    ///   - now: The current instant (injected).
    ///   - calendar: The working-time calendar.
    /// - Returns: The assessment.
    public func assess(_ order: WorkOrder, now: Date, calendar: some WorkingTimeCalendar) -> ServiceLevelAssessment {
        guard order.status.slaRuns, let due = order.dueAt else {
            return ServiceLevelAssessment(state: .stopped, remaining: .zero, overdue: .zero, escalationLevel: 0)
        }
        if now >= due {
            let overdue = calendar.workingTime(from: due, to: now)
            let interval = Duration.seconds(Int64(max(1, escalationIntervalMinutes)) * 60)
            let steps = Int(overdue.components.seconds / interval.components.seconds)
            let level = min(maximumEscalationLevel, 1 + steps)
            return ServiceLevelAssessment(state: .overdue, remaining: .zero, overdue: overdue, escalationLevel: level)
        }
        let remaining = calendar.workingTime(from: now, to: due)
        let allowance = allowance(for: order.kind, priority: order.priority) ?? remaining
        let reminderThreshold = allowance * (1 - min(1, max(0, reminderFraction)))
        let state: ServiceLevelAssessment.State = remaining <= reminderThreshold ? .dueSoon : .onTrack
        return ServiceLevelAssessment(state: state, remaining: remaining, overdue: .zero, escalationLevel: 0)
    }
}

/// An order's position against its SLA at one instant.
public struct ServiceLevelAssessment: Sendable, Hashable {
    /// The broad state.
    public enum State: String, Sendable, Hashable, Codable {
        /// More than the reminder share of time is left.
        case onTrack
        /// Less is left: remind.
        case dueSoon
        /// Past due: escalate.
        case overdue
        /// The clock does not run (answered, closed, or no due date).
        case stopped
    }

    /// The broad state.
    public var state: State
    /// Working time left until the due date.
    public var remaining: Duration
    /// Working time past the due date.
    public var overdue: Duration
    /// The escalation level the order should have reached (0 when not overdue).
    public var escalationLevel: Int
}

/// The official business calendar counts SLA working time: working hours per weekday, public
/// holidays off, make-up working days (调休) on.
extension BusinessCalendar: WorkingTimeCalendar {}
