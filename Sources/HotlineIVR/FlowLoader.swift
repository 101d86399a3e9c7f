public import Foundation
import HotlineCore
import Yams

/// Loads flow sets from YAML files (the integrator's way of writing flows; see `Docs/IVR.md`).
///
/// Every problem is reported with the file, line and column Yams gives the offending node, and the
/// loaded set is validated (``FlowSet/validate()``) before it is returned.
public enum FlowLoader {
    /// Loads a YAML file and the files it includes (paths relative to the including file).
    ///
    /// - Parameter url: The main file.
    /// - Returns: The validated flow set.
    /// - Throws: ``FlowValidationError`` naming file, line and reason for every problem found.
    public static func load(contentsOf url: URL) throws -> FlowSet {
        try load(contentsOf: [url])
    }

    /// Loads several YAML files (and their includes) into one flow set.
    ///
    /// - Parameter urls: The files.
    /// - Returns: The validated flow set.
    /// - Throws: ``FlowValidationError`` naming file, line and reason for every problem found.
    public static func load(contentsOf urls: [URL]) throws -> FlowSet {
        var reader = Reader()
        var seen: Set<String> = []
        var queue = urls.map { ($0.standardizedFileURL, nil as SourceLocation?) }
        while !queue.isEmpty {
            let (url, includedFrom) = queue.removeFirst()
            guard seen.insert(url.path).inserted else { continue }
            let text: String
            do {
                text = try String(contentsOf: url, encoding: .utf8)
            } catch {
                reader.issues.append(FlowIssue("cannot read \(url.path): \(error.localizedDescription)", at: includedFrom))
                continue
            }
            let includes = reader.read(yaml: text, file: url.path)
            for (path, location) in includes {
                let target = URL(fileURLWithPath: path, relativeTo: url.deletingLastPathComponent()).standardizedFileURL
                queue.append((target, location))
            }
        }
        return try reader.finish()
    }

    /// Parses YAML text into a flow set (an `include:` is refused here; use `load(contentsOf:)`).
    ///
    /// - Parameters:
    ///   - yaml: The text.
    ///   - file: The name to use in messages.
    /// - Returns: The validated flow set.
    /// - Throws: ``FlowValidationError`` naming file, line and reason for every problem found.
    public static func parse(yaml: String, file: String = "<yaml>") throws -> FlowSet {
        var reader = Reader()
        let includes = reader.read(yaml: yaml, file: file)
        for (_, location) in includes {
            reader.issues.append(FlowIssue("include is only possible when loading from a file", at: location))
        }
        return try reader.finish()
    }
}

private struct Reader {
    var issues: [FlowIssue] = []
    var flows: [Flow] = []
    var flowSources: [String: SourceLocation] = [:]
    var routes: [String: String] = [:]
    var schedules: [String: BusinessCalendar] = [:]
    var filter = CallerFilter()
    var sources: [String: SourceLocation] = [:]
    var file = ""

