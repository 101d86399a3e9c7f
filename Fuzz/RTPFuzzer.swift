// libFuzzer entry point for HotlineMedia's wire parsers: RTP, RFC 4733, RTCP, SDP and the receive path.
// Built by Fuzz/run-rtp.sh together with the parser sources (not part of the Swift package).

/// Splits the input into datagrams: each is prefixed by one length byte.
private func datagrams(_ bytes: UnsafeRawBufferPointer) -> [UnsafeRawBufferPointer] {
    var result: [UnsafeRawBufferPointer] = []
    var offset = 0
    while offset < bytes.count {
        let length = Int(bytes[offset])
        offset += 1
        let end = min(bytes.count, offset + length)
        result.append(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
        offset = end
    }
    return result
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let input = UnsafeRawBufferPointer(start: start, count: count)
    let mode = input[0] % 4
    let body = UnsafeRawBufferPointer(rebasing: input[1...])
    switch mode {
    case 0:
        // One datagram through every RTP-level decoder; a decoded packet must re-encode to a decodable packet.
        if let packet = try? RTPPacket(decoding: body) {
            let again = try? RTPPacket(decoding: packet.encoded())
            if again != packet { fatalError("RTP re-encoding changed the packet") }
            if let event = try? TelephoneEvent(decoding: packet.payload) {
                if (try? TelephoneEvent(decoding: event.encoded)) != event { fatalError("RFC 4733 round trip") }
            }
        }
        _ = try? RTCPPacket.decodeCompound(body)
    case 1:
        // A sequence of datagrams through a receiver with telephone events, then playout.
        var receiver = RTPReceiver(law: .aLaw, telephoneEventPayloadType: 101)
        var frame = [Int16](repeating: 0, count: 160)
        var arrival: Int64 = 0
        var seen = 0
        for datagram in datagrams(body) {
            _ = receiver.receive(datagram: datagram, arrival: arrival)
            arrival += 160
            seen += 1
            _ = frame.withUnsafeMutableBufferPointer { receiver.playout(into: $0) }
        }
        let c = receiver.counters
        if c.accepted + c.dropped + c.comfortNoise != seen { fatalError("a datagram was not counted") }
    case 2:
        // RFC 4733 reports (4 bytes each, timestamps from the next 4) through the event receiver.
        var events = TelephoneEventReceiver()
        var offset = 0
        while offset + 8 <= body.count {
            let report = UnsafeRawBufferPointer(rebasing: body[offset..<(offset + 4)])
            let timestamp = body.loadBigEndianUInt32(at: offset + 4)
            if let event = try? TelephoneEvent(decoding: report) { _ = events.receive(event, timestamp: timestamp) }
            offset += 8
        }
        _ = events.expire(at: UInt32(truncatingIfNeeded: body.count) &* 160)
    default:
        // SDP text through the parser and offer/answer.
        let text = String(decoding: body, as: UTF8.self)
        if let offer = try? SessionDescription(parsing: text) {
            _ = try? SessionDescription(parsing: offer.text)
            _ = try? OfferAnswer.answer(
                to: offer, capabilities: AudioCapabilities(), address: "127.0.0.1", port: 4000, sessionID: 1)
        }
    }
    return 0
}
