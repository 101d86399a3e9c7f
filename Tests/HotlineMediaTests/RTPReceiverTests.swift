import Testing

@testable import HotlineMedia

@Suite struct RTPReceiverTests {
    /// Frame `i` is a constant signal whose A-law code is `i mod 200 + 20`, so its decoded value identifies it.
    func code(_ i: Int) -> UInt8 { UInt8(i % 200 + 20) }

    func stream(count: Int, ssrc: UInt32 = 0xCAFE, firstSequence: UInt16 = 100, firstTimestamp: UInt32 = 5000)
        -> [[UInt8]]
    {
        var sender = RTPSender(ssrc: ssrc, payloadType: 8, initialSequenceNumber: firstSequence, initialTimestamp: firstTimestamp)
        return (0..<count).map { sender.makeAudioPacket(payload: [UInt8](repeating: code($0), count: 160), samples: 160).encoded() }
    }

    /// Plays the deliveries through a receiver, one playout per 160 samples; returns frame identities played.
    func play(_ receiver: inout RTPReceiver<FadingConcealer>, _ deliveries: [Delivery], ticks: Int, start: Int64 = 0)
        -> (played: [Int], events: [RTPReceiver<FadingConcealer>.Event])
    {
        var next = 0
        var played: [Int] = []
        var events: [RTPReceiver<FadingConcealer>.Event] = []
        var frame = [Int16](repeating: 0, count: 160)
        let identity = Dictionary((0..<200).map { (Int(G711.decodeALaw(UInt8($0 + 20))), $0) }, uniquingKeysWith: { a, _ in a })
        for tick in 0..<ticks {
            let now = start + Int64(tick) * 160
            while next < deliveries.count, deliveries[next].arrival <= now {
                events += receiver.receive(datagram: deliveries[next].bytes, arrival: deliveries[next].arrival)
                next += 1
            }
            if frame.withUnsafeMutableBufferPointer({ receiver.playout(into: $0) }) == .audio {
                played.append(identity[Int(frame[0])] ?? -1)
            }
        }
        return (played, events)
    }

    /// The acceptance test: 5 % loss and reordering play out in order, loss is concealed and counted.
    @Test func lossyReorderedStreamPlaysInOrder() {
        var receiver = RTPReceiver(law: .aLaw)
        let count = 1000
        let (deliveries, lost) = simulate(packets: stream(count: count), loss: 0.05, baseDelay: 160, jitter: 400, seed: 77)
        let (played, _) = play(&receiver, deliveries, ticks: count + 60)
        var inOrder = true
        for i in 1..<played.count where (played[i] - played[i - 1] + 200) % 200 == 0 || (played[i] - played[i - 1] + 200) % 200 > 10 {
            inOrder = false
        }
        #expect(inOrder)
        #expect(!played.contains(-1))
        #expect(played.count >= (count - lost.count) * 97 / 100)
        #expect(receiver.counters.framesConcealed >= lost.count / 2)
        #expect(receiver.counters.accepted + receiver.counters.late + receiver.counters.duplicate == count - lost.count)
        let block = receiver.makeReportBlock(now: Int64(count) * 160)
        #expect(block != nil)
        if let block {
            // Loss seen by RTCP matches the network's (within the probation packet).
            #expect(abs(Int(block.cumulativeLost) - lost.count) <= 2)
            #expect(block.jitter > 0)
        }
    }

