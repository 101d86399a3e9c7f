import Foundation
import HotlineACD
import HotlineMedia
import HotlineSIP
import Logging
import NIOCore

/// A click-to-dial or call-back request: ring the agent's phone, and when the agent answers dial the
/// number out through the trunk, bridged and recorded through the server.
///
/// Events on the CTI stream, all carrying ``id`` as `call` and the number as `caller`: `call.dialing` (the
/// agent's phone rings; the agent's stream also gets the screen pop of the number),
/// `call.dialingOut` (the agent answered; the INVITE left for the trunk), `call.answered` (the far end
/// answered), `call.failed` (the agent did not answer, or the trunk refused: `reason` is the SIP status,
/// `timeout` or `agentNoAnswer`), `call.ended`.
public struct OutboundDial: Sendable, Hashable {
    /// The agent whose phone is rung first.
    public var agent: Int
    /// The external number (digits, `+`, `*`, `#`; the trunk's prefix is added).
    public var number: String
    /// The voicemail message being called back: marked handled when the far end answers.
    public var voicemail: String?
    /// The call's identifier in the CTI (`calls`, `hangup`) and its CDR.
    public var id: String

    /// Creates a request.
    /// - Parameters:
    ///   - agent: The agent.
    ///   - number: The number to dial.
    ///   - voicemail: The voicemail message called back, if any.
    ///   - id: The call's identifier (a fresh one by default).
    public init(agent: Int, number: String, voicemail: String? = nil, id: String = OutboundDial.newID()) {
        self.agent = agent
        self.number = number
        self.voicemail = voicemail
        self.id = id
    }

