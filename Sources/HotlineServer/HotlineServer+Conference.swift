import HotlineMedia
import Logging

extension HotlineServer {
    /// One 20 ms interval of a call with consulted parties or a conference: everyone connected goes
    /// through the mixer (each hears all the others); a held caller hears music and is heard by nobody.
    /// The stereo recording goes on: the caller left, the sum of all the staff right.
    func consultationMedia(_ call: InboundCall, input: [Int16]) {
        guard let leg = call.leg, let consultation = call.consultation else { return }
        let agentLeg = call.agentLeg
        let agentInput = agentLeg?.readFrame() ?? Self.silentFrame
        let monitorLeg = call.monitor.flatMap { $0.connected ? $0.leg : nil }
        var staff = agentInput
        call.mixer.setInput(0, frame: call.isHeld ? Self.silentFrame : input)
        call.mixer.setInput(1, frame: agentInput)
        var joined: [(participant: Int, leg: MediaLeg)] = []
        for party in consultation.parties where party.connected {
            guard let partyLeg = party.leg else { continue }
            let frame = partyLeg.readFrame()
            call.mixer.setInput(party.participant, frame: frame)
            Self.accumulate(frame, into: &staff)
            joined.append((party.participant, partyLeg))
        }
        if let monitorLeg { call.mixer.setInput(Self.monitorParticipant, frame: monitorLeg.readFrame()) }
        call.mixer.mix()
        if call.isHeld {
            call.hold.withNextFrame { leg.send($0) }
        } else {
            leg.send(call.mixer.output(of: 0))
        }
        agentLeg?.send(call.mixer.output(of: 1))
        for (participant, partyLeg) in joined { partyLeg.send(call.mixer.output(of: participant)) }
        if let monitorLeg { monitorLeg.send(call.mixer.output(of: Self.monitorParticipant)) }
        if let recorder = call.recorder {
            do {
                try recorder.append(caller: input, agent: staff)
            } catch {
                logger.error("recording failed: \(error)")
                call.recorder = nil
            }
        }
    }

    /// Adds a frame into a sum, saturating at the 16-bit limits.
    static func accumulate(_ frame: [Int16], into sum: inout [Int16]) {
        let count = min(frame.count, sum.count)
        for i in 0..<count {
            sum[i] = Int16(clamping: Int32(sum[i]) + Int32(frame[i]))
        }
    }
}
