/// The receiving side of one G.711 RTP stream: validates each datagram, follows SSRC changes and timestamp
/// jumps, feeds audio into an adaptive ``JitterBuffer`` and telephone events into a
/// ``TelephoneEventReceiver``, keeps RFC 3550 reception statistics, and plays out one decoded frame per
/// packet interval with loss concealment.
///
/// Every datagram that is not played is counted in ``counters`` under the reason it was dropped; nothing
/// traps on hostile input. Pure: arrival times come from the caller's clock, in samples (8 per ms).
///
/// ```swift
/// var receiver = RTPReceiver(audio: negotiated)
/// let events = receiver.receive(datagram: bytes, arrival: clockSamples)
/// let kind = frame.withUnsafeMutableBufferPointer { receiver.playout(into: $0) }   // every 20 ms
/// ```
public struct RTPReceiver<Concealer: LossConcealer> {
    /// Why datagrams were dropped, and what was played. Every datagram lands in exactly one of `accepted`,
    /// `malformed`, `wrongPayloadType`, `badTelephoneEvent`, `foreignSource`, `sequenceJump`, `late`,
    /// `duplicate`, `tooFarAhead`, `oversized`, `comfortNoise`.
    public struct Counters: Sendable, Hashable {
        /// Datagrams stored in the jitter buffer or handled as telephone events.
        public var accepted = 0
        /// Datagrams that are not RTP (truncated, bad version, bad lengths, RTCP on the RTP port).
        public var malformed = 0
        /// Packets of a payload type that was not negotiated.
        public var wrongPayloadType = 0
        /// Telephone-event packets whose payload is not a 4-byte report.
        public var badTelephoneEvent = 0
        /// Packets of a new SSRC held back until a second one confirms the change.
        public var foreignSource = 0
        /// Packets far outside the sequence (RFC 3550 A.1) not yet confirmed by a successor.
        public var sequenceJump = 0
        /// Audio packets that arrived after their time was played.
        public var late = 0
        /// Audio packets already in the buffer.
        public var duplicate = 0
        /// Audio packets too far ahead of playout, not explained by a timestamp jump.
        public var tooFarAhead = 0
        /// Audio packets carrying more than a quarter of the jitter buffer (over half a second).
        public var oversized = 0
        /// Comfort-noise packets (PT 13), accepted but not played.
        public var comfortNoise = 0
        /// Times the stream's SSRC changed.
        public var ssrcChanges = 0
        /// Times the timestamp jumped and the buffer resynchronised.
        public var timestampJumps = 0
        /// Frames played from received audio.
        public var framesPlayed = 0
        /// Frames filled by the concealer.
        public var framesConcealed = 0
        /// Frames of silence while the buffer filled or the stream paused.
        public var framesSilent = 0

        /// Datagrams dropped for any reason.
        public var dropped: Int {
            malformed + wrongPayloadType + badTelephoneEvent + foreignSource + sequenceJump + late + duplicate
                + tooFarAhead + oversized
        }
    }

    /// Something the stream told the receiver besides audio.
    public enum Event: Sendable, Hashable {
        /// An RFC 4733 event began or ended; timestamps are RTP units of the stream.
        case telephoneEvent(TelephoneEventReceiver.Notification)
        /// The sender's SSRC changed (transfer, re-INVITE through an SBC); the buffer was reset.
        case sourceChanged(from: UInt32, to: UInt32)
        /// The timestamp jumped by `delta` units with consecutive sequence numbers; the buffer was reset.
        case timestampJumped(delta: Int64)
    }

    /// What one call of ``playout(into:)`` produced.
    public enum Playout: Sendable, Hashable {
        /// Received audio.
        case audio
        /// Concealed audio for a lost packet.
        case concealed
        /// Silence: the buffer is filling or the stream is paused.
        case silence
    }

    /// The law of the audio payload.
    public let law: G711.Law
    /// The audio payload type.
    public let payloadType: UInt8
    /// The telephone-event payload type, if negotiated.
    public let telephoneEventPayloadType: UInt8?
    /// Samples per played frame.
    public let frameSamples: Int
    /// A timestamp step larger than this (in samples) with consecutive sequence numbers is a jump (default 2 s).
    public let maximumTimestampStep: Int64

    /// Drop and play counters.
    public private(set) var counters = Counters()
    /// RFC 3550 statistics of the current source, for RTCP receiver reports.
    public private(set) var statistics = ReceptionStatistics()
    /// The SSRC being played, once the first packet arrived.
    public private(set) var ssrc: UInt32?
    /// The jitter buffer (read its delay figures).
    public private(set) var jitterBuffer: JitterBuffer
    private var events = TelephoneEventReceiver()
    private var concealer: Concealer
    private var codes: [UInt8]
    private var candidate: (ssrc: UInt32, sequence: UInt16)?
    private var lastSequence: UInt16?
    private var lastAudioTimestamp: UInt32?
    private var lastSenderReport: (compact: UInt32, arrival: Int64)?

