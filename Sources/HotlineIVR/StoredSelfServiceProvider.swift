import Foundation
public import HotlineCore

/// A figure a caller reported by keypad after authentication (F9), as stored in the event log.
public struct FigureReported: DomainEvent {
    /// The event's stable type name, `ivr.figure.reported`.
    public static let eventType = "ivr.figure.reported"
    /// The call.
    public var callID: String
    /// The authenticated taxpayer.
    public var taxpayerNumber: String
    /// The figure: money in fen, or a plain number.
    public var value: Int64
    /// `money` or `number`.
    public var unit: String
}

/// Self-service against the hotline's storage: taxpayers (PIN authentication), bills (arrears,
/// amount due, payment status), announcements, and keypad reports appended to the event log.
///
/// Works with any ``TaxpayerStore``/``TaxBillStore``/``EventLog`` (SQLite in production, the
/// in-memory twins in tests).
public struct StoredSelfServiceProvider: SelfServiceProvider {
    private let taxpayers: any TaxpayerStore
    private let bills: any TaxBillStore
    private let eventLog: (any EventLog)?
    private let calendarZone: String
    private let announcements: [String]

    /// Creates the provider.
    ///
    /// - Parameters:
    ///   - taxpayers: Taxpayer records (PIN hashes).
    ///   - bills: Tax bills.
    ///   - eventLog: Where keypad reports go; `nil` refuses `report-figure`.
    ///   - timeZoneIdentifier: The zone in which "today" is taken for arrears (`Asia/Shanghai`).
    ///   - announcements: Current notices read to every caller by the `notices` function.
    public init(taxpayers: any TaxpayerStore, bills: any TaxBillStore, eventLog: (any EventLog)? = nil,
                timeZoneIdentifier: String = "Asia/Shanghai", announcements: [String] = []) {
        self.taxpayers = taxpayers
        self.bills = bills
        self.eventLog = eventLog
        self.calendarZone = timeZoneIdentifier
        self.announcements = announcements
    }

    /// Performs a lookup (see ``SelfServiceFunction`` for arguments and result keys).
    ///
    /// - Parameter request: The request.
    /// - Returns: The result; storage errors give ``LookupResult/Status-swift.enum/failed``.
    public func perform(_ request: LookupRequest) async -> LookupResult {
        do {
            return try await run(request)
        } catch {
            return LookupResult(requestID: request.id, status: .failed, values: ["error": .text("\(error)")])
        }
    }

    private func taxpayerNumber(_ value: FlowValue?) -> TaxpayerNumber? {
        guard let value else { return nil }
        return try? TaxpayerNumber(keypadDigits: value.description)
    }

    private func run(_ request: LookupRequest) async throws -> LookupResult {
        let id = request.id
        let today = BusinessCalendar(timeZoneIdentifier: calendarZone, weeklyHours: [:]).localTime(of: request.date).day
        switch request.function {
        case .authenticate:
            guard let number = taxpayerNumber(request.arguments["taxpayerNumber"]),
                  let pin = request.arguments["pin"]?.description,
                  let taxpayer = try await taxpayers.taxpayer(number),
                  let hash = taxpayer.pinHash, hash.verify(pin) else {
                return LookupResult(requestID: id, status: .rejected)
            }
            return LookupResult(requestID: id, status: .ok, values: ["name": .text(taxpayer.name)])
        case .arrears:
            guard let number = taxpayerNumber(request.arguments["taxpayer"]) else { return LookupResult(requestID: id, status: .rejected) }
            guard try await taxpayers.taxpayer(number) != nil else { return LookupResult(requestID: id, status: .notFound) }
            let summary = try await bills.arrears(of: number, asOf: today)
            return LookupResult(requestID: id, status: .ok, values: [
                "total": .money(fen: summary.total.fen),
                "arrears": .money(fen: summary.arrears.fen),
                "surcharge": .money(fen: summary.surcharge.fen),
                "count": .number(Int64(summary.periods.count)),
                "hasArrears": .flag(summary.total.fen > 0),
            ])
        case .amountDue:
            guard let number = taxpayerNumber(request.arguments["taxpayer"]) else { return LookupResult(requestID: id, status: .rejected) }
            let open = try await bills.bills(of: number).filter { $0.outstanding.fen > 0 && $0.dueDate >= today }
            guard let first = open.min(by: { $0.dueDate < $1.dueDate }) else { return LookupResult(requestID: id, status: .notFound) }
            return LookupResult(requestID: id, status: .ok, values: [
                "total": .money(fen: open.reduce(0) { $0 + $1.outstanding.fen }),
                "dueDate": .date(first.dueDate),
                "count": .number(Int64(open.count)),
            ])
        case .paymentStatus:
            guard let number = taxpayerNumber(request.arguments["taxpayer"]) else { return LookupResult(requestID: id, status: .rejected) }
            guard let latest = try await bills.bills(of: number).max(by: { ($0.period, $0.taxType) < ($1.period, $1.taxType) }) else {
                return LookupResult(requestID: id, status: .notFound)
            }
            let status = latest.outstanding.fen == 0 ? "paid" : (latest.dueDate < today ? "overdue" : "unpaid")
            return LookupResult(requestID: id, status: .ok, values: [
                "status": .text(status),
                "amount": .money(fen: latest.amountDue.fen),
                "outstanding": .money(fen: latest.outstanding.fen),
                "dueDate": .date(latest.dueDate),
                "period": .text(latest.period.description),
            ])
        case .notices:
            guard let latest = announcements.first else { return LookupResult(requestID: id, status: .notFound) }
            return LookupResult(requestID: id, status: .ok, values: [
                "count": .number(Int64(announcements.count)), "latest": .text(latest),
            ])
        case .reportFigure:
            guard let eventLog, let number = taxpayerNumber(request.arguments["taxpayer"]) else {
                return LookupResult(requestID: id, status: .rejected)
            }
            let event: FigureReported
            switch request.arguments["figure"] {
            case .money(let fen)?: event = FigureReported(callID: request.callID, taxpayerNumber: number.value, value: fen, unit: "money")
            case .number(let n)?: event = FigureReported(callID: request.callID, taxpayerNumber: number.value, value: n, unit: "number")
            case .text(let t)?:
                guard let n = Int64(t) else { return LookupResult(requestID: id, status: .rejected) }
                event = FigureReported(callID: request.callID, taxpayerNumber: number.value, value: n, unit: "number")
            default: return LookupResult(requestID: id, status: .rejected)
            }
            let stored = try await eventLog.append([RecordedEvent(event, occurredAt: request.date, subject: "taxpayer:\(number.value)")])
            return LookupResult(requestID: id, status: .ok, values: ["receipt": .number(stored.first?.sequence ?? 0)])
        default:
            return LookupResult(requestID: id, status: .failed, values: ["error": .text("unknown function \(request.function)")])
        }
    }
}
