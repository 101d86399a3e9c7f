/// The sending side of one RTP stream (RFC 3550 §5.1, RFC 3551 §4.1): sequence numbers, timestamps, the
/// SSRC, the marker bit on the first packet of each talk spurt, and the packet/octet counts an RTCP sender
/// report needs.
///
/// Pure: the media loop hands it one frame per packet interval and sends the bytes it returns.
///
/// ```swift
/// var sender = RTPSender(ssrc: 0x1234, payloadType: 8)
/// var datagram: [UInt8] = []
/// frame.withUnsafeBufferPointer { sender.encodeAudio($0, law: .aLaw, into: &datagram) }
/// ```
public struct RTPSender: Sendable {
    /// The synchronisation source of this stream.
    public let ssrc: UInt32
    /// The audio payload type (0 PCMU, 8 PCMA, or the negotiated dynamic one).
    public var payloadType: UInt8
    /// The sequence number the next packet carries.
    public private(set) var sequenceNumber: UInt16
    /// The RTP timestamp of the next audio frame.
    public private(set) var timestamp: UInt32
    /// Packets sent so far (RTCP SR `sender's packet count`, RFC 3550 §6.4.1).
    public private(set) var packetCount: UInt32 = 0
    /// Payload octets sent so far (RTCP SR `sender's octet count`).
    public private(set) var octetCount: UInt32 = 0
    /// Whether the next audio packet begins a talk spurt (set at start and after ``skip(samples:)``).
    public private(set) var startsTalkSpurt = true

    /// Creates a sender.
    /// - Parameters:
    ///   - ssrc: The SSRC (choose it at random, RFC 3550 §8.1).
    ///   - payloadType: The audio payload type.
    ///   - initialSequenceNumber: The first sequence number (random, RFC 3550 §5.1).
    ///   - initialTimestamp: The first timestamp (random, RFC 3550 §5.1).
    public init(ssrc: UInt32, payloadType: UInt8, initialSequenceNumber: UInt16 = 0, initialTimestamp: UInt32 = 0) {
        self.ssrc = ssrc
        self.payloadType = payloadType & 0x7F
        self.sequenceNumber = initialSequenceNumber
        self.timestamp = initialTimestamp
    }

    /// Creates a sender with a random SSRC, sequence number and timestamp, as RFC 3550 §5.1 asks.
    /// - Parameters:
    ///   - payloadType: The audio payload type.
    ///   - generator: The random source.
    public init(payloadType: UInt8, using generator: inout some RandomNumberGenerator) {
        self.init(
            ssrc: UInt32.random(in: 0...UInt32.max, using: &generator), payloadType: payloadType,
            initialSequenceNumber: UInt16.random(in: 0...UInt16.max, using: &generator),
            initialTimestamp: UInt32.random(in: 0...UInt32.max, using: &generator))
    }

    /// Makes the next audio packet and advances sequence and timestamp.
    /// - Parameters:
    ///   - payload: The encoded audio.
    ///   - samples: Samples the payload covers (160 for 20 ms of G.711).
    /// - Returns: The packet; its marker is set if it begins a talk spurt.
    public mutating func makeAudioPacket(payload: [UInt8], samples: UInt32) -> RTPPacket {
        let packet = RTPPacket(
            marker: startsTalkSpurt, payloadType: payloadType, sequenceNumber: sequenceNumber, timestamp: timestamp,
            ssrc: ssrc, payload: payload)
        advance(payloadBytes: payload.count, samples: samples)
        return packet
    }

    /// Encodes one frame of linear audio as a G.711 RTP datagram straight into `output` (no intermediate
    /// packet or payload array), then advances sequence and timestamp. The send path's hot function.
    /// - Parameters:
    ///   - samples: One frame of 16-bit linear audio.
    ///   - law: The G.711 law of ``payloadType``.
    ///   - output: Replaced by the datagram (its capacity is reused).
    public mutating func encodeAudio(_ samples: UnsafeBufferPointer<Int16>, law: G711.Law, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        writeHeader(marker: startsTalkSpurt, payloadType: payloadType, timestamp: timestamp, into: &output)
        G711.encode(samples, law: law, appendingTo: &output)
        advance(payloadBytes: samples.count, samples: UInt32(samples.count))
    }

    /// Makes an RFC 4733 packet from a ``TelephoneEventSender`` report. The sequence number advances; the audio
    /// timestamp does not (call ``skip(samples:)`` for the interval the event replaced).
    /// - Parameters:
    ///   - event: The report with its own timestamp and marker.
    ///   - payloadType: The negotiated telephone-event payload type.
    /// - Returns: The packet.
    public mutating func makeTelephoneEventPacket(_ event: TelephoneEventPacket, payloadType: UInt8) -> RTPPacket {
        let packet = RTPPacket(
            marker: event.marker, payloadType: payloadType, sequenceNumber: sequenceNumber, timestamp: event.timestamp,
            ssrc: ssrc, payload: event.event.encoded)
        sequenceNumber &+= 1
        packetCount &+= 1
        octetCount &+= 4
        return packet
    }

    /// Advances the timestamp over an interval in which no audio was sent (silence suppression, a telephone
    /// event, hold); the next audio packet is marked as a talk-spurt start.
    /// - Parameter samples: Samples the interval covers.
    public mutating func skip(samples: UInt32) {
        timestamp &+= samples
        startsTalkSpurt = true
    }

    private mutating func advance(payloadBytes: Int, samples: UInt32) {
        sequenceNumber &+= 1
        timestamp &+= samples
        packetCount &+= 1
        octetCount &+= UInt32(truncatingIfNeeded: payloadBytes)
        startsTalkSpurt = false
    }

    private func writeHeader(marker: Bool, payloadType: UInt8, timestamp: UInt32, into out: inout [UInt8]) {
        out.append(0x80)
        out.append((marker ? 0x80 : 0) | payloadType)
        out.appendBigEndian(sequenceNumber)
        out.appendBigEndian(timestamp)
        out.appendBigEndian(ssrc)
    }
}

extension RTPSender {
    /// Makes an RTCP sender report for this stream (RFC 3550 §6.4.1).
    /// - Parameters:
    ///   - ntpTimestamp: The wall-clock time of sending as a 64-bit NTP timestamp (from the caller's clock).
    ///   - reports: Reception report blocks about the sources this side receives.
    /// - Returns: The SR; its RTP timestamp is that of the next audio frame, which is due now.
    public func makeSenderReport(ntpTimestamp: UInt64, reports: [RTCPReportBlock] = []) -> RTCPPacket {
        .senderReport(
            .init(
                ssrc: ssrc, ntpTimestamp: ntpTimestamp, rtpTimestamp: timestamp, packetCount: packetCount,
                octetCount: octetCount, reports: reports))
    }
}
