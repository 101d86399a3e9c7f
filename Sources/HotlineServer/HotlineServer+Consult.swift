import Foundation
import HotlineACD
import HotlineIVR
import HotlineMedia
import HotlineSIP
import Logging
import NIOCore

/// A party joined to a caller's call besides its agent: a consulted agent or phone, or a conference
/// participant. Its own SIP dialog and RTP leg go through the call's mixer as participant 3 and up
/// (0 is the caller, 1 the agent, 2 a monitoring supervisor). Loop-confined.
final class ConsultParty: @unchecked Sendable {
    /// The mixer participant.
    let participant: Int
    /// Whom it was asked for.
    let target: ConsultTarget
    /// Who asked.
    let by: String
    /// Joins the conference when it answers (else: talks privately with the agent).
    let joinsConference: Bool
    weak var call: InboundCall?
    /// The extension rung, once known (a queue target: when the ACD chose an agent).
    var phone: String?
    /// The agent rung, if an agent.
    var agent: AgentID?
    /// The ACD call standing for this consultation, when an agent or a queue was asked for.
    var routingID: HotlineACD.CallID?
    var sip: Call?
    var leg: MediaLeg?
    var offer: SessionDescription?
    var connected = false
    var ended = false
    /// Ring timeout of a plain extension (agents' and queues' come from the ACD).
    var ringTimer: Scheduled<Void>?

    init(participant: Int, target: ConsultTarget, by: String, joinsConference: Bool, call: InboundCall) {
        self.participant = participant
        self.target = target
        self.by = by
        self.joinsConference = joinsConference
        self.call = call
    }

    /// `agent:1002`, `queue:vip`, `phone:8001`.
    var label: String {
        switch target {
        case .agent(let number): "agent:\(number)"
        case .queue(let name): "queue:\(name)"
        case .phone(let phone): "phone:\(phone)"
        }
    }
}

/// The consulted parties and conference participants of one call.
final class Consultation: @unchecked Sendable {
    /// Ringing, consulting or in conference, in the order asked for.
    var parties: [ConsultParty] = []
    /// Everybody hears everybody (else the agent talks privately with the consulted party, the caller on hold).
    var isConference = false
    var nextParticipant = 3
}

extension HotlineServer {
    /// The most parties one call may have: the caller, its agent and four more.
    static let maximumConferenceSize = 6

    // MARK: Commands (on the loop)

