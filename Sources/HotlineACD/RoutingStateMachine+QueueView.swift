/// One waiting caller in the live queue view (F5).
public struct WaitingCaller: Sendable, Hashable {
    /// The call.
    public var call: CallID
    /// The queue.
    public var queue: QueueID
    /// The calling number.
    public var number: String
    /// The caller's name when known.
    public var name: String?
    /// The caller's priority (higher first).
    public var priority: Int
    /// How long the caller has waited (from first joining the ACD).
    public var waited: Duration
    /// 1 for the next caller to be served; callers held for their sticky agent count separately.
    public var position: Int
    /// The estimated remaining wait.
    public var estimatedWait: Duration
    /// Whether the caller asked for (or was given) a callback and is no longer on the line.
    public var isCallback: Bool
    /// The agent the caller is held for by sticky routing, if any.
    public var heldFor: AgentID?
}

extension RoutingStateMachine {
    /// The live queue view: every caller waiting in a queue, in the order they will be served.
    /// - Parameters:
    ///   - queue: The queue.
    ///   - time: The current time (waiting times are measured to it).
    /// - Returns: The waiting callers (held sticky callers last); empty for an unknown queue.
    /// - Complexity: O(n log n) in the callers waiting in this queue.
    public func queueView(_ queue: QueueID, at time: Timestamp) -> [WaitingCaller] {
        let now = max(time.microseconds, self.now)
        let q = queue.rawValue
        guard queues.indices.contains(q) else { return [] }
        var result: [WaitingCaller] = []
        for lane in queues[q].lanes {
            let entries = lane.heap.storage.filter { calls[Int($0.slot)].stamp == $0.stamp }.sorted()
            for entry in entries {
                result.append(view(Int(entry.slot), position: result.count + 1, now: now))
            }
        }
        let waitingInLanes = result.count
        for c in calls.indices where calls[c].phase == .held && calls[c].queue == Int32(q) {
            result.append(view(c, position: 0, now: now))
        }
        if result.count > waitingInLanes + 1 {
            result[waitingInLanes...].sort { ($0.waited, $0.call.rawValue) > ($1.waited, $1.call.rawValue) }
        }
        return result
    }

    func view(_ c: Int, position: Int, now: Int64) -> WaitingCaller {
        let record = calls[c]
        return WaitingCaller(
            call: record.id,
            queue: QueueID(Int(record.queue)),
            number: record.caller.number,
            name: record.caller.name,
            priority: record.caller.priority,
            waited: .microseconds(now - record.queuedAt),
            position: position,
            estimatedWait: estimatedWait(queue: Int(record.queue), position: max(position, 1)),
            isCallback: record.isCallback,
            heldFor: record.heldFor >= 0 ? agents[Int(record.heldFor)].id : nil
        )
    }

    /// A waiting caller's position (1 is next) and estimated wait.
    ///
    /// The estimate is `position × mean handle time ÷ staffed agents`, where staffed agents are the
    /// queue's members who are logged in and not "not ready", and the mean handle time (talk plus
    /// wrap-up) is a moving average of the queue's observed calls, starting at the queue's
    /// ``QueueConfiguration/expectedHandleTime``. It is zero while a member is ready.
    /// - Parameter call: The call.
    /// - Returns: Position and estimate, or `nil` when the call is not waiting.
    /// - Complexity: O(n) in the callers waiting in the call's queue.
    public func position(of call: CallID) -> (position: Int, estimatedWait: Duration)? {
        guard let slot = callIndex[call.rawValue] else { return nil }
        let c = Int(slot)
        guard calls[c].phase == .waiting || calls[c].phase == .held else { return nil }
        let p = positionOf(c)
        return (p, estimatedWait(queue: Int(calls[c].queue), position: p))
    }

    func positionOf(_ c: Int) -> Int {
        let q = Int(calls[c].queue)
        if calls[c].phase == .held { return 1 }
        let mine = WaitingEntry(queuedAt: calls[c].queuedAt, sequence: calls[c].sequence, slot: Int32(c), stamp: calls[c].stamp)
        var ahead = 0
        for lane in queues[q].lanes {
            if lane.priority > calls[c].caller.priority {
                for entry in lane.heap.storage where calls[Int(entry.slot)].stamp == entry.stamp { ahead += 1 }
            } else if lane.priority == calls[c].caller.priority {
                for entry in lane.heap.storage where calls[Int(entry.slot)].stamp == entry.stamp && entry < mine {
                    ahead += 1
                }
            }
        }
        return ahead + 1
    }

    func estimatedWait(queue q: Int, position: Int) -> Duration {
        if queues[q].tiers.contains(where: { !$0.ready.entries.isEmpty }) { return .zero }
        let staffed = max(queues[q].active, 1)
        let micros = Double(position) * queues[q].handleMean / Double(staffed)
        return .microseconds(Int64(micros))
    }

    mutating func announce(_ c: Int, into actions: inout [RoutingAction]) {
        let p = positionOf(c)
        actions.append(.announce(calls[c].id, position: p, estimatedWait: estimatedWait(queue: Int(calls[c].queue), position: p)))
    }
}
