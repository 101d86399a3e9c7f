/// What this side can do for audio, used to build offers and answers.
public struct AudioCapabilities: Sendable, Hashable {
    /// G.711 laws in order of preference (A-law first: Chinese networks use it).
    public var codecs: [G711.Law]
    /// The dynamic payload type offered for RFC 4733 telephone-event, or `nil` to offer none.
    public var telephoneEventPayloadType: UInt8?
    /// The telephone events this side handles (RFC 4733 §7.1.1 `fmtp`; DTMF is 0–15, flash 16).
    public var telephoneEvents: TelephoneEventSet
    /// The packetisation interval in milliseconds this side offers (`a=ptime`).
    public var packetTime: Int
    /// Packetisation intervals this side can receive and send; an offered `ptime` outside them is answered
    /// with ``packetTime``.
    public var supportedPacketTimes: Set<Int>

    /// Creates capabilities.
    /// - Parameters:
    ///   - codecs: Laws in preference order.
    ///   - telephoneEventPayloadType: The telephone-event payload type (96–127), or `nil`.
    ///   - telephoneEvents: The events handled.
    ///   - packetTime: The preferred ptime in milliseconds.
    ///   - supportedPacketTimes: Acceptable ptimes.
    public init(
        codecs: [G711.Law] = [.aLaw, .muLaw], telephoneEventPayloadType: UInt8? = 101,
        telephoneEvents: TelephoneEventSet = .dtmfAndFlash, packetTime: Int = 20,
        supportedPacketTimes: Set<Int> = [10, 20, 30, 40, 50, 60]
    ) {
        self.codecs = codecs
        self.telephoneEventPayloadType = telephoneEventPayloadType
        self.telephoneEvents = telephoneEvents
        self.packetTime = packetTime
        self.supportedPacketTimes = supportedPacketTimes
    }
}

/// A set of RFC 4733 event codes as the `fmtp` line writes it: `0-15`, `0-16,32,36`.
public struct TelephoneEventSet: Sendable, Hashable, CustomStringConvertible {
    /// The events, one bit per code 0–255.
    private var bits: [UInt64]

    /// DTMF digits 0–9, `*`, `#`, A–D (events 0–15) and flash (16).
    public static let dtmfAndFlash = TelephoneEventSet(0...16)
    /// DTMF only (events 0–15), the RFC 4733 §7.1.1 default when no `fmtp` is given.
    public static let dtmf = TelephoneEventSet(0...15)

    /// An empty set.
    public init() { bits = [0, 0, 0, 0] }

    /// A set holding a range of events.
    /// - Parameter range: The events.
    public init(_ range: ClosedRange<UInt8>) {
        bits = [0, 0, 0, 0]
        for event in range { insert(event) }
    }

    /// Parses an `fmtp` value such as `0-15` or `0-16,32,36`.
    /// - Parameter fmtp: The parameters after the payload type.
    /// - Returns: `nil` when a part is not a number or range of numbers 0–255.
    public init?(fmtp: String) {
        bits = [0, 0, 0, 0]
        for part in fmtp.split(separator: ",") {
            let bounds = part.trimmingSpaces().split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2, let low = UInt8(bounds[0]) else { return nil }
            let high = bounds.count == 2 ? UInt8(bounds[1]) : low
            guard let high, low <= high else { return nil }
            for event in low...high { insert(event) }
        }
    }

    /// Whether the set holds `event`.
    /// - Parameter event: An event code.
    /// - Returns: `true` if present.
    public func contains(_ event: UInt8) -> Bool { bits[Int(event >> 6)] & (1 << UInt64(event & 63)) != 0 }

    /// Adds an event.
    /// - Parameter event: An event code.
    public mutating func insert(_ event: UInt8) { bits[Int(event >> 6)] |= 1 << UInt64(event & 63) }

    /// The events both sets hold.
    /// - Parameter other: Another set.
    /// - Returns: The intersection.
    public func intersection(_ other: TelephoneEventSet) -> TelephoneEventSet {
        var result = self
        for i in 0..<4 { result.bits[i] &= other.bits[i] }
        return result
    }

    /// Whether the set is empty.
    public var isEmpty: Bool { bits.allSatisfy { $0 == 0 } }

    /// The `fmtp` form, ranges joined by commas: `0-16`.
    public var description: String {
        var parts: [String] = []
        var event = 0
        while event < 256 {
            guard contains(UInt8(event)) else { event += 1; continue }
            var end = event
            while end + 1 < 256, contains(UInt8(end + 1)) { end += 1 }
            parts.append(end == event ? "\(event)" : "\(event)-\(end)")
            event = end + 1
        }
        return parts.joined(separator: ",")
    }
}

