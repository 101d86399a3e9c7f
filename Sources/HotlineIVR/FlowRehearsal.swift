public import Foundation

/// One input of a rehearsal: keys, silence until the pending timer expires, or what the caller,
/// agent or ACD does.
public enum RehearsalInput: Sendable, Hashable, CustomStringConvertible {
    /// Keys pressed one after the other (`1`, `91110000…#`).
    case keys(String)
    /// Silence until the pending timer expires.
    case timeout
    /// The caller hangs up.
    case hangUp
    /// The agent (or transfer target) hangs up, the caller stays (e.g. for the rating).
    case agentHangsUp(agent: String?)
    /// The queue or transfer target cannot take the call.
    case unavailable

    /// Parses a comma-separated list such as `1,3,91110000…,#,123456#,timeout,agent:1001,hangup`.
    ///
    /// - Parameter text: The list.
    /// - Returns: The inputs.
    /// - Throws: ``RehearsalInputError`` naming the bad token and its position.
    public static func parseList(_ text: String) throws(RehearsalInputError) -> [RehearsalInput] {
        var inputs: [RehearsalInput] = []
        for (index, raw) in text.split(separator: ",", omittingEmptySubsequences: true).enumerated() {
            let token = raw.trimmingCharacters(in: .whitespaces)
            switch token.lowercased() {
            case "": continue
            case "timeout": inputs.append(.timeout)
            case "hangup": inputs.append(.hangUp)
            case "agent": inputs.append(.agentHangsUp(agent: nil))
            case "unavailable", "busy": inputs.append(.unavailable)
            default:
                if token.lowercased().hasPrefix("agent:") {
                    inputs.append(.agentHangsUp(agent: String(token.dropFirst(6))))
                } else if token.allSatisfy({ "0123456789*#".contains($0) }) {
                    inputs.append(.keys(token))
                } else {
                    throw RehearsalInputError(position: index + 1, token: token)
                }
            }
        }
        return inputs
    }

    /// The token as written.
    public var description: String {
        switch self {
        case .keys(let k): k
        case .timeout: "timeout"
        case .hangUp: "hangup"
        case .agentHangsUp(let agent): agent.map { "agent:\($0)" } ?? "agent"
        case .unavailable: "unavailable"
        }
    }
}

/// A rehearsal input token could not be read.
public struct RehearsalInputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based position in the list.
    public var position: Int
    /// The token.
    public var token: String
    /// The message.
    public var description: String {
        "input token \(position) '\(token)' is not keys (0-9 * #), timeout, hangup, agent[:ID] or unavailable"
    }
}

/// What happened in a rehearsed call, step by step.
public struct Transcript: Sendable, Equatable {
    /// One line of the transcript.
    public enum Entry: Sendable, Hashable {
        /// Prompts played, with their text as the say/TTS engines would speak it.
        case prompt(names: [String], language: Language, text: String)
        /// An input consumed.
        case input(String)
        /// A lookup and its result (a PIN argument is masked).
        case lookup(function: String, arguments: [String: String], status: String, values: [String: String])
        /// A recording made.
        case recording(purpose: String, seconds: Int64)
        /// The call was queued.
        case enqueued(queue: String, priority: Int, skills: [String])
        /// The call was transferred.
        case transferred(to: String)
        /// An input that did not fit the moment (ignored).
        case ignored(String)
    }

    /// How the rehearsal ended.
    public enum Ending: Sendable, Hashable, CustomStringConvertible {
        /// The call left the IVR.
        case finished(CallOutcome)
        /// The inputs ran out while the flow waited for the caller at a node.
        case inputRanOut(flow: String, node: String)
        /// The inputs ran out while the call was with the ACD or the transfer target.
        case withAgent(flow: String, node: String)

        /// A short sentence.
        public var description: String {
            switch self {
            case .finished(let outcome): "\(outcome)"
            case .inputRanOut(let flow, let node): "input ran out; caller waiting at \(flow)/\(node)"
            case .withAgent(let flow, let node): "with the ACD/transfer target (from \(flow)/\(node))"
            }
        }
    }