    func consult(_ id: String, _ action: ConsultAction, by actor: String) throws(CallCenterError) -> String {
        guard let call = calls[id], !call.isEnded else { throw CallCenterError(.notFound, "no call \(id) in progress") }
        guard case .bridged(let agent) = call.phase else {
            throw CallCenterError(.conflict, "call \(id) is not talking to an agent")
        }
        switch action {
        case .start(let target):
            if let consultation = call.consultation {
                throw CallCenterError(.conflict, consultation.isConference
                    ? "call \(id) is a conference: add a participant with POST …/conference"
                    : "a consultation is already in progress on call \(id): complete or cancel it first")
            }
            let resolved = try resolve(target, for: call, agent: agent)
            let consultation = Consultation()
            call.consultation = consultation
            call.isHeld = true
            let party = ConsultParty(participant: consultation.nextParticipant, target: resolved, by: actor, joinsConference: false, call: call)
            consultation.nextParticipant += 1
            consultation.parties.append(party)
            do {
                try ring(party, call: call)
            } catch {
                consultation.parties.removeAll { $0 === party }
                call.consultation = nil
                call.isHeld = false
                throw error
            }
            publish(consultEvent("call.consultStarted", call, agent: agent, by: actor, target: party.label))
            return "caller on hold; ringing \(party.label)"
        case .complete:
            guard let consultation = call.consultation, !consultation.isConference else {
                throw CallCenterError(.conflict, "no consultation in progress on call \(id)")
            }
            guard let party = consultation.parties.first, party.connected else {
                throw CallCenterError(.conflict, "the consulted party has not answered yet")
            }
            let label = party.label
            promote(party, in: call, releasing: agent)
            publish(CallCenterEvent(type: "call.consultCompleted", occurredAt: now(), agent: party.agent?.rawValue, call: call.sip.callID,
                                    queue: call.queue, caller: call.caller, reason: "from agent \(agent.rawValue)", by: actor,
                                    target: label, ivrPath: call.ivrPath))
            return "call transferred to \(label)"
        case .cancel:
            guard let consultation = call.consultation else {
                guard call.isHeld else { throw CallCenterError(.conflict, "no consultation in progress on call \(id)") }
                // The consultation already failed: back to the caller.
                call.isHeld = false
                publish(consultEvent("call.resumed", call, agent: agent, by: actor))
                return "call resumed"
            }
            guard !consultation.isConference else {
                throw CallCenterError(.conflict, "call \(id) is a conference: remove participants with DELETE …/conference/{participant}")
            }
            for party in consultation.parties { release(party) }
            call.consultation = nil
            call.isHeld = false
            publish(consultEvent("call.consultCancelled", call, agent: agent, by: actor))
            return "consultation cancelled; call resumed"
        case .conference:
            guard let consultation = call.consultation else {
                throw CallCenterError(.conflict, "no consulted party to join: consult first, or name a participant to add")
            }
            guard !consultation.isConference else { return "call \(id) is a conference already" }
            guard consultation.parties.contains(where: \.connected) else {
                throw CallCenterError(.conflict, "the consulted party has not answered yet")
            }
            consultation.isConference = true
            call.isHeld = false
            publish(consultEvent("call.conferenceStarted", call, agent: agent, by: actor,
                                 target: consultation.parties.compactMap(\.phone).joined(separator: ",")))
            return "conference of \(2 + consultation.parties.count) parties"
        case .add(let target):
            if let consultation = call.consultation, !consultation.isConference {
                throw CallCenterError(.conflict, "a consultation is in progress: join it first (POST …/conference without a body)")
            }
            let consultation = call.consultation ?? Consultation()
            guard 2 + consultation.parties.count < Self.maximumConferenceSize else {
                throw CallCenterError(.conflict, "a call has at most \(Self.maximumConferenceSize) parties")
            }
            let resolved = try resolve(target, for: call, agent: agent)
            let starts = call.consultation == nil
            consultation.isConference = true
            call.consultation = consultation
            let party = ConsultParty(participant: consultation.nextParticipant, target: resolved, by: actor, joinsConference: true, call: call)
            consultation.nextParticipant += 1
            consultation.parties.append(party)
            do {
                try ring(party, call: call)
            } catch {
                consultation.parties.removeAll { $0 === party }
                if starts { call.consultation = nil }
                throw error
            }
            if starts { publish(consultEvent("call.conferenceStarted", call, agent: agent, by: actor, target: party.label)) }
            return "ringing \(party.label) to join the conference"
        case .remove(let phone):
            guard let consultation = call.consultation, let party = consultation.parties.first(where: { $0.phone == phone }) else {
                throw CallCenterError(.notFound, "no participant \(phone) on call \(id)")
            }
            if party.connected {
                partyLeft(party, by: actor)
            } else {
                partyFailed(party, reason: "removed by \(actor)")
            }
            return "participant \(phone) removed"
        }
    }