    @Test func malformedAndForeignPacketsAreCountedNotPlayed() {
        var receiver = RTPReceiver(law: .aLaw, telephoneEventPayloadType: 101)
        let good = stream(count: 3)
        var events = receiver.receive(datagram: good[0], arrival: 0)
        events += receiver.receive(datagram: [0x80, 0x08, 0x00], arrival: 1)  // truncated
        events += receiver.receive(datagram: [UInt8](repeating: 0, count: 20), arrival: 2)  // version 0
        var wrongType = good[1]
        wrongType[1] = 18  // G.729, not negotiated
        events += receiver.receive(datagram: wrongType, arrival: 3)
        var badEvent = good[1]
        badEvent[1] = 101  // telephone-event with a 160-byte payload
        events += receiver.receive(datagram: badEvent, arrival: 4)
        events += receiver.receive(datagram: good[0], arrival: 5)  // duplicate
        let huge = RTPPacket(payloadType: 8, sequenceNumber: 103, timestamp: 5480, ssrc: 0xCAFE, payload: [UInt8](repeating: 0xD5, count: 60_000))
        events += receiver.receive(datagram: huge.encoded(), arrival: 6)
        #expect(events.isEmpty)
        #expect(receiver.counters.oversized == 1)
        #expect(receiver.counters.malformed == 2)
        #expect(receiver.counters.wrongPayloadType == 1)
        #expect(receiver.counters.badTelephoneEvent == 1)
        #expect(receiver.counters.duplicate == 1)
        #expect(receiver.counters.accepted == 1)
        #expect(receiver.counters.dropped == 6)
    }

    @Test func ssrcChangeNeedsTwoPacketsAndResets() {
        var receiver = RTPReceiver(law: .aLaw)
        var deliveries: [Delivery] = []
        for (i, bytes) in stream(count: 50).enumerated() { deliveries.append(Delivery(arrival: Int64(i) * 160, bytes: bytes, index: i)) }
        // One stray packet from another source in the middle.
        let stray = stream(count: 1, ssrc: 0xBAD, firstSequence: 9000, firstTimestamp: 999_999)[0]
        deliveries.insert(Delivery(arrival: 20 * 160 + 1, bytes: stray, index: -1), at: 21)
        // Then the new source takes over (e.g. after a transfer) with unrelated sequence and timestamps.
        let newSource = stream(count: 50, ssrc: 0xBEEF, firstSequence: 40000, firstTimestamp: 77_000_000)
        for (i, bytes) in newSource.enumerated() {
            deliveries.append(Delivery(arrival: Int64(50 + i) * 160, bytes: bytes, index: 50 + i))
        }
        let (played, events) = play(&receiver, deliveries, ticks: 130)
        #expect(receiver.counters.foreignSource == 2)  // the stray and the first of the new source
        #expect(receiver.counters.ssrcChanges == 1)
        #expect(events.contains(.sourceChanged(from: 0xCAFE, to: 0xBEEF)))
        #expect(receiver.ssrc == 0xBEEF)
        #expect(played.count >= 95)
    }

    @Test func timestampJumpWithConsecutiveSequenceResynchronises() {
        var receiver = RTPReceiver(law: .aLaw)
        var sender = RTPSender(ssrc: 1, payloadType: 8, initialSequenceNumber: 0, initialTimestamp: 0)
        var deliveries: [Delivery] = []
        for i in 0..<100 {
            if i == 50 { sender = RTPSender(ssrc: 1, payloadType: 8, initialSequenceNumber: 50, initialTimestamp: 3_000_000_000) }
            let bytes = sender.makeAudioPacket(payload: [UInt8](repeating: code(i), count: 160), samples: 160).encoded()
            deliveries.append(Delivery(arrival: Int64(i) * 160, bytes: bytes, index: i))
        }
        let (played, events) = play(&receiver, deliveries, ticks: 120)
        #expect(receiver.counters.timestampJumps == 1)
        #expect(events.contains { if case .timestampJumped = $0 { true } else { false } })
        #expect(played.suffix(40) == Array(60..<100).map { $0 % 200 })
        #expect(receiver.counters.late == 0)
    }