    /// The steps.
    public var entries: [Transcript.Entry]
    /// How it ended.
    public var ending: Ending
    /// The domain events the interpreter emitted.
    public var events: [FlowEvent]
    /// The call variables at the end.
    public var variables: [String: FlowValue]

    /// The transcript as text, one line per entry, ending with the outcome.
    public var text: String {
        var lines: [String] = []
        for entry in entries {
            switch entry {
            case .prompt(let names, let language, let text):
                lines.append("PLAY   [\(names.joined(separator: "+"))/\(language)] \(text)")
            case .input(let token): lines.append("INPUT  \(token)")
            case .lookup(let function, let arguments, let status, let values):
                let args = arguments.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                let vals = values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                lines.append("LOOKUP \(function)(\(args)) -> \(status)\(vals.isEmpty ? "" : ": \(vals)")")
            case .recording(let purpose, let seconds): lines.append("RECORD \(purpose), \(seconds) s")
            case .enqueued(let queue, let priority, let skills):
                lines.append("QUEUE  \(queue) priority \(priority)\(skills.isEmpty ? "" : " skills \(skills.joined(separator: ","))")")
            case .transferred(let number): lines.append("TRANSFER \(number)")
            case .ignored(let token): lines.append("IGNORED \(token)")
            }
        }
        lines.append("END    \(ending)")
        return lines.joined(separator: "\n")
    }

    /// The prompt names played, in order (a convenient thing for tests to compare).
    public var promptNames: [String] {
        entries.flatMap { entry -> [String] in
            if case .prompt(let names, _, _) = entry { return names }
            return []
        }
    }
}

/// Runs a call through a flow set with scripted input, as `hotline ivr try` does: prompts are
/// taken as heard in full, lookups go to a ``SelfServiceProvider``, recordings last a fixed time.
///
/// Time is simulated from the given start instant (each prompt 2 s, each key 0.5 s, each timeout
/// its timer's length), so schedules and blacklist periods apply as at that instant.
public struct FlowRehearsal: Sendable {
    private let flowSet: FlowSet
    private let version: Int
    private let provider: (any SelfServiceProvider)?
    private let recordingLength: Duration

    /// Creates a rehearsal.
    ///
    /// - Parameters:
    ///   - flowSet: The flows.
    ///   - version: The version number to report.
    ///   - provider: Self-service; `nil` makes every lookup fail.
    ///   - recordingLength: How long each recording lasts.
    public init(flowSet: FlowSet, version: Int = 1, provider: (any SelfServiceProvider)? = nil,
                recordingLength: Duration = .seconds(10)) {
        self.flowSet = flowSet
        self.version = version
        self.provider = provider
        self.recordingLength = recordingLength
    }

    /// A value as the transcript shows it (money in yuan).
    static func show(_ value: FlowValue) -> String {
        if case .money(let fen) = value { return PlaybackItem.money(fen: fen).transcriptText(in: .english) }
        return value.description
    }

