import HotlineCore

/// One thing wrong with a flow set, and where.
public struct FlowIssue: Sendable, Hashable, CustomStringConvertible {
    /// Where it was written, when known.
    public var location: SourceLocation?
    /// What is wrong, and what to do.
    public var message: String

    /// Creates an issue.
    public init(_ message: String, at location: SourceLocation?) {
        self.location = location
        self.message = message
    }

    /// `file:line:column: message`.
    public var description: String {
        if let location { return "\(location): \(message)" }
        return message
    }
}

/// A flow set (or YAML file) was refused; ``issues`` say where and why.
public struct FlowValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Everything found wrong, in file and line order.
    public var issues: [FlowIssue]

    /// Creates the error.
    public init(issues: [FlowIssue]) { self.issues = issues }

    /// One issue per line.
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

extension Node.Kind {
    /// Where the node may go next, and whether it waits for the caller (or the ACD) first.
    var successors: [String] {
        switch self {
        case .play(let p): return [p.next]
        case .menu(let m):
            return m.options.values.compactMap { if case .goto(let t) = $0 { return t } else { return nil } }
                + (m.onFailure.map { [$0] } ?? [])
        case .collect(let c): return [c.next] + (c.onFailure.map { [$0] } ?? [])
        case .branch(let b): return Array(b.cases.values) + [b.otherwise]
        case .setLanguage(let s): return [s.next]
        case .setVariable(let s): return [s.next]
        case .authenticate(let a): return [a.next, a.retry, a.onLockedOut] + (a.onFailure.map { [$0] } ?? [])
        case .lookup(let l): return [l.next] + [l.onNotFound, l.onFailure].compactMap { $0 }
        case .record(let r): return [r.next]
        case .enqueue(let e): return [e.afterCall, e.onUnavailable].compactMap { $0 }
        case .transfer(let t): return [t.afterCall, t.onUnavailable].compactMap { $0 }
        case .rating(let r): return [r.complaint] + (r.next.map { [$0] } ?? [])
        case .subflow(let s): return [s.next]
        case .return, .hangUp: return []
        case .goto(let t): return [t]
        }
    }

    /// Whether leaving the node needs input from the caller or the ACD (so a loop through it
    /// cannot spin by itself).
    var waitsForInput: Bool {
        switch self {
        case .menu, .collect, .record, .enqueue, .transfer, .rating: true
        default: false
        }
    }

    /// The prompts the node plays.
    var promptNames: [String] {
        switch self {
        case .play(let p): return p.prompts
        case .menu(let m): return [m.prompt, m.invalidPrompt, m.noInputPrompt].compactMap { $0 }
        case .collect(let c): return [c.prompt, c.invalidPrompt, c.noInputPrompt, c.confirmPrompt].compactMap { $0 }
        case .authenticate(let a): return [a.failurePrompt, a.lockedPrompt].compactMap { $0 }
        case .record(let r): return [r.prompt, r.confirmPrompt].compactMap { $0 }
        case .enqueue(let e): return [e.prompt].compactMap { $0 }
        case .transfer(let t): return [t.prompt].compactMap { $0 }
        case .rating(let r): return [r.prompt, r.invalidPrompt, r.thanksPrompt].compactMap { $0 }
        case .hangUp(let h): return [h.prompt].compactMap { $0 }
        default: return []
        }
    }
}

extension FlowSet {
    static let validKeys: Set<Character> = Set("0123456789*#")

