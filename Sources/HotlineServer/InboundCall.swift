import Foundation
import HotlineACD
import HotlineIVR
import HotlineMedia
import HotlineSIP
import NIOCore

/// One caller's call on the server, from INVITE to the last BYE: the caller's SIP leg and media, the
/// IVR interpreter, the queue and agent legs, the bridge and its recording, and what goes into the CDR.
/// Confined to the server's event loop.
final class InboundCall: @unchecked Sendable {
    /// Where the call is.
    enum Phase: Equatable {
        /// Being answered (RTP socket being bound).
        case answering
        /// In the IVR (prompts, menus, self-service, rating, voicemail).
        case ivr
        /// Waiting in a queue with music on hold.
        case queued
        /// An agent's phone is ringing (the caller still hears music).
        case ringing(AgentID)
        /// Talking to the agent through the server's mixer.
        case bridged(AgentID)
        /// Blind-transferred to an external number through the trunk: music until it answers
        /// (``InboundCall/externalConnected``), then bridged to it on the agent leg's place.
        case external(String)
    }

    let sip: Call
    let caller: String
    let dialledNumber: String
    let startedAt: Date
    var machine: CallFlowStateMachine
    var phase: Phase = .answering
    var leg: MediaLeg?
    var isEnded = false
    var isAnswered: Bool { leg != nil && phase != .answering }

    // IVR playback and timers.
    var player: PromptPlayer?
    var playbackID: Int?
    var timers: [Int: Scheduled<Void>] = [:]
    var variables: [String: FlowValue] = [:]
    var message: MessageRecording?

    // Queue and agent.
    var routingID: HotlineACD.CallID?
    var queue: String?
    var queuedAt: Date?
    var hold = HoldMusic()
    /// A position/EWT announcement waiting for the current prompt to end, or playing between music.
    var announcement: PromptPlayer?
    /// Announcements played to this caller.
    var announcementsPlayed = 0
    var agentCall: Call?
    var agentLeg: MediaLeg?
    var agentOffer: SessionDescription?
    /// Set when the server withdrew the offer itself (so the agent leg's end is not a ring-no-answer).
    var withdrawnAgentCall: Call?
    var mixer = Mixer<Int>()
    var recorder: Recorder?
    var recording: String?

    // CTI.
    /// The caller hears music on hold and the agent silence.
    var isHeld = false
    /// The IVR's steps so far, for the screen pop.
    var ivrPath: [String] = []
    /// A supervisor's phone joined to the call.
    var monitor: MonitorLeg?
    /// Consulted parties and conference participants (see `HotlineServer+Consult.swift`).
    var consultation: Consultation?
    /// The external party of a transfer through the trunk answered (phase ``Phase/external(_:)``).
    var externalConnected = false

    // CDR.
    var answeredAt: Date?
    var agent: Int?
    var agentAnsweredAt: Date?
    var rating: String?
    var refused = false

    init(sip: Call, caller: String, dialledNumber: String, startedAt: Date, machine: CallFlowStateMachine) {
        self.sip = sip
        self.caller = caller
        self.dialledNumber = dialledNumber
        self.startedAt = startedAt
        self.machine = machine
        mixer.add(0)
        mixer.add(1)
        mixer.connect(0, 1)
    }

    /// A generated music-on-hold loop: a slow arpeggio (C5 E5 G5 E5) and a rest, at a comfortable level.
    static let musicOnHold = ToneCadence(segments: [
        .init(frequencies: [523.25], level: -16, milliseconds: 300),
        .init(frequencies: [659.25], level: -16, milliseconds: 300),
        .init(frequencies: [783.99], level: -16, milliseconds: 300),
        .init(frequencies: [659.25], level: -16, milliseconds: 300),
        .init(frequencies: [], level: -16, milliseconds: 600),
    ])
}

/// A caller's message being recorded (voicemail, complaint) to a mono WAV file.
struct MessageRecording {
    let recorder: Recorder
    let reference: String
    let endKeys: Set<Character>
    let timer: Scheduled<Void>
}
