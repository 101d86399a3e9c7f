import Testing

import HotlineMedia

/// The runnable example of Docs/Media.md ("a call in one process"), kept here so it keeps compiling and working.
@Suite struct MediaExampleTests {
    @Test func callInOneProcess() throws {
        // The phone's offer, as it would arrive in an INVITE.
        let phone = OfferAnswer.offer(
            capabilities: AudioCapabilities(codecs: [.aLaw], telephoneEventPayloadType: 101),
            address: "127.0.0.1", port: 4000, sessionID: 1)
        let offer = try SessionDescription(parsing: phone.text)
        // The hotline answers; `audio` says what to send, where, and how.
        let (answer, audio) = try OfferAnswer.answer(
            to: offer, capabilities: AudioCapabilities(), address: "127.0.0.1", port: 5000, sessionID: 2)
        #expect(answer.text.contains("m=audio 5000 RTP/AVP 8 101"))

        // The phone sends 1 s of tone with the digit 5 pressed in the middle…
        var rng = SystemRandomNumberGenerator()
        var sender = RTPSender(payloadType: audio.payloadType, using: &rng)
        let streamStart = sender.timestamp  // random (RFC 3550 §5.1); digit times count from here
        var dtmf = TelephoneEventSender()
        var datagrams: [[UInt8]] = []
        let tone: [Int16] = (0..<160).map { Int16(8000 * (($0 / 10) % 2 == 0 ? 1 : -1)) }
        var datagram: [UInt8] = []
        for interval in 0..<50 {
            if interval == 20 { dtmf.enqueue(event: 5, duration: 800) }
            if let report = dtmf.nextPacket(timestamp: sender.timestamp) {
                datagrams.append(sender.makeTelephoneEventPacket(report, payloadType: 101).encoded())
                sender.skip(samples: 160)
            } else if dtmf.isSending {
                sender.skip(samples: 160)
            } else {
                tone.withUnsafeBufferPointer { sender.encodeAudio($0, law: audio.codec, into: &datagram) }
                datagrams.append(datagram)
            }
        }

        // …and the hotline receives it: digits once, audio every 20 ms.
        var receiver = RTPReceiver(audio: audio)
        var collector = DigitCollector()
        var digits = ""
        var frame = [Int16](repeating: 0, count: 160)
        var played = 0
        for (interval, bytes) in datagrams.enumerated() {
            for event in receiver.receive(datagram: bytes, arrival: Int64(interval) * 160) {
                if case .telephoneEvent(.began(let code, let timestamp)) = event,
                    let digit = collector.addTelephoneEvent(code, timestamp: timestamp, streamStart: streamStart)
                {
                    digits.append(digit.digit)
                    #expect(digit.start == .milliseconds(400))
                }
            }
            if frame.withUnsafeMutableBufferPointer({ receiver.playout(into: $0) }) == .audio { played += 1 }
        }
        #expect(digits == "5")
        #expect(played > 30)
        #expect(receiver.counters.dropped == 0)
    }
}