/// The audio stream both sides agreed on: what to send, where, and in which direction.
public struct NegotiatedAudio: Sendable, Hashable {
    /// The `m=` line index of the audio stream (answers keep the offer's order, RFC 3264 §6).
    public var mediaIndex: Int
    /// The law to send and expect.
    public var codec: G711.Law
    /// The payload type carrying it (0 or 8 unless the peer mapped it dynamically).
    public var payloadType: UInt8
    /// The telephone-event payload type both sides accepted, or `nil` for in-band DTMF only.
    public var telephoneEventPayloadType: UInt8?
    /// The telephone events both sides accepted.
    public var telephoneEvents: TelephoneEventSet
    /// Milliseconds of audio per packet.
    public var packetTime: Int
    /// The peer's RTP address.
    public var remoteAddress: String
    /// The peer's RTP port.
    public var remotePort: UInt16
    /// This side's direction: whether to send and whether to expect media.
    public var direction: MediaDirection
    /// Whether the peer put the call on hold (it does not want media: `sendonly`/`inactive` or `c=0.0.0.0`).
    public var heldByPeer: Bool
}

/// Why no audio stream could be agreed.
public enum SDPNegotiationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The description has no `m=audio` line over `RTP/AVP` with a non-zero port.
    case noAudioStream
    /// None of the offered formats is PCMU or PCMA at 8 kHz (the answer must reject the call: 488).
    case noCommonCodec(offered: [String])
    /// No `c=` applies to the audio section.
    case missingConnection(mediaIndex: Int)
    /// The answer does not fit the offer (wrong number of `m=` lines, rejected stream, unknown codec).
    case answerMismatch(String)

    public var description: String {
        switch self {
        case .noAudioStream: "SDP has no usable `m=audio … RTP/AVP` stream"
        case .noCommonCodec(let offered):
            "none of the offered formats \(offered.joined(separator: " ")) is PCMU or PCMA/8000 (answer 488 Not Acceptable Here)"
        case .missingConnection(let index): "SDP media section \(index + 1) has no `c=` line and the session has none"
        case .answerMismatch(let reason): "SDP answer does not match the offer: \(reason)"
        }
    }
}

/// SDP offer/answer for G.711 audio with RFC 4733 telephone-event (RFC 3264).
///
/// ```swift
/// let offer = OfferAnswer.offer(capabilities: .init(), address: "10.0.0.5", port: 40000, sessionID: 1)
/// let (answer, audio) = try OfferAnswer.answer(to: offer, capabilities: .init(), address: "10.0.0.9", port: 50000, sessionID: 2)
/// let mine = try OfferAnswer.negotiate(offer: offer, answer: answer)
/// ```
public enum OfferAnswer {
    /// Builds an offer with one audio stream.
    /// - Parameters:
    ///   - capabilities: Codecs, telephone-event and ptime.
    ///   - address: This side's RTP address (IPv4 unless it contains a colon).
    ///   - port: This side's RTP port.
    ///   - direction: `sendrecv`, or `sendonly`/`inactive` to hold the peer (RFC 3264 §8.4).
    ///   - sessionID: The `o=` session identifier.
    ///   - sessionVersion: The `o=` version; increment it for every re-offer.
    /// - Returns: The offer.
    public static func offer(
        capabilities: AudioCapabilities, address: String, port: UInt16, direction: MediaDirection = .sendrecv,
        sessionID: UInt64, sessionVersion: UInt64 = 0
    ) -> SessionDescription {
        let connection = SessionDescription.ConnectionAddress(
            addressType: address.contains(":") ? "IP6" : "IP4", address: address)
        var formats = capabilities.codecs.map { String($0.payloadType) }
        var attributes = capabilities.codecs.map {
            SessionDescription.Attribute("rtpmap", RTPMap(payloadType: $0.payloadType, encodingName: $0.encodingName, clockRate: 8000).attributeValue)
        }
        if let pt = capabilities.telephoneEventPayloadType, !capabilities.telephoneEvents.isEmpty {
            formats.append(String(pt))
            attributes.append(.init("rtpmap", "\(pt) telephone-event/8000"))
            attributes.append(.init("fmtp", "\(pt) \(capabilities.telephoneEvents)"))
        }
        attributes.append(.init("ptime", String(capabilities.packetTime)))
        attributes.append(.init(direction.rawValue))
        let media = MediaDescription(port: port, formats: formats, attributes: attributes)
        return SessionDescription(
            origin: .init(sessionID: sessionID, sessionVersion: sessionVersion, address: connection),
            connection: connection, media: [media])
    }

