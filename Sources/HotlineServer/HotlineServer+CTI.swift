import Foundation
import HotlineACD
import HotlineIVR
import HotlineMedia
import HotlineSIP
import Logging
import NIOCore

/// The CTI's loop-confined state: which phone each agent is bound to.
struct CTIState {
    /// The extension (SIP user) of the phone an agent is bound to, when not the agent's own number.
    var phones: [AgentID: String] = [:]
    /// The ACD calls standing for consultations (an agent rung or talking for another call), by routing ID.
    var consults: [HotlineACD.CallID: ConsultParty] = [:]
}

/// A supervisor's phone joined to a call (listen, whisper, barge): a third dialog and RTP leg whose
/// audio goes through the call's mixer as participant 2.
final class MonitorLeg: @unchecked Sendable {
    let phone: String
    var mode: MonitorMode
    var sip: Call?
    var leg: MediaLeg?
    var offer: SessionDescription?
    var connected = false
    let by: String

    init(phone: String, mode: MonitorMode, by: String) {
        self.phone = phone
        self.mode = mode
        self.by = by
    }
}

extension HotlineServer: CallCenterControl {
    /// The mixer participant of a supervisor's monitoring leg (0 is the caller, 1 the agent).
    static let monitorParticipant = 2

    // MARK: CallCenterControl

    public func subscribe() -> AsyncStream<CallCenterEvent> {
        callCenterEvents.subscribe()
    }

    public func agents() async -> [AgentStatus] {
        (try? await loop.submit { [self] in agentStatuses() }.get()) ?? []
    }

    public func calls() async -> [CallStatus] {
        (try? await loop.submit { [self] in callStatuses() }.get()) ?? []
    }

    public func queues() async -> [QueueStatus] {
        (try? await loop.submit { [self] in queueStatuses() }.get()) ?? []
    }

    @discardableResult
    public func perform(_ command: CallCenterCommand, by actor: String) async throws(CallCenterError) -> String {
        let result: Result<String, CallCenterError>
        do {
            result = try await loop.submit { [self] () -> Result<String, CallCenterError> in
                do throws(CallCenterError) {
                    return .success(try execute(command, by: actor))
                } catch {
                    return .failure(error)
                }
            }.get()
        } catch {
            throw CallCenterError(.unavailable, "the call centre is not running")
        }
        return try result.get()
    }

    // MARK: Snapshots (on the loop)

    func agentStatuses() -> [AgentStatus] {
        let now = UInt64(Date().timeIntervalSince1970)
        return configuration.agents.map { agent in
            let id = AgentID(agent.id)
            let (state, reason, routing) = Self.describe(acd.state(of: id))
            let phone = phone(of: id)
            return AgentStatus(
                agent: agent.id, name: agent.name, state: state, reason: reason,
                call: routing.flatMap { callsByRoutingID[$0]?.sip.callID ?? cti.consults[$0]?.call?.sip.callID } ?? outboundCall(of: id),
                phone: phone,
                registered: !userAgent.locationService.bindings(forUser: phone, now: now).isEmpty, queues: agent.queues)
        }
    }

    func callStatuses() -> [CallStatus] {
        calls.values.sorted { $0.startedAt < $1.startedAt }.map(status(of:)) + outboundStatuses()
    }

    func status(of call: InboundCall) -> CallStatus {
        let phase: String
        var agent: Int?
        switch call.phase {
        case .answering: phase = "answering"
        case .ivr: phase = "ivr"
        case .queued: phase = "queued"
        case .ringing(let a):
            phase = "ringing"
            agent = a.rawValue
        case .bridged(let a):
            phase = call.isHeld ? "held" : "talking"
            agent = a.rawValue
        case .external:
            phase = call.externalConnected ? "external" : "transferring"
        }
        var status = CallStatus(call: call.sip.callID, caller: call.caller, dialled: call.dialledNumber, phase: phase, queue: call.queue,
                          agent: agent, startedAt: call.startedAt, queuedAt: call.queuedAt, agentAnsweredAt: call.agentAnsweredAt,
                          ivrPath: call.ivrPath, monitoredBy: call.monitor?.phone, monitorMode: call.monitor?.mode.rawValue)
        status.participants = participants(of: call)
        return status
    }

