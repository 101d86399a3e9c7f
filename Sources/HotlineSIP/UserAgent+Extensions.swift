import Logging
import NIOCore

/// Session timers (RFC 4028), reliable provisional responses (RFC 3262) and Replaces (RFC 3891).
extension UserAgent {
    /// The smallest session interval accepted (RFC 4028 §4: Min-SE defaults to 90 s).
    static let minimumSessionInterval = 90

    /// The interval a request asks for in Session-Expires (`x`), if any.
    static func requestedSessionInterval(_ request: SIPRequest) -> Int? {
        guard let value = request.headers["session-expires"] else { return nil }
        return Int(value.prefix { $0 != ";" }.trimmingWhitespace())
    }

    /// Puts Session-Expires (and Require: timer) in a 2xx to INVITE/UPDATE and starts the timer
    /// (RFC 4028 §9).
    func applySessionTimer(request: SIPRequest, response: inout SIPResponse, call: Call) {
        guard let value = request.headers["session-expires"], let interval = Self.requestedSessionInterval(request) else { return }
        let parameters = (try? HeaderSyntax.parameters(value.drop { $0 != ";" }.dropFirst()[...])) ?? []
        let peerSupportsTimer = request.optionTags("supported").contains("timer")
        let refresher = parameters.value("refresher") ?? (peerSupportsTimer ? "uac" : "uas")
        response.headers.add("Session-Expires", "\(interval);refresher=\(refresher)")
        if peerSupportsTimer { response.headers.add("Require", "timer") }
        // For an incoming INVITE the peer is the UAC.
        schedule(call, interval: interval, weRefresh: refresher == "uas")
    }

    /// Starts the timer from a 2xx to our INVITE (RFC 4028 §7.2).
    func startSessionTimer(from response: SIPResponse, call: Call, weAreUAC: Bool) {
        guard let value = response.headers["session-expires"], let interval = Int(value.prefix { $0 != ";" }.trimmingWhitespace()) else { return }
        let parameters = (try? HeaderSyntax.parameters(value.drop { $0 != ";" }.dropFirst()[...])) ?? []
        let refresher = parameters.value("refresher") ?? "uac"
        schedule(call, interval: interval, weRefresh: (refresher == "uac") == weAreUAC)
    }

    private func schedule(_ call: Call, interval: Int, weRefresh: Bool) {
        call.sessionTimer?.cancel()
        call.sessionInterval = interval
        call.sessionRefresher = weRefresh
        // The refresher refreshes at half the interval; the other side gives up a little before
        // the end (RFC 4028 §10: interval − min(32, interval/3)).
        let seconds = weRefresh ? max(1, interval / 2) : interval - min(32, interval / 3)
        call.sessionTimer = eventLoop.scheduleTask(in: .seconds(Int64(seconds))) { [weak self, weak call] in
            guard let self, let call, !call.state.isTerminated else { return }
            if weRefresh {
                refreshSession(call, interval: interval)
            } else {
                logger.info("session expired without refresh", metadata: ["call-id": "\(call.callID)"])
                sendBye(call)
                end(call, .sessionExpired)
            }
        }
    }

    /// Refreshes with a re-INVITE carrying our last session description (RFC 4028 §7.4, §9).
    private func refreshSession(_ call: Call, interval: Int) {
        guard var dialog = call.dialog, call.state == .established else { return }
        var request = dialog.makeRequest(.invite)
        call.dialog = dialog
        request.headers.add("Session-Expires", "\(interval);refresher=\(call.direction == .outgoing ? "uac" : "uas")")
        request.headers.add("Supported", "timer")
        request.setBody(call.localBody, contentType: "application/sdp")
        call.reinviteInProgress = true
        sendAuthenticated(request, call: call) { [weak self, weak call] response in
            guard let self, let call else { return }
            call.reinviteInProgress = false
            guard let response, (200..<300).contains(response.statusCode), let d = call.dialog else {
                if let response, response.statusCode == 481 || response.statusCode == 408 { end(call, .sessionExpired) }
                return
            }
            let ack = d.makeACK(for: (try? response.cseq().number) ?? d.localSequence)
            call.lastACK = ack
            endpoint.sendACK(ack, to: call.destination)
            startSessionTimer(from: response, call: call, weAreUAC: true)
            if call.sessionTimer == nil || response.headers["session-expires"] == nil {
                schedule(call, interval: interval, weRefresh: true)
            }
        }
    }

