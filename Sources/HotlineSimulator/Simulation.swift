import HotlineACD
import Foundation

/// A discrete-event simulation of a call center on a virtual clock, routing every call through the
/// production ``RoutingStateMachine``.
///
/// Callers arrive (Poisson, per period), optionally spend time in the IVR, join a queue, and either
/// get an agent (who answers at once, talks for a drawn handle time, then wraps up) or hang up when
/// their patience runs out. The ACD decides everything about routing; the simulator only plays the
/// callers, the agents' phones and the clock.
public struct Simulation: Sendable {
    struct Event: Comparable, Sendable {
        enum Kind: UInt8 { case arrival, enterQueue, hangUp, abandon, shiftStart, shiftEnd }
        var time: Int64
        var sequence: UInt64
        var kind: Kind
        var subject: Int32
        var token: UInt32

        static func < (lhs: Event, rhs: Event) -> Bool {
            lhs.time != rhs.time ? lhs.time < rhs.time : lhs.sequence < rhs.sequence
        }
    }

    struct SimCall {
        enum State: UInt8 { case free, ivr, waiting, connected, callback }
        var state: State = .free
        var generation: UInt32 = 0
        var queue: Int32 = 0
        var entered: Int64 = 0
        var answeredAt: Int64 = 0
        var handle: Int64 = 0
        var agent: Int32 = -1
        var caller = Caller()
    }

    let scenario: Scenario
    var acd: RoutingStateMachine
    var random: SeededRandom
    var events = MinHeap<Event>()
    var sequence: UInt64 = 0
    var calls: [SimCall] = []
    var freeSlots: [Int32] = []
    var actions: [RoutingAction] = []
    var now: Int64 = 0

    // Arrivals.
    var periodIndex = 0
    var periodStart: Int64 = 0
    let periodLength: [Int64]
    let periodRate: [Double]  // calls per microsecond
    let durationMicros: Int64
    let queueShares: [Double]
    let queueHandle: [Distribution]
    let queueWrap: [Int64?]
    let usesNumbers: Bool
    var numberCounter: Int64 = 13_800_000_000
    var servedNumbers: [String] = []
    var servedCursor = 0

    // Agents.
    var agentNames: [String] = []
    var agentWrap: [Int64] = []
    var agentShift: [(Int64, Int64)] = []

    // Statistics.
    let intervalMicros: Int64
    let intervalCount: Int
    let targetMicros: Int64
    var tallies: [Tally]
    var classTallies = [Tally(), Tally()]  // regular, priority (VIP)
    var inconsistencies = 0

    /// Prepares a run.
    /// - Parameters:
    ///   - scenario: The scenario.
    ///   - seed: Overrides the scenario's seed.
    /// - Throws: ``ScenarioError`` when the ACD refuses the configuration (e.g. an agent lacks a skill).
    public init(_ scenario: Scenario, seed: UInt64? = nil) throws(ScenarioError) {
        var scenario = scenario
        if let seed { scenario.seed = seed }
        self.scenario = scenario
        random = SeededRandom(seed: scenario.seed)
        acd = RoutingStateMachine(seed: ~scenario.seed, recordsEvents: false)
        durationMicros = Int64(scenario.duration * 1_000_000)
        periodLength = scenario.arrivals.map { Int64(min(max($0.length, 0), scenario.duration) * 1_000_000) }
        periodRate = scenario.arrivals.map { $0.perHour / 3_600_000_000 }
        let totalShare = scenario.queues.reduce(0) { $0 + $1.share }
        var cumulative = 0.0
        queueShares = scenario.queues.map { spec in
            cumulative += spec.share
            return totalShare > 0 ? cumulative / totalShare : 1
        }
        queueHandle = scenario.queues.map { $0.handleTime ?? scenario.handleTime }
        queueWrap = scenario.queues.map { $0.configuration.wrapUp.map { Int64($0.components.seconds * 1_000_000) + $0.components.attoseconds / 1_000_000_000_000 } }
        usesNumbers = scenario.returningShare > 0 || scenario.queues.contains { $0.configuration.sticky != nil }
        intervalMicros = Int64(scenario.interval * 1_000_000)
        intervalCount = max(1, Int((durationMicros + intervalMicros - 1) / intervalMicros))
        targetMicros = Int64(scenario.serviceLevelSeconds * 1_000_000)
        tallies = Array(repeating: Tally(), count: scenario.queues.count * intervalCount)

        for spec in scenario.queues {
            do { try acd.addQueue(spec.configuration) } catch { throw ScenarioError("queue \"\(spec.configuration.name)\": \(error)") }
        }
        for group in scenario.agents {
            for i in 0..<group.count {
                let id = AgentID(agentNames.count)
                let name = group.count == 1 ? group.name : "\(group.name)-\(i + 1)"
                do {
                    try acd.addAgent(AgentConfiguration(
                        id: id, name: name, skills: group.skills, memberships: group.memberships,
                        wrapUp: .microseconds(Int64(group.wrapUp * 1_000_000)), maximumUnansweredOffers: nil))
                } catch {
                    throw ScenarioError("agents \"\(group.name)\": \(error)")
                }
                agentNames.append(name)
                agentWrap.append(Int64(group.wrapUp * 1_000_000))
                if let shift = group.shift {
                    agentShift.append((Int64(shift.start * 1_000_000), Int64(shift.end * 1_000_000)))
                } else {
                    agentShift.append((0, Int64.max))
                }
            }
        }
    }

