public import Foundation

/// One visit of field staff for a ``WorkOrder/Kind/fieldDispatch`` order, tracked step by step:
/// dispatched → departed → on site → result reported → returned, each with its time and who.
public struct FieldDispatch: Sendable, Hashable, Codable {
    /// A step of a visit, in the order they happen.
    public enum Stage: String, Sendable, Hashable, Codable, CaseIterable {
        /// Staff were sent (派工).
        case dispatched
        /// Staff set out (出发).
        case departed
        /// Staff arrived (到场).
        case onSite
        /// Staff reported the result (结果反馈).
        case resultReported
        /// Staff came back (返回).
        case returned

        /// The step that must follow this one, or `nil` after ``returned``.
        public var next: Stage? {
            switch self {
            case .dispatched: .departed
            case .departed: .onSite
            case .onSite: .resultReported
            case .resultReported: .returned
            case .returned: nil
            }
        }
    }

    /// A recorded step.
    public struct Step: Sendable, Hashable, Codable {
        /// Which step.
        public var stage: Stage
        /// When it happened.
        public var at: Date
        /// Who reported it (``User/id``).
        public var by: String
        /// Free text: who was sent, what was found, the result.
        public var note: String

        /// Creates a step.
        ///
        /// - Parameters:
        ///   - stage: Which step.
        ///   - at: When.
        ///   - by: Who reported it.
        ///   - note: Free text.
        public init(stage: Stage, at: Date, by: String, note: String) {
            self.stage = stage
            self.at = at
            self.by = by
            self.note = note
        }
    }

    /// The steps recorded so far, in order.
    public var steps: [Step]

    /// Creates a visit from its steps.
    ///
    /// - Parameter steps: Steps in order.
    public init(steps: [Step]) { self.steps = steps }

    /// Whether the staff have come back.
    public var isFinished: Bool { steps.last?.stage == .returned }

    /// When a stage was recorded, if it was.
    ///
    /// - Parameter stage: The stage.
    /// - Returns: Its time.
    public func time(of stage: Stage) -> Date? { steps.first { $0.stage == stage }?.at }
}