    /// Checks the flow set (a set without routes is allowed: a file of sub-flows for others to
    /// include): unknown nodes, prompts, flows and schedules; unreachable nodes; loops
    /// that never wait for the caller; prompts missing a language; bad schedules; bad routes;
    /// recursive sub-flows; out-of-range settings.
    ///
    /// - Returns: The issues found, sorted by file and line; empty when the set can run.
    public func validate() -> [FlowIssue] {
        var issues: [FlowIssue] = []
        if flows.isEmpty { issues.append(FlowIssue("no flows defined", at: nil)) }
        for (did, flow) in routes.sorted(by: { $0.key < $1.key }) where flows[flow] == nil {
            issues.append(FlowIssue("route '\(did)' names unknown flow '\(flow)'", at: sources["route/\(did)"]))
        }
        for (name, calendar) in schedules.sorted(by: { $0.key < $1.key }) {
            for problem in calendar.problems {
                issues.append(FlowIssue("schedule '\(name)': \(problem)", at: sources["schedule/\(name)"]))
            }
        }
        for flow in flows.values.sorted(by: { $0.name < $1.name }) {
            issues += validate(flow)
        }
        issues += subflowRecursion()
        return issues.sorted {
            ($0.location?.file ?? "", $0.location?.line ?? 0, $0.message)
                < ($1.location?.file ?? "", $1.location?.line ?? 0, $1.message)
        }
    }

    /// Validates and throws when anything is wrong.
    ///
    /// - Throws: ``FlowValidationError`` listing every issue.
    public func validated() throws -> FlowSet {
        let issues = validate()
        if !issues.isEmpty { throw FlowValidationError(issues: issues) }
        return self
    }

