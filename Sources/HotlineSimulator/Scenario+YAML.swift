import HotlineACD
import Foundation
import Yams

/// A scenario file that cannot be used; the message names the line and column.
public struct ScenarioError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and where.
    public var message: String
    /// Creates an error.
    /// - Parameter message: What is wrong and where.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads YAML nodes with errors that name the place.
struct YAMLField {
    let node: Node
    let path: String

    var place: String {
        if let mark = node.mark { return "line \(mark.line), column \(mark.column) (\(path))" }
        return path
    }

    func fail(_ problem: String) -> ScenarioError { ScenarioError("\(place): \(problem)") }

    func mapping(allowed: Set<String>) throws(ScenarioError) -> [String: YAMLField] {
        guard case .mapping(let mapping) = node else { throw fail("expected a mapping") }
        var result: [String: YAMLField] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { throw fail("keys must be plain names") }
            let field = YAMLField(node: value, path: path.isEmpty ? name : "\(path).\(name)")
            guard allowed.contains(name) else {
                let keyField = YAMLField(node: key, path: field.path)
                throw keyField.fail("unknown key \"\(name)\" (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
            result[name] = field
        }
        return result
    }

    func sequence() throws(ScenarioError) -> [YAMLField] {
        guard case .sequence(let sequence) = node else { throw fail("expected a list") }
        return sequence.enumerated().map { YAMLField(node: $1, path: "\(path)[\($0)]") }
    }

    func string() throws(ScenarioError) -> String {
        guard case .scalar(let scalar) = node else { throw fail("expected a single value") }
        return scalar.string
    }

    func number() throws(ScenarioError) -> Double {
        let text = try string()
        guard let value = Double(text), value.isFinite else { throw fail("expected a number, found \"\(text)\"") }
        return value
    }

    func nonNegative() throws(ScenarioError) -> Double {
        let value = try number()
        guard value >= 0 else { throw fail("must not be negative") }
        return value
    }

    func integer() throws(ScenarioError) -> Int {
        let text = try string()
        guard let value = Int(text) else { throw fail("expected a whole number, found \"\(text)\"") }
        return value
    }

    /// A duration such as `120s`, `30m`, `8h`, `1h30m`, `250ms` or a plain number of seconds.
    func seconds() throws(ScenarioError) -> Double {
        let text = try string().trimmingCharacters(in: .whitespaces)
        if let plain = Double(text) {
            guard plain.isFinite, plain >= 0 else { throw fail("a duration must be a finite, non-negative number of seconds") }
            return plain
        }
        var total = 0.0
        var digits = ""
        var unit = ""
        var matched = false
        func flush() throws(ScenarioError) {
            guard let value = Double(digits) else { throw fail("bad duration \"\(text)\" (e.g. 120s, 30m, 8h, 1h30m)") }
            switch unit {
            case "ms": total += value / 1000
            case "s": total += value
            case "m", "min": total += value * 60
            case "h": total += value * 3600
            default: throw fail("bad duration unit \"\(unit)\" in \"\(text)\" (use ms, s, m, h)")
            }
            digits = ""
            unit = ""
            matched = true
        }
        for ch in text {
            if ch.isNumber || ch == "." {
                if !unit.isEmpty { try flush() }
                digits.append(ch)
            } else if ch.isLetter {
                unit.append(ch)
            } else {
                throw fail("bad duration \"\(text)\" (e.g. 120s, 30m, 8h, 1h30m)")
            }
        }
        if !digits.isEmpty || !unit.isEmpty { try flush() }
        guard matched, total >= 0, total.isFinite else { throw fail("bad duration \"\(text)\"") }
        return total
    }

    /// A clock time `HH:MM` as seconds after midnight.
    func clock() throws(ScenarioError) -> Double {
        guard let value = YAMLField.parseClock(try string()) else { throw fail("expected a clock time like 08:30") }
        return value
    }

    static func parseClock(_ text: String) -> Double? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...48).contains(h), (0..<60).contains(m)
        else { return nil }
        return Double(h * 3600 + m * 60)
    }

    func distribution(allowNone: Bool) throws(ScenarioError) -> Distribution? {
        let fields = try mapping(allowed: ["distribution", "mean", "sd", "values"])
        let kind = try fields["distribution"]?.string() ?? "exponential"
        func mean() throws(ScenarioError) -> Double {
            guard let field = fields["mean"] else { throw fail("\(kind) needs a mean, e.g. mean: 120s") }
            let value = try field.seconds()
            guard value > 0 else { throw field.fail("mean must be positive") }
            return value
        }
        switch kind {
        case "none":
            guard allowNone else { throw fail("a distribution is required here") }
            return nil
        case "fixed":
            guard let value = try fields["mean"]?.seconds() else { throw fail("fixed needs mean: …") }
            return .fixed(seconds: value)
        case "exponential":
            return .exponential(mean: try mean())
        case "lognormal", "log-normal":
            let m = try mean()
            guard let sdField = fields["sd"] else { throw fail("lognormal needs sd, e.g. sd: 60s") }
            let sd = try sdField.seconds()
            guard sd > 0 else { throw sdField.fail("sd must be positive") }
            return .logNormal(mean: m, standardDeviation: sd)
        case "empirical":
            guard let list = fields["values"] else { throw fail("empirical needs values: [..]") }
            let values = try list.sequence().map { (f: YAMLField) throws(ScenarioError) -> Double in try f.seconds() }
            guard !values.isEmpty else { throw list.fail("values must not be empty") }
            return .empirical(values)
        default:
            throw fields["distribution"]!.fail(
                "unknown distribution \"\(kind)\" (expected exponential, lognormal, fixed, empirical\(allowNone ? ", none" : ""))")
        }
    }
}