    /// Creates a receiver.
    /// - Parameters:
    ///   - law: The audio law.
    ///   - payloadType: The audio payload type.
    ///   - telephoneEventPayloadType: The RFC 4733 payload type, or `nil`.
    ///   - frameSamples: Samples per played frame (160 = 20 ms).
    ///   - jitterBuffer: Jitter buffer tuning (its frame size is set to `frameSamples`).
    ///   - concealer: The loss concealer.
    ///   - maximumTimestampStep: The largest timestamp step between consecutive packets not treated as a jump.
    public init(
        law: G711.Law, payloadType: UInt8? = nil, telephoneEventPayloadType: UInt8? = nil, frameSamples: Int = 160,
        jitterBuffer: JitterBuffer.Configuration = .init(), concealer: Concealer, maximumTimestampStep: Int64 = 16000
    ) {
        self.law = law
        self.payloadType = payloadType ?? law.payloadType
        self.telephoneEventPayloadType = telephoneEventPayloadType
        self.frameSamples = max(1, frameSamples)
        var configuration = jitterBuffer
        configuration.frameSamples = self.frameSamples
        configuration.fillCode = law.silence
        self.jitterBuffer = JitterBuffer(configuration: configuration)
        self.concealer = concealer
        self.codes = [UInt8](repeating: law.silence, count: self.frameSamples)
        self.maximumTimestampStep = maximumTimestampStep
    }

    /// Handles one datagram from the RTP port.
    /// - Parameters:
    ///   - datagram: The UDP payload.
    ///   - arrival: The arrival time in samples of the receiver's clock (8 per ms, any origin).
    /// - Returns: Telephone events and stream changes the packet revealed (usually none).
    public mutating func receive(datagram: UnsafeRawBufferPointer, arrival: Int64) -> [Event] {
        let header: RTPPacket.Header
        do {
            header = try RTPPacket.Header(decoding: datagram)
        } catch {
            counters.malformed += 1
            return []
        }
        let isAudio = header.payloadType == payloadType
        let isEvent = telephoneEventPayloadType == header.payloadType
        guard isAudio || isEvent || header.payloadType == 13 else {
            counters.wrongPayloadType += 1
            return []
        }
        var result: [Event] = []
        if let current = ssrc, current != header.ssrc {
            // Believe a new source after two packets in sequence, so one stray packet cannot reset the call.
            guard let candidate, candidate.ssrc == header.ssrc, header.sequenceNumber == candidate.sequence &+ 1 else {
                candidate = (header.ssrc, header.sequenceNumber)
                counters.foreignSource += 1
                return []
            }
            result.append(.sourceChanged(from: current, to: header.ssrc))
            counters.ssrcChanges += 1
            restart(ssrc: header.ssrc)
        } else if ssrc == nil {
            restart(ssrc: header.ssrc)
        }
        candidate = nil

        let sequenceValid = statistics.update(sequence: header.sequenceNumber)
        if !sequenceValid, let last = lastSequence {
            let delta = header.sequenceNumber &- last
            if delta >= ReceptionStatistics.maximumDropout && delta <= UInt16.max - ReceptionStatistics.maximumMisorder {
                counters.sequenceJump += 1
                return result
            }
        }
        if header.payloadType == 13 {
            counters.comfortNoise += 1
            lastSequence = header.sequenceNumber
            return result
        }
        if isEvent {
            let payload = UnsafeRawBufferPointer(rebasing: datagram[header.payloadRange])
            guard let report = try? TelephoneEvent(decoding: payload) else {
                counters.badTelephoneEvent += 1
                return result
            }
            counters.accepted += 1
            lastSequence = header.sequenceNumber
            for notification in events.receive(report, timestamp: header.timestamp) {
                result.append(.telephoneEvent(notification))
            }
            return result
        }

        // Telephone events keep their start timestamp for the whole event, so only audio feeds the jitter estimate.
        statistics.updateJitter(timestamp: header.timestamp, arrival: arrival)

        // Timestamp jump: consecutive sequence numbers but the timestamp moved far more than the gap explains.
        if let lastTimestamp = lastAudioTimestamp, let last = lastSequence {
            let sequenceStep = Int64(Int16(bitPattern: header.sequenceNumber &- last))
            let timestampStep = Int64(Int32(bitPattern: header.timestamp &- lastTimestamp))
            let plausible = max(1, sequenceStep) * Int64(frameSamples) * 4 + maximumTimestampStep
            // A forward step with the marker set is a talk spurt after silence suppression, not a jump.
            let jumped = header.marker ? timestampStep < -plausible : abs(timestampStep) > plausible
            if sequenceStep > 0, sequenceStep < 50, jumped {
                result.append(.timestampJumped(delta: timestampStep))
                counters.timestampJumps += 1
                jitterBuffer.reset()
            }
        }
        let payload = UnsafeRawBufferPointer(rebasing: datagram[header.payloadRange])
        var outcome = jitterBuffer.insert(timestamp: header.timestamp, payload: payload, arrival: arrival)
        if outcome == .tooFarAhead {
            // Further ahead than the buffer holds: the sender's clock jumped (or it resumed after a long pause).
            let delta = lastAudioTimestamp.map { Int64(Int32(bitPattern: header.timestamp &- $0)) } ?? 0
            result.append(.timestampJumped(delta: delta))
            counters.timestampJumps += 1
            jitterBuffer.reset()
            outcome = jitterBuffer.insert(timestamp: header.timestamp, payload: payload, arrival: arrival)
        }
        switch outcome {
        case .stored:
            counters.accepted += 1
        case .late:
            counters.late += 1
        case .duplicate:
            counters.duplicate += 1
        case .tooFarAhead:
            counters.tooFarAhead += 1
            return result
        case .oversized:
            counters.oversized += 1
            return result
        case .empty:
            counters.accepted += 1
        }
        if lastSequence.map({ Int16(bitPattern: header.sequenceNumber &- $0) > 0 }) ?? true {
            lastSequence = header.sequenceNumber
            lastAudioTimestamp = header.timestamp
        }
        for notification in events.expire(at: header.timestamp) { result.append(.telephoneEvent(notification)) }
        return result
    }