    /// Runs a scenario to the end and reports.
    /// - Parameters:
    ///   - scenario: The scenario.
    ///   - seed: Overrides the scenario's seed.
    /// - Returns: The report.
    /// - Throws: ``ScenarioError`` when the configuration is refused or the ACD rejected an input the
    ///   simulator produced (a bug, reported rather than hidden).
    public static func run(_ scenario: Scenario, seed: UInt64? = nil) throws(ScenarioError) -> SimulationReport {
        var simulation = try Simulation(scenario, seed: seed)
        return try simulation.run()
    }

    mutating func push(_ kind: Event.Kind, at time: Int64, subject: Int, token: UInt32 = 0) {
        sequence &+= 1
        let event = Event(time: time, sequence: sequence, kind: kind, subject: Int32(subject), token: token)
        events.push(event)
    }

    /// Runs to the end: arrivals stop at the scenario's duration; calls already in are served.
    /// - Returns: The report.
    /// - Throws: ``ScenarioError`` when the ACD rejected an input the simulator produced.
    public mutating func run() throws(ScenarioError) -> SimulationReport {
        events.reserveCapacity(1024)
        actions.reserveCapacity(64)
        for (a, shift) in agentShift.enumerated() {
            let start = max(0, shift.0)
            if start < durationMicros {
                push(.shiftStart, at: start, subject: a)
                if shift.1 < durationMicros { push(.shiftEnd, at: shift.1, subject: a) }
            }
        }
        scheduleNextArrival(from: 0)
        while true {
            let deadline = acd.nextDeadline?.microseconds
            if let first = events.first {
                if let deadline, deadline < first.time {
                    now = deadline
                    actions.removeAll(keepingCapacity: true)
                    acd.advance(to: Timestamp(microseconds: deadline), into: &actions)
                    perform()
                    continue
                }
                guard let event = events.popFirst() else { break }
                now = event.time
                handle(event)
            } else if let deadline {
                now = deadline
                actions.removeAll(keepingCapacity: true)
                acd.advance(to: Timestamp(microseconds: deadline), into: &actions)
                perform()
            } else {
                break
            }
        }
        if inconsistencies > 0 {
            throw ScenarioError("the ACD rejected \(inconsistencies) simulator inputs; this is a bug")
        }
        return report()
    }

    mutating func feed(_ input: RoutingInput) {
        actions.removeAll(keepingCapacity: true)
        do {
            try acd.handle(input, at: Timestamp(microseconds: now), into: &actions)
        } catch {
            inconsistencies += 1
        }
        perform()
    }

    mutating func handle(_ event: Event) {
        let s = Int(event.subject)
        switch event.kind {
        case .arrival:
            arrive()
            scheduleNextArrival(from: now)
        case .enterQueue:
            enterQueue(s)
        case .abandon:
            guard calls[s].generation == event.token, calls[s].state == .waiting else { return }
            let wait = Double(now - calls[s].entered) / 1_000_000
            tally(s) { t in
                t.abandoned += 1
                if wait > 0 { t.waited += 1 }
                t.maxWait = max(t.maxWait, wait)
            }
            feed(.callerHungUp(CallID(UInt64(s))))
            release(s)
        case .hangUp:
            guard calls[s].generation == event.token, calls[s].state == .connected else { return }
            let a = Int(calls[s].agent)
            let q = Int(calls[s].queue)
            let wrap = queueWrap[q] ?? agentWrap[a]
            addBusy(queue: q, from: calls[s].answeredAt, to: now + wrap)
            feed(.callEnded(CallID(UInt64(s))))
            release(s)
        case .shiftStart:
            feed(.logIn(AgentID(s)))
        case .shiftEnd:
            feed(.logOut(AgentID(s)))
        }
    }

