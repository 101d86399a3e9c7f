import Foundation
import HotlineCore
import Testing

@Suite struct ServiceLevelPolicyTests {
    @Test func dueDatesSkipTheHolidayAndCountTheMakeUpDay() {
        let policy = ServiceLevelPolicy.standard
        // Complaint, normal priority: 5 × 7 working hours = 2100 minutes, from Wednesday 09-30 10:00.
        // 09-30: 360 min; 10-01…07 holiday; 10-08 Thu 420 (780); 10-09 Fri 420 (1200);
        // 10-10 Sat make-up 420 (1620); 10-11 Sun off; 10-12 Mon 420 (2040); 10-13 Tue 60 more → 10:00.
        #expect(policy.dueDate(for: .complaint, priority: .normal, from: Casework.at(9, 30, 10), calendar: Casework.calendar)
                == Casework.at(10, 13, 10))
        // Urgent: 2 working hours from 09-30 17:00 → 30 minutes that day, 90 on 10-08 → 10:30.
        #expect(policy.dueDate(for: .complaint, priority: .urgent, from: Casework.at(9, 30, 17), calendar: Casework.calendar)
                == Casework.at(10, 8, 10, 30))
        // Opened on a holiday: the clock starts with the next working period.
        #expect(policy.dueDate(for: .consultation, priority: .urgent, from: Casework.at(10, 3, 11), calendar: Casework.calendar)
                == Casework.at(10, 8, 11))
    }

    @Test func priorityShortensTheAllowance() {
        let policy = ServiceLevelPolicy.standard
        for kind in WorkOrder.Kind.allCases {
            let minutes = WorkOrder.Priority.allCases.map { policy.allowance(for: kind, priority: $0) ?? .zero }
            #expect(minutes == minutes.sorted(by: >), "\(kind): low ≥ normal ≥ high ≥ urgent")
        }
    }

    @Test func remindersAndEscalationFollowAManualClockAcrossTheHoliday() throws {
        var (machine, _) = try WorkOrderStateMachine.open(Casework.draft(), number: "GD2026-000003", by: Casework.agent,
                                                          at: Casework.at(9, 30, 10), calendar: Casework.calendar)
        _ = try machine.handle(.init(.assign, comment: "转办", assignee: .department("征管科")), by: Casework.supervisor,
                               at: Casework.at(9, 30, 10, 5))
        #expect(machine.order.dueAt == Casework.at(10, 13, 10))

        // During the holiday no working time passes: still on track, nothing sent.
        #expect(machine.policy.assess(machine.order, now: Casework.at(10, 5, 12), calendar: Casework.calendar).remaining == .seconds(1740 * 60))
        #expect(machine.checkServiceLevel(at: Casework.at(10, 5, 12)).isEmpty)

        // The reminder goes when a quarter of 2100 minutes (525) is left: on the make-up Saturday
        // 10-10 09:00 900 are left; on Monday 10-12 09:00 480 are.
        #expect(machine.checkServiceLevel(at: Casework.at(10, 10, 9)).isEmpty)
        let reminder = machine.checkServiceLevel(at: Casework.at(10, 12, 9))
        guard case .urged(let remind)? = reminder.first else { Issue.record("expected a reminder"); return }
        #expect(remind.reason == .dueSoon)
        #expect(remind.level == 0)
        #expect(machine.checkServiceLevel(at: Casework.at(10, 12, 17, 10)).isEmpty, "the reminder goes once")

        // Past due: level 1 at once, level 2 after 240 working minutes more, never above 3.
        let first = machine.checkServiceLevel(at: Casework.at(10, 13, 10, 30))
        guard case .urged(let overdue)? = first.first else { Issue.record("expected an escalation"); return }
        #expect(overdue.reason == .overdue)
        #expect(overdue.level == 1)
        #expect(overdue.overdueWorkingSeconds == 30 * 60)
        #expect(overdue.assignee == .department("征管科"))
        #expect(machine.checkServiceLevel(at: Casework.at(10, 13, 14, 29)).isEmpty) // 120 + 59 minutes past
        let second = machine.checkServiceLevel(at: Casework.at(10, 13, 15, 30)) // 240 past
        guard case .urged(let level2)? = second.first else { Issue.record("expected level 2"); return }
        #expect(level2.level == 2)
        let third = machine.checkServiceLevel(at: Casework.at(10, 20, 9))
        guard case .urged(let level3)? = third.first else { Issue.record("expected level 3"); return }
        #expect(level3.level == 3)
        #expect(machine.checkServiceLevel(at: Casework.at(11, 20, 9)).isEmpty)
        #expect(machine.order.urgeCount == 3)
        #expect(machine.order.escalationLevel == 3)
    }

    @Test func theClockStopsOnceTheCallerIsAnswered() throws {
        var (machine, _) = try WorkOrderStateMachine.open(Casework.draft(.consultation, priority: .urgent), number: "n",
                                                          by: Casework.agent, at: Casework.at(10, 8, 9), calendar: Casework.calendar)
        for request in [WorkOrderTransitionRequest(.assign, comment: "a", assignee: .person("supervisor-1")),
                        .init(.startWork, comment: "b"), .init(.submitForApproval, comment: "c"),
                        .init(.approve, comment: "d"), .init(.replyToCaller, comment: "e")] {
            _ = try machine.handle(request, by: Casework.supervisor, at: Casework.at(10, 8, 9, 30))
        }
        #expect(machine.policy.assess(machine.order, now: Casework.at(10, 30, 9), calendar: Casework.calendar).state == .stopped)
        #expect(machine.checkServiceLevel(at: Casework.at(10, 30, 9)).isEmpty)
        #expect(throws: WorkOrderError.self) { try machine.urge(comment: "快", by: Casework.supervisor, at: Casework.at(10, 30, 9)) }
    }

    @Test func manualUrgingNeedsThePermission() throws {
        var (machine, _) = try WorkOrderStateMachine.open(Casework.draft(), number: "n", by: Casework.agent,
                                                          at: Casework.at(10, 8, 9), calendar: Casework.calendar)
        #expect(throws: WorkOrderError.permissionDenied(.workOrderUrge)) {
            try machine.urge(comment: "来电人催问", by: Casework.agent, at: Casework.at(10, 8, 10))
        }
        let events = try machine.urge(comment: "来电人催问", by: Casework.supervisor, at: Casework.at(10, 8, 10))
        guard case .urged(let event)? = events.first else { Issue.record("no event"); return }
        #expect(event.reason == .manual)
        #expect(event.by == "supervisor-1")
        #expect(machine.order.urgeCount == 1)
    }
}
