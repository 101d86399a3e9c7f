public import Foundation

/// The versions of a hotline's flow set. Installing a new version (hot reload) affects only calls
/// that start afterwards: a call's ``CallFlowStateMachine`` holds the version it started with.
///
/// A value type; the server keeps it in an actor (or a `Mutex`) and swaps versions from there.
public struct FlowRegistry: Sendable {
    /// One installed version.
    public struct Version: Sendable {
        /// The version number, from 1, increasing.
        public var number: Int
        /// The flows.
        public var flowSet: FlowSet
        /// When it was installed.
        public var installedAt: Date
        /// Where it came from (file names, a commit), for operators.
        public var label: String
    }

    /// Installed versions, oldest first (pruned ones removed).
    public private(set) var versions: [Version] = []

    /// Creates an empty registry.
    public init() {}

    /// The version new calls get.
    public var current: Version? { versions.last }

    /// Validates and installs a flow set as the new current version.
    ///
    /// - Parameters:
    ///   - flowSet: The flows.
    ///   - date: When (from the injected clock).
    ///   - label: Where it came from.
    /// - Returns: The new version number.
    /// - Throws: ``FlowValidationError`` when the set is invalid; the current version stays.
    @discardableResult
    public mutating func install(_ flowSet: FlowSet, at date: Date, label: String = "") throws -> Int {
        let validated = try flowSet.validated()
        let number = (versions.last?.number ?? 0) + 1
        versions.append(Version(number: number, flowSet: validated, installedAt: date, label: label))
        return number
    }

    /// A version by number, while it is kept.
    ///
    /// - Parameter number: The version number.
    /// - Returns: The version, or `nil` when unknown or pruned.
    public func version(_ number: Int) -> Version? { versions.first { $0.number == number } }

    /// An interpreter for a new call on the current version.
    ///
    /// - Returns: The state machine (feed it ``CallFlowEvent/callStarted(_:at:)``), or `nil`
    ///   before any version is installed.
    public func makeCall() -> CallFlowStateMachine? {
        current.map { CallFlowStateMachine(flowSet: $0.flowSet, version: $0.number) }
    }

    /// Forgets old versions no call uses any more (the current one is always kept).
    ///
    /// - Parameter inUse: Version numbers of calls still in progress.
    public mutating func prune(keeping inUse: Set<Int>) {
        let currentNumber = current?.number
        versions.removeAll { $0.number != currentNumber && !inUse.contains($0.number) }
    }
}