    mutating func scheduleNextArrival(from t: Int64) {
        var t = t
        while periodIndex < periodRate.count {
            let isLast = periodIndex == periodRate.count - 1
            let end = isLast ? durationMicros : min(durationMicros, periodStart + periodLength[periodIndex])
            let rate = periodRate[periodIndex]
            if rate > 0 {
                let gap = -log1p(-random.nextUnit()) / rate
                let next = Double(t) + gap
                if next < Double(end) {
                    push(.arrival, at: Int64(next), subject: 0)
                    return
                }
            }
            if isLast || end >= durationMicros { return }
            t = end
            periodStart = end
            periodIndex += 1
        }
    }

    mutating func arrive() {
        let s: Int
        if let free = freeSlots.popLast() {
            s = Int(free)
        } else {
            s = calls.count
            calls.append(SimCall())
        }
        var q = 0
        if queueShares.count > 1 {
            let u = random.nextUnit()
            while q < queueShares.count - 1 && u >= queueShares[q] { q += 1 }
        }
        calls[s].generation &+= 1
        calls[s].queue = Int32(q)
        calls[s].handle = Int64(queueHandle[q].sample(&random) * 1_000_000)
        var caller = Caller()
        if scenario.vipShare > 0 && random.nextUnit() < scenario.vipShare { caller.priority = scenario.vipPriority }
        if usesNumbers {
            if scenario.returningShare > 0 && !servedNumbers.isEmpty && random.nextUnit() < scenario.returningShare {
                caller.number = servedNumbers[random.next(below: servedNumbers.count)]
            } else {
                numberCounter += 1
                caller.number = String(numberCounter)
            }
        }
        calls[s].caller = caller
        if let ivr = scenario.ivrTime {
            calls[s].state = .ivr
            push(.enterQueue, at: now + Int64(ivr.sample(&random) * 1_000_000), subject: s)
        } else {
            enterQueue(s)
        }
    }

    mutating func enterQueue(_ s: Int) {
        calls[s].state = .waiting
        calls[s].entered = now
        let interval = min(Int(now / intervalMicros), intervalCount - 1)
        tallies[Int(calls[s].queue) * intervalCount + interval].offered += 1
        classTallies[calls[s].caller.priority > 0 ? 1 : 0].offered += 1
        if let patience = scenario.patience {
            push(.abandon, at: now + Int64(patience.sample(&random) * 1_000_000), subject: s, token: calls[s].generation)
        }
        feed(.callArrived(CallID(UInt64(s)), queue: QueueID(Int(calls[s].queue)), caller: calls[s].caller))
    }

    /// Performs the ACD's actions: agents answer offers at once; connected calls end after their handle time.
    mutating func perform() {
        var i = 0
        while i < actions.count {
            switch actions[i] {
            case .offer(let call, let agent, _):
                let s = Int(call.rawValue)
                if calls[s].state == .waiting || calls[s].state == .callback {
                    do {
                        try acd.handle(.agentAnswered(agent, call), at: Timestamp(microseconds: now), into: &actions)
                    } catch {
                        inconsistencies += 1
                    }
                }
            case .connect(let call, let agent):
                let s = Int(call.rawValue)
                calls[s].state = .connected
                calls[s].answeredAt = now
                calls[s].agent = Int32(agent.rawValue)
                let wait = Double(now - calls[s].entered) / 1_000_000
                let within = now - calls[s].entered <= targetMicros
                tally(s) { t in
                    t.answered += 1
                    t.waitSumAnswered += wait
                    if wait > 0 { t.waited += 1 }
                    if within { t.withinTarget += 1 }
                    t.maxWait = max(t.maxWait, wait)
                }
                if usesNumbers && !calls[s].caller.number.isEmpty {
                    if servedNumbers.count < 50_000 {
                        servedNumbers.append(calls[s].caller.number)
                    } else {
                        servedNumbers[servedCursor] = calls[s].caller.number
                        servedCursor = (servedCursor + 1) % servedNumbers.count
                    }
                }
                push(.hangUp, at: now + calls[s].handle, subject: s, token: calls[s].generation)
            case .overflow(let call, _, let action):
                let s = Int(call.rawValue)
                if action == .callback {
                    calls[s].state = .callback
                } else {
                    let wait = Double(now - calls[s].entered) / 1_000_000
                    tally(s) { t in
                        t.overflowed += 1
                        if wait > 0 { t.waited += 1 }
                        t.maxWait = max(t.maxWait, wait)
                    }
                    release(s)
                }
            case .stopRinging, .announce, .record:
                break
            }
            i += 1
        }
    }

