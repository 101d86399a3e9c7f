extension RoutingStateMachine {
    /// Feeds one input into the ACD.
    ///
    /// Timers due at or before `now` fire first, so the result is the same whether or not the driver
    /// called ``advance(to:into:)`` exactly at ``nextDeadline``.
    /// - Parameters:
    ///   - input: What happened.
    ///   - now: When it happened (never earlier than a previous input).
    ///   - actions: Receives the actions to perform, in order (appended; not cleared).
    /// - Throws: ``RoutingError`` when the input does not fit the current state (unknown call or agent,
    ///   answering a call that is not ringing, …); the ACD is unchanged apart from timers that fired.
    public mutating func handle(_ input: RoutingInput, at now: Timestamp, into actions: inout [RoutingAction]) throws(RoutingError) {
        advance(to: now, into: &actions)
        switch input {
        case .callArrived(let id, let queue, let caller):
            try callArrived(id, queue: queue, caller: caller, into: &actions)
        case .callerHungUp(let id):
            let c = try callSlot(id)
            callerHungUp(c, into: &actions)
        case .callbackRequested(let id):
            let c = try callSlot(id)
            guard calls[c].phase == .waiting || calls[c].phase == .held else {
                throw RoutingError("\(id) is not waiting; a callback can only be requested while waiting")
            }
            if !calls[c].isCallback {
                calls[c].isCallback = true
                record(.callOverflowed(CallOverflowed(
                    call: id, queue: QueueID(Int(calls[c].queue)), reason: .callerRequest, action: .callback,
                    at: Timestamp(microseconds: self.now))), into: &actions)
            }
        case .agentAnswered(let agent, let id):
            let a = try agentSlot(agent)
            let c = try callSlot(id)
            guard calls[c].phase == .ringing, agents[a].phase == .ringing, agents[a].call == Int32(c) else {
                throw RoutingError("\(agent) answered \(id), which is not ringing at that agent")
            }
            answer(c, by: a, into: &actions)
        case .agentDeclined(let agent, let id):
            let a = try agentSlot(agent)
            let c = try callSlot(id)
            guard calls[c].phase == .ringing, agents[a].phase == .ringing, agents[a].call == Int32(c) else {
                throw RoutingError("\(agent) declined \(id), which is not ringing at that agent")
            }
            withdraw(c, from: [Int32(a)], reason: "declined", countsAsUnanswered: true, into: &actions)
        case .callEnded(let id):
            let c = try callSlot(id)
            guard calls[c].phase == .connected else { throw RoutingError("\(id) is not connected") }
            endCall(c, into: &actions)
        case .logIn(let agent):
            let a = try agentSlot(agent)
            guard agents[a].phase == .loggedOut else { throw RoutingError("\(agent) is logged in already") }
            agents[a].pendingLogOut = nil
            agents[a].pendingNotReady = nil
            agents[a].unanswered = 0
            becomeAvailable(a, reason: "login", resetIdle: true, into: &actions)
        case .logOut(let agent):
            let a = try agentSlot(agent)
            try logOut(a, reason: "logout", into: &actions)
        case .forceLogOut(let agent, let supervisor):
            let a = try agentSlot(agent)
            try logOut(a, reason: "forced logout by \(supervisor)", into: &actions)
        case .ready(let agent):
            let a = try agentSlot(agent)
            switch agents[a].phase {
            case .loggedOut:
                throw RoutingError("\(agent) is logged out; log in first")
            case .ready:
                break
            case .notReady, .wrapUp:
                agents[a].pendingNotReady = nil
                agents[a].unanswered = 0
                becomeAvailable(a, reason: "ready", resetIdle: true, into: &actions)
            case .ringing, .onCall:
                agents[a].pendingNotReady = nil
            }
        case .notReady(let agent, let reason):
            let a = try agentSlot(agent)
            switch agents[a].phase {
            case .loggedOut:
                throw RoutingError("\(agent) is logged out")
            case .ready:
                removeFromReadySets(a)
                setPhase(a, .notReady, reason: reason, into: &actions)
            case .notReady, .wrapUp:
                setPhase(a, .notReady, reason: reason, into: &actions)
            case .ringing:
                let c = Int(agents[a].call)
                agents[a].pendingNotReady = reason
                withdraw(c, from: [Int32(a)], reason: "agent not ready", countsAsUnanswered: false, into: &actions)
            case .onCall:
                agents[a].pendingNotReady = reason
            }
        case .notReadyAfterCall(let agent, let reason):
            let a = try agentSlot(agent)
            switch agents[a].phase {
            case .loggedOut:
                throw RoutingError("\(agent) is logged out")
            case .ready:
                removeFromReadySets(a)
                setPhase(a, .notReady, reason: reason, into: &actions)
            case .notReady:
                setPhase(a, .notReady, reason: reason, into: &actions)
            case .ringing, .onCall, .wrapUp:
                agents[a].pendingNotReady = reason
            }
        case .pick(let agent, let id):
            let a = try agentSlot(agent)
            let c = try callSlot(id)
            guard agents[a].phase == .ready || agents[a].phase == .notReady else {
                throw RoutingError("\(agent) cannot pick a call while \(publicState(a))")
            }
            let ringing = calls[c].phase == .ringing ? [calls[c].agent] + calls[c].extraRinging : []
            guard calls[c].phase == .waiting || calls[c].phase == .held || (calls[c].phase == .ringing && !calls[c].isCallback) else {
                throw RoutingError("\(id) is no longer waiting")
            }
            guard !ringing.contains(Int32(a)) else { throw RoutingError("\(id) is already ringing at \(agent)") }
            if agents[a].phase == .ready { removeFromReadySets(a) }
            if agents[a].phase == .notReady && agents[a].pendingNotReady == nil {
                agents[a].pendingNotReady = agents[a].reason  // back to not ready after the picked call
            }
            if ringing.isEmpty {
                takeFromQueue(c)
            } else {
                // Pickup (抢接): the call stops ringing where it rang, without counting as unanswered there.
                for r in ringing {
                    actions.append(.stopRinging(id, agent: agents[Int(r)].id))
                    record(.offerUnanswered(OfferUnanswered(call: id, agent: agents[Int(r)].id, reason: "picked up by \(agent)",
                                                            at: Timestamp(microseconds: self.now))), into: &actions)
                    agents[Int(r)].call = -1
                }
                calls[c].agent = -1
                calls[c].extraRinging = []
                calls[c].offerToken = 0
                for r in ringing { becomeAvailable(Int(r), reason: "picked up by \(agent)", resetIdle: false, into: &actions) }
            }
            offer(c, to: Int32(a), reason: "picked", into: &actions)
        }
    }

    /// Convenience form of ``handle(_:at:into:)`` returning a fresh array.
    /// - Parameters:
    ///   - input: What happened.
    ///   - now: When it happened.
    /// - Returns: The actions to perform, in order.
    /// - Throws: ``RoutingError`` when the input does not fit the current state.
    public mutating func handle(_ input: RoutingInput, at now: Timestamp) throws(RoutingError) -> [RoutingAction] {
        var actions: [RoutingAction] = []
        try handle(input, at: now, into: &actions)
        return actions
    }

    /// Fires every timer due at or before `now` (ring timeouts, wrap-up ends, maximum waits, escalation
    /// steps, sticky waits, announcements).
    /// - Parameters:
    ///   - now: The current time.
    ///   - actions: Receives the resulting actions (appended).
    public mutating func advance(to now: Timestamp, into actions: inout [RoutingAction]) {
        let t = now.microseconds
        if t > self.now { self.now = t }
        while let top = timers.first, top.due <= t {
            timers.popFirst()
            self.now = max(self.now, top.due)
            fire(top, into: &actions)
            self.now = max(self.now, t)
        }
        self.now = max(self.now, t)
    }

    /// Convenience form of ``advance(to:into:)`` returning a fresh array.
    /// - Parameter now: The current time.
    /// - Returns: The resulting actions.
    public mutating func advance(to now: Timestamp) -> [RoutingAction] {
        var actions: [RoutingAction] = []
        advance(to: now, into: &actions)
        return actions
    }

    // MARK: Lookups

    func callSlot(_ id: CallID) throws(RoutingError) -> Int {
        guard let c = callIndex[id.rawValue] else { throw RoutingError("\(id) is not in the ACD") }
        return Int(c)
    }

    func agentSlot(_ id: AgentID) throws(RoutingError) -> Int {
        guard let a = agentIndex[UInt64(bitPattern: Int64(id.rawValue))] else { throw RoutingError("\(id) is not configured") }
        return Int(a)
    }

    @inline(__always)
    func record(_ event: @autoclosure () -> RoutingEvent, into actions: inout [RoutingAction]) {
        if recordsEvents { actions.append(.record(event())) }
    }

    // MARK: Timers

    mutating func schedule(_ kind: TimerEntry.Kind, at due: Int64, subject: Int, token: UInt64) {
        timers.push(TimerEntry(due: due, sequence: nextCounter(), kind: kind, subject: Int32(subject), token: token))
    }

    mutating func fire(_ timer: TimerEntry, into actions: inout [RoutingAction]) {
        let s = Int(timer.subject)
        switch timer.kind {
        case .wrapUpEnd:
            guard agents[s].phase == .wrapUp, agents[s].token == timer.token else { return }
            becomeAvailable(s, reason: "wrap-up finished", resetIdle: true, into: &actions)
        case .ringTimeout:
            guard calls[s].phase == .ringing, calls[s].offerToken == timer.token else { return }
            var ringing = [calls[s].agent]
            ringing.append(contentsOf: calls[s].extraRinging)
            withdraw(s, from: ringing, reason: "ring timeout", countsAsUnanswered: true, into: &actions)
        case .maximumWait:
            guard calls[s].serial == timer.token, calls[s].phase == .waiting || calls[s].phase == .held,
                !calls[s].isCallback
            else { return }
            let q = Int(calls[s].queue)
            overflow(s, reason: .maximumWait, action: queues[q].configuration.whenMaximumWait, into: &actions)
        case .escalation:
            guard calls[s].serial == timer.token else { return }
            scheduleNextEscalation(s)
            if calls[s].phase == .waiting { routeWaitingCall(s, into: &actions) }
        case .stickyExpiry:
            guard calls[s].serial == timer.token, calls[s].phase == .held else { return }
            releaseHold(s, into: &actions)
        case .announcement:
            guard calls[s].serial == timer.token, calls[s].phase == .waiting || calls[s].phase == .held,
                !calls[s].isCallback
            else { return }
            announce(s, into: &actions)
            let q = Int(calls[s].queue)
            if let every = queues[q].announcement {
                schedule(.announcement, at: now + every, subject: s, token: calls[s].serial)
            }
        }
    }

    mutating func scheduleNextEscalation(_ c: Int) {
        let q = Int(calls[c].queue)
        let steps = queues[q].escalation
        while calls[c].escalationStep < steps.count {
            let due = calls[c].queuedAt + steps[calls[c].escalationStep].after
            calls[c].escalationStep += 1
            if due > now {
                schedule(.escalation, at: due, subject: c, token: calls[c].serial)
                return
            }
        }
    }

    /// The highest member penalty that may serve a call now.
    func allowedPenalty(_ c: Int) -> Int {
        let q = Int(calls[c].queue)
        let steps = queues[q].escalation
        if steps.isEmpty { return Int.max }
        let waited = now - calls[c].queuedAt
        var allowed = 0
        for step in steps where step.after <= waited { allowed = max(allowed, step.maximumPenalty) }
        return allowed
    }
}
