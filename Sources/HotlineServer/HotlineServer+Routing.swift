import Foundation
import HotlineACD
import HotlineCore
import HotlineIVR
import HotlineMedia
import HotlineSIP
import Logging
import NIOCore

extension HotlineServer {
    // MARK: Queueing

    /// The IVR handed the call to a queue.
    func enqueue(_ request: QueueRequest, _ call: InboundCall) {
        guard let queue = queueIDs[request.queue] else {
            logger.warning("flow enqueues to an unknown queue", metadata: ["queue": "\(request.queue)"])
            loop.execute { [self] in
                feed(.handoffEnded(.unavailable(reason: "no queue named \(request.queue)"), at: now()), call)
            }
            return
        }
        let id = HotlineACD.CallID(nextRoutingID)
        nextRoutingID += 1
        call.routingID = id
        call.queue = request.queue
        call.queuedAt = now()
        call.phase = .queued
        callsByRoutingID[id] = call
        noteInProgress(call)
        route(.callArrived(id, queue: queue, caller: Caller(number: call.caller, priority: request.priority)))
    }

    /// Feeds the ACD and carries out its actions.
    func route(_ input: RoutingInput) {
        var actions: [RoutingAction] = []
        do {
            try acd.handle(input, at: timestamp(), into: &actions)
        } catch {
            logger.warning("ACD refused input", metadata: ["input": "\(input)", "error": "\(error)"])
        }
        perform(actions)
    }

    func perform(_ actions: [RoutingAction]) {
        for action in actions {
            if performConsultAction(action) { continue }
            switch action {
            case .offer(let id, let agent, _):
                guard let call = callsByRoutingID[id] else {
                    loop.execute { [self] in route(.agentDeclined(agent, id)) }
                    continue
                }
                ring(agent, for: call, id: id)
            case .stopRinging(let id, let agent):
                guard let call = callsByRoutingID[id], call.phase == .ringing(agent) else { continue }
                withdrawOffer(call)
                call.phase = .queued
            case .connect(let id, let agent):
                guard let call = callsByRoutingID[id] else { continue }
                bridge(call, agent: agent)
            case .announce(let id, let position, let estimatedWait):
                guard let call = callsByRoutingID[id] else { continue }
                announce(position: position, estimatedWait: estimatedWait, to: call)
            case .overflow(let id, let reason, let overflow):
                guard let call = callsByRoutingID[id] else { continue }
                callsByRoutingID[id] = nil
                call.routingID = nil
                if case .ringing = call.phase { withdrawOffer(call) }
                call.phase = .ivr
                call.player = nil
                call.announcement = nil
                loop.execute { [self] in
                    feed(.handoffEnded(.unavailable(reason: "\(reason.rawValue) (\(overflow))"), at: now()), call)
                }
            case .record(let event):
                publish(event)
                do {
                    append([try event.recorded(occurredAt: now())])
                } catch {
                    logger.error("cannot encode routing event: \(error)")
                }
            }
        }
    }

    // MARK: The agent leg (B2BUA)

    /// Rings the agent's registered phone with a second dialog whose media is anchored on our socket.
    private func ring(_ agent: AgentID, for call: InboundCall, id: HotlineACD.CallID) {
        guard let binding = contact(of: agent) else {
            logger.info("offered agent has no registered phone", metadata: ["agent": "\(agent.rawValue)"])
            loop.execute { [self] in
                route(.agentDeclined(agent, id))
                route(.logOut(agent))
            }
            return
        }
        call.phase = .ringing(agent)
        MediaLeg.bind(host: configuration.rtp.host, ports: ports, loop: loop, statistics: mediaStatistics, logger: logger)
            .whenComplete { [self] result in
                switch result {
                case .success(let leg):
                    dial(agent, binding: binding, leg: leg, call: call, id: id)
                case .failure(let error):
                    logger.error("no RTP socket for the agent leg: \(error)")
                    route(.agentDeclined(agent, id))
                }
            }
    }

    private func dial(_ agent: AgentID, binding: RegistrationBinding, leg: MediaLeg, call: InboundCall, id: HotlineACD.CallID) {
        guard !call.isEnded, call.phase == .ringing(agent), call.routingID == id else {
            leg.close()
            return
        }
        let offer = OfferAnswer.offer(capabilities: capabilities, address: configuration.rtp.host, port: leg.port,
                                      sessionID: UInt64.random(in: 1...UInt64(UInt32.max)))
        call.agentLeg = leg
        call.agentOffer = offer
        var from = NameAddress(uri: SIPURI(user: call.caller.isEmpty ? "anonymous" : call.caller, host: configuration.sip.host))
        from.displayName = call.caller
        let agentCall = userAgent.call(binding.contact.uri, from: from, body: Array(offer.text.utf8),
                                       onStateChange: { [weak self, weak call] agentCall in
                                           guard let self, let call else { return }
                                           agentLegChanged(agentCall, call: call, agent: agent, id: id)
                                       })
        call.agentCall = agentCall
        logger.info("ringing agent", metadata: ["agent": "\(agent.rawValue)", "contact": "\(binding.contact.uri)", "call": "\(call.sip.callID)"])
    }