    mutating func tally(_ s: Int, _ update: (inout Tally) -> Void) {
        let interval = min(Int(calls[s].entered / intervalMicros), intervalCount - 1)
        update(&tallies[Int(calls[s].queue) * intervalCount + interval])
        update(&classTallies[calls[s].caller.priority > 0 ? 1 : 0])
    }

    mutating func release(_ s: Int) {
        calls[s].state = .free
        calls[s].caller = Caller()
        freeSlots.append(Int32(s))
    }

    /// Adds busy time to a queue's intervals, clipped to the scenario's duration.
    mutating func addBusy(queue q: Int, from: Int64, to: Int64) {
        var start = max(0, from)
        let end = min(to, durationMicros)
        while start < end {
            let k = Int(start / intervalMicros)
            let boundary = min(end, Int64(k + 1) * intervalMicros)
            tallies[q * intervalCount + min(k, intervalCount - 1)].busy += Double(boundary - start) / 1_000_000
            start = boundary
        }
    }

    func label(_ k: Int) -> String {
        let seconds = Int(scenario.startOfDay) + k * Int(scenario.interval)
        let h = seconds / 3600
        let m = (seconds % 3600) / 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }

    mutating func report() -> SimulationReport {
        // Staffed time per queue and interval, from the shifts (clipped to the duration). An agent
        // serving k queues counts 1/k of their logged-in time towards each, so queues add up to the total.
        var staffedOnce = [Double](repeating: 0, count: intervalCount)
        for (a, shift) in agentShift.enumerated() {
            var start = max(0, shift.0)
            let end = min(shift.1, durationMicros)
            guard let statistics = acd.statistics(of: AgentID(a)), !statistics.perQueue.isEmpty else { continue }
            let share = 1 / Double(statistics.perQueue.count)
            while start < end {
                let k = min(Int(start / intervalMicros), intervalCount - 1)
                let boundary = min(end, Int64(k + 1) * intervalMicros)
                let seconds = Double(boundary - start) / 1_000_000
                staffedOnce[k] += seconds
                for member in statistics.perQueue {
                    tallies[member.queue.rawValue * intervalCount + k].staffed += seconds * share
                }
                start = boundary
            }
        }
        var total = Tally()
        var perQueue: [QueueFigures] = []
        for (q, spec) in scenario.queues.enumerated() {
            var t = Tally()
            for k in 0..<intervalCount { t.add(tallies[q * intervalCount + k]) }
            total.add(t)
            perQueue.append(QueueFigures(name: spec.configuration.name, figures: t.figures))
        }
        var perInterval: [IntervalFigures] = []
        for k in 0..<intervalCount {
            var t = Tally()
            for q in scenario.queues.indices { t.add(tallies[q * intervalCount + k]) }
            t.staffed = staffedOnce[k]
            perInterval.append(IntervalFigures(start: label(k), figures: t.figures))
        }
        let agents = agentNames.indices.map { a in
            let statistics = acd.statistics(of: AgentID(a))
            return AgentFigures(
                name: agentNames[a], calls: statistics?.callsAnswered ?? 0,
                talkSeconds: Double(statistics.map { $0.talkTime.components.seconds } ?? 0)
                    + Double(statistics.map { $0.talkTime.components.attoseconds } ?? 0) / 1e18)
        }
        return SimulationReport(
            seed: scenario.seed, serviceLevelSeconds: scenario.serviceLevelSeconds, total: total.figures,
            queues: perQueue, intervals: perInterval, agents: agents,
            callerClasses: scenario.vipShare > 0
                ? [QueueFigures(name: "regular", figures: classTallies[0].figures),
                   QueueFigures(name: "priority", figures: classTallies[1].figures)]
                : [])
    }
}
