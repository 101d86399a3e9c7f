import Foundation
import HotlineACD
import HotlineCore
import HotlineIVR
import HotlineMedia
import HotlineSIP
import Logging
import NIOCore

extension HotlineServer {
    // MARK: Answering

    /// A new INVITE (on the loop): picks the flow by the dialled number, binds an RTP socket, answers
    /// with SDP and starts the IVR.
    func incoming(_ sip: Call) {
        let dialled = sip.invite.uri.decodedUser ?? ""
        let caller = (try? sip.invite.from())?.uri.decodedUser ?? ""
        let startedAt = now()
        if dialled.hasPrefix("*") {
            featureCode(sip, phone: caller, code: dialled)
            return
        }
        guard acceptingCalls else {
            sip.reject(status: 503)
            return
        }
        guard var machine = flows.makeCall() else {
            sip.reject(status: 503)
            return
        }
        let offer: SessionDescription
        do {
            offer = try SessionDescription(parsing: String(decoding: sip.remoteBody, as: UTF8.self))
        } catch {
            logger.info("INVITE without a usable SDP offer", metadata: ["call": "\(sip.callID)", "error": "\(error)"])
            sip.reject(status: 488)
            return
        }
        // Start the flow before answering, so a number with no route is refused with 404, not answered.
        let first = machine.handle(.callStarted(CallStart(callID: sip.callID, caller: caller, dialledNumber: dialled), at: startedAt))
        let call = InboundCall(sip: sip, caller: caller, dialledNumber: dialled, startedAt: startedAt, machine: machine)
        if case .finished(.noRoute) = machine.waiting {
            logger.info("no flow for the dialled number", metadata: ["did": "\(dialled)", "call": "\(sip.callID)"])
            sip.reject(status: 404)
            emitOnly(first)
            save(record(for: call, endedBy: "server", disposition: .failed))
            return
        }
        calls[sip.callID] = call
        callStatistics.started += 1
        sip.onStateChange = { [self] sip in
            if case .terminated = sip.state, let call = calls[sip.callID] { callerLeft(call) }
        }
        sip.ring()
        MediaLeg.bind(host: configuration.rtp.host, ports: ports, loop: loop, statistics: mediaStatistics, logger: logger)
            .whenComplete { [self] result in
                switch result {
                case .success(let leg):
                    answer(call, offer: offer, leg: leg, first: first)
                case .failure(let error):
                    logger.error("no RTP socket: \(error)")
                    sip.reject(status: 503)
                    finish(call, endedBy: "server")
                }
            }
    }

    private func answer(_ call: InboundCall, offer: SessionDescription, leg: MediaLeg, first: [CallFlowAction]) {
        guard !call.isEnded else {
            leg.close()
            return
        }
        let answer: SessionDescription
        do {
            let (sdp, audio) = try OfferAnswer.answer(to: offer, capabilities: capabilities, address: configuration.rtp.host,
                                                      port: leg.port, sessionID: UInt64.random(in: 1...UInt64(UInt32.max)))
            try leg.configure(audio)
            answer = sdp
        } catch {
            logger.info("no common codec", metadata: ["call": "\(call.sip.callID)", "error": "\(error)"])
            leg.close()
            call.sip.reject(status: 488)
            finish(call, endedBy: "server")
            return
        }
        call.leg = leg
        leg.onDigit = { [weak self, weak call] digit in
            guard let self, let call else { return }
            digitPressed(digit, call)
        }
        call.sip.answer(body: Array(answer.text.utf8))
        call.answeredAt = now()
        call.phase = .ivr
        startMedia(call)
        noteInProgress(call)
        perform(first, for: call)
    }

    // MARK: The IVR

    /// Feeds an event to the call's interpreter and carries out what it asks.
    func feed(_ event: CallFlowEvent, _ call: InboundCall) {
        guard !call.isEnded else { return }
        perform(call.machine.handle(event), for: call)
    }

    private func digitPressed(_ digit: Character, _ call: InboundCall) {
        guard !call.isEnded else { return }
        logger.debug("digit", metadata: ["call": "\(call.sip.callID)", "digit": "\(digit)", "phase": "\(call.phase)"])
        if let message = call.message, message.endKeys.contains(digit) {
            stopMessage(call)
            return
        }
        switch call.phase {
        case .ivr: feed(.digit(digit, at: now()), call)
        default: break   // keys while queued or talking are not interpreted yet
        }
    }

