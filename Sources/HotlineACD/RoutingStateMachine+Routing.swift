extension RoutingStateMachine {
    // MARK: Calls

    mutating func callArrived(_ id: CallID, queue: QueueID, caller: Caller, into actions: inout [RoutingAction]) throws(RoutingError) {
        guard queues.indices.contains(queue.rawValue) else { throw RoutingError("\(id): \(queue) does not exist") }
        guard callIndex[id.rawValue] == nil else { throw RoutingError("\(id) is in the ACD already") }
        let c: Int
        if let free = freeCallSlots.popLast() {
            c = Int(free)
        } else {
            c = calls.count
            calls.append(CallRecord())
        }
        callIndex[id.rawValue] = Int32(c)
        calls[c].id = id
        calls[c].caller = caller
        calls[c].phase = .arriving
        calls[c].queuedAt = now
        calls[c].sequence = nextCounter()
        calls[c].serial = nextCounter()
        calls[c].isCallback = false
        calls[c].hops = 0
        calls[c].agent = -1
        calls[c].heldFor = -1
        calls[c].escalationStep = 0
        admit(c, to: queue.rawValue, into: &actions)
    }

    /// Puts an arriving (or overflowing) call into a queue, applying limits, sticky routing and routing.
    mutating func admit(_ c: Int, to q: Int, into actions: inout [RoutingAction]) {
        calls[c].queue = Int32(q)
        calls[c].enteredAt = now
        calls[c].serial = nextCounter()  // invalidates timers of a previous queue
        calls[c].escalationStep = 0
        record(.callQueued(CallQueued(call: calls[c].id, queue: QueueID(q), priority: calls[c].caller.priority,
                                      at: Timestamp(microseconds: now))), into: &actions)
        if let action = queues[q].configuration.whenNoAgents, queues[q].loggedIn == 0 {
            overflow(c, reason: .noAgents, action: action, into: &actions)
            return
        }
        if let limit = queues[q].configuration.maximumLength, queues[q].waitingCount >= limit {
            overflow(c, reason: .queueFull, action: queues[q].configuration.whenFull, into: &actions)
            return
        }
        queues[q].waitingCount += 1
        if let wait = queues[q].maximumWait, !calls[c].isCallback {
            schedule(.maximumWait, at: now + wait, subject: c, token: calls[c].serial)
        }
        if !queues[q].escalation.isEmpty { scheduleNextEscalation(c) }
        if let every = queues[q].announcement, !calls[c].isCallback {
            schedule(.announcement, at: now + every, subject: c, token: calls[c].serial)
        }
        if queues[q].isSticky, !calls[c].caller.number.isEmpty,
            let last = lastServed[calls[c].caller.number]
        {
            if now - last.at > queues[q].stickyWindow {
                lastServed[calls[c].caller.number] = nil
            } else {
                let a = Int(last.agent)
                if agents[a].members.contains(where: { $0.queue == Int32(q) }) {
                    switch agents[a].phase {
                    case .ready:
                        calls[c].phase = .waiting
                        queues[q].waitingCount -= 1
                        removeFromReadySets(a)
                        offer(c, to: Int32(a), reason: "sticky", into: &actions)
                        return
                    case .ringing, .onCall, .wrapUp:
                        if agents[a].pendingLogOut == nil && agents[a].pendingNotReady == nil {
                            calls[c].phase = .held
                            calls[c].heldFor = Int32(a)
                            agents[a].stickyHolds.append(Int32(c))
                            schedule(.stickyExpiry, at: now + queues[q].stickyLimit, subject: c, token: calls[c].serial)
                            if queues[q].announcement != nil { announce(c, into: &actions) }
                            return
                        }
                    case .loggedOut, .notReady:
                        break
                    }
                }
            }
        }
        insertWaiting(c)
        if queues[q].announcement != nil && !calls[c].isCallback { announce(c, into: &actions) }
        routeWaitingCall(c, into: &actions)
    }

    /// Puts a call into its queue's priority lane (at its original place: lanes order by arrival).
    mutating func insertWaiting(_ c: Int) {
        let q = Int(calls[c].queue)
        let priority = calls[c].caller.priority
        let stamp = nextCounter()
        calls[c].stamp = stamp
        calls[c].phase = .waiting
        let entry = WaitingEntry(queuedAt: calls[c].queuedAt, sequence: calls[c].sequence, slot: Int32(c), stamp: stamp)
        if let lane = queues[q].lanes.firstIndex(where: { $0.priority == priority }) {
            queues[q].lanes[lane].heap.push(entry)
        } else {
            let position = queues[q].lanes.firstIndex { $0.priority < priority } ?? queues[q].lanes.count
            var lane = Lane(priority: priority)
            lane.heap.push(entry)
            queues[q].lanes.insert(lane, at: position)
        }
    }

    /// Takes a waiting or held call out of its queue (its lane entry becomes stale).
    mutating func takeFromQueue(_ c: Int) {
        let q = Int(calls[c].queue)
        switch calls[c].phase {
        case .waiting:
            calls[c].stamp = 0
            queues[q].waitingCount -= 1
        case .held:
            let a = Int(calls[c].heldFor)
            if let i = agents[a].stickyHolds.firstIndex(of: Int32(c)) { agents[a].stickyHolds.remove(at: i) }
            calls[c].heldFor = -1
            queues[q].waitingCount -= 1
        default:
            break
        }
        calls[c].phase = .arriving
    }

    /// The valid head of a lane, dropping stale entries.
    mutating func head(queue q: Int, lane l: Int) -> WaitingEntry? {
        while let top = queues[q].lanes[l].heap.first {
            if calls[Int(top.slot)].stamp == top.stamp { return top }
            queues[q].lanes[l].heap.popFirst()
        }
        return nil
    }

    /// Finds ready agents for a waiting call (lowest allowed penalty tier first, then the strategy).
    mutating func routeWaitingCall(_ c: Int, into actions: inout [RoutingAction]) {
        let q = Int(calls[c].queue)
        let allowed = allowedPenalty(c)
        for t in queues[q].tiers.indices {
            if queues[q].tiers[t].penalty > allowed { return }
            let count = queues[q].tiers[t].ready.entries.count
            if count == 0 { continue }
            let chosen: Int32
            switch queues[q].strategy {
            case .ringAll:
                let all = queues[q].tiers[t].ready.entries.map(\.agent)
                takeFromQueue(c)
                for a in all { removeFromReadySets(Int(a)) }
                offer(c, to: all, reason: QueueStrategy.ringAll.rawValue, into: &actions)
                return
            case .roundRobin:
                let entries = queues[q].tiers[t].ready.entries
                let last = queues[q].roundRobinLast
                var low = 0
                var high = entries.count
                while low < high {
                    let mid = (low + high) >> 1
                    if entries[mid].key1 <= last { low = mid + 1 } else { high = mid }
                }
                chosen = entries[low < entries.count ? low : 0].agent
            case .random:
                chosen = queues[q].tiers[t].ready.entries[random.next(below: count)].agent
            case .weightedRandom:
                var total = 0
                for entry in queues[q].tiers[t].ready.entries { total += Int(entry.key2) }
                var pick = random.next(below: total)
                var found = queues[q].tiers[t].ready.entries[0].agent
                for entry in queues[q].tiers[t].ready.entries {
                    if pick < Int(entry.key2) { found = entry.agent; break }
                    pick -= Int(entry.key2)
                }
                chosen = found
            case .linear, .fewestCalls, .leastTalkTime, .longestIdleAgent, .skillsBased:
                chosen = queues[q].tiers[t].ready.entries[0].agent
            }
            takeFromQueue(c)
            removeFromReadySets(Int(chosen))
            offer(c, to: chosen, reason: queues[q].strategy.rawValue, into: &actions)
            return
        }
    }

    /// Rings one or more agents (already out of the ready sets) with a call (already out of the queue).
    mutating func offer(_ c: Int, to ringing: [Int32], reason: String, into actions: inout [RoutingAction]) {
        if ringing.count == 1 {
            offer(c, to: ringing[0], reason: reason, into: &actions)
            return
        }
        let q = Int(calls[c].queue)
        calls[c].phase = .ringing
        calls[c].agent = ringing[0]
        calls[c].extraRinging = Array(ringing.dropFirst())
        let token = nextCounter()
        calls[c].offerToken = token
        for agent in ringing { ring(c, agent: Int(agent), reason: reason, into: &actions) }
        if let timeout = queues[q].ringTimeout {
            schedule(.ringTimeout, at: now + timeout, subject: c, token: token)
        }
    }

    /// Rings one agent (already out of the ready sets) with a call (already out of the queue).
    mutating func offer(_ c: Int, to agent: Int32, reason: String, into actions: inout [RoutingAction]) {
        let q = Int(calls[c].queue)
        calls[c].phase = .ringing
        calls[c].agent = agent
        if !calls[c].extraRinging.isEmpty { calls[c].extraRinging = [] }
        let token = nextCounter()
        calls[c].offerToken = token
        ring(c, agent: Int(agent), reason: reason, into: &actions)
        if queues[q].strategy == .roundRobin,
            let member = agents[Int(agent)].members.first(where: { $0.queue == Int32(q) })
        {
            queues[q].roundRobinLast = member.order
        }
        if let timeout = queues[q].ringTimeout {
            schedule(.ringTimeout, at: now + timeout, subject: c, token: token)
        }
    }

    mutating func ring(_ c: Int, agent a: Int, reason: String, into actions: inout [RoutingAction]) {
        let id = calls[c].id
        agents[a].call = Int32(c)
        agents[a].callID = id
        setPhase(a, .ringing, reason: "call offered", into: &actions)
        actions.append(.offer(id, agent: agents[a].id, isCallback: calls[c].isCallback))
        record(.callOffered(CallOffered(call: id, agent: agents[a].id, queue: QueueID(Int(calls[c].queue)), reason: reason,
                                        at: Timestamp(microseconds: now))), into: &actions)
    }

    mutating func answer(_ c: Int, by a: Int, into actions: inout [RoutingAction]) {
        let q = Int(calls[c].queue)
        var losers: [Int32] = []
        if !calls[c].extraRinging.isEmpty {
            losers = ([calls[c].agent] + calls[c].extraRinging).filter { $0 != Int32(a) }
        }
        calls[c].phase = .connected
        calls[c].agent = Int32(a)
        calls[c].extraRinging = []
        calls[c].answeredAt = now
        calls[c].offerToken = 0
        agents[a].unanswered = 0
        setPhase(a, .onCall, reason: "answered", into: &actions)
        let id = calls[c].id
        actions.append(.connect(id, agent: agents[a].id))
        record(.callAnswered(CallAnswered(call: id, agent: agents[a].id, queue: QueueID(q),
                                          waitedMicroseconds: now - calls[c].queuedAt,
                                          at: Timestamp(microseconds: now))), into: &actions)
        if queues[q].isSticky, !calls[c].caller.number.isEmpty {
            lastServed[calls[c].caller.number] = (Int32(a), now)
            if lastServed.count >= lastServedPruneAt {
                // Forget callers outside every sticky window, so memory stays bounded.
                let horizon = now - longestStickyWindow
                lastServed = lastServed.filter { $0.value.at >= horizon }
                lastServedPruneAt = max(4096, lastServed.count * 2)
            }
        }
        for loser in losers {
            let l = Int(loser)
            actions.append(.stopRinging(id, agent: agents[l].id))
            record(.offerUnanswered(OfferUnanswered(call: id, agent: agents[l].id, reason: "answered elsewhere",
                                                    at: Timestamp(microseconds: now))), into: &actions)
            agents[l].call = -1
            becomeAvailable(l, reason: "answered elsewhere", resetIdle: false, into: &actions)
        }
    }

    /// Takes an offer back from some of the agents ringing with it; when none is left the call
    /// returns to its place in the queue and is routed again.
    mutating func withdraw(_ c: Int, from withdrawn: [Int32], reason: String, countsAsUnanswered: Bool,
                           into actions: inout [RoutingAction]) {
        let id = calls[c].id
        var remaining = [calls[c].agent] + calls[c].extraRinging
        remaining.removeAll { withdrawn.contains($0) }
        for agent in withdrawn {
            let a = Int(agent)
            actions.append(.stopRinging(id, agent: agents[a].id))
            record(.offerUnanswered(OfferUnanswered(call: id, agent: agents[a].id, reason: reason,
                                                    at: Timestamp(microseconds: now))), into: &actions)
            agents[a].call = -1
        }
        let q = Int(calls[c].queue)
        let ringAgain = remaining.isEmpty && queues[q].strategy == .ringAll && withdrawn.count > 1
        if remaining.isEmpty {
            calls[c].agent = -1
            calls[c].extraRinging = []
            calls[c].offerToken = 0
            queues[q].waitingCount += 1
            insertWaiting(c)
            if !ringAgain { routeWaitingCall(c, into: &actions) }
        } else {
            calls[c].agent = remaining[0]
            calls[c].extraRinging = Array(remaining.dropFirst())
        }
        var returning: [Int] = []
        for agent in withdrawn {
            let a = Int(agent)
            if countsAsUnanswered {
                agents[a].unanswered += 1
                if agents[a].unanswered >= agents[a].maximumUnanswered {
                    agents[a].unanswered = 0
                    let n = agents[a].maximumUnanswered
                    setPhase(a, .notReady, reason: "no-answer", detail: "\(n) unanswered offers", into: &actions)
                    continue
                }
            }
            if ringAgain && agents[a].pendingLogOut == nil && agents[a].pendingNotReady == nil {
                // Ring-all: everyone who rang is ready again before the call is rung anew, so it rings
                // at all of them (and any other ready agent of the tier), not only at the first.
                setPhase(a, .ready, reason: reason, into: &actions)
                insertIntoReadySets(a)
                returning.append(a)
            } else {
                becomeAvailable(a, reason: reason, resetIdle: false, into: &actions)
            }
        }
        if ringAgain {
            if calls[c].phase == .waiting { routeWaitingCall(c, into: &actions) }
            // Agents the call did not take (another tier) look for other callers.
            for a in returning where agents[a].phase == .ready {
                removeFromReadySets(a)
                becomeAvailable(a, reason: reason, resetIdle: false, into: &actions)
            }
        }
    }

    mutating func callerHungUp(_ c: Int, into actions: inout [RoutingAction]) {
        let q = Int(calls[c].queue)
        let id = calls[c].id
        switch calls[c].phase {
        case .waiting, .held:
            takeFromQueue(c)
            record(.callAbandoned(CallAbandoned(call: id, queue: QueueID(q), waitedMicroseconds: now - calls[c].queuedAt,
                                                at: Timestamp(microseconds: now))), into: &actions)
            freeCall(c)
        case .ringing:
            let ringing = [calls[c].agent] + calls[c].extraRinging
            record(.callAbandoned(CallAbandoned(call: id, queue: QueueID(q), waitedMicroseconds: now - calls[c].queuedAt,
                                                at: Timestamp(microseconds: now))), into: &actions)
            freeCall(c)
            for agent in ringing {
                let a = Int(agent)
                actions.append(.stopRinging(id, agent: agents[a].id))
                record(.offerUnanswered(OfferUnanswered(call: id, agent: agents[a].id, reason: "caller hung up",
                                                        at: Timestamp(microseconds: now))), into: &actions)
                agents[a].call = -1
                becomeAvailable(a, reason: "caller hung up", resetIdle: false, into: &actions)
            }
        case .connected:
            endCall(c, into: &actions)
        case .free, .arriving:
            break
        }
    }

    mutating func endCall(_ c: Int, into actions: inout [RoutingAction]) {
        let q = Int(calls[c].queue)
        let a = Int(calls[c].agent)
        let talk = now - calls[c].answeredAt
        if let m = agents[a].members.firstIndex(where: { $0.queue == Int32(q) }) {
            agents[a].members[m].calls += 1
            agents[a].members[m].talk += talk
        }
        agents[a].callsAnswered += 1
        agents[a].talk += talk
        let wrap = queues[q].wrapUp ?? agents[a].wrapUp
        queues[q].handleMean += (Double(talk + wrap) - queues[q].handleMean) * 0.05
        record(.callCompleted(CallCompleted(call: calls[c].id, agent: agents[a].id, queue: QueueID(q),
                                            talkMicroseconds: talk, at: Timestamp(microseconds: now))), into: &actions)
        freeCall(c)
        agents[a].call = -1
        if wrap > 0 {
            agents[a].wrapUntil = now + wrap
            setPhase(a, .wrapUp, reason: "call ended", into: &actions)
            schedule(.wrapUpEnd, at: now + wrap, subject: a, token: agents[a].token)
        } else {
            becomeAvailable(a, reason: "call ended", resetIdle: true, into: &actions)
        }
    }

    mutating func freeCall(_ c: Int) {
        callIndex[calls[c].id.rawValue] = nil
        calls[c].phase = .free
        calls[c].stamp = 0
        calls[c].serial = 0
        calls[c].offerToken = 0
        calls[c].caller = Caller()
        calls[c].extraRinging = []
        freeCallSlots.append(Int32(c))
    }

    // MARK: Overflow

    mutating func overflow(_ c: Int, reason: OverflowReason, action: OverflowAction, into actions: inout [RoutingAction]) {
        let q = Int(calls[c].queue)
        let id = calls[c].id
        record(.callOverflowed(CallOverflowed(call: id, queue: QueueID(q), reason: reason, action: action,
                                              at: Timestamp(microseconds: now))), into: &actions)
        switch action {
        case .queue(let target) where calls[c].hops < 8 && target.rawValue != q && queues.indices.contains(target.rawValue):
            takeFromQueue(c)
            calls[c].hops += 1
            admit(c, to: target.rawValue, into: &actions)
        case .callback:
            actions.append(.overflow(id, reason: reason, action: .callback))
            calls[c].isCallback = true
            if calls[c].phase == .arriving {
                // Refused at the door (full, or nobody logged in): keep a place at the end.
                queues[q].waitingCount += 1
                insertWaiting(c)
                routeWaitingCall(c, into: &actions)
            }
        default:
            takeFromQueue(c)
            let final: OverflowAction = if case .queue = action { .voicemail } else { action }
            actions.append(.overflow(id, reason: reason, action: final))
            freeCall(c)
        }
    }

    mutating func releaseHold(_ c: Int, into actions: inout [RoutingAction]) {
        let a = Int(calls[c].heldFor)
        if let i = agents[a].stickyHolds.firstIndex(of: Int32(c)) { agents[a].stickyHolds.remove(at: i) }
        calls[c].heldFor = -1
        insertWaiting(c)
        routeWaitingCall(c, into: &actions)
    }

    // MARK: Agents

    /// Changes an agent's phase, keeping the per-queue logged-in/active counts and emitting the event.
    mutating func setPhase(_ a: Int, _ phase: AgentPhase, reason: String, detail: String? = nil,
                           into actions: inout [RoutingAction]) {
        let old = agents[a].phase
        let before = recordsEvents ? publicState(a) : .loggedOut
        let wasIn = old != .loggedOut
        let isIn = phase != .loggedOut
        let wasActive = old != .loggedOut && old != .notReady
        let isActive = phase != .loggedOut && phase != .notReady
        if wasIn != isIn || wasActive != isActive {
            for m in agents[a].members {
                let q = Int(m.queue)
                if wasIn != isIn { queues[q].loggedIn += isIn ? 1 : -1 }
                if wasActive != isActive { queues[q].active += isActive ? 1 : -1 }
            }
        }
        agents[a].phase = phase
        if phase == .notReady { agents[a].reason = reason }
        agents[a].token = nextCounter()
        if recordsEvents {
            actions.append(.record(.agentStateChanged(AgentStateChanged(
                agent: agents[a].id, from: before, to: publicState(a), reason: detail ?? reason,
                at: Timestamp(microseconds: now)))))
        }
        if (phase == .notReady || phase == .loggedOut) && !agents[a].stickyHolds.isEmpty {
            let holds = agents[a].stickyHolds
            for c in holds where calls[Int(c)].phase == .held { releaseHold(Int(c), into: &actions) }
        }
    }

    mutating func removeFromReadySets(_ a: Int) {
        for m in agents[a].members {
            queues[Int(m.queue)].tiers[Int(m.tier)].ready.remove(ReadySet.Entry(key1: m.key1, key2: m.key2, agent: Int32(a)))
        }
    }

    mutating func insertIntoReadySets(_ a: Int) {
        let idle = agents[a].idleSince
        for i in agents[a].members.indices {
            let m = agents[a].members[i]
            let q = Int(m.queue)
            let key: (Int64, Int64)
            switch queues[q].strategy {
            case .longestIdleAgent: key = (idle, m.order)
            case .fewestCalls: key = (m.calls, idle)
            case .leastTalkTime: key = (m.talk, idle)
            case .skillsBased: key = (Int64(-m.level), idle)
            case .weightedRandom: key = (m.order, Int64(m.weight))
            case .ringAll, .roundRobin, .linear, .random: key = (m.order, 0)
            }
            agents[a].members[i].key1 = key.0
            agents[a].members[i].key2 = key.1
            queues[q].tiers[Int(m.tier)].ready.insert(ReadySet.Entry(key1: key.0, key2: key.1, agent: Int32(a)))
        }
    }

    /// The agent is free: apply a pending logout or not-ready, else serve the best waiting caller of
    /// the agent's queues (sticky holds first, then highest priority, then longest waiting across all
    /// the agent's queues), else join the ready sets.
    mutating func becomeAvailable(_ a: Int, reason: String, resetIdle: Bool, into actions: inout [RoutingAction]) {
        if let logOutReason = agents[a].pendingLogOut {
            agents[a].pendingLogOut = nil
            agents[a].pendingNotReady = nil
            setPhase(a, .loggedOut, reason: logOutReason, into: &actions)
            overflowIfNobodyLeft(a, into: &actions)
            return
        }
        if let notReadyReason = agents[a].pendingNotReady {
            agents[a].pendingNotReady = nil
            setPhase(a, .notReady, reason: notReadyReason, into: &actions)
            return
        }
        if resetIdle || agents[a].phase == .loggedOut { agents[a].idleSince = now }
        setPhase(a, .ready, reason: reason, into: &actions)
        // Sticky holds: callers waiting for this agent in particular, oldest first.
        if let held = agents[a].stickyHolds.first {
            takeFromQueue(Int(held))
            offer(Int(held), to: Int32(a), reason: "sticky", into: &actions)
            return
        }
        var best: WaitingEntry?
        var bestPriority = Int.min
        for member in agents[a].members {
            let q = Int(member.queue)
            if queues[q].waitingCount == 0 { continue }
            for l in queues[q].lanes.indices {
                let priority = queues[q].lanes[l].priority
                if priority < bestPriority { break }
                guard let top = head(queue: q, lane: l) else { continue }
                if member.penalty > allowedPenalty(Int(top.slot)) { continue }
                if best == nil || priority > bestPriority || (priority == bestPriority && top < best!) {
                    best = top
                    bestPriority = priority
                }
                break
            }
        }
        if let best {
            let c = Int(best.slot)
            let q = Int(calls[c].queue)
            if queues[q].strategy == .ringAll {
                insertIntoReadySets(a)
                routeWaitingCall(c, into: &actions)
            } else {
                takeFromQueue(c)
                offer(c, to: Int32(a), reason: queues[q].strategy.rawValue, into: &actions)
            }
            return
        }
        insertIntoReadySets(a)
    }

    mutating func logOut(_ a: Int, reason: String, into actions: inout [RoutingAction]) throws(RoutingError) {
        switch agents[a].phase {
        case .loggedOut:
            throw RoutingError("\(agents[a].id) is logged out already")
        case .ready:
            removeFromReadySets(a)
            setPhase(a, .loggedOut, reason: reason, into: &actions)
        case .notReady, .wrapUp:
            setPhase(a, .loggedOut, reason: reason, into: &actions)
        case .ringing:
            agents[a].pendingLogOut = reason
            withdraw(Int(agents[a].call), from: [Int32(a)], reason: "agent logged out", countsAsUnanswered: false,
                     into: &actions)
            return
        case .onCall:
            agents[a].pendingLogOut = reason
            return
        }
        overflowIfNobodyLeft(a, into: &actions)
    }

    /// When the agent's logout left a queue without anyone logged in, waiting callers take the
    /// queue's no-agents overflow (if configured).
    mutating func overflowIfNobodyLeft(_ a: Int, into actions: inout [RoutingAction]) {
        for member in agents[a].members {
            let q = Int(member.queue)
            guard queues[q].loggedIn == 0, queues[q].waitingCount > 0,
                let action = queues[q].configuration.whenNoAgents
            else { continue }
            var slots: [Int] = []
            for lane in queues[q].lanes {
                for entry in lane.heap.storage where calls[Int(entry.slot)].stamp == entry.stamp {
                    slots.append(Int(entry.slot))
                }
            }
            slots.sort { calls[$0].queuedAt < calls[$1].queuedAt }
            for c in slots where !calls[c].isCallback {
                overflow(c, reason: .noAgents, action: action, into: &actions)
            }
        }
    }
}