    func queueStatuses() -> [QueueStatus] {
        let at = timestamp()
        var result: [QueueStatus] = []
        for queue in configuration.queues {
            guard let id = queueIDs[queue.name] else { continue }
            result.append(QueueStatus(queue: queue.name, waiting: waiting(in: id, at: at)))
        }
        for agent in configuration.agents {
            guard let id = acd.queue(named: Self.personalQueueName(AgentID(agent.id))) else { continue }
            let waiting = waiting(in: id, at: at)
            if !waiting.isEmpty { result.append(QueueStatus(queue: Self.personalQueueName(AgentID(agent.id)), waiting: waiting)) }
        }
        return result
    }

    private func waiting(in queue: QueueID, at: Timestamp) -> [QueueStatus.Waiting] {
        acd.queueView(queue, at: at).compactMap { view in
            guard let call = callsByRoutingID[view.call] else { return nil }
            return QueueStatus.Waiting(call: call.sip.callID, caller: view.number, priority: view.priority,
                                       waitedSeconds: Self.seconds(view.waited), position: view.position,
                                       estimatedWaitSeconds: Self.seconds(view.estimatedWait))
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        let (s, atto) = duration.components
        return ((Double(s) + Double(atto) / 1e18) * 10).rounded() / 10
    }

    static func describe(_ state: AgentState?) -> (String, String?, HotlineACD.CallID?) {
        switch state {
        case nil, .loggedOut?: ("loggedOut", nil, nil)
        case .ready?: ("ready", nil, nil)
        case .notReady(let reason)?: ("notReady", reason, nil)
        case .ringing(let call)?: ("ringing", nil, call)
        case .onCall(let call)?: ("onCall", nil, call)
        case .wrapUp?: ("wrapUp", nil, nil)
        }
    }

    // MARK: Phones

    /// The extension of the phone an agent is bound to (the agent's own number unless bound elsewhere).
    func phone(of agent: AgentID) -> String {
        cti.phones[agent] ?? String(agent.rawValue)
    }

    /// The logged-in agent bound to a phone, if any (else the phone's own agent number when configured).
    func agent(boundTo phone: String) -> AgentID? {
        if let bound = cti.phones.first(where: { $0.value == phone && acd.state(of: $0.key) != .loggedOut })?.key { return bound }
        guard let number = Int(phone), configuration.agents.contains(where: { $0.id == number }),
              cti.phones[AgentID(number)] == nil || cti.phones[AgentID(number)] == phone else { return nil }
        return AgentID(number)
    }

    static func personalQueueName(_ agent: AgentID) -> String { "agent-\(agent.rawValue)" }

    /// Adds one personal queue per agent (for transfers to that agent), overflowing after a minute to the
    /// agent's first queue; returns the memberships to add to each agent.
    static func addPersonalQueues(to acd: inout RoutingStateMachine, for configuration: ServerConfiguration,
                                  queueIDs: [String: QueueID]) throws -> [AgentID: QueueMembership] {
        var memberships: [AgentID: QueueMembership] = [:]
        let template = configuration.queues.first
        for agent in configuration.agents {
            let fallback = agent.queues.compactMap { queueIDs[$0] }.first
            let id = try acd.addQueue(QueueConfiguration(
                name: personalQueueName(AgentID(agent.id)),
                maximumWait: fallback == nil ? nil : .seconds(60), whenMaximumWait: fallback.map { OverflowAction.queue($0) } ?? OverflowAction.voicemail,
                ringTimeout: .seconds(template?.ringTimeout ?? 20), wrapUp: .seconds(template?.wrapUp ?? 0)))
            memberships[AgentID(agent.id)] = QueueMembership(queue: id)
        }
        return memberships
    }

    // MARK: Events

    func publish(_ event: CallCenterEvent) {
        callCenterEvents.publish(event)
    }

    private func event(_ type: String, call: InboundCall? = nil, agent: AgentID? = nil, by: String? = nil,
                       reason: String? = nil, target: String? = nil) -> CallCenterEvent {
        CallCenterEvent(type: type, occurredAt: now(), agent: agent?.rawValue, call: call?.sip.callID, queue: call?.queue,
                        caller: call?.caller, reason: reason, by: by, target: target)
    }

    /// Turns an ACD event into the CTI's events.
    func publish(_ routing: RoutingEvent) {
        if isConsultRouting(routing) { return }
        func queueName(_ id: QueueID) -> String? { acd.configuration(of: id)?.name }
        func queueChanged(_ id: QueueID) {
            publish(CallCenterEvent(type: "queue.changed", occurredAt: now(), queue: queueName(id), waiting: acd.waitingCount(in: id)))
        }
        switch routing {
        case .agentStateChanged(let e):
            let (state, notReadyReason, call) = Self.describe(e.to)
            publish(CallCenterEvent(type: "agent.stateChanged", occurredAt: now(), agent: e.agent.rawValue,
                                    call: call.flatMap { callsByRoutingID[$0]?.sip.callID ?? cti.consults[$0]?.call?.sip.callID }, state: state,
                                    reason: notReadyReason ?? e.reason, target: phone(of: e.agent)))
        case .callQueued(let e):
            let call = callsByRoutingID[e.call]
            publish(CallCenterEvent(type: "call.queued", occurredAt: now(), call: call?.sip.callID, queue: queueName(e.queue),
                                    caller: call?.caller))
            queueChanged(e.queue)
        case .callOffered(let e):
            let call = callsByRoutingID[e.call]
            publish(CallCenterEvent(type: "call.offered", occurredAt: now(), agent: e.agent.rawValue, call: call?.sip.callID,
                                    queue: queueName(e.queue), caller: call?.caller, reason: e.reason, ivrPath: call?.ivrPath))
            queueChanged(e.queue)
        case .callAnswered(let e):
            let call = callsByRoutingID[e.call]
            publish(CallCenterEvent(type: "call.answered", occurredAt: now(), agent: e.agent.rawValue, call: call?.sip.callID,
                                    queue: queueName(e.queue), caller: call?.caller))
        case .callCompleted(let e):
            let call = callsByRoutingID[e.call]
            publish(CallCenterEvent(type: "call.completed", occurredAt: now(), agent: e.agent.rawValue, call: call?.sip.callID,
                                    queue: queueName(e.queue), caller: call?.caller))
        case .callAbandoned(let e):
            queueChanged(e.queue)
        case .callOverflowed(let e):
            queueChanged(e.queue)
        case .offerUnanswered:
            break
        }
    }

    /// Notes the IVR's steps on the call, for the screen pop.
    func noteIVR(_ flowEvent: FlowEvent, _ call: InboundCall) {
        guard call.ivrPath.count < 64 else { return }
        switch flowEvent {
        case .callStarted(let e):
            if let category = e.callerCategory { call.ivrPath.append("caller category \(category)") }
        case .nodeEntered(let e):
            call.ivrPath.append(e.node)
        case .inputReceived(let e):
            call.ivrPath.append(e.input == "timeout" ? "\(e.node): no input" : "\(e.node): pressed \(e.input)")
        case .selfServiceUsed(let e):
            call.ivrPath.append("self-service \(e.function): \(e.outcome)")
        default:
            break
        }
    }

    /// The call ended: tell the CTI and hang up a monitoring supervisor.
    func publishEnded(_ call: InboundCall, endedBy: String, disposition: CallDetailRecord.Disposition) {
        endMonitor(call)
        endConsultation(call)
        call.isHeld = false
        publish(CallCenterEvent(type: "call.ended", occurredAt: now(), agent: call.agent, call: call.sip.callID, queue: call.queue,
                                caller: call.caller, reason: disposition.rawValue, by: endedBy))
    }

    // MARK: Media of a bridged call

    /// One 20 ms interval of a bridged call: caller, agent and a monitoring supervisor through the mixer,
    /// or music on hold to the caller while held; the stereo recording goes on either way.
    func bridgedMedia(_ call: InboundCall, input: [Int16]) {
        if call.consultation != nil { return consultationMedia(call, input: input) }
        guard let leg = call.leg, let agentLeg = call.agentLeg else { return }
        let agentInput = agentLeg.readFrame()
        let monitorLeg = call.monitor.flatMap { $0.connected ? $0.leg : nil }
        let monitorInput = monitorLeg?.readFrame()
        if call.isHeld {
            call.hold.withNextFrame { leg.send($0) }
            agentLeg.send(Self.silentFrame)
            monitorLeg?.send(Self.silentFrame)
        } else {
            call.mixer.setInput(0, frame: input)
            call.mixer.setInput(1, frame: agentInput)
            if let monitorInput { call.mixer.setInput(Self.monitorParticipant, frame: monitorInput) }
            call.mixer.mix()
            leg.send(call.mixer.output(of: 0))
            agentLeg.send(call.mixer.output(of: 1))
            if let monitorLeg { monitorLeg.send(call.mixer.output(of: Self.monitorParticipant)) }
        }
        if let recorder = call.recorder {
            do {
                try recorder.append(caller: input, agent: agentInput)
            } catch {
                logger.error("recording failed: \(error)")
                call.recorder = nil
            }
        }
    }

    // MARK: Actions (on the loop)

    func execute(_ command: CallCenterCommand, by actor: String) throws(CallCenterError) -> String {
        if let done = try executeOnOutboundCall(command, by: actor) { return done }
        switch command {
        case .logIn(let number, let phone):
            let agent = try configuredAgent(number)
            let extensionNumber = phone ?? String(number)
            guard !extensionNumber.isEmpty, extensionNumber.count <= 32,
                  extensionNumber.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }) else {
                throw CallCenterError(.invalid, "phone must be an extension (SIP user name)")
            }
            guard contact(ofPhone: extensionNumber) != nil else {
                throw CallCenterError(.conflict, "phone \(extensionNumber) is not registered")
            }
            if let other = self.agent(boundTo: extensionNumber), other != agent, acd.state(of: other) != .loggedOut {
                throw CallCenterError(.conflict, "phone \(extensionNumber) is in use by agent \(other.rawValue)")
            }
            let previous = self.phone(of: agent)
            cti.phones[agent] = extensionNumber == String(number) ? nil : extensionNumber
            if previous != extensionNumber {
                publish(CallCenterEvent(type: "agent.phoneBound", occurredAt: now(), agent: number, by: actor, target: extensionNumber))
            }
            if acd.state(of: agent) == .loggedOut {
                try routeChecked(.logIn(agent))
                return "agent \(number) logged in on phone \(extensionNumber)"
            }
            return "agent \(number) is bound to phone \(extensionNumber)"
        case .logOut(let number, let forced):
            let agent = try configuredAgent(number)
            try routeChecked(forced ? .forceLogOut(agent, supervisor: actor) : .logOut(agent))
            return acd.state(of: agent) == .loggedOut ? "agent \(number) logged out" : "agent \(number) logs out after the current call"
        case .ready(let number):
            let agent = try configuredAgent(number)
            try routeChecked(.ready(agent))
            return "agent \(number) ready"
        case .notReady(let number, let reason):
            let agent = try configuredAgent(number)
            let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, trimmed.count <= 64 else { throw CallCenterError(.invalid, "reason must be 1–64 characters") }
            try routeChecked(.notReady(agent, reason: trimmed))
            return "agent \(number) not ready (\(trimmed))"
        case .alert(let number, let message):
            _ = try configuredAgent(number)
            let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
            guard trimmed.count <= 500 else { throw CallCenterError(.invalid, "message must be at most 500 characters") }
            let call = calls.values.first { $0.phase == .bridged(AgentID(number)) || $0.phase == .ringing(AgentID(number)) }
            publish(CallCenterEvent(type: "agent.alert", occurredAt: now(), agent: number, call: call?.sip.callID, queue: call?.queue,
                                    caller: call?.caller, reason: trimmed.isEmpty ? "emergency" : trimmed, by: actor))
            logger.warning("agent emergency alert", metadata: ["agent": "\(number)", "by": "\(actor)"])
            return "alert raised for agent \(number)"
        case .hangUp(let id):
            let call = try existingCall(id)
            switch call.phase {
            case .bridged(let agent), .ringing(let agent):
                publish(event("call.hungUp", call: call, agent: agent, by: actor))
                call.agentCall?.hangUp()   // the agent leg's end does the rest (rating, or back to the queue)
                return "agent \(agent.rawValue)'s leg hung up"
            case .answering, .ivr, .queued, .external:
                publish(event("call.hungUp", call: call, by: actor))
                finish(call, endedBy: "agent")
                call.sip.hangUp()
                return "call hung up"
            }
        case .forceHangUp(let id):
            let call = try existingCall(id)
            var agent: AgentID?
            if case .bridged(let a) = call.phase { agent = a }
            publish(event("call.forceHungUp", call: call, agent: agent, by: actor))
            finish(call, endedBy: "supervisor")
            call.sip.hangUp()
            return "call forced down"
        case .hold(let id), .resume(let id):
            let call = try existingCall(id)
            guard case .bridged(let agent) = call.phase else {
                throw CallCenterError(.conflict, "call \(id) is not talking to an agent")
            }
            let holding = if case .hold = command { true } else { false }
            if let consultation = call.consultation, !consultation.isConference {
                throw CallCenterError(.conflict, "a consultation is in progress: complete, cancel or join it (…/conference)")
            }
            guard call.isHeld != holding else { return holding ? "call already held" : "call not held" }
            call.isHeld = holding
            publish(event(holding ? "call.held" : "call.resumed", call: call, agent: agent, by: actor))
            return holding ? "caller hears music on hold" : "call resumed"
        case .transfer(let id, let target):
            return try transfer(try existingCall(id), to: target, by: actor)
        case .pickUp(let id, let number):
            let agent = try configuredAgent(number)
            let call = try existingCall(id)
            guard let routingID = call.routingID else { throw CallCenterError(.conflict, "call \(id) is not in a queue") }
            switch call.phase {
            case .queued: break
            case .ringing(let other) where other != agent: break
            case .ringing: throw CallCenterError(.conflict, "call \(id) is already ringing at agent \(number)")
            default: throw CallCenterError(.conflict, "call \(id) is neither waiting nor ringing")
            }
            guard contact(of: agent) != nil else { throw CallCenterError(.conflict, "agent \(number)'s phone is not registered") }
            try routeChecked(.pick(agent, routingID))
            publish(event("call.pickedUp", call: call, agent: agent, by: actor))
            return "call \(id) rings agent \(number)"
        case .monitor(let id, let phone, let mode):
            return try monitor(try existingCall(id), phone: phone, mode: mode, by: actor)
        case .consult(let id, let action):
            return try consult(id, action, by: actor)
        case .dial(let request):
            return try dial(request, by: actor)
        case .stopMonitoring(let id):
            let call = try existingCall(id)
            guard call.monitor != nil else { throw CallCenterError(.conflict, "call \(id) is not monitored") }
            endMonitor(call)
            return "monitoring ended"
        }
    }

    private func configuredAgent(_ number: Int) throws(CallCenterError) -> AgentID {
        guard configuration.agents.contains(where: { $0.id == number }) else { throw CallCenterError(.notFound, "no agent \(number)") }
        return AgentID(number)
    }

    private func existingCall(_ id: String) throws(CallCenterError) -> InboundCall {
        guard let call = calls[id], !call.isEnded else { throw CallCenterError(.notFound, "no call \(id) in progress") }
        return call
    }

    /// Feeds the ACD like ``route(_:)`` but reports a refusal to the caller.
    func routeChecked(_ input: RoutingInput) throws(CallCenterError) {
        var actions: [RoutingAction] = []
        do {
            try acd.handle(input, at: timestamp(), into: &actions)
        } catch {
            perform(actions)
            throw CallCenterError(.conflict, error.message)
        }
        perform(actions)
    }

    /// The registered contact of a phone by extension.
    func contact(ofPhone phone: String) -> RegistrationBinding? {
        userAgent.locationService.bindings(forUser: phone, now: UInt64(Date().timeIntervalSince1970)).first
    }

    // MARK: Transfer

    private func transfer(_ call: InboundCall, to target: TransferTarget, by actor: String) throws(CallCenterError) -> String {
        let queue: QueueID
        let queueName: String
        let label: String
        switch target {
        case .number(let number):
            return try transferOut(call, to: number, by: actor)
        case .queue(let name):
            guard let id = queueIDs[name] ?? acd.queue(named: name) else { throw CallCenterError(.notFound, "no queue \(name)") }
            queue = id
            queueName = name
            label = "queue:\(name)"
        case .agent(let number):
            let agent = try configuredAgent(number)
            guard acd.state(of: agent) != .loggedOut else { throw CallCenterError(.conflict, "agent \(number) is logged out") }
            guard let id = acd.queue(named: Self.personalQueueName(agent)) else { throw CallCenterError(.notFound, "agent \(number) has no personal queue") }
            queue = id
            queueName = Self.personalQueueName(agent)
            label = "agent:\(number)"
        }
        guard case .bridged(let from) = call.phase, let routingID = call.routingID else {
            throw CallCenterError(.conflict, "only a call talking to an agent can be transferred")
        }
        guard call.consultation == nil else { throw CallCenterError(.conflict, "end the consultation or conference first") }
        if case .agent(let number) = target, number == from.rawValue {
            throw CallCenterError(.conflict, "the call is already with agent \(number)")
        }
        // Release the agent's leg without the "agent hung up" path (no rating), then queue the caller anew.
        releaseAgent(of: call, routingID: routingID)
        publish(event("call.transferred", call: call, agent: from, by: actor, target: label))
        let id = HotlineACD.CallID(nextRoutingID)
        nextRoutingID += 1
        call.routingID = id
        if case .queue = target { call.queue = queueName }   // the CDR keeps the caller's queue on a transfer to an agent
        call.phase = .queued
        callsByRoutingID[id] = call
        route(.callArrived(id, queue: queue, caller: Caller(number: call.caller)))
        return "call transferred to \(label)"
    }

    // MARK: Monitoring

    private func monitor(_ call: InboundCall, phone: String, mode: MonitorMode, by actor: String) throws(CallCenterError) -> String {
        guard case .bridged(let agent) = call.phase else { throw CallCenterError(.conflict, "call \(call.sip.callID) is not talking to an agent") }
        if let existing = call.monitor {
            guard existing.phone == phone else { throw CallCenterError(.conflict, "call is monitored by phone \(existing.phone)") }
            existing.mode = mode
            if existing.connected { applyMonitorMode(call) }
            publish(event("call.monitorStarted", call: call, agent: agent, by: actor, target: mode.rawValue))
            return "monitoring mode \(mode.rawValue)"
        }
        guard let binding = contact(ofPhone: phone) else { throw CallCenterError(.conflict, "phone \(phone) is not registered") }
        let monitor = MonitorLeg(phone: phone, mode: mode, by: actor)
        call.monitor = monitor
        MediaLeg.bind(host: configuration.rtp.host, ports: ports, loop: loop, statistics: mediaStatistics, logger: logger)
            .whenComplete { [self] result in
                switch result {
                case .success(let leg):
                    dialMonitor(call, monitor: monitor, binding: binding, leg: leg)
                case .failure(let error):
                    logger.error("no RTP socket for the monitoring leg: \(error)")
                    if call.monitor === monitor { call.monitor = nil }
                }
            }
        return "ringing phone \(phone) to \(mode.rawValue)"
    }

    private func dialMonitor(_ call: InboundCall, monitor: MonitorLeg, binding: RegistrationBinding, leg: MediaLeg) {
        guard !call.isEnded, call.monitor === monitor else {
            leg.close()
            return
        }
        let offer = OfferAnswer.offer(capabilities: capabilities, address: configuration.rtp.host, port: leg.port,
                                      sessionID: UInt64.random(in: 1...UInt64(UInt32.max)))
        monitor.leg = leg
        monitor.offer = offer
        var from = NameAddress(uri: SIPURI(user: call.caller.isEmpty ? "monitor" : call.caller, host: configuration.sip.host))
        from.displayName = "\(monitor.mode.rawValue) \(call.caller)"
        monitor.sip = userAgent.call(binding.contact.uri, from: from, body: Array(offer.text.utf8),
                                     onStateChange: { [weak self, weak call, weak monitor] sip in
                                         guard let self, let call, let monitor else { return }
                                         monitorLegChanged(sip, call: call, monitor: monitor)
                                     })
    }

    private func monitorLegChanged(_ sip: Call, call: InboundCall, monitor: MonitorLeg) {
        guard call.monitor === monitor, monitor.sip === sip else { return }
        switch sip.state {
        case .established:
            guard !monitor.connected, let offer = monitor.offer, let leg = monitor.leg else { return }
            do {
                let answer = try SessionDescription(parsing: String(decoding: sip.remoteBody, as: UTF8.self))
                try leg.configure(try OfferAnswer.negotiate(offer: offer, answer: answer))
            } catch {
                logger.warning("monitoring phone answered with unusable SDP", metadata: ["phone": "\(monitor.phone)", "error": "\(error)"])
                endMonitor(call)
                return
            }
            monitor.connected = true
            call.mixer.add(Self.monitorParticipant, hears: [0, 1])
            applyMonitorMode(call)
            var agent: AgentID?
            if case .bridged(let a) = call.phase { agent = a }
            publish(event("call.monitorStarted", call: call, agent: agent, by: monitor.by, target: monitor.mode.rawValue))
        case .terminated:
            endMonitor(call)
        default:
            break
        }
    }

    /// Who hears the supervisor: nobody (listen), the agent (whisper), everybody (barge).
    private func applyMonitorMode(_ call: InboundCall) {
        guard let monitor = call.monitor else { return }
        let s = Self.monitorParticipant
        call.mixer.setHears(s, 0, true)
        call.mixer.setHears(s, 1, true)
        call.mixer.setHears(0, s, monitor.mode == .barge)
        call.mixer.setHears(1, s, monitor.mode != .listen)
    }

    /// Hangs up and removes the monitoring leg, if any.
    func endMonitor(_ call: InboundCall) {
        guard let monitor = call.monitor else { return }
        call.monitor = nil
        if monitor.connected {
            call.mixer.remove(Self.monitorParticipant)
            var agent: AgentID?
            if case .bridged(let a) = call.phase { agent = a }
            publish(event("call.monitorEnded", call: call, agent: agent, by: monitor.by, target: monitor.mode.rawValue))
        }
        if let sip = monitor.sip, !sip.state.isTerminated { sip.hangUp() }
        monitor.leg?.close()
        monitor.leg = nil
    }
}

extension HotlineServer {
    /// Releases the agent of a call being transferred: monitoring and hold end, the agent's leg is hung up
    /// (without the "agent hung up" path, so no rating), and the ACD call ends, freeing the agent.
    func releaseAgent(of call: InboundCall, routingID: HotlineACD.CallID) {
        endMonitor(call)
        call.isHeld = false
        withdrawOffer(call)
        call.routingID = nil
        route(.callEnded(routingID))
        callsByRoutingID[routingID] = nil
    }
}