    @Test func telephoneEventsAreReportedOnce() {
        var receiver = RTPReceiver(law: .aLaw, telephoneEventPayloadType: 101)
        var sender = RTPSender(ssrc: 3, payloadType: 8)
        var dtmf = TelephoneEventSender()
        dtmf.enqueue(event: 1, duration: 480)
        dtmf.enqueue(event: 11, duration: 480)
        var events: [RTPReceiver<FadingConcealer>.Event] = []
        for tick in 0..<40 {
            var datagrams: [[UInt8]] = []
            if let event = dtmf.nextPacket(timestamp: sender.timestamp) {
                datagrams.append(sender.makeTelephoneEventPacket(event, payloadType: 101).encoded())
                sender.skip(samples: 160)
            } else if dtmf.isSending {
                sender.skip(samples: 160)
            } else {
                datagrams.append(sender.makeAudioPacket(payload: [UInt8](repeating: 0xD5, count: 160), samples: 160).encoded())
            }
            for d in datagrams {
                events += receiver.receive(datagram: d, arrival: Int64(tick) * 160)
                events += receiver.receive(datagram: d, arrival: Int64(tick) * 160 + 3)  // duplicated on the network
            }
        }
        let began = events.compactMap { if case .telephoneEvent(.began(let e, _)) = $0 { e } else { nil } }
        let ended = events.compactMap { if case .telephoneEvent(.ended(let e, _, let d)) = $0 { d == 480 ? e : nil } else { nil } }
        #expect(began == [1, 11])
        #expect(ended == [1, 11])
    }

    @Test func receiverReportEchoesTheLastSenderReport() throws {
        var receiver = RTPReceiver(law: .aLaw)
        for (i, bytes) in stream(count: 10, ssrc: 5).enumerated() { _ = receiver.receive(datagram: bytes, arrival: Int64(i) * 160) }
        let sr = RTCPPacket.SenderReport(ssrc: 5, ntpTimestamp: 0x1122_3344_5566_7788, rtpTimestamp: 0, packetCount: 10, octetCount: 1600)
        receiver.noteSenderReport(sr, arrival: 8000)
        let made = receiver.makeReportBlock(now: 8000 + 4000)  // half a second later
        let block = try #require(made)
        #expect(block.ssrc == 5)
        #expect(block.lastSenderReport == 0x3344_5566)
        #expect(block.delaySinceLastSenderReport == 32768)
        #expect(block.cumulativeLost == 0)
        #expect(block.fractionLost == 0)
    }

    @Test func negotiatedAudioConfiguresTheReceiver() throws {
        let offer = OfferAnswer.offer(
            capabilities: AudioCapabilities(codecs: [.muLaw], telephoneEventPayloadType: 96), address: "127.0.0.1",
            port: 4000, sessionID: 1)
        let (_, audio) = try OfferAnswer.answer(
            to: offer, capabilities: AudioCapabilities(), address: "127.0.0.1", port: 5000, sessionID: 2)
        let receiver = RTPReceiver(audio: audio)
        #expect(receiver.law == .muLaw)
        #expect(receiver.payloadType == 0)
        #expect(receiver.telephoneEventPayloadType == 96)
        #expect(receiver.frameSamples == 160)
    }

    /// A perfectly paced stream with a digit in the middle reports zero jitter: event packets keep the event's
    /// start timestamp and must not be mistaken for delay variation.
    @Test func telephoneEventsDoNotLookLikeJitter() throws {
        var receiver = RTPReceiver(law: .aLaw, telephoneEventPayloadType: 101)
        var sender = RTPSender(ssrc: 3, payloadType: 8)
        var dtmf = TelephoneEventSender()
        dtmf.enqueue(event: 7, duration: 1600)
        for tick in 0..<60 {
            let arrival = Int64(tick) * 160 + 400
            if tick >= 20, let event = dtmf.nextPacket(timestamp: sender.timestamp) {
                _ = receiver.receive(datagram: sender.makeTelephoneEventPacket(event, payloadType: 101).encoded(), arrival: arrival)
                sender.skip(samples: 160)
            } else if dtmf.isSending {
                sender.skip(samples: 160)
            } else {
                let bytes = sender.makeAudioPacket(payload: [UInt8](repeating: 0xD5, count: 160), samples: 160).encoded()
                _ = receiver.receive(datagram: bytes, arrival: arrival)
            }
        }
        let made = receiver.makeReportBlock(now: 60 * 160)
        let block = try #require(made)
        #expect(block.jitter == 0)
        #expect(block.cumulativeLost == 0)
    }
}
