import Foundation
public import HotlineCore

/// The IVR interpreter for one call: a pure state machine that takes ``CallFlowEvent``s and returns
/// ``CallFlowAction``s for its host (the server, the simulator, `hotline ivr try`, a test) to perform.
///
/// It does no I/O and reads no clock: every event carries its instant. Timers, playback, recording,
/// lookups and queueing are requested as actions and answered as events. Every step emits domain
/// events (node entered, input, result), from which reports count self-service use per function.
///
/// A machine holds the ``FlowSet`` version it started with, so a reloaded flow set never changes a
/// call in progress.
public struct CallFlowStateMachine: Sendable {
    /// What the machine is waiting for.
    public enum Waiting: Sendable, Hashable {
        /// ``CallFlowEvent/callStarted(_:at:)``.
        case callStart
        /// The end of the playback with this id.
        case prompt(Int)
        /// A key, or the timer with this id.
        case digits(timer: Int)
        /// The lookup with this id.
        case lookup(Int)
        /// The recording to finish.
        case recording
        /// The ACD or the transfer target to give the call back (or the caller to hang up).
        case handoff
        /// Nothing: the call has left the IVR.
        case finished(CallOutcome)
    }

    private enum Continuation: Sendable, Hashable {
        case enter(String)
        case awaitInput
        case startRecording
        case hangUp(String)
        case handOff
    }

    private enum Phase: Sendable, Hashable {
        case notStarted
        case playing(id: Int, bargeIn: Bool, then: Continuation)
        case awaitingDigits(timer: Int)
        case awaitingLookup(id: Int)
        case recording
        case handedOff
        case finished(CallOutcome)
    }

    private struct Frame: Sendable, Hashable {
        var flow: String
        var returnTo: String?
        var menuHistory: [String] = []
    }

    /// The flow set this call runs on.
    public let flowSet: FlowSet
    /// The flow set's version number (from ``FlowRegistry``).
    public let version: Int

    /// The call, once started.
    public private(set) var call: CallStart?
    /// The screening of the caller at call start.
    public private(set) var screening = CallerScreening()
    /// The call's current language.
    public private(set) var language: Language = .mandarin
    /// Call variables (collected digits, lookup results, `caller`, `did`, …).
    public private(set) var variables: [String: FlowValue] = [:]
    /// The flow and node the call is at.
    public private(set) var position: (flow: String, node: String) = ("", "")

    private var phase: Phase = .notStarted
    private var frames: [Frame] = []
    private var now = Date(timeIntervalSince1970: 0)
    private var serial = 0
    private var pendingTimer: Int?
    private var typeAhead: [Character] = []
    // Per-node scratch, reset on entering a node.
    private var failures = 0
    private var digits = ""
    private var confirming = false
    private var lastRecording: RecordingInfo?
    private var authenticationAttempts: [String: Int] = [:]
    private var actions: [CallFlowAction] = []

    /// Creates the interpreter for one call.
    ///
    /// - Parameters:
    ///   - flowSet: The (validated) flow set.
    ///   - version: Its version number.
    public init(flowSet: FlowSet, version: Int = 1) {
        self.flowSet = flowSet
        self.version = version
    }

    /// What the machine is waiting for now.
    public var waiting: Waiting {
        switch phase {
        case .notStarted: .callStart
        case .playing(let id, _, _): .prompt(id)
        case .awaitingDigits(let timer): .digits(timer: timer)
        case .awaitingLookup(let id): .lookup(id)
        case .recording: .recording
        case .handedOff: .handoff
        case .finished(let outcome): .finished(outcome)
        }
    }

    /// The outcome, once the call has left the IVR.
    public var outcome: CallOutcome? {
        if case .finished(let outcome) = phase { return outcome }
        return nil
    }

    /// Takes one event and returns what to do.
    ///
    /// Events that do not fit the current state (a stale timer, a second hang-up) are ignored and
    /// return no actions.
    ///
    /// - Parameter event: The event, with its instant.
    /// - Returns: The actions for the host, in order.
    public mutating func handle(_ event: CallFlowEvent) -> [CallFlowAction] {
        now = event.date
        actions = []
        actions.reserveCapacity(8)
        switch event {
        case .callStarted(let start, _): startCall(start)
        case .digit(let key, _): receive(key)
        case .promptFinished(let id, _): promptFinished(id)
        case .timeout(let id, _): timerFired(id)
        case .recordingFinished(let info, _): recordingFinished(info)
        case .lookupFinished(let result, _): lookupFinished(result)
        case .handoffEnded(let outcome, _): handoffEnded(outcome)
        case .hangUp: callerHungUp()
        }
        let result = actions
        actions = []
        return result
    }

