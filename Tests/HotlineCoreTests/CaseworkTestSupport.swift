import Foundation
import HotlineCore

/// Fixtures shared by the casework tests: a calendar with a National Day holiday and a make-up
/// working day, principals for each built-in role, and a draft.
enum Casework {
    /// Office hours Monday–Friday 09:00–12:00, 13:30–17:30 in China time; 2026-10-01…07 off, and the
    /// Saturday 2026-10-10 worked with Friday's hours.
    static let calendar: BusinessCalendar = {
        var calendar = BusinessCalendar.weekdayOffice(timeZoneIdentifier: "Asia/Shanghai")
        for day in 1...7 { calendar.holidays[LocalDate(year: 2026, month: 10, day: day)!] = "国庆节" }
        calendar.makeUpWorkingDays[LocalDate(year: 2026, month: 10, day: 10)!] = .friday
        return calendar
    }()

    /// An instant in China time.
    static func at(_ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0, year: Int = 2026) -> Date {
        calendar.instant(LocalDate(year: year, month: month, day: day)!, TimeOfDay(hour: hour, minute: minute))
    }

    static func principal(_ role: Role, id: String? = nil, department: String? = nil) -> Principal {
        Principal(userID: id ?? role.id, username: role.id, department: department, permissions: role.permissions)
    }

    static let agent = principal(.agent, id: "agent-1")
    static let supervisor = principal(.supervisor, id: "supervisor-1")
    static let handler = principal(.departmentHandler, id: "handler-1", department: "征管科")
    static let otherHandler = principal(.departmentHandler, id: "handler-2", department: "纳税服务科")
    static let administrator = principal(.administrator, id: "admin-1")
    static let apiClient = principal(.apiClient, id: "crm")

    static func draft(_ kind: WorkOrder.Kind = .complaint, priority: WorkOrder.Priority = .normal) -> WorkOrderDraft {
        WorkOrderDraft(kind: kind, priority: priority, channel: .phone,
                       caller: .init(name: "王先生", phone: try? PhoneNumber("13800138000")),
                       category: ["纳税服务", "办税服务厅"], summary: "办税服务厅排队时间过长",
                       description: "来电人反映某区办税服务厅排队超过两小时。",
                       links: [.init(kind: .recording, reference: "rec-1")])
    }
}
