import Testing

@testable import HotlineMedia

@Suite struct RTPSenderTests {
    @Test func sequenceTimestampAndTalkSpurtMarker() throws {
        var sender = RTPSender(ssrc: 42, payloadType: 8, initialSequenceNumber: 65534, initialTimestamp: 0xFFFF_FF00)
        let a = sender.makeAudioPacket(payload: [UInt8](repeating: 0xD5, count: 160), samples: 160)
        let b = sender.makeAudioPacket(payload: [UInt8](repeating: 0xD5, count: 160), samples: 160)
        sender.skip(samples: 320)  // silence suppressed
        let c = sender.makeAudioPacket(payload: [UInt8](repeating: 0xD5, count: 160), samples: 160)
        #expect([a.sequenceNumber, b.sequenceNumber, c.sequenceNumber] == [65534, 65535, 0])
        #expect([a.timestamp, b.timestamp, c.timestamp] == [0xFFFF_FF00, 0x0000_0000 &+ 0xFFFF_FFA0, 0x0000_0180])
        #expect([a.marker, b.marker, c.marker] == [true, false, true])
        #expect(sender.packetCount == 3)
        #expect(sender.octetCount == 480)
        #expect(c.ssrc == 42)
    }

    @Test func encodeAudioMatchesPacketEncoding() throws {
        let samples: [Int16] = (0..<160).map { Int16($0 * 100 - 8000) }
        var fast = RTPSender(ssrc: 7, payloadType: 0, initialSequenceNumber: 10, initialTimestamp: 1000)
        var slow = fast
        var datagram: [UInt8] = []
        samples.withUnsafeBufferPointer { fast.encodeAudio($0, law: .muLaw, into: &datagram) }
        let packet = slow.makeAudioPacket(payload: G711.encode(samples, law: .muLaw), samples: 160)
        #expect(datagram == packet.encoded())
        samples.withUnsafeBufferPointer { fast.encodeAudio($0, law: .muLaw, into: &datagram) }
        let decoded = try RTPPacket(decoding: datagram)
        #expect(decoded.sequenceNumber == 11)
        #expect(decoded.timestamp == 1160)
        #expect(!decoded.marker)
    }

    @Test func randomInitialValuesComeFromTheGenerator() {
        var g1 = SeededGenerator(seed: 9)
        var g2 = SeededGenerator(seed: 9)
        let a = RTPSender(payloadType: 0, using: &g1)
        let b = RTPSender(payloadType: 0, using: &g2)
        #expect(a.ssrc == b.ssrc)
        #expect(a.sequenceNumber == b.sequenceNumber)
    }

    /// Telephone events share the sequence space but carry their own timestamp (RFC 4733 §2.5.1).
    @Test func telephoneEventsInterleaveWithAudio() throws {
        var sender = RTPSender(ssrc: 1, payloadType: 0)
        var events = TelephoneEventSender()
        events.enqueue(event: 5, duration: 320)
        var packets: [RTPPacket] = []
        for _ in 0..<8 {
            let now = sender.timestamp
            if let event = events.nextPacket(timestamp: now) {
                packets.append(sender.makeTelephoneEventPacket(event, payloadType: 101))
                sender.skip(samples: 160)
            } else if events.isSending {
                sender.skip(samples: 160)
            } else {
                packets.append(sender.makeAudioPacket(payload: [0xFF], samples: 160))
            }
        }
        #expect(packets.map(\.sequenceNumber) == Array(0..<UInt16(packets.count)))
        let eventPackets = packets.filter { $0.payloadType == 101 }
        #expect(eventPackets.count == 4)
        #expect(Set(eventPackets.map(\.timestamp)) == [0])
        let audioAfter = packets.first { $0.payloadType == 0 }
        #expect(audioAfter?.marker == true)
    }
}

@Suite struct RTPSenderReportTests {
    @Test func senderReportCarriesCounts() throws {
        var sender = RTPSender(ssrc: 77, payloadType: 0, initialTimestamp: 500)
        for _ in 0..<3 { _ = sender.makeAudioPacket(payload: [UInt8](repeating: 0xFF, count: 160), samples: 160) }
        let packet = sender.makeSenderReport(ntpTimestamp: 0xE000_0000_0000_0000)
        let decoded = try RTCPPacket.decodeCompound(RTCPPacket.encodeCompound([packet]))
        guard case .senderReport(let sr) = decoded.first else {
            Issue.record("not an SR: \(decoded)")
            return
        }
        #expect(sr.ssrc == 77)
        #expect(sr.packetCount == 3)
        #expect(sr.octetCount == 480)
        #expect(sr.rtpTimestamp == 980)
    }
}