    // MARK: - Helpers

    private var callID: String { call?.callID ?? "" }
    private var flowName: String { frames.last?.flow ?? "" }
    private var flow: Flow? { flowSet.flows[flowName] }
    private var currentNode: Node? { flow?.nodes[position.node] }

    private mutating func nextSerial() -> Int {
        serial += 1
        return serial
    }

    private mutating func emit(_ event: FlowEvent) { actions.append(.emit(event, at: now)) }

    private mutating func completed(_ result: String) {
        emit(.nodeCompleted(FlowNodeCompleted(callID: callID, flow: flowName, node: position.node, result: result)))
    }

    private mutating func input(_ value: String) {
        emit(.inputReceived(FlowInputReceived(callID: callID, flow: flowName, node: position.node, input: value)))
    }

    private mutating func setVariable(_ name: String, _ value: FlowValue) {
        variables[name] = value
        actions.append(.setVariable(name, value))
    }

    private mutating func startTimer(_ duration: Duration) {
        let id = nextSerial()
        pendingTimer = id
        actions.append(.startTimer(id: id, after: duration))
        phase = .awaitingDigits(timer: id)
    }

    private mutating func cancelTimer() {
        if let id = pendingTimer {
            actions.append(.cancelTimer(id))
            pendingTimer = nil
        }
    }

    private mutating func finish(_ outcome: CallOutcome, hangUp: Bool) {
        cancelTimer()
        if hangUp, case .hungUp(let reason) = outcome { actions.append(.hangUp(reason: reason)) }
        if case .noRoute = outcome { actions.append(.hangUp(reason: "no-route")) }
        emit(.callFinished(FlowCallFinished(callID: callID, outcome: outcome.description)))
        phase = .finished(outcome)
    }

    /// Resolves prompt names into a playback in the call's language.
    private func resolve(_ names: [String]) -> [PlaybackItem] {
        guard let flow else { return [] }
        var items: [PlaybackItem] = []
        for name in names {
            guard let prompt = flow.prompts[name] else { continue }
            let variant = prompt.variants[language] ?? flow.languages.first.flatMap { prompt.variants[$0] } ?? []
            for item in variant {
                switch item {
                case .file(let path): items.append(.file(path))
                case .text(let text): items.append(.text(text))
                case .say(let format, let source):
                    let value: FlowValue?
                    switch source {
                    case .literal(let v): value = v
                    case .variable(let name): value = variables[name]
                    }
                    guard let value else { continue }
                    switch (format, value) {
                    case (.money, .money(let fen)): items.append(.money(fen: fen))
                    case (.money, .number(let n)): items.append(.money(fen: n))
                    case (.number, .number(let n)), (.number, .money(let n)): items.append(.number(n))
                    case (.date, .date(let d)): items.append(.date(d))
                    case (.digits, _): items.append(.digits(value.description))
                    case (.text, _): items.append(.text(value.description))
                    case (_, .text(let t)):
                        if let n = Int64(t) { items.append(format == .money ? .money(fen: n) : .number(n)) }
                        else if format == .date, let d = LocalDate(t) { items.append(.date(d)) }
                        else { items.append(.text(t)) }
                    default: items.append(.text(value.description))
                    }
                }
            }
        }
        return items
    }

    /// Plays prompts (skipping `nil`s), then continues; continues at once when there is nothing to play.
    private mutating func play(_ names: [String?], bargeIn: Bool, then continuation: Continuation) {
        let present = names.compactMap { $0 }
        guard !present.isEmpty else {
            run(continuation)
            return
        }
        let id = nextSerial()
        actions.append(.play(Playback(id: id, prompts: present, language: language, items: resolve(present),
                                      bargeIn: bargeIn)))
        phase = .playing(id: id, bargeIn: bargeIn, then: continuation)
    }

