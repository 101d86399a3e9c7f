import Foundation
import HotlineCore
@testable import HotlineIVR

/// A clock the tests move by hand.
struct ManualClock {
    var now: Date
    mutating func advance(by duration: Duration) {
        now = now.addingTimeInterval(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}

/// An instant from ISO 8601 text (tests only use valid literals).
func instant(_ text: String) -> Date {
    guard let date = ISO8601DateFormatter().date(from: text) else { preconditionFailure("bad test instant \(text)") }
    return date
}

/// The repository root (for the shipped flows), found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A host for one call: performs the interpreter's actions against a manual clock and records what
/// happened, as the server would do with real media.
struct Host {
    var machine: CallFlowStateMachine
    var clock: ManualClock
    var timers: [Int: Date] = [:]
    var played: [String] = []
    var playbacks: [Playback] = []
    var events: [FlowEvent] = []
    var actions: [CallFlowAction] = []
    var stopped: [Int] = []

    init(_ set: FlowSet, at start: Date, version: Int = 1) {
        machine = CallFlowStateMachine(flowSet: set, version: version)
        clock = ManualClock(now: start)
    }

    mutating func absorb(_ new: [CallFlowAction]) {
        actions += new
        for action in new {
            switch action {
            case .play(let p):
                played += p.prompts
                playbacks.append(p)
            case .startTimer(let id, let after):
                var c = clock
                c.advance(by: after)
                timers[id] = c.now
            case .cancelTimer(let id): timers[id] = nil
            case .emit(let e, _): events.append(e)
            case .stopPlayback(let id): stopped.append(id)
            default: break
            }
        }
    }

    @discardableResult
    mutating func send(_ make: (Date) -> CallFlowEvent) -> [CallFlowAction] {
        let new = machine.handle(make(clock.now))
        absorb(new)
        return new
    }

    @discardableResult
    mutating func start(caller: String = "13800138000", did: String = "12366", screening: CallerScreening? = nil) -> [CallFlowAction] {
        send { .callStarted(CallStart(callID: "c1", caller: caller, dialledNumber: did, screening: screening), at: $0) }
    }

    /// Lets every playback in progress run to its end.
    mutating func finishPrompts() {
        while case .prompt(let id) = machine.waiting {
            clock.advance(by: .seconds(1))
            send { .promptFinished(id, at: $0) }
        }
    }

    /// Presses keys, each after the prompts before it have finished.
    mutating func press(_ keys: String) {
        for key in keys {
            finishPrompts()
            clock.advance(by: .milliseconds(300))
            send { .digit(key, at: $0) }
        }
    }

    /// Presses a key at once (during a prompt: barge-in).
    mutating func pressNow(_ key: Character) {
        send { .digit(key, at: $0) }
    }

    /// Moves the clock, firing timers that come due.
    mutating func advance(by duration: Duration) {
        var target = clock
        target.advance(by: duration)
        while let (id, due) = timers.filter({ $0.value <= target.now }).min(by: { $0.value < $1.value }) {
            timers[id] = nil
            clock.now = due
            send { .timeout(id, at: $0) }
        }
        clock = target
    }

    /// Stays silent until the pending timer fires.
    mutating func waitForTimeout() {
        finishPrompts()
        guard let due = timers.values.min() else { return }
        advance(by: .seconds(due.timeIntervalSince(clock.now)))
    }

    /// Answers the pending lookup.
    mutating func answer(_ status: LookupResult.Status, _ values: [String: FlowValue] = [:]) {
        finishPrompts()
        guard case .lookup(let id) = machine.waiting else { return }
        send { .lookupFinished(LookupResult(requestID: id, status: status, values: values), at: $0) }
    }

    var lastLookup: LookupRequest? {
        actions.reversed().lazy.compactMap { if case .lookUp(let r) = $0 { r } else { nil } }.first
    }

    var completions: [String] {
        events.compactMap { if case .nodeCompleted(let e) = $0 { "\(e.node):\(e.result)" } else { nil } }
    }

    var entered: [String] {
        events.compactMap { if case .nodeEntered(let e) = $0 { e.node } else { nil } }
    }

    var outcome: CallOutcome? { machine.outcome }
}

/// Wraps one DSL flow into a flow set routed from 12366.
func flowSet(_ flows: Flow..., schedules: [String: BusinessCalendar] = [:], filter: CallerFilter = CallerFilter()) -> FlowSet {
    FlowSet(flows: flows, routes: ["12366": flows[0].name], schedules: schedules, callerFilter: filter)
}

/// A valid all-digit unified social credit code (GB 32100) for keypad tests.
let digitCreditCode: String = {
    for serial in 0..<1000 {
        let first17 = "911100001000" + String(format: "%05d", serial)
        if let check = TaxpayerNumber.creditCodeCheckCharacter(for: first17), check.isNumber {
            return first17 + String(check)
        }
    }
    preconditionFailure("no all-digit credit code found")
}()
