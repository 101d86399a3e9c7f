import Foundation
import HotlineACD
import HotlineMedia
import HotlineSIP
import Logging
import NIOCore

extension HotlineServer {
    /// The feature codes an agent dials from the phone (documented in Docs/Server.md).
    enum FeatureCode: Equatable {
        /// `*1` log in on this phone (as the phone's own agent), `*1NNNN` log in agent NNNN on this phone.
        case logIn(agent: Int?)
        /// `*2` log out.
        case logOut
        /// `*3` ready.
        case ready
        /// `*4` not ready (break); `*4N` with a reason code.
        case notReady(reason: String)
        /// `*5` pick up the call ringing longest at another agent of the agent's queues (抢接).
        case pickUp
        /// `*0` emergency alert to supervisors.
        case alert

        /// Reason codes of `*4N`.
        static let notReadyReasons = ["1": "break", "2": "lunch", "3": "meeting", "4": "training", "5": "after-call work"]

        init?(_ dialled: String) {
            guard dialled.hasPrefix("*"), dialled.count >= 2 else { return nil }
            let code = dialled.dropFirst()
            let key = code.first ?? " "
            let rest = String(code.dropFirst())
            guard rest.allSatisfy(\.isNumber) else { return nil }
            switch key {
            case "1":
                if rest.isEmpty { self = .logIn(agent: nil) } else if let number = Int(rest) { self = .logIn(agent: number) } else { return nil }
            case "2" where rest.isEmpty: self = .logOut
            case "3" where rest.isEmpty: self = .ready
            case "4":
                if rest.isEmpty { self = .notReady(reason: "break") } else if let reason = Self.notReadyReasons[rest] {
                    self = .notReady(reason: reason)
                } else { return nil }
            case "5" where rest.isEmpty: self = .pickUp
            case "0" where rest.isEmpty: self = .alert
            default: return nil
            }
        }
    }

    /// An INVITE to `*…` from a registered phone: carries out the feature code, then answers and hangs up
    /// after a second (done) or refuses (403 not the registered phone, 404 unknown code, 480 not possible now).
    func featureCode(_ sip: Call, phone: String, code dialled: String) {
        guard let code = FeatureCode(dialled) else {
            sip.reject(status: 404)
            return
        }
        // INVITEs are not challenged: accept codes only from the address the phone registered from.
        guard let binding = contact(ofPhone: phone),
              let registeredFrom = binding.source?.address.ipAddress, registeredFrom == sip.source?.address.ipAddress else {
            logger.info("feature code from an unregistered phone", metadata: ["phone": "\(phone)", "code": "\(dialled)"])
            sip.reject(status: 403)
            return
        }
        let actor = "phone:\(phone)"
        do throws(CallCenterError) {
            let agentNumber: Int
            if case .logIn(let requested) = code {
                agentNumber = requested ?? Int(phone) ?? -1
            } else {
                guard let bound = agent(boundTo: phone) else { throw CallCenterError(.notFound, "no agent on phone \(phone)") }
                agentNumber = bound.rawValue
            }
            let done: String
            switch code {
            case .logIn: done = try execute(.logIn(agent: agentNumber, phone: phone), by: actor)
            case .logOut: done = try execute(.logOut(agent: agentNumber, forced: false), by: actor)
            case .ready: done = try execute(.ready(agent: agentNumber), by: actor)
            case .notReady(let reason): done = try execute(.notReady(agent: agentNumber, reason: reason), by: actor)
            case .alert: done = try execute(.alert(agent: agentNumber, message: "emergency"), by: actor)
            case .pickUp:
                let agent = AgentID(agentNumber)
                let queues = Set(configuration.agents.first { $0.id == agentNumber }?.queues ?? [])
                let ringing = calls.values.filter { call in
                    if case .ringing(let other) = call.phase, other != agent, let queue = call.queue, queues.contains(queue) { return true }
                    return false
                }.min { ($0.queuedAt ?? $0.startedAt) < ($1.queuedAt ?? $1.startedAt) }
                guard let ringing else { throw CallCenterError(.conflict, "no call is ringing in agent \(agentNumber)'s queues") }
                done = try execute(.pickUp(call: ringing.sip.callID, agent: agentNumber), by: actor)
            }
            logger.info("feature code", metadata: ["phone": "\(phone)", "code": "\(dialled)", "done": "\(done)"])
            acknowledge(sip)
        } catch {
            logger.info("feature code refused", metadata: ["phone": "\(phone)", "code": "\(dialled)", "error": "\(error)"])
            sip.reject(status: error.kind == .notFound ? 404 : 480)
        }
    }

    /// Answers a feature-code call (silence) and hangs up a second later.
    private func acknowledge(_ sip: Call) {
        guard let offer = try? SessionDescription(parsing: String(decoding: sip.remoteBody, as: UTF8.self)) else {
            sip.reject(status: 488)
            return
        }
        let host = configuration.rtp.host
        sip.ring()
        MediaLeg.bind(host: host, ports: ports, loop: loop, statistics: mediaStatistics, logger: logger)
            .whenComplete { [self] result in
                guard case .success(let leg) = result else {
                    sip.reject(status: 503)
                    return
                }
                do {
                    let (answer, audio) = try OfferAnswer.answer(to: offer, capabilities: capabilities, address: host, port: leg.port,
                                                                 sessionID: UInt64.random(in: 1...UInt64(UInt32.max)))
                    try leg.configure(audio)
                    sip.answer(body: Array(answer.text.utf8))
                    loop.scheduleTask(in: .seconds(1)) {
                        sip.hangUp()
                        leg.close()
                    }
                } catch {
                    leg.close()
                    sip.reject(status: 488)
                }
            }
    }
}