    /// Checks a target and turns an extension bound to a logged-in agent into that agent.
    private func resolve(_ target: ConsultTarget, for call: InboundCall, agent current: AgentID) throws(CallCenterError) -> ConsultTarget {
        let joined = call.consultation?.parties ?? []
        switch target {
        case .agent(let number):
            let agent = AgentID(number)
            guard configuration.agents.contains(where: { $0.id == number }) else { throw CallCenterError(.notFound, "no agent \(number)") }
            guard agent != current else { throw CallCenterError(.conflict, "agent \(number) is the agent on the call") }
            guard !joined.contains(where: { $0.agent == agent }) else { throw CallCenterError(.conflict, "agent \(number) is already on the call") }
            let (state, _, _) = Self.describe(acd.state(of: agent))
            guard state == "ready" || state == "notReady" else { throw CallCenterError(.conflict, "agent \(number) is \(state)") }
            guard contact(of: agent) != nil else { throw CallCenterError(.conflict, "agent \(number)'s phone is not registered") }
            return target
        case .queue(let name):
            guard queueIDs[name] != nil else { throw CallCenterError(.notFound, "no queue \(name)") }
            return target
        case .phone(let phone):
            guard !phone.isEmpty, phone.count <= 32,
                  phone.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }) else {
                throw CallCenterError(.invalid, "phone must be an extension (SIP user name)")
            }
            if let agent = agent(boundTo: phone), acd.state(of: agent) != .loggedOut {
                return try resolve(.agent(agent.rawValue), for: call, agent: current)
            }
            guard phone != self.phone(of: current) else { throw CallCenterError(.conflict, "phone \(phone) is the agent's own") }
            guard !joined.contains(where: { $0.phone == phone }) else { throw CallCenterError(.conflict, "phone \(phone) is already on the call") }
            guard contact(ofPhone: phone) != nil else { throw CallCenterError(.conflict, "phone \(phone) is not registered") }
            return target
        }
    }

    // MARK: Ringing the party

    /// Rings a party: agents and queues through the ACD (so the agent's state follows), extensions directly.
    private func ring(_ party: ConsultParty, call: InboundCall) throws(CallCenterError) {
        let queue: QueueID
        switch party.target {
        case .phone(let phone):
            party.phone = phone
            let seconds = configuration.queues.first?.ringTimeout ?? 20
            party.ringTimer = loop.scheduleTask(in: .seconds(Int64(seconds))) { [self] in
                party.ringTimer = nil
                if !party.connected { partyFailed(party, reason: "no answer") }
            }
            dialParty(party, phone: phone)
            return
        case .agent(let number):
            party.agent = AgentID(number)
            party.phone = phone(of: AgentID(number))
            guard let id = acd.queue(named: Self.personalQueueName(AgentID(number))) else {
                throw CallCenterError(.notFound, "agent \(number) has no personal queue")
            }
            queue = id
        case .queue(let name):
            guard let id = queueIDs[name] else { throw CallCenterError(.notFound, "no queue \(name)") }
            queue = id
        }
        let routingID = HotlineACD.CallID(nextRoutingID)
        nextRoutingID += 1
        party.routingID = routingID
        cti.consults[routingID] = party
        route(.callArrived(routingID, queue: queue, caller: Caller(number: call.caller, priority: 1_000)))
        if let agent = party.agent, party.sip == nil, acd.state(of: agent) != .ringing(routingID) {
            // The agent was not ready (not offered at once): ring it anyway, as a pickup does.
            do {
                try routeChecked(.pick(agent, routingID))
            } catch {
                party.routingID = nil
                route(.callerHungUp(routingID))
                cti.consults[routingID] = nil
                throw error
            }
        }
    }

    private func dialParty(_ party: ConsultParty, phone: String) {
        guard let binding = contact(ofPhone: phone) else {
            loop.execute { [self] in partyFailed(party, reason: "phone \(phone) is not registered") }
            return
        }
        MediaLeg.bind(host: configuration.rtp.host, ports: ports, loop: loop, statistics: mediaStatistics, logger: logger)
            .whenComplete { [self] result in
                switch result {
                case .success(let leg):
                    guard !party.ended, let call = party.call, !call.isEnded else {
                        leg.close()
                        return
                    }
                    let offer = OfferAnswer.offer(capabilities: capabilities, address: configuration.rtp.host, port: leg.port,
                                                  sessionID: UInt64.random(in: 1...UInt64(UInt32.max)))
                    party.leg = leg
                    party.offer = offer
                    var from = NameAddress(uri: SIPURI(user: call.caller.isEmpty ? "consult" : call.caller, host: configuration.sip.host))
                    from.displayName = "\(party.joinsConference ? "conference" : "consult") \(call.caller)"
                    party.sip = userAgent.call(binding.contact.uri, from: from, body: Array(offer.text.utf8),
                                               onStateChange: { [weak self, weak party] sip in
                                                   guard let self, let party else { return }
                                                   partyLegChanged(sip, party: party)
                                               })
                    logger.info("ringing consulted party", metadata: ["phone": "\(phone)", "call": "\(call.sip.callID)"])
                case .failure(let error):
                    logger.error("no RTP socket for the consulted party: \(error)")
                    partyFailed(party, reason: "no RTP socket")
                }
            }
    }

    private func partyLegChanged(_ sip: Call, party: ConsultParty) {
        guard let call = party.call, party.sip === sip, !call.isEnded else { return }
        if call.agentCall === sip {
            // The party became the call's agent leg (transfer completed, or it took over a conference).
            if case .terminated = sip.state, call.withdrawnAgentCall !== sip { agentLegEnded(call) }
            return
        }
        guard !party.ended else { return }
        switch sip.state {
        case .established:
            guard !party.connected, let offer = party.offer, let leg = party.leg else { return }
            do {
                let answer = try SessionDescription(parsing: String(decoding: sip.remoteBody, as: UTF8.self))
                try leg.configure(try OfferAnswer.negotiate(offer: offer, answer: answer))
            } catch {
                logger.warning("consulted phone answered with unusable SDP", metadata: ["phone": "\(party.phone ?? "")", "error": "\(error)"])
                partyFailed(party, reason: "unusable SDP")
                return
            }
            if let agent = party.agent, let routingID = party.routingID {
                do {
                    try routeChecked(.agentAnswered(agent, routingID))   // the ACD answers with `.connect`
                } catch {
                    partyFailed(party, reason: "answered too late")
                    return
                }
            }
            partyConnected(party)
        case .terminated(let reason):
            if party.connected {
                partyLeft(party, by: "phone:\(party.phone ?? "")")
            } else {
                let why: String = switch reason {
                case .rejected(let status): status == 486 || status == 600 ? "busy" : "declined (\(status))"
                case .timeout: "no answer"
                default: "\(reason)"
                }
                partyFailed(party, reason: why)
            }
        default:
            break
        }
    }

    // MARK: The party's fate

    private func partyConnected(_ party: ConsultParty) {
        guard !party.connected, !party.ended, let call = party.call, let consultation = call.consultation else { return }
        party.ringTimer?.cancel()
        party.ringTimer = nil
        party.connected = true
        call.mixer.add(party.participant)
        call.mixer.connectAll([0, 1] + consultation.parties.filter(\.connected).map(\.participant))
        if let monitor = call.monitor, monitor.connected {
            // A monitoring supervisor hears the new party too (and is heard by it when barging).
            call.mixer.setHears(Self.monitorParticipant, party.participant, true)
            call.mixer.setHears(party.participant, Self.monitorParticipant, monitor.mode == .barge)
        }
        var agent: AgentID?
        if case .bridged(let a) = call.phase { agent = a }
        if party.joinsConference {
            publish(consultEvent("call.participantJoined", call, agent: party.agent ?? agent, by: party.by, target: party.phone))
        } else {
            publish(consultEvent("call.consultAnswered", call, agent: agent, by: party.by, target: party.label))
        }
    }

    /// The party did not answer, refused, or was dropped before answering. A private consultation ends
    /// with the caller still on hold (the agent resumes with `…/consult/cancel` or `…/resume`).
    func partyFailed(_ party: ConsultParty, reason: String) {
        guard !party.ended, !party.connected, let call = party.call else { return }
        release(party)
        var agent: AgentID?
        if case .bridged(let a) = call.phase { agent = a }
        guard let consultation = call.consultation else { return }
        consultation.parties.removeAll { $0 === party }
        publish(consultEvent("call.consultFailed", call, agent: agent, by: party.by, reason: reason, target: party.label))
        if consultation.parties.isEmpty {
            call.consultation = nil
            if consultation.isConference { publish(consultEvent("call.conferenceEnded", call, agent: agent, by: party.by)) }
        }
        logger.info("consulted party not reached", metadata: ["target": "\(party.label)", "reason": "\(reason)", "call": "\(call.sip.callID)"])
    }

    /// A connected party hung up or was removed.
    private func partyLeft(_ party: ConsultParty, by actor: String) {
        guard !party.ended, let call = party.call, let consultation = call.consultation else { return }
        call.mixer.remove(party.participant)
        release(party)
        consultation.parties.removeAll { $0 === party }
        var agent: AgentID?
        if case .bridged(let a) = call.phase { agent = a }
        if consultation.isConference {
            publish(consultEvent("call.participantLeft", call, agent: party.agent ?? agent, by: actor, target: party.phone))
            if consultation.parties.isEmpty {
                call.consultation = nil
                publish(consultEvent("call.conferenceEnded", call, agent: agent, by: actor))
            }
        } else {
            // The consulted party hung up: the caller stays on hold until the agent resumes.
            call.consultation = nil
            publish(consultEvent("call.consultCancelled", call, agent: agent, by: actor, target: party.label))
        }
    }

    /// Hangs up a party's leg and takes its consultation out of the ACD (the agent goes to wrap-up or ready).
    private func release(_ party: ConsultParty) {
        party.ended = true
        party.ringTimer?.cancel()
        party.ringTimer = nil
        if let sip = party.sip, !sip.state.isTerminated { sip.hangUp() }
        party.leg?.close()
        party.leg = nil
        if let routingID = party.routingID {
            party.routingID = nil
            // Deferred: this may run amid the ACD's own actions.
            loop.execute { [self] in
                route(.callerHungUp(routingID))
                cti.consults[routingID] = nil
            }
        }
    }

    /// The party becomes the call's agent leg: the previous agent (if still there) is hung up and released
    /// to wrap-up, the recording goes on in the same file.
    private func promote(_ party: ConsultParty, in call: InboundCall, releasing previous: AgentID) {
        if let old = call.agentCall {
            call.withdrawnAgentCall = old
            if !old.state.isTerminated { old.hangUp() }
        }
        call.agentLeg?.close()
        if let routingID = call.routingID {
            call.routingID = nil
            callsByRoutingID[routingID] = nil
            route(.callEnded(routingID))
        }
        call.mixer.remove(party.participant)
        call.agentCall = party.sip
        call.agentLeg = party.leg
        call.agentOffer = party.offer
        party.leg = nil
        party.ended = true
        party.ringTimer?.cancel()
        if let routingID = party.routingID {
            party.routingID = nil
            cti.consults[routingID] = nil
            call.routingID = routingID
            callsByRoutingID[routingID] = call
        }
        let agent = party.agent ?? AgentID(Int(party.phone ?? "") ?? previous.rawValue)
        call.phase = .bridged(agent)
        call.agent = agent.rawValue
        if let consultation = call.consultation {
            consultation.parties.removeAll { $0 === party }
            if consultation.parties.isEmpty {
                call.consultation = nil
            } else {
                call.mixer.connectAll([0, 1] + consultation.parties.filter(\.connected).map(\.participant))
            }
        }
        call.isHeld = false
        noteInProgress(call)
        logger.info("call handed to consulted party", metadata: ["call": "\(call.sip.callID)", "to": "\(party.label)"])
    }

    /// The agent's leg ended while parties were joined (called before the usual agent-hung-up path):
    /// the first connected party takes the caller over. Returns false when nobody had answered (the
    /// ringing parties are dropped and the usual path goes on).
    func agentLeftConsultation(_ call: InboundCall) -> Bool {
        guard let consultation = call.consultation, case .bridged(let agent) = call.phase else { return false }
        // An agent takes over before a plain extension, so the ACD keeps an agent on the call.
        guard let party = consultation.parties.first(where: { $0.connected && $0.agent != nil })
            ?? consultation.parties.first(where: \.connected) else {
            for party in consultation.parties { release(party) }
            call.consultation = nil
            call.isHeld = false
            return false
        }
        let wasConference = consultation.isConference
        call.withdrawnAgentCall = call.agentCall
        let label = party.label
        promote(party, in: call, releasing: agent)
        if wasConference {
            publish(consultEvent("call.participantLeft", call, agent: agent, by: "agent", target: phone(of: agent)))
            if call.consultation == nil { publish(consultEvent("call.conferenceEnded", call, agent: party.agent, by: "agent")) }
        } else {
            publish(CallCenterEvent(type: "call.consultCompleted", occurredAt: now(), agent: party.agent?.rawValue, call: call.sip.callID,
                                    queue: call.queue, caller: call.caller, reason: "agent \(agent.rawValue) hung up", by: "agent",
                                    target: label, ivrPath: call.ivrPath))
        }
        return true
    }

    /// The call's (promoted) agent leg ended: another party takes over, else the caller goes on to the rating.
    private func agentLegEnded(_ call: InboundCall) {
        if agentLeftConsultation(call) { return }
        guard case .bridged(let agent) = call.phase else { return }
        finishRecording(call)
        call.agentCall = nil
        call.agentLeg?.close()
        call.agentLeg = nil
        if let routingID = call.routingID {
            call.routingID = nil
            route(.callEnded(routingID))
            callsByRoutingID[routingID] = nil
        }
        call.phase = .ivr
        feed(.handoffEnded(.agentHungUp(agent: String(agent.rawValue)), at: now()), call)
    }

    /// The caller's call ended: every party is hung up.
    func endConsultation(_ call: InboundCall) {
        guard let consultation = call.consultation else { return }
        call.consultation = nil
        for party in consultation.parties { release(party) }
    }

    // MARK: The ACD's actions for consultations

    /// Carries out an ACD action about a consultation; false when the action is about a caller's call.
    func performConsultAction(_ action: RoutingAction) -> Bool {
        switch action {
        case .offer(let id, let agent, _):
            guard let party = cti.consults[id] else { return false }
            if !party.ended && party.sip == nil && party.leg == nil {
                party.agent = agent
                let phone = phone(of: agent)
                party.phone = phone
                dialParty(party, phone: phone)
            }
        case .stopRinging(let id, _):
            guard let party = cti.consults[id] else { return false }
            if !party.ended && !party.connected { partyFailed(party, reason: "no answer") }
        case .connect(let id, _):
            guard let party = cti.consults[id] else { return false }
            if !party.ended { partyConnected(party) }
        case .announce(let id, _, _):
            guard cti.consults[id] != nil else { return false }
        case .overflow(let id, let reason, _):
            guard let party = cti.consults[id] else { return false }
            cti.consults[id] = nil
            party.routingID = nil   // the ACD let go of it already
            partyFailed(party, reason: "no agent answered (\(reason.rawValue))")
        case .record(let event):
            // A consultation is no caller waiting: its queued/abandoned/overflowed records would skew the
            // queues' statistics, so they stay out of the event log (its offer, answer and completion, the
            // agent's work, go in). None is published as a caller's call event (see `isConsultRouting`).
            guard isConsultRouting(event) else { return false }
            switch event {
            case .callQueued, .callAbandoned, .callOverflowed: break
            default:
                do {
                    append([try event.recorded(occurredAt: now())])
                } catch {
                    logger.error("cannot encode routing event: \(error)")
                }
            }
        }
        return true
    }

    /// Whether an ACD event is about a consultation (not published as a caller's call event).
    func isConsultRouting(_ event: RoutingEvent) -> Bool {
        let id: HotlineACD.CallID
        switch event {
        case .agentStateChanged: return false
        case .callQueued(let e): id = e.call
        case .callOffered(let e): id = e.call
        case .offerUnanswered(let e): id = e.call
        case .callAnswered(let e): id = e.call
        case .callCompleted(let e): id = e.call
        case .callAbandoned(let e): id = e.call
        case .callOverflowed(let e): id = e.call
        }
        return cti.consults[id] != nil
    }

    // MARK: Status and events

    func participants(of call: InboundCall) -> [CallParticipant]? {
        guard let consultation = call.consultation, !consultation.parties.isEmpty else { return nil }
        return consultation.parties.map { party in
            CallParticipant(phone: party.phone ?? party.label, agent: party.agent?.rawValue,
                            state: !party.connected ? "ringing" : consultation.isConference ? "conference" : "consulting")
        }
    }

    private func consultEvent(_ type: String, _ call: InboundCall, agent: AgentID?, by: String?, reason: String? = nil,
                              target: String? = nil) -> CallCenterEvent {
        CallCenterEvent(type: type, occurredAt: now(), agent: agent?.rawValue, call: call.sip.callID, queue: call.queue,
                        caller: call.caller, reason: reason, by: by, target: target)
    }
}