    /// Sends a reliable provisional response and retransmits it until PRACK (RFC 3262 §3).
    func sendReliableProvisional(_ response: SIPResponse, call: Call) {
        guard let incoming = call.incoming else { return }
        incoming.respond(response)
        let timer = RetransmissionTimer(interval: endpoint.configuration.timers.t1)
        call.pendingPRACK = (call.reliableSequence, timer)
        retransmitProvisional(response, call: call, timer: timer)
    }

    private func retransmitProvisional(_ response: SIPResponse, call: Call, timer: RetransmissionTimer) {
        let timers = endpoint.configuration.timers
        let delay = timer.interval
        timer.task = eventLoop.scheduleTask(in: TimeAmount(delay)) { [weak self, weak call] in
            guard let self, let call, !timer.stopped, let incoming = call.incoming else { return }
            timer.elapsed += delay
            if timer.elapsed >= timers.t1 * 64 {
                call.pendingPRACK = nil
                incoming.respond(makeResponse(to: incoming.request, status: 504, reason: "No PRACK", call: call))
                end(call, .noPRACK)
                return
            }
            if !incoming.source.transport.isReliable { incoming.respond(response) }
            timer.interval = min(timer.interval * 2, timers.t2)
            retransmitProvisional(response, call: call, timer: timer)
        }
    }

    /// Answers a PRACK: 200 when its RAck names the pending reliable provisional, else 481.
    func handlePRACK(_ incoming: IncomingRequest, call: Call) {
        let parts = (incoming.request.headers["rack"] ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 3, let rseq = UInt32(parts[0]), let pending = call.pendingPRACK, pending.rseq == rseq else {
            return incoming.respond(makeResponse(to: incoming.request, status: 481, reason: "No matching reliable provisional", call: call))
        }
        pending.timer.stop()
        call.pendingPRACK = nil
        incoming.respond(makeResponse(to: incoming.request, status: 200, call: call))
    }

    /// Acknowledges a reliable provisional response we received (RFC 3262 §4).
    func sendPRACK(for response: SIPResponse, call: Call) {
        guard let rseqText = response.headers["rseq"], let rseq = UInt32(rseqText.trimmingWhitespace()),
              call.lastRSeqAcknowledged.map({ rseq > $0 }) ?? true,
              let cseq = try? response.cseq(), var dialog = call.dialog else { return }
        call.lastRSeqAcknowledged = rseq
        var prack = dialog.makeRequest(.prack)
        call.dialog = dialog
        prack.headers.add("RAck", "\(rseq) \(cseq.number) INVITE")
        sendAuthenticated(prack, call: call) { _ in }
    }

    /// Finds the call a Replaces header names (RFC 3891 §3): a confirmed dialog, or an early one
    /// that we initiated.
    func replacedCall(_ value: String) -> Call? {
        let parts = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first else { return nil }
        let callID = String(first.trimmingWhitespace())
        let parameters = parts.count > 1 ? ((try? HeaderSyntax.parameters(parts[1])) ?? []) : []
        guard let toTag = parameters.value("to-tag"), let fromTag = parameters.value("from-tag") else { return nil }
        // to-tag is the tag of the UA receiving the INVITE (ours), from-tag the other side's.
        let candidates = [DialogID(callID: callID, localTag: toTag, remoteTag: fromTag), DialogID(callID: callID, localTag: fromTag, remoteTag: toTag)]
        for id in candidates {
            guard let call = calls[id], !call.state.isTerminated else { continue }
            if parameters.value("early-only") != nil && call.state == .established { return nil }
            switch call.state {
            case .answered, .established: return call
            case .calling where call.direction == .outgoing, .early where call.direction == .outgoing: return call
            default: return nil
            }
        }
        return nil
    }
}
