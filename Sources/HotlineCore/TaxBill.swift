/// What a taxpayer owes for one tax type and one month, and what has been paid (F8, F10).
///
/// Arrears and the late-payment surcharge are derived, never stored: they depend on the day one
/// asks. A bill is identified by taxpayer, period and tax type; importing the same triple again
/// replaces the bill.
public struct TaxBill: Sendable, Hashable, Codable, Identifiable {
    /// The identity of a bill: taxpayer, period, tax type.
    public struct ID: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The taxpayer.
        public var taxpayerNumber: TaxpayerNumber
        /// The month.
        public var period: BillingPeriod
        /// The tax type.
        public var taxType: String

        /// `number/period/tax type`.
        public var description: String { "\(taxpayerNumber)/\(period)/\(taxType)" }
    }

    /// Who owes.
    public var taxpayerNumber: TaxpayerNumber
    /// The tax period (month).
    public var period: BillingPeriod
    /// The tax type, e.g. `增值税` (VAT), `企业所得税`, `个人所得税`.
    public var taxType: String
    /// The amount assessed.
    public var amountDue: Money
    /// The amount paid so far.
    public var amountPaid: Money
    /// The last day to pay without surcharge.
    public var dueDate: LocalDate

    /// The bill's identity.
    public var id: ID { ID(taxpayerNumber: taxpayerNumber, period: period, taxType: taxType) }

    /// Creates a bill.
    ///
    /// - Parameters:
    ///   - taxpayerNumber: Who owes.
    ///   - period: The month.
    ///   - taxType: The tax type.
    ///   - amountDue: The amount assessed.
    ///   - amountPaid: The amount paid so far.
    ///   - dueDate: The last day to pay without surcharge.
    public init(taxpayerNumber: TaxpayerNumber, period: BillingPeriod, taxType: String, amountDue: Money,
                amountPaid: Money = .zero, dueDate: LocalDate) {
        self.taxpayerNumber = taxpayerNumber
        self.period = period
        self.taxType = taxType
        self.amountDue = amountDue
        self.amountPaid = amountPaid
        self.dueDate = dueDate
    }

    /// What is still unpaid (never negative; an overpayment is not a debt).
    public var outstanding: Money { max(amountDue - amountPaid, .zero) }

    /// Days past the due date on a given day (0 on or before the due date).
    ///
    /// - Parameter date: The day to ask about.
    /// - Returns: Whole days late.
    public func daysOverdue(asOf date: LocalDate) -> Int { max(0, dueDate.days(until: date)) }

    /// Arrears (欠税) on a given day: the outstanding amount once the due date has passed.
    ///
    /// - Parameter date: The day to ask about.
    /// - Returns: The outstanding amount if overdue, otherwise zero.
    public func arrears(asOf date: LocalDate) -> Money { daysOverdue(asOf: date) > 0 ? outstanding : .zero }

    /// The late-payment surcharge (滞纳金) accrued by a given day: arrears × daily rate × days overdue,
    /// rounded to the fen (Law on the Administration of Tax Collection, art. 32).
    ///
    /// Computed on the amount outstanding now; partial payments made late are not apportioned by date.
    ///
    /// - Parameters:
    ///   - date: The day to ask about.
    ///   - rule: The daily rate.
    /// - Returns: The surcharge.
    public func surcharge(asOf date: LocalDate, rule: LateSurchargeRule = .statutory) -> Money {
        let days = daysOverdue(asOf: date)
        guard days > 0 else { return .zero }
        return outstanding.multiplied(by: rule.partsPerMillionPerDay * Int64(days), dividedBy: 1_000_000)
    }

    /// Checks the bill: a tax type, amounts not negative.
    ///
    /// - Returns: The problems found, each naming its CSV column; empty when the bill is valid.
    public func problems() -> [TaxpayerProblem] {
        var problems: [TaxpayerProblem] = []
        if taxType.trimmingWhitespace().isEmpty { problems.append(TaxpayerProblem(field: "tax_type", reason: "tax type is empty")) }
        if amountDue < .zero { problems.append(TaxpayerProblem(field: "amount_due", reason: "amount due is negative")) }
        if amountPaid < .zero { problems.append(TaxpayerProblem(field: "amount_paid", reason: "amount paid is negative")) }
        return problems
    }
}

/// A daily late-payment surcharge rate, in parts per million of the arrears per day.
public struct LateSurchargeRule: Sendable, Hashable, Codable {
    /// The rate: 500 ppm = 0.05 % a day.
    public var partsPerMillionPerDay: Int64

    /// Creates a rule.
    ///
    /// - Parameter partsPerMillionPerDay: The daily rate in parts per million (500 = 0.05 %).
    public init(partsPerMillionPerDay: Int64) {
        self.partsPerMillionPerDay = partsPerMillionPerDay
    }

    /// The statutory rate in China: 0.05 % (万分之五) a day.
    public static let statutory = LateSurchargeRule(partsPerMillionPerDay: 500)
}

/// A taxpayer's debt on one day, summed over bills: what the IVR reads back and the dialer dials for.
public struct ArrearsSummary: Sendable, Hashable, Codable {
    /// The taxpayer.
    public var taxpayerNumber: TaxpayerNumber
    /// The day the figures are for.
    public var asOf: LocalDate
    /// Outstanding amounts past their due date.
    public var arrears: Money
    /// Late-payment surcharge accrued on them.
    public var surcharge: Money
    /// The periods with arrears, oldest first.
    public var periods: [BillingPeriod]

    /// Arrears plus surcharge.
    public var total: Money { arrears + surcharge }

    /// Sums the arrears of a taxpayer's bills on a day.
    ///
    /// - Parameters:
    ///   - bills: The taxpayer's bills (others are ignored).
    ///   - taxpayerNumber: The taxpayer.
    ///   - date: The day.
    ///   - rule: The surcharge rate.
    public init(bills: [TaxBill], of taxpayerNumber: TaxpayerNumber, asOf date: LocalDate,
                rule: LateSurchargeRule = .statutory) {
        self.taxpayerNumber = taxpayerNumber
        self.asOf = date
        var arrears = Money.zero
        var surcharge = Money.zero
        var periods = Set<BillingPeriod>()
        for bill in bills where bill.taxpayerNumber == taxpayerNumber {
            let owed = bill.arrears(asOf: date)
            guard owed > .zero else { continue }
            arrears = arrears + owed
            surcharge = surcharge + bill.surcharge(asOf: date, rule: rule)
            periods.insert(bill.period)
        }
        self.arrears = arrears
        self.surcharge = surcharge
        self.periods = periods.sorted()
    }
}
