import Testing

@testable import HotlineMedia

@Suite struct TelephoneEventTests {
    @Test func payloadByteByByte() throws {
        // Digit 5, end bit, volume 10, duration 800 (RFC 4733 §2.3 layout).
        let bytes: [UInt8] = [0x05, 0x8A, 0x03, 0x20]
        let event = try TelephoneEvent(decoding: bytes)
        #expect(event == TelephoneEvent(event: 5, isEnd: true, volume: 10, duration: 800))
        #expect(event.encoded == bytes)
        // The reserved bit is ignored on receipt.
        #expect(try TelephoneEvent(decoding: [0x05, 0xCA, 0x03, 0x20]) == event)
    }

    @Test(arguments: [0, 1, 3, 5, 8])
    func wrongLengthsAreRefused(length: Int) {
        #expect(throws: TelephoneEvent.DecodingError.invalidLength(length)) {
            try TelephoneEvent(decoding: [UInt8](repeating: 1, count: length))
        }
    }

    @Test func digitMapping() {
        #expect(TelephoneEvent.digit(for: 10) == "*")
        #expect(TelephoneEvent.digit(for: 11) == "#")
        #expect(TelephoneEvent.digit(for: 15) == "D")
        #expect(TelephoneEvent.digit(for: 16) == nil)
        #expect(TelephoneEvent.event(for: "7") == 7)
        #expect(TelephoneEvent.event(for: "a") == 12)
        #expect(TelephoneEvent.event(for: "x") == nil)
    }

    /// Drives a sender until idle, returning (packet, interval timestamp) for each interval.
    func run(_ sender: inout TelephoneEventSender, startTimestamp: UInt32 = 1000, maxIntervals: Int = 2000)
        -> [TelephoneEventPacket]
    {
        var packets: [TelephoneEventPacket] = []
        var timestamp = startTimestamp
        for _ in 0..<maxIntervals {
            if let packet = sender.nextPacket(timestamp: timestamp) { packets.append(packet) }
            timestamp &+= 160
            if sender.isIdle { break }
        }
        return packets
    }

    @Test func senderSendsGrowingDurationsAndThreeEnds() {
        var sender = TelephoneEventSender()
        sender.enqueue(event: 1, duration: 800)
        let packets = run(&sender)
        #expect(packets.count == 5 + 2)
        #expect(packets.map(\.event.duration) == [160, 320, 480, 640, 800, 800, 800])
        #expect(packets.map(\.event.isEnd) == [false, false, false, false, true, true, true])
        #expect(packets.map(\.marker) == [true, false, false, false, false, false, false])
        #expect(Set(packets.map(\.timestamp)) == [1000])
    }

    @Test func queuedDigitsAreSeparatedAndStampedWhenTheyStart() {
        var sender = TelephoneEventSender(gapIntervals: 2)
        sender.enqueue(event: 1, duration: 320)
        sender.enqueue(event: 2, duration: 320)
        let packets = run(&sender)
        let starts = packets.filter(\.marker)
        #expect(starts.map(\.event.event) == [1, 2])
        // event 1: 2 intervals + 2 redundant ends, then 2 silent intervals.
        #expect(starts.map(\.timestamp) == [1000, 1000 + 160 * 6])
    }

    @Test func pressAndReleaseEndsOnTheNextPacket() {
        var sender = TelephoneEventSender()
        sender.press(event: 11)
        var timestamp: UInt32 = 0
        var packets: [TelephoneEventPacket] = []
        for _ in 0..<10 {
            if let p = sender.nextPacket(timestamp: timestamp) { packets.append(p) }
            timestamp += 160
        }
        #expect(sender.isSending)
        sender.release()
        for _ in 0..<10 {
            if let p = sender.nextPacket(timestamp: timestamp) { packets.append(p) }
            timestamp += 160
        }
        #expect(packets.count == 13)
        #expect(packets.filter(\.event.isEnd).count == 3)
        let lastDuration = packets.last.map { Int($0.event.duration) }
        #expect(lastDuration == 11 * 160)
        #expect(sender.isIdle)
    }

    /// A press longer than 65535 units (8.2 s) is split into segments (RFC 4733 §2.5.1.3).
    @Test func longPressIsSegmented() {
        var sender = TelephoneEventSender()
        sender.enqueue(event: 0, duration: 100_000)
        let packets = run(&sender, startTimestamp: 0)
        let segments = Set(packets.map(\.timestamp)).sorted()
        #expect(segments == [0, 65440])
        #expect(packets.filter(\.marker).count == 1)
        #expect(packets.allSatisfy { $0.event.duration <= 65440 })

        var receiver = TelephoneEventReceiver()
        var notes: [TelephoneEventReceiver.Notification] = []
        for packet in packets { notes += receiver.receive(packet.event, timestamp: packet.timestamp) }
        #expect(notes == [.began(event: 0, timestamp: 0), .ended(event: 0, timestamp: 0, duration: 100_000)])
    }

    @Test func receiverReportsEachDigitOnceDespiteDuplicates() {
        var sender = TelephoneEventSender()
        for digit: UInt8 in [1, 1, 2, 3, 3] { sender.enqueue(event: digit, duration: 640) }
        let packets = run(&sender)
        var receiver = TelephoneEventReceiver()
        var notes: [TelephoneEventReceiver.Notification] = []
        for packet in packets {
            notes += receiver.receive(packet.event, timestamp: packet.timestamp)
            notes += receiver.receive(packet.event, timestamp: packet.timestamp)  // every packet duplicated
        }
        let began = notes.compactMap { if case .began(let e, _) = $0 { e } else { nil } }
        let ended = notes.compactMap { if case .ended(let e, _, let d) = $0 { d == 640 ? e : nil } else { nil } }
        #expect(began == [1, 1, 2, 3, 3])
        #expect(ended == [1, 1, 2, 3, 3])
        #expect(receiver.duplicates > 0)
    }

    @Test func lostStartAndLostEndsAreStillOneDigitEach() {
        var receiver = TelephoneEventReceiver()
        // Only the end reports of digit 4 arrive.
        var notes = receiver.receive(.init(event: 4, isEnd: true, duration: 800), timestamp: 100)
        notes += receiver.receive(.init(event: 4, isEnd: true, duration: 800), timestamp: 100)
        // Digit 4 again, all end reports lost; then digit 6.
        notes += receiver.receive(.init(event: 4, duration: 160), timestamp: 2000)
        notes += receiver.receive(.init(event: 4, duration: 320), timestamp: 2000)
        notes += receiver.receive(.init(event: 6, duration: 160), timestamp: 4000)
        // A late redundant report of the second 4 after 6 began is stale.
        notes += receiver.receive(.init(event: 4, isEnd: true, duration: 480), timestamp: 2000)
        #expect(notes == [
            .began(event: 4, timestamp: 100), .ended(event: 4, timestamp: 100, duration: 800),
            .began(event: 4, timestamp: 2000), .ended(event: 4, timestamp: 2000, duration: 320),
            .began(event: 6, timestamp: 4000),
        ])
        #expect(receiver.stale == 1)
        #expect(receiver.expire(at: 4100) == [])
        #expect(receiver.expire(at: 4160 + 8000) == [.ended(event: 6, timestamp: 4000, duration: 160)])
        #expect(receiver.expire(at: 20000) == [])
    }

    @Test func reorderedUpdatesDoNotRepeat() {
        var receiver = TelephoneEventReceiver()
        var notes = receiver.receive(.init(event: 9, duration: 320), timestamp: 0)
        notes += receiver.receive(.init(event: 9, duration: 160), timestamp: 0)
        notes += receiver.receive(.init(event: 9, isEnd: true, duration: 480), timestamp: 0)
        notes += receiver.receive(.init(event: 9, duration: 400), timestamp: 0)
        #expect(notes == [.began(event: 9, timestamp: 0), .ended(event: 9, timestamp: 0, duration: 480)])
    }
}