    func location(_ node: Yams.Node?) -> SourceLocation? {
        guard let mark = node?.mark else { return SourceLocation(file: file, line: 0) }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    mutating func issue(_ message: String, _ node: Yams.Node?) {
        issues.append(FlowIssue(message, at: location(node)))
    }

    mutating func finish() throws -> FlowSet {
        var set = FlowSet(flows: flows, routes: routes, schedules: schedules, callerFilter: filter)
        set.sources = sources
        if issues.isEmpty { issues = set.validate() }
        if !issues.isEmpty {
            throw FlowValidationError(issues: issues.sorted {
                ($0.location?.file ?? "", $0.location?.line ?? 0, $0.location?.column ?? 0)
                    < ($1.location?.file ?? "", $1.location?.line ?? 0, $1.location?.column ?? 0)
            })
        }
        return set
    }

    /// Reads one document; returns its includes.
    mutating func read(yaml: String, file: String) -> [(String, SourceLocation?)] {
        self.file = file
        let root: Yams.Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            issues.append(FlowIssue(Self.describe(error), at: Self.mark(of: error).map {
                SourceLocation(file: file, line: $0.line, column: $0.column)
            } ?? SourceLocation(file: file, line: 0)))
            return []
        } catch {
            issues.append(FlowIssue("not YAML: \(error)", at: SourceLocation(file: file, line: 0)))
            return []
        }
        guard let root, let top = mapping(root, "the document") else {
            issues.append(FlowIssue("empty document: expected keys such as routes and flows", at: SourceLocation(file: file, line: 0)))
            return []
        }
        var includes: [(String, SourceLocation?)] = []
        for (key, value) in top {
            switch key {
            case "version":
                if value.scalar?.string != "1" { issue("unsupported version '\(value.scalar?.string ?? "?")' (expected 1)", value) }
            case "include":
                for item in list(value) {
                    if let path = string(item, "an include path") { includes.append((path, location(item))) }
                }
            case "routes":
                for (did, flowNode) in mapping(value, "routes") ?? [] {
                    if routes[did] != nil { issue("route '\(did)' defined twice", flowNode) }
                    routes[did] = string(flowNode, "a flow name")
                    sources["route/\(did)"] = location(flowNode)
                }
            case "schedules":
                for (name, node) in mapping(value, "schedules") ?? [] {
                    if schedules[name] != nil { issue("schedule '\(name)' defined twice", node) }
                    if let calendar = readSchedule(node) { schedules[name] = calendar }
                    sources["schedule/\(name)"] = location(node)
                }
            case "caller-filter":
                readCallerFilter(value)
            case "flows":
                for (name, node) in mapping(value, "flows") ?? [] {
                    if let first = flowSources[name] { issue("flow '\(name)' defined twice (first at \(first.description))", node) }
                    flowSources[name] = location(node)
                    if let flow = readFlow(name, node) { flows.append(flow) }
                }
            default:
                issue("unknown top-level key '\(key)' (expected version, include, routes, schedules, caller-filter, flows)", value)
            }
        }
        return includes
    }