    /// Stops ringing the agent (another agent answered, the offer timed out, the caller left), or drops
    /// the agent's leg of a transferred call.
    func withdrawOffer(_ call: InboundCall) {
        if let agentCall = call.agentCall {
            call.withdrawnAgentCall = agentCall
            agentCall.hangUp()
        }
        call.agentCall = nil
        call.agentLeg?.close()
        call.agentLeg = nil
        call.agentOffer = nil
    }

    private func agentLegChanged(_ agentCall: Call, call: InboundCall, agent: AgentID, id: HotlineACD.CallID) {
        if call.withdrawnAgentCall === agentCall { return }
        guard call.agentCall === agentCall else { return }
        switch agentCall.state {
        case .established:
            guard call.phase == .ringing(agent), let offer = call.agentOffer, let leg = call.agentLeg else { return }
            do {
                let answer = try SessionDescription(parsing: String(decoding: agentCall.remoteBody, as: UTF8.self))
                let audio = try OfferAnswer.negotiate(offer: offer, answer: answer)
                try leg.configure(audio)
            } catch {
                logger.warning("agent phone answered with unusable SDP", metadata: ["agent": "\(agent.rawValue)", "error": "\(error)"])
                withdrawOffer(call)
                call.phase = .queued
                route(.agentDeclined(agent, id))
                return
            }
            route(.agentAnswered(agent, id))
        case .terminated(let reason):
            switch call.phase {
            case .ringing(agent):
                // Ring-no-answer, busy or declined: the ACD puts the caller back at the head of the queue.
                logger.info("agent did not answer", metadata: ["agent": "\(agent.rawValue)", "reason": "\(reason)"])
                call.agentCall = nil
                call.agentLeg?.close()
                call.agentLeg = nil
                call.phase = .queued
                route(.agentDeclined(agent, id))
            case .bridged(agent):
                if agentLeftConsultation(call) { return }
                agentHungUp(call, agent: agent, id: id)
            default:
                break
            }
        default:
            break
        }
    }

    /// The agent answered: bridge the legs through the mixer and start the stereo recording.
    private func bridge(_ call: InboundCall, agent: AgentID) {
        call.phase = .bridged(agent)
        call.agent = agent.rawValue
        call.agentAnsweredAt = now()
        call.player = nil
        call.playbackID = nil
        call.announcement = nil
        defer { noteInProgress(call) }
        if configuration.recordCalls, call.recorder == nil,   // a transferred call keeps its recording
           let (recorder, reference) = startRecording(call.sip.callID) {
            call.recorder = recorder
            call.recording = reference
        }
        logger.info("call bridged", metadata: ["agent": "\(agent.rawValue)", "call": "\(call.sip.callID)"])
    }

    /// The agent hung up first: the caller goes back to the flow (the rating, then goodbye).
    private func agentHungUp(_ call: InboundCall, agent: AgentID, id: HotlineACD.CallID) {
        finishRecording(call)
        call.agentCall = nil
        call.agentLeg?.close()
        call.agentLeg = nil
        call.routingID = nil
        route(.callEnded(id))
        callsByRoutingID[id] = nil
        call.phase = .ivr
        feed(.handoffEnded(.agentHungUp(agent: String(agent.rawValue)), at: now()), call)
    }
}

extension HotlineServer {
    /// Opens a call's stereo recording, `recordings/<day in Beijing>/<call>.wav` under the data directory.
    /// - Parameter callID: The call's identifier (made safe for a file name).
    /// - Returns: The recorder and the path relative to the data directory, or `nil` (logged) if the file
    ///   cannot be created.
    func startRecording(_ callID: String) -> (Recorder, String)? {
        let day = ISO8601DateFormatter.string(from: now(), timeZone: TimeZone(identifier: "Asia/Shanghai") ?? .current,
                                              formatOptions: [.withFullDate])
        let reference = "recordings/\(day)/\(Self.fileSafe(callID)).wav"
        let url = dataDirectory.appendingPathComponent(reference)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            return (try Recorder(url: url, layout: .stereo), reference)
        } catch {
            logger.error("cannot start the recording: \(error)", metadata: ["call": "\(callID)"])
            return nil
        }
    }
}