    /// Answers an offer (RFC 3264 §6): accepts the first usable audio stream, rejects the others with port 0.
    /// - Parameters:
    ///   - offer: The peer's offer.
    ///   - capabilities: This side's codecs, telephone-event and ptime.
    ///   - address: This side's RTP address.
    ///   - port: This side's RTP port.
    ///   - direction: The direction this side wants (`sendrecv`, or a hold direction); the answer is this
    ///     narrowed by the offer's reversed direction.
    ///   - sessionID: The `o=` session identifier.
    ///   - sessionVersion: The `o=` version.
    /// - Returns: The answer and the stream as this side must run it.
    /// - Throws: ``SDPNegotiationError`` when no audio stream can be agreed (answer the INVITE with 488).
    public static func answer(
        to offer: SessionDescription, capabilities: AudioCapabilities, address: String, port: UInt16,
        direction: MediaDirection = .sendrecv, sessionID: UInt64, sessionVersion: UInt64 = 0
    ) throws(SDPNegotiationError) -> (answer: SessionDescription, audio: NegotiatedAudio) {
        var chosen: (index: Int, codec: G711.Law, payloadType: UInt8)?
        var offeredFormats: [String] = []
        for (index, section) in offer.media.enumerated()
        where section.media == "audio" && section.transport == "RTP/AVP" && section.port != 0 {
            offeredFormats += section.formats
            if let match = firstCodec(in: section, among: capabilities.codecs) {
                chosen = (index, match.codec, match.payloadType)
                break
            }
        }
        guard let chosen else {
            throw offeredFormats.isEmpty ? .noAudioStream : .noCommonCodec(offered: offeredFormats)
        }
        let section = offer.media[chosen.index]
        guard let remote = offer.connection(for: section) else { throw .missingConnection(mediaIndex: chosen.index) }

        let offeredDirection = offer.direction(of: section)
        let heldByPeer = !offeredDirection.receives || remote.isHoldAddress
        // The peer's wish seen from here, narrowed by what this side wants; old-style hold means "don't send".
        var ours = offeredDirection.reversed.intersection(direction)
        if remote.isHoldAddress { ours = ours.intersection(.recvonly) }

        var telephoneEvent: (pt: UInt8, events: TelephoneEventSet)?
        if capabilities.telephoneEventPayloadType != nil, let pt = telephoneEventPayloadType(in: section) {
            let offered = section.formatParameters(for: pt).flatMap { TelephoneEventSet(fmtp: $0) } ?? .dtmf
            let common = offered.intersection(capabilities.telephoneEvents)
            if !common.isEmpty { telephoneEvent = (pt, common) }
        }
        let offeredPtime = section.packetTime
        let ptime = offeredPtime.flatMap { capabilities.supportedPacketTimes.contains($0) ? $0 : nil } ?? capabilities.packetTime

        let local = SessionDescription.ConnectionAddress(
            addressType: address.contains(":") ? "IP6" : "IP4", address: address)
        var media: [MediaDescription] = []
        for (index, offered) in offer.media.enumerated() {
            guard index == chosen.index else {
                // Rejected stream: same media and transport, port 0, the first offered format (RFC 3264 §6).
                media.append(MediaDescription(media: offered.media, port: 0, transport: offered.transport, formats: Array(offered.formats.prefix(1))))
                continue
            }
            var formats = [String(chosen.payloadType)]
            var attributes = [
                SessionDescription.Attribute("rtpmap", RTPMap(payloadType: chosen.payloadType, encodingName: chosen.codec.encodingName, clockRate: 8000).attributeValue)
            ]
            if let telephoneEvent {
                formats.append(String(telephoneEvent.pt))
                attributes.append(.init("rtpmap", "\(telephoneEvent.pt) telephone-event/8000"))
                attributes.append(.init("fmtp", "\(telephoneEvent.pt) \(telephoneEvent.events)"))
            }
            attributes.append(.init("ptime", String(ptime)))
            attributes.append(.init(ours.rawValue))
            media.append(MediaDescription(port: port, formats: formats, attributes: attributes))
        }
        let answer = SessionDescription(
            origin: .init(sessionID: sessionID, sessionVersion: sessionVersion, address: local),
            connection: local, media: media)
        let audio = NegotiatedAudio(
            mediaIndex: chosen.index, codec: chosen.codec, payloadType: chosen.payloadType,
            telephoneEventPayloadType: telephoneEvent?.pt, telephoneEvents: telephoneEvent?.events ?? TelephoneEventSet(),
            packetTime: ptime, remoteAddress: remote.address, remotePort: section.port, direction: ours,
            heldByPeer: heldByPeer)
        return (answer, audio)
    }

