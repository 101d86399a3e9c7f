/// Why a work-order request was refused; each case has a stable ``code`` for the API and carries
/// what the caller needs to do better (e.g. the transitions that *are* allowed).
public enum WorkOrderError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The transition does not exist from the order's current status (HTTP 409).
    case transitionNotAllowed(from: WorkOrder.Status, transition: WorkOrderTransition, allowed: [WorkOrderTransition])
    /// The principal lacks the permission the action needs (HTTP 403).
    case permissionDenied(Permission)
    /// The order is assigned to someone else and the principal may not handle others' orders (HTTP 403).
    case notAssignedToPrincipal(WorkOrder.Assignee?)
    /// A field is missing or wrong (HTTP 422).
    case invalidField(String, String)
    /// A field-dispatch step came out of order (HTTP 409).
    case dispatchStepNotAllowed(FieldDispatch.Stage, expected: [FieldDispatch.Stage])
    /// No order with this identifier or number (HTTP 404).
    case notFound(String)
    /// The order was changed by someone else since it was read (HTTP 409).
    case versionConflict(expected: Int, actual: Int)

    /// A stable machine-readable code, e.g. `"transition_not_allowed"`.
    public var code: String {
        switch self {
        case .transitionNotAllowed: "transition_not_allowed"
        case .permissionDenied: "permission_denied"
        case .notAssignedToPrincipal: "not_assigned_to_you"
        case .invalidField: "invalid_field"
        case .dispatchStepNotAllowed: "dispatch_step_not_allowed"
        case .notFound: "not_found"
        case .versionConflict: "version_conflict"
        }
    }

    /// The HTTP status an API answers this error with.
    public var httpStatus: Int {
        switch self {
        case .transitionNotAllowed, .dispatchStepNotAllowed, .versionConflict: 409
        case .permissionDenied, .notAssignedToPrincipal: 403
        case .invalidField: 422
        case .notFound: 404
        }
    }

    /// A sentence saying what went wrong and what is possible instead.
    public var description: String {
        switch self {
        case .transitionNotAllowed(let from, let transition, let allowed):
            let list = allowed.isEmpty ? "none" : allowed.map(\.rawValue).joined(separator: ", ")
            return "cannot \(transition.rawValue) a work order that is \(from.rawValue); allowed from \(from.rawValue): \(list)"
        case .permissionDenied(let permission):
            return "permission '\(permission.rawValue)' is required"
        case .notAssignedToPrincipal(let assignee):
            if let assignee { return "the work order is assigned to \(assignee.kind.rawValue) '\(assignee.id)', not to you" }
            return "the work order is not assigned to you"
        case .invalidField(let field, let reason):
            return "\(field) \(reason)"
        case .dispatchStepNotAllowed(let stage, let expected):
            let list = expected.isEmpty ? "none (start a dispatch first or the order is not a field dispatch)" : expected.map(\.rawValue).joined(separator: ", ")
            return "field dispatch step '\(stage.rawValue)' is not next; expected: \(list)"
        case .notFound(let id):
            return "no work order '\(id)'"
        case .versionConflict(let expected, let actual):
            return "the work order changed meanwhile (version \(actual), not \(expected)); read it again"
        }
    }
}
