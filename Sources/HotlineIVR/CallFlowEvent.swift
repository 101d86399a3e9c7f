public import Foundation
public import HotlineCore

/// How a call arrives at the IVR.
public struct CallStart: Sendable, Hashable {
    /// The call's id (used as the subject of its events).
    public var callID: String
    /// The caller number (digits).
    public var caller: String
    /// The dialled number (DID), e.g. `12366`.
    public var dialledNumber: String
    /// The caller's screening, when the host checked its own blacklist (storage); `nil` to screen
    /// with the flow set's ``FlowSet/callerFilter``.
    public var screening: CallerScreening?

    /// Creates a call start.
    public init(callID: String, caller: String, dialledNumber: String, screening: CallerScreening? = nil) {
        self.callID = callID
        self.caller = caller
        self.dialledNumber = dialledNumber
        self.screening = screening
    }
}

/// How a hand-off to the ACD (or a transfer) ended while the caller stayed on the line.
public enum HandoffOutcome: Sendable, Hashable {
    /// The agent (or the far end) hung up; the caller goes on, e.g. to the rating.
    case agentHungUp(agent: String?)
    /// The queue or the transfer target could not take the call.
    case unavailable(reason: String)
}

/// A finished recording.
public struct RecordingInfo: Sendable, Hashable {
    /// The host's reference (file name or id).
    public var reference: String
    /// Its length.
    public var duration: Duration

    /// Creates the info.
    public init(reference: String, duration: Duration) {
        self.reference = reference
        self.duration = duration
    }
}

/// What happens to a call, as the interpreter sees it. Each event carries its instant from the
/// host's injected clock; the interpreter never reads a clock.
public enum CallFlowEvent: Sendable, Hashable {
    /// The call arrived.
    case callStarted(CallStart, at: Date)
    /// The caller pressed a key (`0`–`9`, `*`, `#`), e.g. from RFC 4733 telephone-events.
    case digit(Character, at: Date)
    /// The playback with this id ended (not sent for a stopped playback).
    case promptFinished(Int, at: Date)
    /// The timer with this id expired.
    case timeout(Int, at: Date)
    /// The recording ended (silence, key, or maximum length).
    case recordingFinished(RecordingInfo, at: Date)
    /// A lookup finished.
    case lookupFinished(LookupResult, at: Date)
    /// The call came back from the ACD or a transfer.
    case handoffEnded(HandoffOutcome, at: Date)
    /// The caller hung up. A host that was recording sends ``recordingFinished(_:at:)`` first, so the
    /// message is kept.
    case hangUp(at: Date)

    /// The event's instant.
    public var date: Date {
        switch self {
        case .callStarted(_, let at), .digit(_, let at), .promptFinished(_, let at), .timeout(_, let at),
             .recordingFinished(_, let at), .lookupFinished(_, let at), .handoffEnded(_, let at), .hangUp(let at):
            at
        }
    }
}

/// Something to play, fully resolved.
public struct Playback: Sendable, Hashable {
    /// Identifies the playback; ``CallFlowEvent/promptFinished(_:at:)`` carries it back.
    public var id: Int
    /// The prompt names, for logs and transcripts.
    public var prompts: [String]
    /// The language chosen.
    public var language: Language
    /// The items, in order.
    public var items: [PlaybackItem]
    /// Whether a key press stops it.
    public var bargeIn: Bool
}

/// What the host should expect when the interpreter collects digits.
public struct DigitCollection: Sendable, Hashable {
    /// Fewest digits.
    public var minLength: Int
    /// Most digits.
    public var maxLength: Int
    /// The ending key.
    public var terminator: Character?
}

/// A recording to make.
public struct RecordRequest: Sendable, Hashable {
    /// What it is for (`voicemail`).
    public var purpose: String
    /// Longest length.
    public var maxDuration: Duration
    /// Whether to beep first.
    public var beep: Bool
    /// Keys that end the recording.
    public var endKeys: Set<Character>
}

/// A request to queue the call (handed to the ACD).
public struct QueueRequest: Sendable, Hashable {
    /// The queue's name.
    public var queue: String
    /// Priority (higher first).
    public var priority: Int
    /// Skills an agent needs.
    public var skills: [String]
    /// The caller's category, if any.
    public var callerCategory: String?
    /// The call's language (agents may need it).
    public var language: Language
}

/// What the interpreter asks its host to do.
public enum CallFlowAction: Sendable, Equatable {
    /// Play prompts; answer with ``CallFlowEvent/promptFinished(_:at:)``.
    case play(Playback)
    /// Stop a playback (barge-in).
    case stopPlayback(Int)
    /// Digits are being collected (hosts may buffer DTMF accordingly).
    case collect(DigitCollection)
    /// Start a timer; answer with ``CallFlowEvent/timeout(_:at:)`` unless cancelled.
    case startTimer(id: Int, after: Duration)
    /// Cancel a timer.
    case cancelTimer(Int)
    /// Record; answer with ``CallFlowEvent/recordingFinished(_:at:)``.
    case record(RecordRequest)
    /// Delete a recording the caller chose to redo.
    case discardRecording(String)
    /// Perform a self-service lookup; answer with ``CallFlowEvent/lookupFinished(_:at:)``.
    case lookUp(LookupRequest)
    /// Queue the call in the ACD; answer with ``CallFlowEvent/handoffEnded(_:at:)`` if the caller returns.
    case enqueue(QueueRequest)
    /// Transfer the call to a number.
    case transfer(to: String)
    /// Hang up the call.
    case hangUp(reason: String)
    /// A call variable changed (hosts may attach it to the call, e.g. for screen pop).
    case setVariable(String, FlowValue)
    /// Append a domain event to the log.
    case emit(FlowEvent, at: Date)
}

/// How a call left the IVR.
public enum CallOutcome: Sendable, Hashable, CustomStringConvertible {
    /// The flow hung up, with its reason (`completed`, `after-hours`, `blacklisted`, …).
    case hungUp(reason: String)
    /// The caller hung up at a node.
    case callerHungUp(flow: String, node: String)
    /// No route for the dialled number.
    case noRoute(dialledNumber: String)

    /// `hung-up: reason`, `caller-hung-up at flow/node`, `no-route: DID`.
    public var description: String {
        switch self {
        case .hungUp(let reason): "hung-up: \(reason)"
        case .callerHungUp(let flow, let node): "caller-hung-up at \(flow)/\(node)"
        case .noRoute(let did): "no-route: \(did)"
        }
    }
}