    private mutating func run(_ continuation: Continuation) {
        switch continuation {
        case .enter(let node): enter(node)
        case .awaitInput: awaitInput()
        case .startRecording:
            guard case .record(let r)? = currentNode?.kind else { return }
            actions.append(.record(RecordRequest(purpose: r.purpose, maxDuration: r.maxDuration, beep: r.beep,
                                                 endKeys: ["#"])))
            phase = .recording
        case .hangUp(let reason): finish(.hungUp(reason: reason), hangUp: true)
        case .handOff:
            switch currentNode?.kind {
            case .enqueue(let e)?:
                let priority = screening.category.flatMap { e.priorityByCategory[$0] } ?? e.priority
                actions.append(.enqueue(QueueRequest(queue: e.queue, priority: priority, skills: e.skills,
                                                     callerCategory: screening.category, language: language)))
            case .transfer(let t)?:
                actions.append(.transfer(to: t.number))
            default: return
            }
            phase = .handedOff
        }
    }

    private mutating func awaitInput() {
        guard let node = currentNode else { return }
        switch node.kind {
        case .menu(let m): startTimer(m.timeout)
        case .collect(let c): startTimer(confirming || digits.isEmpty ? c.firstDigitTimeout : c.interDigitTimeout)
        case .rating(let r): startTimer(r.timeout)
        case .record: startTimer(.seconds(5))
        default: break
        }
    }

    // MARK: - Events

    private mutating func startCall(_ start: CallStart) {
        guard case .notStarted = phase else { return }
        call = start
        screening = start.screening ?? flowSet.callerFilter.screen(start.caller, at: now)
        guard let name = flowSet.flowName(forDialledNumber: start.dialledNumber), let flow = flowSet.flows[name] else {
            finish(.noRoute(dialledNumber: start.dialledNumber), hangUp: true)
            return
        }
        frames = [Frame(flow: name, returnTo: nil)]
        language = flow.languages.first ?? .mandarin
        emit(.callStarted(FlowCallStarted(callID: start.callID, caller: start.caller, dialledNumber: start.dialledNumber,
                                          flow: name, version: version, callerCategory: screening.category,
                                          blacklistAction: screening.blacklistEntry?.action.rawValue)))
        setVariable("caller", .text(start.caller))
        setVariable("did", .text(start.dialledNumber))
        if let category = screening.category { setVariable("category", .text(category)) }
        enter(flow.start)
    }

    private mutating func receive(_ key: Character) {
        switch phase {
        case .playing(let id, let bargeIn, let then):
            guard bargeIn else { return }
            switch then {
            case .awaitInput:
                actions.append(.stopPlayback(id))
                phase = .awaitingDigits(timer: 0)
                handleKey(key)
            case .enter(let next):
                actions.append(.stopPlayback(id))
                typeAhead.append(key)
                enter(next)
            default:
                return
            }
        case .awaitingDigits:
            cancelTimer()
            handleKey(key)
        default:
            return
        }
    }

    private mutating func promptFinished(_ id: Int) {
        guard case .playing(let current, _, let then) = phase, current == id else { return }
        run(then)
    }

    private mutating func timerFired(_ id: Int) {
        guard case .awaitingDigits(let timer) = phase, timer == id, pendingTimer == id else { return }
        pendingTimer = nil
        guard let node = currentNode else { return }
        switch node.kind {
        case .menu(let m):
            input("timeout")
            menuFailure(m, prompt: m.noInputPrompt, result: "no-input")
        case .collect(let c):
            if confirming {
                input("timeout")
                collectFailure(c, prompt: c.confirmPrompt.map { _ in c.noInputPrompt } ?? nil, result: "no-confirmation")
            } else if digits.count >= c.minLength {
                completeCollect(c)
            } else {
                input(digits.isEmpty ? "timeout" : String(repeating: "*", count: digits.count))
                let wasEmpty = digits.isEmpty
                digits = ""
                collectFailure(c, prompt: wasEmpty ? c.noInputPrompt : c.invalidPrompt,
                               result: wasEmpty ? "no-input" : "too-short")
            }
        case .rating(let r):
            input("timeout")
            ratingFailure(r, prompt: nil)
        case .record(let r):
            keepRecording(r)
        default:
            return
        }
    }

    private mutating func recordingFinished(_ info: RecordingInfo) {
        guard case .recording = phase, case .record(let r)? = currentNode?.kind else { return }
        lastRecording = info
        if let confirm = r.confirmPrompt {
            confirming = true
            play([confirm], bargeIn: true, then: .awaitInput)
        } else {
            keepRecording(r)
        }
    }

