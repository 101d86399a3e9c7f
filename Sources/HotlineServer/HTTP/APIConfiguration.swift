public import Foundation
public import HotlineCore

/// Settings of the HTTP API: where it listens, how much it accepts, and the clock and calendar it uses.
public struct APIConfiguration: Sendable {
    /// The address to bind; `127.0.0.1` by default so the API is not exposed until asked.
    public var host: String
    /// The TCP port; 8080 by default, 0 for any free port.
    public var port: Int
    /// The largest request body accepted, in bytes; larger bodies get `413 payload_too_large`.
    public var maximumBodyBytes: Int
    /// The largest `limit` a list accepts; larger values get `400 invalid_parameter`.
    public var maximumPageSize: Int
    /// The time now; injected so tests can move the clock (SLA, session expiry, lockout).
    public var now: @Sendable () -> Date
    /// The working-time calendar SLA due dates are counted in.
    public var calendar: any WorkingTimeCalendar
    /// SLA allowances per kind and priority.
    public var serviceLevels: ServiceLevelPolicy
    /// Seconds after which a stored idempotency key is forgotten (24 h by default).
    public var idempotencyLifetime: TimeInterval
    /// The largest work-order attachment accepted, in bytes; larger uploads get `413 payload_too_large`.
    public var maximumAttachmentBytes: Int = WorkOrderDraft.maximumAttachmentBytes
    /// How often the server runs the SLA check that urges and escalates late work orders (催办);
    /// zero turns it off.
    public var serviceLevelCheckInterval: Duration = .seconds(60)
    /// How often new events become webhook deliveries and due deliveries are attempted; zero turns
    /// webhook delivery off.
    public var webhookPollInterval: Duration = .seconds(1)
    /// When failed webhook deliveries are retried.
    public var webhookRetryPolicy: WebhookRetryPolicy = .standard

    /// Creates a configuration.
    /// - Parameters:
    ///   - host: The address to bind.
    ///   - port: The TCP port (0: any free port).
    ///   - maximumBodyBytes: The largest request body accepted.
    ///   - maximumPageSize: The largest `limit` accepted.
    ///   - now: The clock.
    ///   - calendar: The working-time calendar for SLA due dates.
    ///   - serviceLevels: SLA allowances.
    ///   - idempotencyLifetime: How long idempotency keys are kept.
    public init(host: String = "127.0.0.1", port: Int = 8080, maximumBodyBytes: Int = 1_048_576, maximumPageSize: Int = 200,
                now: @escaping @Sendable () -> Date = { Date() },
                calendar: any WorkingTimeCalendar = BusinessCalendar.weekdayOffice(),
                serviceLevels: ServiceLevelPolicy = .standard, idempotencyLifetime: TimeInterval = 86_400) {
        self.host = host
        self.port = port
        self.maximumBodyBytes = maximumBodyBytes
        self.maximumPageSize = maximumPageSize
        self.now = now
        self.calendar = calendar
        self.serviceLevels = serviceLevels
        self.idempotencyLifetime = idempotencyLifetime
    }

    /// Today's date in China Standard Time (UTC+8, no daylight saving), the date arrears and the
    /// knowledge base's "in force" are judged on.
    /// - Parameter date: The instant.
    /// - Returns: The calendar date in Beijing at that instant.
    public static func chinaDate(of date: Date) -> LocalDate {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + 8 * 3600
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        return LocalDate(daysSinceEpoch: days)
    }
}