    func perform(_ actions: [CallFlowAction], for call: InboundCall) {
        for action in actions {
            guard !call.isEnded else { return }
            switch action {
            case .play(let playback):
                play(playback, call)
            case .stopPlayback(let id):
                if call.playbackID == id {
                    call.player = nil
                    call.playbackID = nil
                }
            case .collect:
                break
            case .startTimer(let id, let after):
                call.timers[id]?.cancel()
                call.timers[id] = loop.scheduleTask(in: .nanoseconds(Self.nanoseconds(after))) { [self] in
                    call.timers[id] = nil
                    feed(.timeout(id, at: now()), call)
                }
            case .cancelTimer(let id):
                call.timers.removeValue(forKey: id)?.cancel()
            case .record(let request):
                startMessage(request, call)
            case .discardRecording(let reference):
                try? FileManager.default.removeItem(at: dataDirectory.appendingPathComponent(reference))
            case .lookUp(let request):
                let provider = selfService
                Task {
                    let result = await provider.perform(request)
                    loop.execute { [self] in feed(.lookupFinished(result, at: now()), call) }
                }
            case .enqueue(let request):
                enqueue(request, call)
            case .transfer(let number):
                loop.execute { [self] in
                    feed(.handoffEnded(.unavailable(reason: "transfer to \(number): no outbound trunk configured"), at: now()), call)
                }
            case .hangUp(let reason):
                if reason == "blacklisted" { call.refused = true }
                finish(call, endedBy: "server")
                call.sip.hangUp()
            case .setVariable(let name, let value):
                call.variables[name] = value
            case .emit(let event, let at):
                if case .ratingGiven(let given) = event { call.rating = given.rating }
                noteIVR(event, call)
                if case .messageRecorded(let message) = event { messageKept(message, call, at: at) }
                do {
                    append([try event.recorded(callID: call.sip.callID, occurredAt: at)])
                } catch {
                    logger.error("cannot encode flow event: \(error)")
                }
            }
        }
    }