    static func mark(of error: YamlError) -> Mark? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark
        case .duplicatedKeysInMapping(_, let context): context.mark
        default: nil
        }
    }

    static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
             .composer(let context, let problem, _, _):
            return "YAML syntax: \(problem)" + (context.map { " \($0.text)" } ?? "")
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate keys \(duplicates)"
        default:
            return "YAML error: \(error)"
        }
    }

    // MARK: Basic shapes

    mutating func mapping(_ node: Yams.Node, _ what: String) -> [(String, Yams.Node)]? {
        guard let m = node.mapping else {
            issue("\(what) must be a mapping", node)
            return nil
        }
        var pairs: [(String, Yams.Node)] = []
        var keys: Set<String> = []
        for (k, v) in m {
            guard let key = k.scalar?.string else {
                issue("keys must be plain text", k)
                continue
            }
            if !keys.insert(key).inserted { issue("key '\(key)' appears twice", k) }
            pairs.append((key, v))
        }
        return pairs
    }

    mutating func list(_ node: Yams.Node) -> [Yams.Node] {
        if let s = node.sequence { return Array(s) }
        return [node]
    }

    mutating func string(_ node: Yams.Node, _ what: String) -> String? {
        guard let s = node.scalar?.string else {
            issue("expected \(what)", node)
            return nil
        }
        return s
    }

    mutating func int(_ node: Yams.Node, _ what: String) -> Int? {
        guard let s = node.scalar?.string, let n = Int(s) else {
            issue("expected \(what) (a whole number)", node)
            return nil
        }
        return n
    }

    mutating func bool(_ node: Yams.Node, _ what: String) -> Bool? {
        switch node.scalar?.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            issue("expected \(what) (true or false)", node)
            return nil
        }
    }

    mutating func duration(_ node: Yams.Node, _ what: String) -> Duration? {
        guard let text = node.scalar?.string, let d = Self.parseDuration(text) else {
            issue("expected \(what) as a duration such as 5s, 500ms or 2m", node)
            return nil
        }
        return d
    }

    static func parseDuration(_ text: String) -> Duration? {
        let t = text.trimmingCharacters(in: .whitespaces)
        for (suffix, scale) in [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)] where t.hasSuffix(suffix) {
            if suffix == "s", t.hasSuffix("ms") { continue }
            if suffix == "m", t.hasSuffix("ms") { continue }
            guard let n = Double(t.dropLast(suffix.count)), n >= 0, n < 1e9 else { return nil }
            return .milliseconds(Int64((n * Double(scale)).rounded()))
        }
        if let n = Double(t), n >= 0, n < 1e9 { return .milliseconds(Int64((n * 1000).rounded())) }
        return nil
    }

    func value(_ text: String) -> ValueSource {
        if text.hasPrefix("$") { return .variable(String(text.dropFirst())) }
        if let n = Int64(text) { return .literal(.number(n)) }
        if text == "true" || text == "false" { return .literal(.flag(text == "true")) }
        return .literal(.text(text))
    }

    // MARK: Schedules and caller filter

    mutating func readSchedule(_ node: Yams.Node) -> BusinessCalendar? {
        guard let pairs = mapping(node, "a schedule") else { return nil }
        var zone: String?
        var hours: [Weekday: [WorkingPeriod]] = [:]
        var holidays: [LocalDate: String] = [:]
        var makeUp: [LocalDate: Weekday] = [:]
        for (key, value) in pairs {
            switch key {
            case "time-zone":
                zone = string(value, "an IANA time zone such as Asia/Shanghai")
            case "hours":
                for (dayName, periods) in mapping(value, "hours") ?? [] {
                    let days: [Weekday]
                    switch dayName {
                    case "weekdays": days = [.monday, .tuesday, .wednesday, .thursday, .friday]
                    case "weekend": days = [.saturday, .sunday]
                    default:
                        guard let d = Weekday(rawValue: dayName) else {
                            issue("unknown day '\(dayName)' (monday … sunday, weekdays, weekend)", periods)
                            continue
                        }
                        days = [d]
                    }
                    var parsed: [WorkingPeriod] = []
                    for item in list(periods) {
                        guard let text = item.scalar?.string else { issue("expected a period HH:MM-HH:MM", item); continue }
                        if text.isEmpty || text == "closed" { continue }
                        guard let period = WorkingPeriod(text) else {
                            issue("bad working period '\(text)' (expected HH:MM-HH:MM with the end after the start)", item)
                            continue
                        }
                        parsed.append(period)
                    }
                    for d in days { hours[d] = parsed }
                }
            case "holidays":
                if value.sequence != nil {
                    for item in list(value) {
                        if let text = string(item, "a date"), let day = date(text, item) { holidays[day] = "holiday" }
                    }
                } else {
                    for (dayText, name) in mapping(value, "holidays") ?? [] {
                        guard let day = LocalDate(dayText) else { issue("bad date '\(dayText)' (expected YYYY-MM-DD)", name); continue }
                        if holidays[day] != nil { issue("holiday \(dayText) listed twice", name) }
                        holidays[day] = name.scalar?.string ?? "holiday"
                    }
                }
            case "make-up-days":
                if value.sequence != nil {
                    for item in list(value) {
                        if let text = string(item, "a date"), let day = date(text, item) { makeUp[day] = .monday }
                    }
                } else {
                    for (dayText, weekdayNode) in mapping(value, "make-up-days") ?? [] {
                        guard let day = LocalDate(dayText) else { issue("bad date '\(dayText)' (expected YYYY-MM-DD)", weekdayNode); continue }
                        guard let text = weekdayNode.scalar?.string, let weekday = Weekday(rawValue: text) else {
                            issue("expected the weekday whose hours apply (monday … sunday)", weekdayNode)
                            continue
                        }
                        makeUp[day] = weekday
                    }
                }
            default:
                issue("unknown schedule key '\(key)' (expected time-zone, hours, holidays, make-up-days)", value)
            }
        }
        guard let zone else {
            issue("a schedule needs an explicit time-zone (e.g. Asia/Shanghai)", node)
            return nil
        }
        return BusinessCalendar(timeZoneIdentifier: zone, weeklyHours: hours, holidays: holidays, makeUpWorkingDays: makeUp)
    }

    mutating func date(_ text: String, _ node: Yams.Node) -> LocalDate? {
        guard let d = LocalDate(text) else {
            issue("bad date '\(text)' (expected YYYY-MM-DD)", node)
            return nil
        }
        return d
    }

    mutating func instant(_ node: Yams.Node) -> Date? {
        guard let text = node.scalar?.string, let date = ISO8601DateFormatter().date(from: text) else {
            issue("expected an instant such as 2026-12-01T09:30:00+08:00", node)
            return nil
        }
        return date
    }

    mutating func readCallerFilter(_ node: Yams.Node) {
        for (key, value) in mapping(node, "caller-filter") ?? [] {
            switch key {
            case "blacklist":
                for item in list(value) {
                    guard let pairs = mapping(item, "a blacklist entry") else { continue }
                    var number: String?, prefix = false, since: Date?, period: BlacklistEntry.BlockingPeriod?
                    var action: BlacklistEntry.Action = .refuse, reason = ""
                    for (k, v) in pairs {
                        switch k {
                        case "number": number = string(v, "a caller number")
                        case "prefix": number = string(v, "a number prefix"); prefix = true
                        case "since": since = instant(v)
                        case "reason": reason = v.scalar?.string ?? ""
                        case "action":
                            guard let a = v.scalar.flatMap({ BlacklistEntry.Action(rawValue: $0.string) }) else {
                                issue("action must be warn or refuse", v); continue
                            }
                            action = a
                        case "period":
                            switch v.scalar?.string {
                            case "5m", "5min": period = .fiveMinutes
                            case "30m", "30min": period = .thirtyMinutes
                            case "permanent": period = .permanent
                            default: issue("period must be 5m, 30m or permanent (or use until:)", v)
                            }
                        case "until":
                            if let d = instant(v) { period = .until(d) }
                        default: issue("unknown blacklist key '\(k)' (number, prefix, since, period, until, action, reason)", v)
                        }
                    }
                    guard let number, !number.isEmpty else { issue("a blacklist entry needs a number or prefix", item); continue }
                    guard let period else { issue("a blacklist entry needs a period (5m, 30m, permanent) or until", item); continue }
                    filter.blacklist.append(BlacklistEntry(number: number, matchesPrefix: prefix,
                                                           since: since ?? Date(timeIntervalSince1970: 0),
                                                           period: period, action: action, reason: reason))
                }
            case "categories":
                for item in list(value) {
                    guard let pairs = mapping(item, "a category rule") else { continue }
                    var number: String?, prefix = false, category: String?
                    for (k, v) in pairs {
                        switch k {
                        case "number": number = string(v, "a caller number")
                        case "prefix": number = string(v, "a number prefix"); prefix = true
                        case "category": category = string(v, "a category name")
                        default: issue("unknown category key '\(k)' (number, prefix, category)", v)
                        }
                    }
                    guard let number, let category else { issue("a category rule needs a number (or prefix) and a category", item); continue }
                    filter.categories.append(CallerCategoryRule(number: number, matchesPrefix: prefix, category: category))
                }
            default:
                issue("unknown caller-filter key '\(key)' (expected blacklist, categories)", value)
            }
        }
    }

    // MARK: Flows

    mutating func readFlow(_ name: String, _ node: Yams.Node) -> Flow? {
        guard let pairs = mapping(node, "a flow") else { return nil }
        var languages: [Language] = [.mandarin, .english]
        var start: String?
        var prompts: [PromptDefinition] = []
        var promptSources: [String: SourceLocation] = [:]
        var nodes: [Node] = []
        for (key, value) in pairs {
            switch key {
            case "languages":
                languages = list(value).compactMap { $0.scalar?.string }.map(Language.init(rawValue:))
            case "start":
                start = string(value, "the start node's id")
            case "prompts":
                for (promptName, promptNode) in mapping(value, "prompts") ?? [] {
                    promptSources[promptName] = location(promptNode)
                    var variants: [Language: [PromptItem]] = [:]
                    for (lang, itemsNode) in mapping(promptNode, "a prompt (one entry per language)") ?? [] {
                        variants[Language(rawValue: lang)] = list(itemsNode).compactMap { promptItem($0) }
                    }
                    prompts.append(PromptDefinition(promptName, variants))
                }
            case "nodes":
                for (id, nodeNode) in mapping(value, "nodes") ?? [] {
                    if let n = readNode(id, nodeNode) { nodes.append(n) }
                }
            default:
                issue("unknown flow key '\(key)' (expected languages, start, prompts, nodes)", value)
            }
        }
        guard let start else {
            issue("flow '\(name)' needs a start node", node)
            return nil
        }
        var flow = Flow(name: name, languages: languages, start: start, prompts: prompts, nodes: nodes, source: location(node))
        flow.promptSources = promptSources
        return flow
    }

    mutating func promptItem(_ node: Yams.Node) -> PromptItem? {
        if let text = node.scalar?.string { return .text(text) }
        guard let pairs = mapping(node, "a prompt item") else { return nil }
        let dict = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        if let file = dict["file"] { return string(file, "a file path").map(PromptItem.file) }
        if let text = dict["text"] { return string(text, "text").map(PromptItem.text) }
        if let say = dict["say"] {
            guard let formatText = say.scalar?.string, let format = SayFormat(rawValue: formatText) else {
                issue("say must be one of \(SayFormat.allCases.map(\.rawValue))", say)
                return nil
            }
            guard let valueNode = dict["value"], let valueText = string(valueNode, "a value or $variable") else {
                issue("say needs a value ($variable or a literal)", node)
                return nil
            }
            var source = value(valueText)
            if format == .money, case .literal = source {
                guard let money = try? Money(yuan: valueText) else { issue("bad amount '\(valueText)' (yuan, e.g. 123.45)", valueNode); return nil }
                source = .literal(.money(fen: money.fen))
            }
            if format == .date, case .literal = source {
                guard let d = LocalDate(valueText) else { issue("bad date '\(valueText)'", valueNode); return nil }
                source = .literal(.date(d))
            }
            return .say(format, source)
        }
        issue("a prompt item is text, {file: …}, {text: …} or {say: money|number|date|digits, value: …}", node)
        return nil
    }

    static let allowedFields: [String: Set<String>] = [
        "play": ["prompt", "prompts", "barge-in", "next"],
        "menu": ["prompt", "options", "timeout", "retries", "invalid-prompt", "no-input-prompt", "on-failure"],
        "collect": ["prompt", "variable", "min-length", "max-length", "length", "terminator", "timeout",
                    "first-digit-timeout", "inter-digit-timeout", "validation", "retries", "invalid-prompt",
                    "no-input-prompt", "confirm-prompt", "next", "on-failure"],
        "branch": ["on", "schedule", "variable", "flag", "cases", "otherwise"],
        "set-language": ["language", "next"],
        "set": ["variable", "value", "next"],
        "authenticate": ["taxpayer-variable", "pin-variable", "max-attempts", "failure-prompt", "locked-prompt",
                         "next", "retry", "on-locked-out", "on-failure"],
        "lookup": ["function", "arguments", "next", "on-not-found", "on-failure"],
        "record": ["prompt", "purpose", "max-duration", "beep", "confirm-prompt", "next"],
        "enqueue": ["queue", "priority", "priority-by-category", "skills", "prompt", "after-call", "on-unavailable"],
        "transfer": ["number", "prompt", "after-call", "on-unavailable"],
        "rating": ["prompt", "timeout", "retries", "invalid-prompt", "thanks-prompt", "complaint", "next"],
        "subflow": ["flow", "next"],
        "return": [],
        "goto": ["target"],
        "hangup": ["prompt", "reason"],
    ]

    mutating func readNode(_ id: String, _ node: Yams.Node) -> Node? {
        guard let pairs = mapping(node, "a node") else { return nil }
        var fields = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        guard let typeNode = fields.removeValue(forKey: "type"), let type = typeNode.scalar?.string else {
            issue("node '\(id)' needs a type (\(Self.allowedFields.keys.sorted().joined(separator: ", ")))", node)
            return nil
        }
        guard let allowed = Self.allowedFields[type] else {
            issue("node '\(id)': unknown node type '\(type)' (expected \(Self.allowedFields.keys.sorted().joined(separator: ", ")))", typeNode)
            return nil
        }
        for (key, value) in pairs where key != "type" && !allowed.contains(key) {
            issue("node '\(id)': unknown field '\(key)' for a \(type) node (expected \(allowed.sorted().joined(separator: ", ")))", value)
        }
        if ["repeat", "back", "top"].contains(id) {
            issue("'\(id)' is a reserved word for menu options and cannot name a node", node)
        }
        var failed = false
        func required(_ key: String) -> Yams.Node? {
            guard let v = fields[key] else {
                issues.append(FlowIssue("node '\(id)': a \(type) node needs '\(key)'", at: location(node)))
                failed = true
                return nil
            }
            return v
        }
        func text(_ key: String) -> String? { fields[key].flatMap { string($0, key) } }
        func requiredText(_ key: String) -> String { required(key).flatMap { string($0, key) } ?? "" }
        func dur(_ key: String, _ fallback: Duration) -> Duration { fields[key].flatMap { duration($0, key) } ?? fallback }
        func integer(_ key: String, _ fallback: Int) -> Int { fields[key].flatMap { int($0, key) } ?? fallback }
        func flag(_ key: String, _ fallback: Bool) -> Bool { fields[key].flatMap { bool($0, key) } ?? fallback }

        let kind: Node.Kind
        switch type {
        case "play":
            let promptNames: [String]
            if let p = fields["prompts"] { promptNames = list(p).compactMap { $0.scalar?.string } }
            else { promptNames = [requiredText("prompt")] }
            kind = .play(.init(prompts: promptNames, bargeIn: flag("barge-in", true), next: requiredText("next")))
        case "menu":
            var options: [Character: Node.MenuChoice] = [:]
            for (key, target) in required("options").flatMap({ mapping($0, "options") }) ?? [] {
                guard key.count == 1, let k = key.first else {
                    issue("node '\(id)': menu key '\(key)' must be one keypad key (quote \"*\" and \"#\")", target)
                    continue
                }
                guard let t = string(target, "a node id, repeat, back or top") else { continue }
                switch t {
                case "repeat": options[k] = .repeat
                case "back": options[k] = .back
                case "top": options[k] = .top
                default: options[k] = .goto(t)
                }
            }
            kind = .menu(.init(prompt: requiredText("prompt"), options: options, timeout: dur("timeout", .seconds(5)),
                               retries: integer("retries", 2), invalidPrompt: text("invalid-prompt"),
                               noInputPrompt: text("no-input-prompt"), onFailure: text("on-failure")))
        case "collect":
            var minLength = integer("min-length", 1), maxLength = integer("max-length", 20)
            if let l = fields["length"], let n = int(l, "length") { (minLength, maxLength) = (n, n) }
            var terminator: Character? = "#"
            if let t = fields["terminator"]?.scalar?.string {
                if t == "none" || t.isEmpty { terminator = nil }
                else if t.count == 1 { terminator = t.first }
                else { issue("node '\(id)': terminator must be one key or none", fields["terminator"]) }
            }
            var validation = Node.DigitValidation.none
            if let v = fields["validation"] {
                if let parsed = v.scalar.flatMap({ Node.DigitValidation(rawValue: $0.string) }) { validation = parsed }
                else { issue("node '\(id)': validation must be one of \(Node.DigitValidation.allCases.map(\.rawValue))", v) }
            }
            kind = .collect(.init(prompt: requiredText("prompt"), variable: requiredText("variable"),
                                  minLength: minLength, maxLength: maxLength, terminator: terminator,
                                  firstDigitTimeout: dur("first-digit-timeout", dur("timeout", .seconds(8))),
                                  interDigitTimeout: dur("inter-digit-timeout", .seconds(5)), validation: validation,
                                  retries: integer("retries", 2), invalidPrompt: text("invalid-prompt"),
                                  noInputPrompt: text("no-input-prompt"), confirmPrompt: text("confirm-prompt"),
                                  next: requiredText("next"), onFailure: text("on-failure")))
        case "branch":
            let on = requiredText("on")
            let subject: Node.BranchSubject
            switch on {
            case "schedule": subject = .schedule(requiredText("schedule"))
            case "caller-category": subject = .callerCategory
            case "blacklist": subject = .blacklist
            case "language": subject = .language
            case "variable": subject = .variable(requiredText("variable"))
            case "dialled-number": subject = .dialledNumber
            case "flag": subject = .flag(requiredText("flag"))
            default:
                if !on.isEmpty {
                    issue("node '\(id)': branch on '\(on)' is unknown (schedule, caller-category, blacklist, language, variable, dialled-number, flag)", fields["on"])
                }
                return nil
            }
            var cases: [String: String] = [:]
            for (value, target) in fields["cases"].flatMap({ mapping($0, "cases") }) ?? [] {
                cases[value] = string(target, "a node id")
            }
            kind = .branch(.init(on: subject, cases: cases, otherwise: requiredText("otherwise")))
        case "set-language":
            kind = .setLanguage(.init(Language(rawValue: requiredText("language")), next: requiredText("next")))
        case "set":
            kind = .setVariable(.init(requiredText("variable"), to: value(requiredText("value")), next: requiredText("next")))
        case "authenticate":
            kind = .authenticate(.init(taxpayerVariable: text("taxpayer-variable") ?? "taxpayerNumber",
                                       pinVariable: text("pin-variable") ?? "pin", maxAttempts: integer("max-attempts", 3),
                                       failurePrompt: text("failure-prompt"), lockedPrompt: text("locked-prompt"),
                                       next: requiredText("next"), retry: requiredText("retry"),
                                       onLockedOut: requiredText("on-locked-out"), onFailure: text("on-failure")))
        case "lookup":
            var arguments: [String: ValueSource] = [:]
            for (name, v) in fields["arguments"].flatMap({ mapping($0, "arguments") }) ?? [] {
                if let t = string(v, "a value or $variable") { arguments[name] = value(t) }
            }
            kind = .lookup(.init(SelfServiceFunction(rawValue: requiredText("function")), arguments: arguments,
                                 next: requiredText("next"), onNotFound: text("on-not-found"), onFailure: text("on-failure")))
        case "record":
            kind = .record(.init(prompt: requiredText("prompt"), purpose: text("purpose") ?? "voicemail",
                                 maxDuration: dur("max-duration", .seconds(120)), beep: flag("beep", true),
                                 confirmPrompt: text("confirm-prompt"), next: requiredText("next")))
        case "enqueue":
            var byCategory: [String: Int] = [:]
            for (category, v) in fields["priority-by-category"].flatMap({ mapping($0, "priority-by-category") }) ?? [] {
                byCategory[category] = int(v, "a priority")
            }
            let skills = fields["skills"].map { list($0).compactMap { $0.scalar?.string } } ?? []
            kind = .enqueue(.init(queue: requiredText("queue"), priority: integer("priority", 0), priorityByCategory: byCategory,
                                  skills: skills, prompt: text("prompt"), afterCall: text("after-call"),
                                  onUnavailable: text("on-unavailable")))
        case "transfer":
            kind = .transfer(.init(number: requiredText("number"), prompt: text("prompt"), afterCall: text("after-call"),
                                   onUnavailable: text("on-unavailable")))
        case "rating":
            kind = .rating(.init(prompt: requiredText("prompt"), timeout: dur("timeout", .seconds(6)), retries: integer("retries", 1),
                                 invalidPrompt: text("invalid-prompt"), thanksPrompt: text("thanks-prompt"),
                                 complaint: requiredText("complaint"), next: text("next")))
        case "subflow":
            kind = .subflow(.init(flow: requiredText("flow"), next: requiredText("next")))
        case "return":
            kind = .return
        case "goto":
            kind = .goto(requiredText("target"))
        default: // "hangup"
            kind = .hangUp(.init(prompt: text("prompt"), reason: text("reason") ?? "completed"))
        }
        if failed { return nil }
        return Node(id, kind, source: location(node))
    }
}