    private mutating func lookupFinished(_ result: LookupResult) {
        guard case .awaitingLookup(let id) = phase, id == result.requestID, let node = currentNode else { return }
        switch node.kind {
        case .authenticate(let a):
            switch result.status {
            case .ok:
                emit(.selfServiceUsed(SelfServiceUsed(callID: callID, function: SelfServiceFunction.authenticate.rawValue,
                                                      outcome: "ok")))
                if let number = variables[a.taxpayerVariable] { setVariable("taxpayer", number) }
                setVariable("authenticated", .flag(true))
                for (key, value) in result.values { setVariable("authenticate.\(key)", value) }
                completed("authenticated")
                enter(a.next)
            case .rejected, .notFound:
                let key = "\(flowName)/\(node.id)"
                authenticationAttempts[key, default: 0] += 1
                if authenticationAttempts[key, default: 0] >= a.maxAttempts {
                    emit(.selfServiceUsed(SelfServiceUsed(callID: callID, function: SelfServiceFunction.authenticate.rawValue,
                                                          outcome: "locked-out")))
                    completed("locked-out")
                    play([a.lockedPrompt], bargeIn: false, then: .enter(a.onLockedOut))
                } else {
                    emit(.selfServiceUsed(SelfServiceUsed(callID: callID, function: SelfServiceFunction.authenticate.rawValue,
                                                          outcome: "rejected")))
                    completed("rejected")
                    play([a.failurePrompt], bargeIn: true, then: .enter(a.retry))
                }
            case .locked:
                emit(.selfServiceUsed(SelfServiceUsed(callID: callID, function: SelfServiceFunction.authenticate.rawValue,
                                                      outcome: "locked")))
                completed("locked")
                play([a.lockedPrompt], bargeIn: false, then: .enter(a.onLockedOut))
            case .failed:
                emit(.selfServiceUsed(SelfServiceUsed(callID: callID, function: SelfServiceFunction.authenticate.rawValue,
                                                      outcome: "failed")))
                completed("failed")
                enter(a.onFailure ?? a.onLockedOut)
            }
        case .lookup(let l):
            emit(.selfServiceUsed(SelfServiceUsed(callID: callID, function: l.function.rawValue,
                                                  outcome: result.status.rawValue)))
            completed(result.status.rawValue)
            switch result.status {
            case .ok:
                for (key, value) in result.values.sorted(by: { $0.key < $1.key }) {
                    setVariable("\(l.function.rawValue).\(key)", value)
                }
                setVariable("\(l.function.rawValue).found", .flag(true))
                enter(l.next)
            case .notFound:
                setVariable("\(l.function.rawValue).found", .flag(false))
                enter(l.onNotFound ?? l.next)
            case .rejected, .locked, .failed:
                if let target = l.onFailure { enter(target) } else { finish(.hungUp(reason: "self-service-failed"), hangUp: true) }
            }
        default:
            return
        }
    }

    private mutating func handoffEnded(_ outcome: HandoffOutcome) {
        guard case .handedOff = phase, let node = currentNode else { return }
        let afterCall: String?, onUnavailable: String?
        switch node.kind {
        case .enqueue(let e): (afterCall, onUnavailable) = (e.afterCall, e.onUnavailable)
        case .transfer(let t): (afterCall, onUnavailable) = (t.afterCall, t.onUnavailable)
        default: return
        }
        switch outcome {
        case .agentHungUp(let agent):
            completed("served")
            if let agent { setVariable("agent", .text(agent)) }
            if let afterCall { enter(afterCall) } else { finish(.hungUp(reason: "completed"), hangUp: true) }
        case .unavailable(let reason):
            completed("unavailable: \(reason)")
            if let onUnavailable { enter(onUnavailable) } else { finish(.hungUp(reason: "unavailable"), hangUp: true) }
        }
    }

    private mutating func callerHungUp() {
        switch phase {
        case .notStarted, .finished: return
        default:
            // A caller who hangs up after recording (instead of confirming) leaves the message.
            if case .record(let r)? = currentNode?.kind, let recording = lastRecording {
                emitRecorded(r, recording)
            }
            finish(.callerHungUp(flow: flowName, node: position.node), hangUp: false)
        }
    }

    // MARK: - Nodes