extension Scenario {
    /// Reads a scenario from YAML (format in `Docs/Simulation.md`).
    /// - Parameter yaml: The scenario text.
    /// - Throws: ``ScenarioError`` naming the line and column of the problem.
    public init(yaml: String) throws(ScenarioError) {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw ScenarioError("the scenario is empty") }
            root = node
        } catch let error as ScenarioError {
            throw error
        } catch {
            throw ScenarioError("not valid YAML: \(error)")
        }
        let top = try YAMLField(node: root, path: "").mapping(allowed: [
            "duration", "seed", "service_level_seconds", "start", "interval", "arrivals", "handle_time", "patience",
            "ivr", "callers", "queues", "agents",
        ])
        func required(_ key: String) throws(ScenarioError) -> YAMLField {
            guard let field = top[key] else {
                throw ScenarioError("the scenario needs \"\(key)\"")
            }
            return field
        }
        let duration = try required("duration").seconds()
        guard duration > 0 else { throw try required("duration").fail("duration must be positive") }
        guard duration <= 10 * 366 * 86400 else { throw try required("duration").fail("duration is limited to ten years") }
        let interval = try top["interval"]?.seconds() ?? 1800
        guard interval > 0 else { throw top["interval"]!.fail("interval must be positive") }

        // Arrivals: { per_hour: N } or { interval: 30m, per_hour: [..] } or { intervals: [{length, per_hour}] }.
        let arrivalsField = try required("arrivals")
        let arrivalFields = try arrivalsField.mapping(allowed: ["per_hour", "interval", "intervals"])
        var periods: [ArrivalPeriod] = []
        if let perHour = arrivalFields["per_hour"] {
            if case .sequence = perHour.node {
                let length = try arrivalFields["interval"]?.seconds() ?? interval
                for item in try perHour.sequence() { periods.append(ArrivalPeriod(length: length, perHour: try item.nonNegative())) }
            } else {
                periods.append(ArrivalPeriod(length: duration, perHour: try perHour.nonNegative()))
            }
        } else if let list = arrivalFields["intervals"] {
            for item in try list.sequence() {
                let fields = try item.mapping(allowed: ["length", "per_hour"])
                guard let rate = fields["per_hour"] else { throw item.fail("each interval needs per_hour") }
                periods.append(ArrivalPeriod(length: try fields["length"]?.seconds() ?? interval, perHour: try rate.nonNegative()))
            }
        } else {
            throw arrivalsField.fail("arrivals needs per_hour (a rate or a list of rates) or intervals")
        }
        guard !periods.isEmpty else { throw arrivalsField.fail("no arrival rates given") }

        guard let handle = try required("handle_time").distribution(allowNone: false) else {
            throw try required("handle_time").fail("handle_time is required")
        }

        // Queues: first pass names, so overflow can refer to any queue.
        let queueList = try required("queues").sequence()
        guard !queueList.isEmpty else { throw try required("queues").fail("at least one queue is needed") }
        var names: [String: Int] = [:]
        for (i, item) in queueList.enumerated() {
            guard case .mapping = item.node, let nameField = try item.mapping(allowed: Scenario.queueKeys)["name"] else {
                throw item.fail("each queue needs a name")
            }
            let name = try nameField.string()
            if names[name] != nil { throw nameField.fail("queue \"\(name)\" is defined twice") }
            names[name] = i
        }
        func queueRef(_ field: YAMLField) throws(ScenarioError) -> Int {
            let name = try field.string()
            guard let index = names[name] else { throw field.fail("no queue named \"\(name)\"") }
            return index
        }
        func overflow(_ field: YAMLField) throws(ScenarioError) -> OverflowAction {
            if case .scalar = field.node {
                switch try field.string() {
                case "voicemail": return .voicemail
                case "callback": return .callback
                default: throw field.fail("expected voicemail, callback, {queue: NAME} or {transfer: NUMBER}")
                }
            }
            let fields = try field.mapping(allowed: ["queue", "transfer"])
            if let q = fields["queue"] { return .queue(QueueID(try queueRef(q))) }
            if let t = fields["transfer"] { return .transfer(number: try t.string()) }
            throw field.fail("expected {queue: NAME} or {transfer: NUMBER}")
        }
        var queues: [QueueSpec] = []
        for item in queueList {
            let f = try item.mapping(allowed: Scenario.queueKeys)
            var configuration = QueueConfiguration(name: try f["name"]!.string())
            if let s = f["strategy"] {
                let text = try s.string()
                if text == "sticky" {
                    configuration.strategy = .longestIdleAgent
                    configuration.sticky = StickyRouting(window: .seconds(86400), waitLimit: .seconds(30))
                } else {
                    guard let strategy = QueueStrategy(rawValue: text) else {
                        throw s.fail("unknown strategy \"\(text)\" (expected \(QueueStrategy.allCases.map(\.rawValue).joined(separator: ", ")), sticky)")
                    }
                    configuration.strategy = strategy
                }
            }
            if let sticky = f["sticky"] {
                let sf = try sticky.mapping(allowed: ["window", "wait_limit"])
                configuration.sticky = StickyRouting(
                    window: .seconds(try sf["window"]?.seconds() ?? 86400),
                    waitLimit: .seconds(try sf["wait_limit"]?.seconds() ?? 30))
            }
            if let skill = f["skill"] {
                let sf = try skill.mapping(allowed: ["name", "level"])
                guard let name = sf["name"] else { throw skill.fail("skill needs a name") }
                configuration.requiredSkill = SkillRequirement(skill: try name.string(), minimumLevel: try sf["level"]?.integer() ?? 1)
            }
            if let escalation = f["escalation"] {
                for step in try escalation.sequence() {
                    let sf = try step.mapping(allowed: ["after", "max_penalty"])
                    guard let after = sf["after"], let penalty = sf["max_penalty"] else {
                        throw step.fail("each escalation step needs after and max_penalty")
                    }
                    configuration.escalation.append(EscalationStep(after: .seconds(try after.seconds()), maximumPenalty: try penalty.integer()))
                }
            }
            if let v = f["max_length"] { configuration.maximumLength = try v.integer() }
            if let v = f["max_wait"] { configuration.maximumWait = .seconds(try v.seconds()) }
            if let v = f["when_full"] { configuration.whenFull = try overflow(v) }
            if let v = f["when_max_wait"] { configuration.whenMaximumWait = try overflow(v) }
            if let v = f["when_no_agents"] { configuration.whenNoAgents = try overflow(v) }
            if let v = f["wrap_up"] { configuration.wrapUp = .seconds(try v.seconds()) }
            let handle = try f["handle_time"]?.distribution(allowNone: false)
            if let h = handle { configuration.expectedHandleTime = .seconds(h.mean) }
            queues.append(QueueSpec(configuration: configuration, share: try f["share"]?.nonNegative() ?? 1, handleTime: handle))
        }

        // Agents.
        let startOfDay = try top["start"]?.clock() ?? 0
        var groups: [AgentGroup] = []
        for (i, item) in try required("agents").sequence().enumerated() {
            let f = try item.mapping(allowed: ["count", "name", "queues", "skills", "shift", "wrap_up"])
            guard let countField = f["count"] else { throw item.fail("each agent group needs a count") }
            let count = try countField.integer()
            guard count >= 0 && count <= 1_000_000 else { throw countField.fail("count must be between 0 and 1,000,000") }
            guard let queuesField = f["queues"] else { throw item.fail("each agent group needs queues: [..]") }
            var memberships: [QueueMembership] = []
            for q in try queuesField.sequence() {
                if case .scalar = q.node {
                    memberships.append(QueueMembership(queue: QueueID(try queueRef(q))))
                } else {
                    let qf = try q.mapping(allowed: ["name", "penalty", "weight"])
                    guard let name = qf["name"] else { throw q.fail("a membership needs name") }
                    memberships.append(QueueMembership(
                        queue: QueueID(try queueRef(name)), penalty: try qf["penalty"]?.integer() ?? 0,
                        weight: try qf["weight"]?.integer() ?? 1))
                }
            }
            var skills: [String: Int] = [:]
            if let s = f["skills"] {
                guard case .mapping(let mapping) = s.node else { throw s.fail("skills is a mapping like {tax: 3}") }
                for (key, value) in mapping {
                    guard let name = key.string, let level = value.string.flatMap({ Int($0) }) else {
                        throw s.fail("skills is a mapping of names to whole-number levels")
                    }
                    skills[name] = level
                }
            }
            var shift: (Double, Double)?
            if let s = f["shift"] {
                let text = try s.string()
                let ends = text.split(separator: "-").map { String($0).trimmingCharacters(in: .whitespaces) }
                guard ends.count == 2, let from = YAMLField.parseClock(ends[0]), let to = YAMLField.parseClock(ends[1]), to > from else {
                    throw s.fail("shift is \"HH:MM-HH:MM\" (clock times, relative to start)")
                }
                shift = (from - startOfDay, to - startOfDay)
            }
            groups.append(AgentGroup(
                count: count, name: try f["name"]?.string() ?? (i == 0 ? "agent" : "group\(i + 1)"),
                memberships: memberships, skills: skills, shift: shift, wrapUp: try f["wrap_up"]?.seconds() ?? 0))
        }

        self.init(duration: duration, seed: UInt64(clamping: try top["seed"]?.integer() ?? 1),
                  serviceLevelSeconds: try top["service_level_seconds"]?.nonNegative() ?? 20,
                  arrivals: periods, handleTime: handle, queues: queues, agents: groups)
        self.startOfDay = startOfDay
        self.interval = interval
        self.patience = try top["patience"]?.distribution(allowNone: true)
        self.ivrTime = try top["ivr"]?.distribution(allowNone: true)
        if let callers = top["callers"] {
            let cf = try callers.mapping(allowed: ["vip_share", "vip_priority", "returning_share"])
            vipShare = try cf["vip_share"]?.nonNegative() ?? 0
            vipPriority = try cf["vip_priority"]?.integer() ?? 10
            returningShare = try cf["returning_share"]?.nonNegative() ?? 0
            if vipShare > 1 { throw cf["vip_share"]!.fail("a share is between 0 and 1") }
            if returningShare > 1 { throw cf["returning_share"]!.fail("a share is between 0 and 1") }
        }
    }

    static let queueKeys: Set<String> = [
        "name", "strategy", "sticky", "skill", "escalation", "max_length", "max_wait", "when_full", "when_max_wait",
        "when_no_agents", "wrap_up", "handle_time", "share",
    ]
}