    /// Handles one datagram given as an array.
    /// - Parameters:
    ///   - datagram: The UDP payload.
    ///   - arrival: The arrival time in samples.
    /// - Returns: Events the packet revealed.
    public mutating func receive(datagram: [UInt8], arrival: Int64) -> [Event] {
        datagram.withUnsafeBytes { receive(datagram: $0, arrival: arrival) }
    }

    private mutating func restart(ssrc: UInt32) {
        self.ssrc = ssrc
        statistics = ReceptionStatistics()
        jitterBuffer.reset()
        events = TelephoneEventReceiver()
        lastSequence = nil
        lastAudioTimestamp = nil
        lastSenderReport = nil
    }

    /// Plays the next frame: received audio, concealment for a lost packet, or silence while waiting.
    /// - Parameter frame: Receives ``frameSamples`` decoded samples.
    /// - Returns: What was played.
    public mutating func playout(into frame: UnsafeMutableBufferPointer<Int16>) -> Playout {
        let kind = codes.withUnsafeMutableBufferPointer { jitterBuffer.nextFrame(into: $0) }
        switch kind {
        case .audio:
            G711.decode(codes, law: law, into: frame)
            concealer.didPlay(UnsafeBufferPointer(frame))
            counters.framesPlayed += 1
            return .audio
        case .lost:
            concealer.conceal(into: frame)
            counters.framesConcealed += 1
            return .concealed
        case .waiting:
            for i in 0..<frame.count { frame[i] = 0 }
            counters.framesSilent += 1
            return .silence
        }
    }

    /// Notes a sender report from the current source so the next receiver report can echo LSR/DLSR.
    /// - Parameters:
    ///   - report: The SR.
    ///   - arrival: Its arrival in samples of the receiver's clock.
    public mutating func noteSenderReport(_ report: RTCPPacket.SenderReport, arrival: Int64) {
        guard report.ssrc == ssrc else { return }
        lastSenderReport = (report.compactNTP, arrival)
    }

    /// Makes the report block about the current source and starts a new reporting interval.
    /// - Parameter now: The current time in samples of the receiver's clock.
    /// - Returns: The block, or `nil` before any packet arrived.
    public mutating func makeReportBlock(now: Int64) -> RTCPReportBlock? {
        guard let ssrc else { return nil }
        var lsr: UInt32 = 0
        var dlsr: UInt32 = 0
        if let last = lastSenderReport {
            lsr = last.compact
            // samples → 1/65536 s: × 65536 / 8000.
            dlsr = UInt32(clamping: max(0, now - last.arrival) * 65536 / 8000)
        }
        return statistics.makeReportBlock(ssrc: ssrc, lastSenderReport: lsr, delaySinceLastSenderReport: dlsr)
    }
}

extension RTPReceiver where Concealer == FadingConcealer {
    /// Creates a receiver with the default fading concealer.
    /// - Parameters:
    ///   - law: The audio law.
    ///   - payloadType: The audio payload type (the law's static type if `nil`).
    ///   - telephoneEventPayloadType: The RFC 4733 payload type, or `nil`.
    ///   - frameSamples: Samples per played frame.
    ///   - jitterBuffer: Jitter buffer tuning.
    public init(
        law: G711.Law, payloadType: UInt8? = nil, telephoneEventPayloadType: UInt8? = nil, frameSamples: Int = 160,
        jitterBuffer: JitterBuffer.Configuration = .init()
    ) {
        self.init(
            law: law, payloadType: payloadType, telephoneEventPayloadType: telephoneEventPayloadType,
            frameSamples: frameSamples, jitterBuffer: jitterBuffer, concealer: FadingConcealer())
    }

    /// Creates a receiver for a negotiated stream with the default concealer, playing 20 ms frames.
    /// - Parameter audio: The outcome of SDP offer/answer.
    public init(audio: NegotiatedAudio) {
        self.init(
            law: audio.codec, payloadType: audio.payloadType, telephoneEventPayloadType: audio.telephoneEventPayloadType,
            frameSamples: 160)
    }
}

extension RTPReceiver: Sendable where Concealer: Sendable {}