    /// Enters a node of the current flow. Chains of nodes that need no input run in one step;
    /// a guard stops a runaway chain in an unvalidated flow set.
    private mutating func enter(_ id: String) {
        var target = id
        var steps = 0
        while true {
            steps += 1
            guard steps < 10_000 else {
                finish(.hungUp(reason: "loop-without-input"), hangUp: true)
                return
            }
            guard let flow, let node = flow.nodes[target] else {
                finish(.hungUp(reason: "unknown-node \(target)"), hangUp: true)
                return
            }
            position = (flow.name, node.id)
            failures = 0
            digits = ""
            confirming = false
            lastRecording = nil
            emit(.nodeEntered(FlowNodeEntered(callID: callID, flow: flow.name, node: node.id, kind: node.kind.name)))
            if let next = begin(node) { target = next } else { return }
        }
    }

    /// Starts a node; returns the next node when the node completes at once without waiting.
    private mutating func begin(_ node: Node) -> String? {
        switch node.kind {
        case .play(let p):
            play(p.prompts, bargeIn: p.bargeIn, then: .enter(p.next))
            return nil
        case .menu(let m):
            if var history = frames.last?.menuHistory {
                if let index = history.firstIndex(of: node.id) { history.removeSubrange((index + 1)...) } else { history.append(node.id) }
                frames[frames.count - 1].menuHistory = history
            }
            if !typeAhead.isEmpty {
                phase = .awaitingDigits(timer: 0)
                handleKey(typeAhead.removeFirst())
            } else {
                play([m.prompt], bargeIn: true, then: .awaitInput)
            }
            return nil
        case .collect(let c):
            actions.append(.collect(DigitCollection(minLength: c.minLength, maxLength: c.maxLength, terminator: c.terminator)))
            startCollect(c)
            return nil
        case .branch(let b):
            let value = branchValue(b.subject)
            let next = b.cases[value] ?? (value == "holiday" ? b.cases["closed"] : nil) ?? b.otherwise
            completed(value)
            return next
        case .setLanguage(let s):
            language = s.language
            completed(s.language.rawValue)
            return s.next
        case .setVariable(let s):
            switch s.value {
            case .literal(let v): setVariable(s.variable, v)
            case .variable(let name):
                if let v = variables[name] { setVariable(s.variable, v) }
            }
            return s.next
        case .authenticate(let a):
            var arguments: [String: FlowValue] = [:]
            arguments["taxpayerNumber"] = variables[a.taxpayerVariable]
            arguments["pin"] = variables[a.pinVariable]
            let id = nextSerial()
            actions.append(.lookUp(LookupRequest(id: id, callID: callID, function: .authenticate, arguments: arguments, date: now)))
            phase = .awaitingLookup(id: id)
            return nil
        case .lookup(let l):
            var arguments: [String: FlowValue] = [:]
            if let taxpayer = variables["taxpayer"] { arguments["taxpayer"] = taxpayer }
            for (name, source) in l.arguments {
                switch source {
                case .literal(let v): arguments[name] = v
                case .variable(let v): arguments[name] = variables[v]
                }
            }
            let id = nextSerial()
            actions.append(.lookUp(LookupRequest(id: id, callID: callID, function: l.function, arguments: arguments, date: now)))
            phase = .awaitingLookup(id: id)
            return nil
        case .record(let r):
            typeAhead = []
            play([r.prompt], bargeIn: false, then: .startRecording)
            return nil
        case .enqueue(let e):
            typeAhead = []
            play([e.prompt], bargeIn: false, then: .handOff)
            return nil
        case .transfer(let t):
            typeAhead = []
            play([t.prompt], bargeIn: false, then: .handOff)
            return nil
        case .rating(let r):
            typeAhead = []
            play([r.prompt], bargeIn: true, then: .awaitInput)
            return nil
        case .subflow(let s):
            guard let sub = flowSet.flows[s.flow] else {
                finish(.hungUp(reason: "unknown-flow \(s.flow)"), hangUp: true)
                return nil
            }
            frames.append(Frame(flow: sub.name, returnTo: s.next))
            return sub.start
        case .return:
            guard frames.count > 1, let returnTo = frames.last?.returnTo else {
                finish(.hungUp(reason: "completed"), hangUp: true)
                return nil
            }
            frames.removeLast()
            return returnTo
        case .goto(let target):
            return target
        case .hangUp(let h):
            typeAhead = []
            play([h.prompt], bargeIn: false, then: .hangUp(h.reason))
            return nil
        }
    }

