import Foundation
import HotlineACD
import HotlineMedia
import HotlineSIP
import Logging
import NIOCore

/// The trunk's loop-confined state: its registration and the outbound calls in progress.
struct TrunkState {
    /// The registration with the trunk, when configured.
    var registration: RegistrationClient?
    /// Where the registration stands.
    var registrationState: RegistrationClient.State = .idle
    /// Outbound calls (click-to-dial, call-backs) by id.
    var calls: [String: OutboundCall] = [:]
    /// Round robin over the media slots.
    var nextSlot = 0
    /// The trunk's address: its host's IP address (resolved at start when the host is a name), or why
    /// it could not be resolved.
    var address: Result<SIPTransportAddress, CallCenterError>?
}

extension HotlineServer {
    // MARK: Registration

    /// Resolves the trunk's host (an IP literal, or a name looked up once with the system resolver: A/AAAA
    /// records, no SRV) to the address its requests go to. Blocks: called at start, before the loop serves.
    /// - Returns: The address, or the error that makes outbound calls answer `422`.
    static func resolveTrunk(_ trunk: ServerConfiguration.Trunk, logger: Logger) -> Result<SIPTransportAddress, CallCenterError> {
        let kind: SIPTransportKind = trunk.transport == "tcp" ? .tcp : .udp
        if let address = try? SIPTransportAddress(transport: kind, host: trunk.host, port: trunk.port) { return .success(address) }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(kind == .tcp ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(trunk.host, String(trunk.port), &hints, &list)
        defer { if let list { freeaddrinfo(list) } }
        var found: [String] = []
        var entry = status == 0 ? list : nil
        while let current = entry {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(current.pointee.ai_addr, current.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                found.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            entry = current.pointee.ai_next
        }
        // IPv4 first: the media and SIP hosts of a hotline are usually IPv4.
        for ip in found.sorted(by: { !$0.contains(":") && $1.contains(":") }) {
            if let address = try? SIPTransportAddress(transport: kind, host: ip, port: trunk.port) {
                logger.info("trunk host resolved", metadata: ["host": "\(trunk.host)", "address": "\(ip)"])
                return .success(address)
            }
        }
        let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
        logger.error("the trunk's host cannot be resolved; outbound calls are refused", metadata: ["host": "\(trunk.host)", "reason": "\(reason)"])
        return .failure(CallCenterError(.unavailable, "the trunk's host \(trunk.host) cannot be resolved (\(reason))"))
    }

    /// The trunk's resolved address, or the error saying why there is none.
    func trunkAddress(_ what: String) throws(CallCenterError) -> SIPTransportAddress {
        switch outbound.address {
        case .success(let address)?: return address
        case .failure(let error)?: throw CallCenterError(error.kind, "\(what): \(error.message)")
        case nil: throw CallCenterError(.unavailable, "\(what): no outbound trunk is configured")
        }
    }

    /// Starts the registration with the trunk when the configuration asks for one (on the loop).
    func startTrunk() {
        guard let trunk = configuration.trunk, trunk.register, let username = trunk.username, let password = trunk.password,
              case .success(let destination)? = outbound.address else { return }
        var registrar = SIPURI(host: trunk.host, port: trunk.port)
        if trunk.transport == "tcp" { registrar.setParameter("transport", "tcp") }
        let client = RegistrationClient(agent: userAgent, registrar: registrar,
                                        addressOfRecord: SIPURI(user: username, host: trunk.host),
                                        credentials: DigestCredentials(username: username, password: password),
                                        expires: trunk.registerExpires, destination: destination)
        client.onStateChange = { [weak self] state in
            guard let self else { return }
            outbound.registrationState = state
            switch state {
            case .registered(let expires):
                logger.info("registered with the trunk", metadata: ["trunk": "\(trunk.host):\(trunk.port)", "expires": "\(expires)"])
            case .failed(let status):
                logger.warning("trunk registration failed", metadata: ["trunk": "\(trunk.host):\(trunk.port)", "status": "\(status)"])
            default:
                break
            }
            publish(CallCenterEvent(type: "trunk.registration", occurredAt: now(), state: Self.describe(state)))
        }
        outbound.registration = client
        client.start()
    }

    /// Un-registers from the trunk (on shutdown).
    func stopTrunk() {
        outbound.registration?.stop()
    }

    static func describe(_ state: RegistrationClient.State) -> String {
        switch state {
        case .idle: "idle"
        case .registering: "registering"
        case .registered: "registered"
        case .failed(let status): "failed \(status)"
        }
    }

    /// Where the trunk registration stands (`idle` when none is configured).
    public var trunkRegistration: String {
        get async { (try? await loop.submit { [self] in Self.describe(outbound.registrationState) }.get()) ?? "idle" }
    }

    // MARK: Dialling out

    /// Checks an external number: digits (with `+`, `*`, `#`), 1–32 of them.
    static func validExternalNumber(_ number: String) throws(CallCenterError) -> String {
        guard !number.isEmpty, number.count <= 32,
              number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "+" || $0 == "*" || $0 == "#") }) else {
            throw CallCenterError(.invalid, "number must be 1–32 digits (+, * and # allowed)")
        }
        return number
    }

    /// The configured trunk, or the error saying there is none (or that its host could not be resolved).
    func requireTrunk(_ what: String) throws(CallCenterError) -> ServerConfiguration.Trunk {
        guard let trunk = configuration.trunk else {
            throw CallCenterError(.unavailable, "\(what): no outbound trunk is configured")
        }
        _ = try trunkAddress(what)
        return trunk
    }

    /// Sends an INVITE for `number` to the trunk with an offer on `leg`, answering digest challenges with the
    /// trunk's credentials (RFC 3261 §22.2).
    /// - Returns: The call and the offer made.
    func inviteThroughTrunk(_ number: String, leg: MediaLeg, onStateChange: @escaping @Sendable (Call) -> Void) throws -> (Call, SessionDescription) {
        guard let trunk = configuration.trunk else { throw CallCenterError(.unavailable, "no outbound trunk is configured") }
        let offer = OfferAnswer.offer(capabilities: capabilities, address: configuration.rtp.host, port: leg.port,
                                      sessionID: UInt64.random(in: 1...UInt64(UInt32.max)))
        var target = SIPURI(user: trunk.prefix + number, host: trunk.host, port: trunk.port)
        if trunk.transport == "tcp" { target.setParameter("transport", "tcp") }
        let destination = try trunkAddress("dial \(number)")
        let from = NameAddress(uri: SIPURI(user: trunk.presentedNumber, host: trunk.host))
        let credentials = trunk.username.flatMap { user in trunk.password.map { DigestCredentials(username: user, password: $0) } }
        let call = userAgent.call(target, from: from, body: Array(offer.text.utf8), credentials: credentials,
                                  destination: destination, onStateChange: onStateChange)
        logger.info("dialling out", metadata: ["number": "\(number)", "trunk": "\(trunk.host):\(trunk.port)", "call-id": "\(call.callID)"])
        return (call, offer)
    }

    /// Why a trunk leg ended, as an event reason (`486`, `timeout`, `hungUp` …).
    static func trunkReason(_ state: Call.State) -> String {
        guard case .terminated(let reason) = state else { return "unknown" }
        switch reason {
        case .rejected(let status): return String(status)
        case .timeout: return "timeout"
        case .transportError: return "transportError"
        case .cancelled: return "cancelled"
        case .remoteHangUp: return "hungUp"
        case .localHangUp: return "localHangUp"
        default: return "\(reason)"
        }
    }

    // MARK: Blind transfer to an external number

    /// The key of an external transfer's no-answer timer among the call's timers (the IVR's are positive).
    static let externalTransferTimer = Int.min

    /// Releases the agent and dials `number` through the trunk; the caller hears music until the far end
    /// answers, then talks to it through the mixer, the recording going on. A refused or unanswered
    /// transfer puts the caller back in the queue.
    func transferOut(_ call: InboundCall, to number: String, by actor: String) throws(CallCenterError) -> String {
        _ = try requireTrunk("transfer to \(number)")
        let number = try Self.validExternalNumber(number)
        guard case .bridged(let from) = call.phase, let routingID = call.routingID else {
            throw CallCenterError(.conflict, "only a call talking to an agent can be transferred")
        }
        releaseAgent(of: call, routingID: routingID)
        call.phase = .external(number)
        call.externalConnected = false
        publish(CallCenterEvent(type: "call.transferred", occurredAt: now(), agent: from.rawValue, call: call.sip.callID,
                                queue: call.queue, caller: call.caller, by: actor, target: "number:\(number)"))
        MediaLeg.bind(host: configuration.rtp.host, ports: ports, loop: loop, statistics: mediaStatistics, logger: logger)
            .whenComplete { [self] result in
                switch result {
                case .success(let leg):
                    dialExternal(call, number: number, leg: leg, from: from)
                case .failure(let error):
                    logger.error("no RTP socket for the external leg: \(error)")
                    externalFailed(call, number: number, reason: "noMedia", from: from)
                }
            }
        return "call transferred to number:\(number)"
    }

    private func dialExternal(_ call: InboundCall, number: String, leg: MediaLeg, from: AgentID) {
        guard !call.isEnded, call.phase == .external(number) else {
            leg.close()
            return
        }
        call.agentLeg = leg
        do {
            let (sip, offer) = try inviteThroughTrunk(number, leg: leg) { [weak self, weak call] sip in
                guard let self, let call else { return }
                externalLegChanged(sip, call: call, number: number, from: from)
            }
            call.agentCall = sip
            call.agentOffer = offer
            call.timers[Self.externalTransferTimer]?.cancel()
            call.timers[Self.externalTransferTimer] = loop.scheduleTask(in: .seconds(Int64(configuration.trunk?.answerTimeout ?? 60))) { [self] in
                call.timers[Self.externalTransferTimer] = nil
                guard call.agentCall === sip, call.phase == .external(number), !call.externalConnected, !call.isEnded else { return }
                call.withdrawnAgentCall = sip
                sip.hangUp()
                externalFailed(call, number: number, reason: "noAnswer", from: from)
            }
        } catch {
            logger.error("cannot dial the trunk: \(error)")
            externalFailed(call, number: number, reason: "badTrunk", from: from)
        }
    }

    private func externalLegChanged(_ sip: Call, call: InboundCall, number: String, from: AgentID) {
        guard call.agentCall === sip, call.phase == .external(number), !call.isEnded else { return }
        switch sip.state {
        case .established:
            guard !call.externalConnected, let offer = call.agentOffer, let leg = call.agentLeg else { return }
            do {
                let answer = try SessionDescription(parsing: String(decoding: sip.remoteBody, as: UTF8.self))
                try leg.configure(try OfferAnswer.negotiate(offer: offer, answer: answer))
            } catch {
                logger.warning("the trunk answered with unusable SDP", metadata: ["error": "\(error)"])
                call.withdrawnAgentCall = sip
                sip.hangUp()
                externalFailed(call, number: number, reason: "488", from: from)
                return
            }
            call.externalConnected = true
            call.timers.removeValue(forKey: Self.externalTransferTimer)?.cancel()
            publish(CallCenterEvent(type: "call.answered", occurredAt: now(), call: call.sip.callID, queue: call.queue,
                                    caller: call.caller, target: "number:\(number)"))
        case .terminated:
            if call.externalConnected {
                // The far end hung up: the call is over for the caller too.
                call.agentCall = nil
                finish(call, endedBy: "callee")
                call.sip.hangUp()
            } else {
                externalFailed(call, number: number, reason: Self.trunkReason(sip.state), from: from)
            }
        default:
            break
        }
    }

    /// The external party could not be reached: report it and queue the caller again (the queue they came
    /// from, else the agent's personal queue).
    private func externalFailed(_ call: InboundCall, number: String, reason: String, from: AgentID) {
        call.agentCall = nil
        call.agentLeg?.close()
        call.agentLeg = nil
        call.agentOffer = nil
        publish(CallCenterEvent(type: "call.transferFailed", occurredAt: now(), agent: from.rawValue, call: call.sip.callID,
                                queue: call.queue, caller: call.caller, reason: reason, target: "number:\(number)"))
        guard !call.isEnded else { return }
        guard let queue = call.queue.flatMap({ queueIDs[$0] ?? acd.queue(named: $0) }) ?? acd.queue(named: Self.personalQueueName(from)) else {
            finish(call, endedBy: "server")
            call.sip.hangUp()
            return
        }
        let id = HotlineACD.CallID(nextRoutingID)
        nextRoutingID += 1
        call.routingID = id
        call.phase = .queued
        callsByRoutingID[id] = call
        route(.callArrived(id, queue: queue, caller: Caller(number: call.caller)))
    }
}