    /// Reads the peer's answer to this side's offer (RFC 3264 §7).
    /// - Parameters:
    ///   - offer: The offer this side sent.
    ///   - answer: The peer's answer.
    /// - Returns: The stream as this side must run it.
    /// - Throws: ``SDPNegotiationError/answerMismatch(_:)`` when the answer has a different number of `m=` lines,
    ///   rejects the audio stream, or picks a codec that was not offered.
    public static func negotiate(offer: SessionDescription, answer: SessionDescription) throws(SDPNegotiationError)
        -> NegotiatedAudio
    {
        guard answer.media.count == offer.media.count else {
            throw .answerMismatch("answer has \(answer.media.count) m= lines, the offer \(offer.media.count)")
        }
        guard let index = offer.media.firstIndex(where: { $0.media == "audio" && $0.port != 0 }) else {
            throw .noAudioStream
        }
        let offered = offer.media[index]
        let section = answer.media[index]
        guard section.port != 0 else { throw .answerMismatch("the audio stream was rejected (port 0)") }
        let offeredLaws = offered.formats.compactMap { UInt8($0) }.compactMap { law(of: $0, in: offered) }
        guard let match = firstCodec(in: section, among: offeredLaws) else {
            throw .answerMismatch("formats \(section.formats.joined(separator: " ")) include no offered G.711 law")
        }
        guard let remote = answer.connection(for: section) else { throw .missingConnection(mediaIndex: index) }
        let answered = answer.direction(of: section)
        var ours = answered.reversed.intersection(offer.direction(of: offered))
        if remote.isHoldAddress { ours = ours.intersection(.recvonly) }

        var telephoneEventPT: UInt8?
        var events = TelephoneEventSet()
        if let pt = telephoneEventPayloadType(in: section), telephoneEventPayloadType(in: offered) != nil {
            telephoneEventPT = pt
            let answeredEvents = section.formatParameters(for: pt).flatMap { TelephoneEventSet(fmtp: $0) } ?? .dtmf
            let offeredEvents = offered.formatParameters(for: pt).flatMap { TelephoneEventSet(fmtp: $0) } ?? .dtmf
            events = answeredEvents.intersection(offeredEvents)
        }
        return NegotiatedAudio(
            mediaIndex: index, codec: match.codec, payloadType: match.payloadType,
            telephoneEventPayloadType: telephoneEventPT, telephoneEvents: events,
            packetTime: section.packetTime ?? offered.packetTime ?? 20,
            remoteAddress: remote.address, remotePort: section.port, direction: ours,
            heldByPeer: !answered.receives || remote.isHoldAddress)
    }

    /// The G.711 law a payload type stands for in a section: its `rtpmap` name at 8000 Hz, else the static
    /// assignment (RFC 3551 Table 4).
    static func law(of payloadType: UInt8, in section: MediaDescription) -> G711.Law? {
        if let map = section.rtpMap(for: payloadType) {
            guard map.clockRate == 8000, map.channels ?? 1 == 1 else { return nil }
            switch map.encodingName.uppercased() {
            case "PCMU": return .muLaw
            case "PCMA": return .aLaw
            default: return nil
            }
        }
        return payloadType < 96 ? G711.Law(payloadType: payloadType) : nil
    }

    /// The first format of `section` that is one of `laws` (in the section's order, which is the offerer's
    /// preference, RFC 3264 §6.1).
    private static func firstCodec(in section: MediaDescription, among laws: [G711.Law])
        -> (codec: G711.Law, payloadType: UInt8)?
    {
        for format in section.formats {
            guard let pt = UInt8(format), pt < 128, let law = law(of: pt, in: section), laws.contains(law) else { continue }
            return (law, pt)
        }
        return nil
    }

    /// The payload type mapped to `telephone-event/8000` in a section, if any.
    static func telephoneEventPayloadType(in section: MediaDescription) -> UInt8? {
        for format in section.formats {
            guard let pt = UInt8(format), let map = section.rtpMap(for: pt) else { continue }
            if map.encodingName.lowercased() == "telephone-event", map.clockRate == 8000 { return pt }
        }
        return nil
    }
}