    private func branchValue(_ subject: Node.BranchSubject) -> String {
        switch subject {
        case .schedule(let name):
            guard let calendar = flowSet.schedules[name] else { return "closed" }
            if calendar.isOpen(at: now) { return "open" }
            if case .holiday = calendar.kind(of: calendar.localTime(of: now).day) { return "holiday" }
            return "closed"
        case .callerCategory: return screening.category ?? "none"
        case .blacklist: return screening.blacklistEntry?.action.rawValue ?? "none"
        case .language: return language.rawValue
        case .variable(let name): return variables[name]?.description ?? "unset"
        case .dialledNumber: return call?.dialledNumber ?? ""
        case .flag(let name):
            if case .flag(true)? = variables[name] { return "true" }
            return "false"
        }
    }

    private mutating func handleKey(_ key: Character) {
        guard let node = currentNode else { return }
        switch node.kind {
        case .menu(let m): menuKey(key, m, node)
        case .collect(let c): confirming ? confirmKey(key, c) : collectKey(key, c)
        case .rating(let r): ratingKey(key, r)
        case .record(let r):
            input(String(key))
            if key == "2", let recording = lastRecording {
                actions.append(.discardRecording(recording.reference))
                completed("re-record")
                confirming = false
                lastRecording = nil
                play([r.prompt], bargeIn: false, then: .startRecording)
            } else {
                keepRecording(r)
            }
        default:
            typeAhead.append(key)
        }
    }

    // Menu

    private mutating func menuKey(_ key: Character, _ m: Node.Menu, _ node: Node) {
        input(String(key))
        guard let choice = m.options[key] else {
            menuFailure(m, prompt: m.invalidPrompt, result: "invalid")
            return
        }
        switch choice {
        case .goto(let target):
            completed("option \(key)")
            enter(target)
        case .repeat:
            completed("repeat")
            play([m.prompt], bargeIn: true, then: .awaitInput)
        case .back:
            completed("back")
            var history = frames.last?.menuHistory ?? []
            if history.last == node.id { history.removeLast() }
            frames[frames.count - 1].menuHistory = history
            if let previous = history.last { enter(previous) } else { play([m.prompt], bargeIn: true, then: .awaitInput) }
        case .top:
            completed("top")
            let top = frames.last?.menuHistory.first ?? node.id
            frames[frames.count - 1].menuHistory = []
            enter(top)
        }
    }

    private mutating func menuFailure(_ m: Node.Menu, prompt: String?, result: String) {
        failures += 1
        typeAhead = []
        if failures > m.retries {
            completed("failed")
            if let target = m.onFailure { enter(target) } else { finish(.hungUp(reason: "menu-failed"), hangUp: true) }
        } else {
            completed(result)
            play([prompt, m.prompt], bargeIn: true, then: .awaitInput)
        }
    }

    // Collect

    private mutating func startCollect(_ c: Node.Collect) {
        digits = ""
        confirming = false
        guard !typeAhead.isEmpty else {
            play([c.prompt], bargeIn: true, then: .awaitInput)
            return
        }
        // Keys typed ahead are the input; keys left over when the input completes go on to the next node.
        phase = .awaitingDigits(timer: 0)
        let here = position
        while !typeAhead.isEmpty, position == here, !confirming, case .awaitingDigits = phase {
            let key = typeAhead.removeFirst()
            cancelTimer()
            collectKey(key, c)
        }
        if confirming, position == here { typeAhead = [] }
    }

    private mutating func collectKey(_ key: Character, _ c: Node.Collect) {
        if key == c.terminator {
            if digits.isEmpty {
                // A stray terminator before any digit (often left over from the previous entry).
                startTimer(c.firstDigitTimeout)
                return
            }
            if digits.count >= c.minLength {
                completeCollect(c)
            } else {
                input(digits.isEmpty ? String(key) : String(repeating: "*", count: digits.count) + String(key))
                digits = ""
                collectFailure(c, prompt: c.invalidPrompt, result: "too-short")
            }
            return
        }
        digits.append(key)
        if digits.count >= c.maxLength {
            completeCollect(c)
        } else {
            startTimer(c.interDigitTimeout)
        }
    }

    private mutating func completeCollect(_ c: Node.Collect) {
        input(String(repeating: "*", count: digits.count))
        guard let value = Self.validate(digits, c) else {
            digits = ""
            collectFailure(c, prompt: c.invalidPrompt, result: "invalid")
            return
        }
        setVariable(c.variable, value)
        digits = ""
        if let confirm = c.confirmPrompt {
            confirming = true
            play([confirm], bargeIn: true, then: .awaitInput)
        } else {
            completed("collected")
            enter(c.next)
        }
    }