    /// Appends the events among actions of a call that never got answered.
    private func emitOnly(_ actions: [CallFlowAction]) {
        for case .emit(let event, let at) in actions {
            if let recorded = try? event.recorded(callID: "", occurredAt: at) { append([recorded]) }
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    private func play(_ playback: Playback, _ call: InboundCall) {
        call.playbackID = playback.id
        call.player = nil
        let renderer = self.renderer
        let logger = self.logger
        Task {
            let items: [HotlineMedia.PromptItem]
            do {
                let started = ContinuousClock.now
                items = try await renderer.render(playback)
                logger.debug("playing", metadata: ["call": "\(call.sip.callID)", "prompts": "\(playback.prompts)",
                                                   "rendered in": "\(ContinuousClock.now - started)"])
            } catch {
                logger.error("prompt cannot be played", metadata: ["prompts": "\(playback.prompts)", "error": "\(error)"])
                items = [.silence(.milliseconds(200))]
            }
            loop.execute { [self] in
                guard !call.isEnded, call.playbackID == playback.id else { return }
                call.player = PromptPlayer(items, library: library)
            }
        }
    }

    // MARK: Messages (voicemail, complaints)

    private func startMessage(_ request: RecordRequest, _ call: InboundCall) {
        let reference = "messages/\(request.purpose)-\(Self.fileSafe(call.sip.callID))-\(Int(now().timeIntervalSince1970)).wav"
        let url = dataDirectory.appendingPathComponent(reference)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let recorder = try Recorder(url: url, layout: .mono)
            let timer = loop.scheduleTask(in: .nanoseconds(Self.nanoseconds(request.maxDuration))) { [self] in stopMessage(call) }
            call.message = MessageRecording(recorder: recorder, reference: reference, endKeys: request.endKeys, timer: timer)
            if request.beep { call.player = PromptPlayer([.samples(ToneGenerator.render(.dial, milliseconds: 300))]) }
        } catch {
            logger.error("cannot record a message: \(error)")
            loop.execute { [self] in feed(.recordingFinished(RecordingInfo(reference: reference, duration: .zero), at: now()), call) }
        }
    }

    /// Ends the message being recorded and tells the interpreter.
    func stopMessage(_ call: InboundCall) {
        guard let message = call.message else { return }
        call.message = nil
        message.timer.cancel()
        let duration = (try? message.recorder.finish().duration) ?? .zero
        feed(.recordingFinished(RecordingInfo(reference: message.reference, duration: duration), at: now()), call)
    }

    static func fileSafe(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }.prefix(64))
    }

    // MARK: Media

    /// One 20 ms interval of a call's media.
    func media(_ call: InboundCall) {
        guard let leg = call.leg else { return }
        let input = leg.readFrame()
        if let message = call.message {
            try? message.recorder.append(caller: input, agent: [])
        }
        switch call.phase {
        case .answering:
            return
        case .ivr, .queued, .ringing:
            if let player = call.player {
                let frame: [Int16]?
                do {
                    frame = try player.nextFrame()
                } catch {
                    logger.error("prompt playback failed: \(error)")
                    frame = nil
                }
                if let frame {
                    leg.send(frame)
                    return
                }
                call.player = nil
                if let id = call.playbackID {
                    call.playbackID = nil
                    leg.send(Self.silentFrame)
                    feed(.promptFinished(id, at: now()), call)
                    return
                }
            }
            if call.phase == .ivr {
                leg.send(Self.silentFrame)
            } else if let frame = nextAnnouncementFrame(call) {
                leg.send(frame)
            } else {
                call.hold.withNextFrame { leg.send($0) }
            }
        case .bridged:
            bridgedMedia(call, input: input)
        case .external:
            if call.externalConnected {
                bridgedMedia(call, input: input)
            } else {
                call.hold.withNextFrame { leg.send($0) }
            }
        }
    }

    // MARK: Ending

    /// The caller's SIP leg ended (BYE, CANCEL, or our own hang-up).
    private func callerLeft(_ call: InboundCall) {
        guard !call.isEnded else { return }
        if call.message != nil { stopMessage(call) }
        feed(.hangUp(at: now()), call)
        finish(call, endedBy: "caller")
    }

    /// Ends every leg of a call, closes its sockets and recordings, and writes its CDR.
    func finish(_ call: InboundCall, endedBy: String) {
        guard !call.isEnded else { return }
        if let routingID = call.routingID {
            call.routingID = nil
            route(.callerHungUp(routingID))
            callsByRoutingID[routingID] = nil
        }
        if let message = call.message {
            message.timer.cancel()
            _ = try? message.recorder.finish()
            call.message = nil
        }
        call.isEnded = true
        if let agentCall = call.agentCall {
            call.withdrawnAgentCall = agentCall
            agentCall.hangUp()
        }
        finishRecording(call)
        for timer in call.timers.values { timer.cancel() }
        call.timers = [:]
        call.player = nil
        call.leg?.close()
        call.agentLeg?.close()
        calls[call.sip.callID] = nil
        let disposition: CallDetailRecord.Disposition
        if call.refused {
            disposition = .refused
        } else if call.agentAnsweredAt != nil {
            disposition = .answered
        } else if call.queuedAt != nil && (call.phase == .queued || isRinging(call.phase)) {
            disposition = .abandoned
        } else if call.answeredAt == nil {
            disposition = .failed
        } else {
            disposition = .ivr
        }
        callStatistics.ended[disposition, default: 0] += 1
        save(record(for: call, endedBy: endedBy, disposition: disposition))
        publishEnded(call, endedBy: endedBy, disposition: disposition)
        logger.info("call ended", metadata: ["call": "\(call.sip.callID)", "by": "\(endedBy)", "disposition": "\(disposition.rawValue)"])
    }

    private func isRinging(_ phase: InboundCall.Phase) -> Bool {
        if case .ringing = phase { true } else { false }
    }

    func finishRecording(_ call: InboundCall) {
        guard let recorder = call.recorder else { return }
        call.recorder = nil
        do {
            _ = try recorder.finish()
        } catch {
            logger.error("recording could not be finished: \(error)")
        }
    }

    func record(for call: InboundCall, endedBy: String, disposition: CallDetailRecord.Disposition) -> CallDetailRecord {
        CallDetailRecord(
            callID: call.sip.callID, caller: call.caller, dialledNumber: call.dialledNumber, startedAt: call.startedAt,
            answeredAt: call.answeredAt, queuedAt: call.queuedAt, queue: call.queue, agent: call.agent,
            agentAnsweredAt: call.agentAnsweredAt, endedAt: now(), disposition: disposition, endedBy: endedBy,
            flowOutcome: call.machine.outcome?.description, recording: call.recording, rating: call.rating)
    }
}