    /// Runs one call.
    ///
    /// - Parameters:
    ///   - callID: The call's id.
    ///   - caller: The caller number.
    ///   - dialledNumber: The DID.
    ///   - start: When the call starts.
    ///   - inputs: What the caller (and agent) do, in order.
    /// - Returns: The transcript.
    public func run(callID: String = "rehearsal", caller: String, dialledNumber: String, at start: Date,
                    inputs: [RehearsalInput]) async -> Transcript {
        var machine = CallFlowStateMachine(flowSet: flowSet, version: version)
        var now = start
        var queue: [CallFlowEvent] = [.callStarted(CallStart(callID: callID, caller: caller, dialledNumber: dialledNumber), at: now)]
        var remaining = inputs[...]
        var entries: [Transcript.Entry] = []
        var events: [FlowEvent] = []
        var timer: (id: Int, after: Duration)?
        var recordings = 0

        func advance(_ d: Duration) {
            now = now.addingTimeInterval(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
        }

        while true {
            while !queue.isEmpty {
                let event = queue.removeFirst()
                for action in machine.handle(event) {
                    switch action {
                    case .play(let playback):
                        let text = playback.items.map { $0.transcriptText(in: playback.language) }.joined()
                        entries.append(.prompt(names: playback.prompts, language: playback.language, text: text))
                    case .startTimer(let id, let after): timer = (id, after)
                    case .cancelTimer(let id): if timer?.id == id { timer = nil }
                    case .lookUp(let request):
                        let result = await provider?.perform(request)
                            ?? LookupResult(requestID: request.id, status: .failed, values: ["error": .text("no data (use --data-dir)")])
                        var arguments: [String: String] = [:]
                        for (k, v) in request.arguments {
                            arguments[k] = k == "pin" ? String(repeating: "*", count: v.description.count) : Self.show(v)
                        }
                        var values: [String: String] = [:]
                        for (k, v) in result.values { values[k] = Self.show(v) }
                        entries.append(.lookup(function: request.function.rawValue, arguments: arguments,
                                               status: result.status.rawValue, values: values))
                        queue.append(.lookupFinished(result, at: now))
                    case .record(let request):
                        let length = min(recordingLength, request.maxDuration)
                        entries.append(.recording(purpose: request.purpose, seconds: length.components.seconds))
                        recordings += 1
                        advance(length)
                        queue.append(.recordingFinished(RecordingInfo(reference: "\(callID)-recording-\(recordings).wav", duration: length), at: now))
                    case .enqueue(let request):
                        entries.append(.enqueued(queue: request.queue, priority: request.priority, skills: request.skills))
                    case .transfer(let number):
                        entries.append(.transferred(to: number))
                    case .emit(let event, _):
                        events.append(event)
                    case .stopPlayback, .collect, .discardRecording, .hangUp, .setVariable:
                        break
                    }
                }
            }
            switch machine.waiting {
            case .finished(let outcome):
                return Transcript(entries: entries, ending: .finished(outcome), events: events, variables: machine.variables)
            case .callStart, .lookup, .recording:
                // Lookups and recordings are answered while their actions are handled; nothing else to do.
                return Transcript(entries: entries, ending: .inputRanOut(flow: machine.position.flow, node: machine.position.node),
                                  events: events, variables: machine.variables)
            case .prompt(let id):
                advance(.seconds(2))
                queue.append(.promptFinished(id, at: now))
            case .digits, .handoff:
                let withAgent: Bool
                if case .handoff = machine.waiting { withAgent = true } else { withAgent = false }
                guard let input = remaining.popFirst() else {
                    let ending: Transcript.Ending = withAgent
                        ? .withAgent(flow: machine.position.flow, node: machine.position.node)
                        : .inputRanOut(flow: machine.position.flow, node: machine.position.node)
                    return Transcript(entries: entries, ending: ending, events: events, variables: machine.variables)
                }
                switch (input, withAgent) {
                case (.keys(let keys), false):
                    entries.append(.input(keys))
                    for key in keys {
                        advance(.milliseconds(500))
                        queue.append(.digit(key, at: now))
                    }
                case (.timeout, false):
                    entries.append(.input("timeout"))
                    if let t = timer {
                        advance(t.after)
                        timer = nil
                        queue.append(.timeout(t.id, at: now))
                    }
                case (.hangUp, _):
                    entries.append(.input("hangup"))
                    queue.append(.hangUp(at: now))
                case (.agentHangsUp(let agent), true):
                    entries.append(.input(input.description))
                    advance(.seconds(60))
                    queue.append(.handoffEnded(.agentHungUp(agent: agent), at: now))
                case (.unavailable, true):
                    entries.append(.input("unavailable"))
                    queue.append(.handoffEnded(.unavailable(reason: "no agents"), at: now))
                default:
                    entries.append(.ignored(input.description))
                }
            }
        }
    }
}