    private mutating func confirmKey(_ key: Character, _ c: Node.Collect) {
        input(String(key))
        switch key {
        case "1":
            completed("confirmed")
            enter(c.next)
        case "2":
            completed("re-enter")
            confirming = false
            variables[c.variable] = nil
            play([c.prompt], bargeIn: true, then: .awaitInput)
        default:
            collectFailure(c, prompt: c.invalidPrompt, result: "invalid")
        }
    }

    private mutating func collectFailure(_ c: Node.Collect, prompt: String?, result: String) {
        failures += 1
        typeAhead = []
        if failures > c.retries {
            completed("failed")
            if let target = c.onFailure { enter(target) } else { finish(.hungUp(reason: "collect-failed"), hangUp: true) }
        } else {
            completed(result)
            play([prompt, confirming ? c.confirmPrompt : c.prompt], bargeIn: true, then: .awaitInput)
        }
    }

    /// Checks collected digits against the node's validation, returning the value to store.
    static func validate(_ digits: String, _ c: Node.Collect) -> FlowValue? {
        guard digits.count >= c.minLength, digits.count <= c.maxLength else { return nil }
        switch c.validation {
        case .none:
            return digits.allSatisfy(\.isASCIIDigit) ? .text(digits) : nil
        case .mobileNumber:
            return digits.count == 11 && digits.first == "1" && digits.allSatisfy(\.isASCIIDigit) ? .text(digits) : nil
        case .amount:
            let parts = digits.split(separator: "*", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let yuan = Int64(parts[0]), parts[0].allSatisfy(\.isASCIIDigit) else { return nil }
            var fen: Int64 = 0
            if parts.count == 2 {
                guard (1...2).contains(parts[1].count), parts[1].allSatisfy(\.isASCIIDigit), let f = Int64(parts[1]) else { return nil }
                fen = parts[1].count == 1 ? f * 10 : f
            }
            let (product, overflow) = yuan.multipliedReportingOverflow(by: 100)
            guard !overflow else { return nil }
            return .money(fen: product + fen)
        case .taxpayerNumber:
            guard let number = try? TaxpayerNumber(keypadDigits: digits) else { return nil }
            return .text(number.value)
        }
    }

    // Rating

    private mutating func ratingKey(_ key: Character, _ r: Node.Rating) {
        input(String(key))
        let rating: String
        switch key {
        case "1": rating = "satisfied"
        case "2": rating = "average"
        case "3": rating = "dissatisfied"
        case "0": rating = "complaint"
        default:
            ratingFailure(r, prompt: r.invalidPrompt)
            return
        }
        let agent: String?
        if case .text(let a)? = variables["agent"] { agent = a } else { agent = nil }
        emit(.ratingGiven(RatingGiven(callID: callID, agent: agent, rating: rating)))
        setVariable("rating", .text(rating))
        completed(rating)
        if key == "0" {
            enter(r.complaint)
        } else if let next = r.next {
            play([r.thanksPrompt], bargeIn: false, then: .enter(next))
        } else {
            play([r.thanksPrompt], bargeIn: false, then: .hangUp("completed"))
        }
    }

    private mutating func ratingFailure(_ r: Node.Rating, prompt: String?) {
        failures += 1
        if failures > r.retries {
            completed("no-rating")
            if let next = r.next { enter(next) } else { finish(.hungUp(reason: "completed"), hangUp: true) }
        } else {
            completed(prompt == nil ? "no-input" : "invalid")
            play([prompt, r.prompt], bargeIn: true, then: .awaitInput)
        }
    }

    // Record

    private mutating func keepRecording(_ r: Node.Record) {
        guard let recording = lastRecording else { return }
        setVariable("recording", .text(recording.reference))
        emitRecorded(r, recording)
        completed("recorded")
        enter(r.next)
    }

    private mutating func emitRecorded(_ r: Node.Record, _ recording: RecordingInfo) {
        let ms = recording.duration.components.seconds * 1000 + recording.duration.components.attoseconds / 1_000_000_000_000_000
        emit(.messageRecorded(MessageRecorded(callID: callID, purpose: r.purpose, reference: recording.reference,
                                              durationMilliseconds: ms)))
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