    private func validate(_ flow: Flow) -> [FlowIssue] {
        var issues: [FlowIssue] = []
        let flowName = flow.name
        func add(_ message: String, _ node: Node?) {
            issues.append(FlowIssue("flow '\(flowName)'\(node.map { ", node '\($0.id)'" } ?? ""): \(message)",
                                    at: node?.source ?? flow.source))
        }
        if flow.languages.isEmpty { add("no languages", nil) }
        if flow.nodes[flow.start] == nil { add("start node '\(flow.start)' is not defined", nil) }
        for node in flow.duplicates { add("node id defined twice", node) }
        for name in flow.duplicatePrompts { add("prompt '\(name)' defined twice", nil) }

        // Prompts: every language present.
        for prompt in flow.prompts.values.sorted(by: { $0.name < $1.name }) {
            for language in flow.languages where (prompt.variants[language] ?? []).isEmpty {
                issues.append(FlowIssue("flow '\(flowName)', prompt '\(prompt.name)': missing language '\(language)'",
                                        at: flow.promptSources[prompt.name] ?? flow.source))
            }
            for language in prompt.variants.keys where !flow.languages.contains(language) {
                issues.append(FlowIssue("flow '\(flowName)', prompt '\(prompt.name)': language '\(language)' is not one of the flow's languages \(flow.languages.map(\.rawValue))",
                                        at: flow.promptSources[prompt.name] ?? flow.source))
            }
        }

        for node in flow.nodes.values.sorted(by: { $0.id < $1.id }) {
            for target in node.kind.successors where flow.nodes[target] == nil {
                add("unknown node '\(target)'", node)
            }
            for prompt in node.kind.promptNames where flow.prompts[prompt] == nil {
                add("unknown prompt '\(prompt)'", node)
            }
            switch node.kind {
            case .menu(let m):
                if m.options.isEmpty { add("menu has no options", node) }
                for key in m.options.keys where !FlowSet.validKeys.contains(key) {
                    add("menu key '\(key)' is not a keypad key (0-9, *, #)", node)
                }
                if m.retries < 0 { add("retries must be 0 or more", node) }
                if m.timeout <= .zero { add("timeout must be positive", node) }
            case .collect(let c):
                if c.minLength < 1 || c.maxLength < c.minLength {
                    add("lengths must satisfy 1 <= min-length (\(c.minLength)) <= max-length (\(c.maxLength))", node)
                }
                if let t = c.terminator, !FlowSet.validKeys.contains(t) { add("terminator '\(t)' is not a keypad key", node) }
                if c.retries < 0 { add("retries must be 0 or more", node) }
                if c.firstDigitTimeout <= .zero || c.interDigitTimeout <= .zero { add("timeouts must be positive", node) }
            case .branch(let b):
                let allowed: Set<String>?
                switch b.subject {
                case .schedule(let name):
                    if schedules[name] == nil { add("unknown schedule '\(name)'", node) }
                    allowed = ["open", "closed", "holiday"]
                case .blacklist: allowed = ["none", "warn", "refuse"]
                case .language: allowed = Set(flow.languages.map(\.rawValue))
                case .flag: allowed = ["true", "false"]
                case .callerCategory, .variable, .dialledNumber: allowed = nil
                }
                if let allowed {
                    for value in b.cases.keys.sorted() where !allowed.contains(value) {
                        add("branch case '\(value)' can never match (expected one of \(allowed.sorted()))", node)
                    }
                }
            case .setLanguage(let s):
                if !flow.languages.contains(s.language) {
                    add("language '\(s.language)' is not one of the flow's languages \(flow.languages.map(\.rawValue))", node)
                }
            case .authenticate(let a):
                if a.maxAttempts < 1 { add("max-attempts must be at least 1", node) }
            case .record(let r):
                if r.maxDuration <= .zero { add("max-duration must be positive", node) }
            case .enqueue(let e):
                if e.queue.isEmpty { add("queue name is empty", node) }
            case .transfer(let t):
                if t.number.isEmpty || !t.number.allSatisfy({ $0.isNumber || $0 == "+" }) {
                    add("transfer number '\(t.number)' is not a phone number", node)
                }
            case .rating(let r):
                if r.retries < 0 { add("retries must be 0 or more", node) }
            case .subflow(let s):
                if flows[s.flow] == nil { add("unknown flow '\(s.flow)'", node) }
            case .play(let p):
                if p.prompts.isEmpty { add("play has no prompts", node) }
            default: break
            }
        }

        // Unreachable nodes.
        var reached: Set<String> = []
        var stack = [flow.start]
        while let id = stack.popLast() {
            guard reached.insert(id).inserted, let node = flow.nodes[id] else { continue }
            stack += node.kind.successors
        }
        for node in flow.nodes.values.sorted(by: { $0.id < $1.id }) where !reached.contains(node.id) {
            add("unreachable from start node '\(flow.start)'", node)
        }

        // Loops among nodes that never wait for input.
        var state: [String: Int] = [:]  // 1 = on stack, 2 = done
        var reported: Set<String> = []
        func visit(_ id: String, _ path: [String]) {
            guard let node = flow.nodes[id], !node.kind.waitsForInput else { return }
            if state[id] == 2 { return }
            if state[id] == 1 {
                let cycle = path.drop(while: { $0 != id }) + [id]
                if reported.insert(id).inserted {
                    add("loop \(cycle.joined(separator: " → ")) never waits for the caller", node)
                }
                return
            }
            state[id] = 1
            for next in node.kind.successors { visit(next, path + [id]) }
            state[id] = 2
        }
        for id in flow.nodes.keys.sorted() { visit(id, []) }
        return issues
    }

    private func subflowRecursion() -> [FlowIssue] {
        var calls: [String: [(String, Node)]] = [:]
        for flow in flows.values {
            for node in flow.nodes.values {
                if case .subflow(let s) = node.kind { calls[flow.name, default: []].append((s.flow, node)) }
            }
        }
        var issues: [FlowIssue] = []
        var state: [String: Int] = [:]
        func visit(_ name: String) {
            if state[name] == 2 { return }
            state[name] = 1
            for (callee, node) in calls[name] ?? [] {
                if state[callee] == 1 {
                    issues.append(FlowIssue("flow '\(name)', node '\(node.id)': sub-flow '\(callee)' calls back into itself (recursion)",
                                            at: node.source))
                } else { visit(callee) }
            }
            state[name] = 2
        }
        for name in calls.keys.sorted() { visit(name) }
        return issues
    }
}