    /// A fresh outbound call identifier (`out-` and 16 hex digits).
    /// - Returns: The identifier.
    public static func newID() -> String {
        let value = UInt64.random(in: 0 ... .max)
        let hex = String(value, radix: 16)
        return "out-" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// One outbound call on the server (loop-confined): the agent's leg (rung first), the trunk leg, the
/// bridge between them and its stereo recording (far end left, agent right).
final class OutboundCall: @unchecked Sendable {
    enum Phase: Equatable {
        /// The agent's phone rings.
        case ringingAgent
        /// The agent answered and hears ringback; the trunk is being dialled.
        case dialing
        /// Both sides talk.
        case bridged
    }

    let request: OutboundDial
    let agent: AgentID
    let phone: String
    let by: String
    let startedAt: Date
    let slot: Int
    var phase = Phase.ringingAgent
    var isEnded = false
    var agentCall: Call?
    var agentLeg: MediaLeg?
    var agentOffer: SessionDescription?
    var agentConnected = false
    var agentAnsweredAt: Date?
    var trunkCall: Call?
    var trunkLeg: MediaLeg?
    var trunkOffer: SessionDescription?
    var answeredAt: Date?
    var recorder: Recorder?
    var recording: String?
    var isHeld = false
    var hold = HoldMusic()
    var ringback = ToneGenerator(.ringback)
    /// The agent was made not ready for the call (restored to ready at its end).
    var madeNotReady = false
    /// Why the call failed (SIP status, `timeout`, `noAnswer`, `agentNoAnswer`).
    var failure: String?
    /// Gives up on the ringing agent or far end.
    var timer: Scheduled<Void>?

    init(request: OutboundDial, phone: String, by: String, startedAt: Date, slot: Int) {
        self.request = request
        agent = AgentID(request.agent)
        self.phone = phone
        self.by = by
        self.startedAt = startedAt
        self.slot = slot
    }
}

extension HotlineServer {
    /// The reason an agent is made not ready while on an outbound call.
    static let outboundReason = "outbound"
    /// How long the agent's phone rings for a click-to-dial.
    static let agentRingTimeout = TimeAmount.seconds(30)

    // MARK: Placing the call

    /// Rings the agent's phone for a click-to-dial (on the loop).
    func dial(_ request: OutboundDial, by actor: String) throws(CallCenterError) -> String {
        _ = try requireTrunk("dial \(request.number)")
        var request = request
        request.number = try Self.validExternalNumber(request.number)
        guard configuration.agents.contains(where: { $0.id == request.agent }) else { throw CallCenterError(.notFound, "no agent \(request.agent)") }
        guard outbound.calls[request.id] == nil, calls[request.id] == nil else { throw CallCenterError(.conflict, "call \(request.id) exists") }
        let agent = AgentID(request.agent)
        if outbound.calls.values.contains(where: { $0.agent == agent }) {
            throw CallCenterError(.conflict, "agent \(request.agent) is already on an outbound call")
        }
        switch acd.state(of: agent) {
        case .ringing?, .onCall?:
            throw CallCenterError(.conflict, "agent \(request.agent) is on a call")
        default:
            break
        }
        guard let binding = contact(of: agent) else { throw CallCenterError(.conflict, "agent \(request.agent)'s phone is not registered") }
        let call = OutboundCall(request: request, phone: phone(of: agent), by: actor, startedAt: now(), slot: outbound.nextSlot)
        outbound.nextSlot = (outbound.nextSlot + 1) % MediaSchedule.slots
        switch acd.state(of: agent) {
        case .ready?, .wrapUp?:
            // Keep inbound offers away from the agent while the outbound call lasts.
            try routeChecked(.notReady(agent, reason: Self.outboundReason))
            call.madeNotReady = true
        default:
            break
        }
        outbound.calls[request.id] = call
        publish(outboundEvent("call.dialing", call, by: actor, reason: request.voicemail.map { "callback \($0)" }))
        MediaLeg.bind(host: configuration.rtp.host, ports: ports, loop: loop, statistics: mediaStatistics, logger: logger)
            .whenComplete { [self] result in
                switch result {
                case .success(let leg):
                    ringAgent(call, binding: binding, leg: leg)
                case .failure(let error):
                    logger.error("no RTP socket for the agent leg: \(error)")
                    endOutbound(call, endedBy: "server", failure: "noMedia")
                }
            }
        return "call \(request.id): ringing agent \(request.agent)'s phone to dial \(request.number)"
    }

    private func ringAgent(_ call: OutboundCall, binding: RegistrationBinding, leg: MediaLeg) {
        guard !call.isEnded else {
            leg.close()
            return
        }
        let offer = OfferAnswer.offer(capabilities: capabilities, address: configuration.rtp.host, port: leg.port,
                                      sessionID: UInt64.random(in: 1...UInt64(UInt32.max)))
        call.agentLeg = leg
        call.agentOffer = offer
        var from = NameAddress(uri: SIPURI(user: call.request.number, host: configuration.sip.host))
        from.displayName = call.request.voicemail == nil ? "dial \(call.request.number)" : "call back \(call.request.number)"
        call.agentCall = userAgent.call(binding.contact.uri, from: from, body: Array(offer.text.utf8),
                                        onStateChange: { [weak self, weak call] sip in
                                            guard let self, let call else { return }
                                            outboundAgentLegChanged(sip, call: call)
                                        })
        call.timer = loop.scheduleTask(in: Self.agentRingTimeout) { [self] in
            if call.phase == .ringingAgent { endOutbound(call, endedBy: "server", failure: "agentNoAnswer") }
        }
        logger.info("click-to-dial: ringing agent", metadata: ["agent": "\(call.request.agent)", "number": "\(call.request.number)",
                                                              "call": "\(call.request.id)"])
    }

    private func outboundAgentLegChanged(_ sip: Call, call: OutboundCall) {
        guard call.agentCall === sip, !call.isEnded else { return }
        switch sip.state {
        case .established:
            guard !call.agentConnected, let offer = call.agentOffer, let leg = call.agentLeg else { return }
            do {
                let answer = try SessionDescription(parsing: String(decoding: sip.remoteBody, as: UTF8.self))
                try leg.configure(try OfferAnswer.negotiate(offer: offer, answer: answer))
            } catch {
                logger.warning("agent phone answered with unusable SDP", metadata: ["agent": "\(call.request.agent)", "error": "\(error)"])
                endOutbound(call, endedBy: "server", failure: "488")
                return
            }
            call.agentConnected = true
            call.agentAnsweredAt = now()
            call.phase = .dialing
            MediaLeg.bind(host: configuration.rtp.host, ports: ports, loop: loop, statistics: mediaStatistics, logger: logger)
                .whenComplete { [self] result in
                    switch result {
                    case .success(let leg):
                        dialTrunk(call, leg: leg)
                    case .failure(let error):
                        logger.error("no RTP socket for the trunk leg: \(error)")
                        endOutbound(call, endedBy: "server", failure: "noMedia")
                    }
                }
        case .terminated:
            call.agentCall = nil
            if call.phase == .ringingAgent {
                endOutbound(call, endedBy: "agent", failure: "agentNoAnswer")
            } else {
                endOutbound(call, endedBy: "agent", failure: nil)
            }
        default:
            break
        }
    }

    private func dialTrunk(_ call: OutboundCall, leg: MediaLeg) {
        guard !call.isEnded else {
            leg.close()
            return
        }
        call.trunkLeg = leg
        do {
            let (sip, offer) = try inviteThroughTrunk(call.request.number, leg: leg) { [weak self, weak call] sip in
                guard let self, let call else { return }
                trunkLegChanged(sip, call: call)
            }
            call.trunkCall = sip
            call.trunkOffer = offer
            call.timer?.cancel()
            call.timer = loop.scheduleTask(in: .seconds(Int64(configuration.trunk?.answerTimeout ?? 60))) { [self] in
                if call.phase == .dialing { endOutbound(call, endedBy: "server", failure: "noAnswer") }
            }
        } catch {
            logger.error("cannot dial the trunk: \(error)")
            endOutbound(call, endedBy: "server", failure: "badTrunk")
            return
        }
        publish(outboundEvent("call.dialingOut", call, by: call.by))
    }

    private func trunkLegChanged(_ sip: Call, call: OutboundCall) {
        guard call.trunkCall === sip, !call.isEnded else { return }
        switch sip.state {
        case .established:
            guard call.phase == .dialing, let offer = call.trunkOffer, let leg = call.trunkLeg else { return }
            do {
                let answer = try SessionDescription(parsing: String(decoding: sip.remoteBody, as: UTF8.self))
                try leg.configure(try OfferAnswer.negotiate(offer: offer, answer: answer))
            } catch {
                logger.warning("the trunk answered with unusable SDP", metadata: ["call": "\(call.request.id)", "error": "\(error)"])
                endOutbound(call, endedBy: "server", failure: "488")
                return
            }
            call.phase = .bridged
            call.timer?.cancel()
            call.timer = nil
            call.answeredAt = now()
            startOutboundRecording(call)
            // Kept in `active_call` until its record is written: after a crash it is closed as interrupted.
            writer.submit(.active(record(for: call, endedBy: "server", disposition: .interrupted, failure: nil)))
            publish(outboundEvent("call.answered", call, by: call.by))
            if let voicemail = call.request.voicemail { markCalledBack(voicemail, call: call) }
        case .terminated:
            call.trunkCall = nil
            if call.phase == .bridged {
                endOutbound(call, endedBy: "callee", failure: nil)
            } else {
                endOutbound(call, endedBy: "trunk", failure: Self.trunkReason(sip.state))
            }
        default:
            break
        }
    }

    private func markCalledBack(_ id: String, call: OutboundCall) {
        let store = voicemail
        let by = call.by
        let at = now()
        Task { [self] in
            do {
                _ = try await store.markHandled(id: id, by: by, at: at)
            } catch {
                logger.error("cannot mark the voicemail handled: \(error)", metadata: ["voicemail": "\(id)"])
            }
        }
        publish(CallCenterEvent(type: "voicemail.handled", occurredAt: at, agent: call.request.agent, call: call.request.id,
                                caller: call.request.number, by: by, target: id))
    }

    private func startOutboundRecording(_ call: OutboundCall) {
        guard configuration.recordCalls, let (recorder, reference) = startRecording(call.request.id) else { return }
        call.recorder = recorder
        call.recording = reference
    }

    // MARK: Media

    /// One 20 ms interval of the outbound calls in a media slot.
    func outboundMedia(slot: Int) {
        guard !outbound.calls.isEmpty else { return }
        for call in outbound.calls.values where call.slot == slot && !call.isEnded {
            outboundMedia(call)
        }
    }

    private func outboundMedia(_ call: OutboundCall) {
        guard call.agentConnected, let agentLeg = call.agentLeg else { return }
        let agentInput = agentLeg.readFrame()
        switch call.phase {
        case .ringingAgent:
            return
        case .dialing:
            agentLeg.send(call.ringback.nextFrame())
        case .bridged:
            guard let trunkLeg = call.trunkLeg else { return }
            let far = trunkLeg.readFrame()
            if call.isHeld {
                call.hold.withNextFrame { trunkLeg.send($0) }
                agentLeg.send(Self.silentFrame)
            } else {
                agentLeg.send(far)
                trunkLeg.send(agentInput)
            }
            if let recorder = call.recorder {
                do {
                    try recorder.append(caller: far, agent: agentInput)
                } catch {
                    logger.error("recording failed: \(error)")
                    call.recorder = nil
                }
            }
        }
    }

    // MARK: CTI

    /// CTI actions on an outbound call (hang-up, force hang-up, hold, resume); `nil` when the command is not
    /// about one.
    func executeOnOutboundCall(_ command: CallCenterCommand, by actor: String) throws(CallCenterError) -> String? {
        switch command {
        case .hangUp(let id), .forceHangUp(let id):
            guard let call = outbound.calls[id] else { return nil }
            publish(outboundEvent(command == .hangUp(call: id) ? "call.hungUp" : "call.forceHungUp", call, by: actor))
            endOutbound(call, endedBy: command == .hangUp(call: id) ? "agent" : "supervisor", failure: nil)
            return "outbound call \(id) hung up"
        case .hold(let id), .resume(let id):
            guard let call = outbound.calls[id] else { return nil }
            guard call.phase == .bridged else { throw CallCenterError(.conflict, "call \(id) is not answered yet") }
            let holding = command == .hold(call: id)
            guard call.isHeld != holding else { return holding ? "call already held" : "call not held" }
            call.isHeld = holding
            publish(outboundEvent(holding ? "call.held" : "call.resumed", call, by: actor))
            return holding ? "the far end hears music on hold" : "call resumed"
        case .transfer(let id, _), .monitor(let id, _, _), .pickUp(let id, _), .stopMonitoring(let id):
            guard outbound.calls[id] != nil else { return nil }
            throw CallCenterError(.conflict, "call \(id) is an outbound call: only hang-up, hold and resume apply")
        default:
            return nil
        }
    }

    /// The id of the agent's outbound call, if any.
    func outboundCall(of agent: AgentID) -> String? {
        outbound.calls.values.first { $0.agent == agent }?.request.id
    }

    /// The outbound calls as the CTI shows them: `caller` is the external number.
    func outboundStatuses() -> [CallStatus] {
        outbound.calls.values.sorted { $0.startedAt < $1.startedAt }.map { call in
            let phase = switch call.phase {
            case .ringingAgent: "ringing"
            case .dialing: "dialing"
            case .bridged: call.isHeld ? "held" : "talking"
            }
            return CallStatus(call: call.request.id, caller: call.request.number, dialled: call.request.number, phase: phase,
                              queue: nil, agent: call.request.agent, startedAt: call.startedAt, queuedAt: nil,
                              agentAnsweredAt: call.answeredAt, ivrPath: call.request.voicemail.map { ["call-back of \($0)"] } ?? ["click-to-dial"],
                              monitoredBy: nil, monitorMode: nil)
        }
    }

    private func outboundEvent(_ type: String, _ call: OutboundCall, by: String?, reason: String? = nil) -> CallCenterEvent {
        CallCenterEvent(type: type, occurredAt: now(), agent: call.request.agent, call: call.request.id, caller: call.request.number,
                        reason: reason, by: by, target: call.request.number,
                        ivrPath: type == "call.dialing" ? (call.request.voicemail.map { ["call-back of \($0)"] } ?? ["click-to-dial"]) : nil)
    }

    // MARK: Ending

    /// Ends both legs, closes the sockets and the recording, writes the CDR (direction outbound) and
    /// gives the agent back to the ACD.
    func endOutbound(_ call: OutboundCall, endedBy: String, failure: String?) {
        guard !call.isEnded else { return }
        call.isEnded = true
        call.failure = failure
        call.timer?.cancel()
        call.timer = nil
        if let sip = call.agentCall, !sip.state.isTerminated { sip.hangUp() }
        if let sip = call.trunkCall, !sip.state.isTerminated { sip.hangUp() }
        call.agentCall = nil
        call.trunkCall = nil
        call.agentLeg?.close()
        call.trunkLeg?.close()
        if let recorder = call.recorder {
            call.recorder = nil
            do {
                _ = try recorder.finish()
            } catch {
                logger.error("recording could not be finished: \(error)")
            }
        }
        outbound.calls[call.request.id] = nil
        if call.madeNotReady, acd.state(of: call.agent) == .notReady(reason: Self.outboundReason) {
            route(.ready(call.agent))
        }
        let disposition: CallDetailRecord.Disposition = call.answeredAt == nil ? .failed : .answered
        save(record(for: call, endedBy: endedBy, disposition: disposition, failure: failure))
        if let failure { publish(outboundEvent("call.failed", call, by: endedBy, reason: failure)) }
        publish(outboundEvent("call.ended", call, by: endedBy, reason: disposition.rawValue))
        logger.info("outbound call ended", metadata: ["call": "\(call.request.id)", "by": "\(endedBy)",
                                                     "disposition": "\(disposition.rawValue)", "failure": "\(failure ?? "none")"])
    }

    /// The call detail record of an outbound call as of now.
    func record(for call: OutboundCall, endedBy: String, disposition: CallDetailRecord.Disposition,
                failure: String?) -> CallDetailRecord {
        var outcome = call.request.voicemail.map { "call-back of \($0)" } ?? "click-to-dial"
        if let failure { outcome += ": \(failure)" }
        var record = CallDetailRecord(
            callID: call.request.id, caller: call.phone, dialledNumber: call.request.number, startedAt: call.startedAt,
            answeredAt: call.answeredAt, queuedAt: nil, queue: nil, agent: call.request.agent, agentAnsweredAt: call.answeredAt,
            endedAt: now(), disposition: disposition, endedBy: endedBy, flowOutcome: outcome, recording: call.recording, rating: nil)
        record.direction = .outbound
        return record
    }

    /// Hangs up every outbound call (on shutdown).
    func endOutboundCalls() {
        for call in Array(outbound.calls.values) { endOutbound(call, endedBy: "server", failure: nil) }
    }
}
