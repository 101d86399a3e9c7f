public import Foundation

/// A self-service function the IVR offers (F8 queries, F9 keypad reports). Statistics of
/// self-service use are counted per function from ``SelfServiceUsed`` events.
public struct SelfServiceFunction: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The function's name as written in YAML, e.g. `"arrears"`.
    public var rawValue: String
    /// Creates a function from its name (integrators may add their own).
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The name.
    public var description: String { rawValue }

    /// Check a taxpayer number and PIN. Arguments `taxpayerNumber`, `pin`.
    public static let authenticate = SelfServiceFunction(rawValue: "authenticate")
    /// Taxes overdue: `total` (money), `count` (number), `hasArrears` (flag), `oldestDue` (date).
    public static let arrears = SelfServiceFunction(rawValue: "arrears")
    /// Amount due in the current period: `total` (money), `dueDate` (date).
    public static let amountDue = SelfServiceFunction(rawValue: "amount-due")
    /// Payment status of the latest bill: `status` (text: `paid`, `unpaid`, `overdue`), `paidOn` (date),
    /// `amount` (money).
    public static let paymentStatus = SelfServiceFunction(rawValue: "payment-status")
    /// Notices for the taxpayer: `count` (number), `latest` (text).
    public static let notices = SelfServiceFunction(rawValue: "notices")
    /// Record a figure the caller keyed in (F9). Argument `figure` (money or number).
    public static let reportFigure = SelfServiceFunction(rawValue: "report-figure")

    /// The functions the reference provider implements.
    public static let builtIn: [SelfServiceFunction] = [
        .authenticate, .arrears, .amountDue, .paymentStatus, .notices, .reportFigure,
    ]
}

/// A self-service request the interpreter asks its host to perform (action ``CallFlowAction/lookUp(_:)``).
public struct LookupRequest: Sendable, Hashable {
    /// Identifies the request; the result must carry the same id.
    public var id: Int
    /// The call asking.
    public var callID: String
    /// The function.
    public var function: SelfServiceFunction
    /// Arguments by name (the authenticated `taxpayer` is included when known).
    public var arguments: [String: FlowValue]
    /// When the call asked (the interpreter's current instant), e.g. the "as of" of arrears.
    public var date: Date

    /// Creates a request.
    public init(id: Int, callID: String, function: SelfServiceFunction, arguments: [String: FlowValue], date: Date) {
        self.id = id
        self.callID = callID
        self.function = function
        self.arguments = arguments
        self.date = date
    }
}

/// The answer to a ``LookupRequest`` (event ``CallFlowEvent/lookupFinished(_:at:)``).
public struct LookupResult: Sendable, Hashable {
    /// How the lookup went.
    public enum Status: String, Sendable, Hashable, Codable {
        /// Done; ``LookupResult/values`` hold the answer.
        case ok
        /// Nothing found (e.g. no bills).
        case notFound = "not-found"
        /// Credentials wrong (authentication only).
        case rejected
        /// The account is locked (too many wrong PINs across calls).
        case locked
        /// The provider failed (storage down, …).
        case failed
    }

    /// The request's id.
    public var requestID: Int
    /// How it went.
    public var status: Status
    /// Result values by key (see each ``SelfServiceFunction``).
    public var values: [String: FlowValue]

    /// Creates a result.
    public init(requestID: Int, status: Status, values: [String: FlowValue] = [:]) {
        self.requestID = requestID
        self.status = status
        self.values = values
    }
}

/// Performs self-service lookups for a host (the server, the simulator, `hotline ivr try`),
/// usually against taxpayer and bill storage.
public protocol SelfServiceProvider: Sendable {
    /// Performs a lookup.
    ///
    /// - Parameter request: What to look up.
    /// - Returns: The result, with the request's id.
    func perform(_ request: LookupRequest) async -> LookupResult
}
