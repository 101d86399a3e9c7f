/// An RFC 4733 telephone-event payload (§2.3): event code, end bit, volume and duration.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// |     event     |E|R| volume    |          duration             |
/// ```
public struct TelephoneEvent: Sendable, Hashable {
    /// The event code: 0–9 digits, 10 `*`, 11 `#`, 12–15 A–D, 16 flash (RFC 4733 §3.2).
    public var event: UInt8
    /// `E`: this packet reports the end of the event.
    public var isEnd: Bool
    /// Power level in −dBm0, 0–63 (larger is quieter).
    public var volume: UInt8
    /// Duration so far in RTP timestamp units (8 kHz: 160 per 20 ms).
    public var duration: UInt16

    /// Creates an event report.
    /// - Parameters:
    ///   - event: The event code.
    ///   - isEnd: The end bit.
    ///   - volume: The volume in −dBm0 (masked to 6 bits).
    ///   - duration: The duration in timestamp units.
    public init(event: UInt8, isEnd: Bool = false, volume: UInt8 = 10, duration: UInt16) {
        self.event = event
        self.isEnd = isEnd
        self.volume = volume & 0x3F
        self.duration = duration
    }

    /// Why a payload is not a telephone-event report.
    public enum DecodingError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The payload is not 4 bytes (RFC 4733 §2.3; redundancy would come in RFC 2198 framing).
        case invalidLength(Int)

        public var description: String {
            switch self {
            case .invalidLength(let length):
                "telephone-event payload of \(length) bytes; RFC 4733 §2.3 reports are exactly 4 bytes"
            }
        }
    }

    /// Decodes a 4-byte payload.
    /// - Parameter payload: The RTP payload.
    /// - Throws: ``DecodingError/invalidLength(_:)`` unless the payload is 4 bytes.
    public init(decoding payload: some Collection<UInt8>) throws(DecodingError) {
        guard payload.count == 4 else { throw .invalidLength(payload.count) }
        var iterator = payload.makeIterator()
        let event = iterator.next() ?? 0
        let flags = iterator.next() ?? 0
        let high = iterator.next() ?? 0
        let low = iterator.next() ?? 0
        self.event = event
        self.isEnd = flags & 0x80 != 0
        self.volume = flags & 0x3F
        self.duration = UInt16(high) << 8 | UInt16(low)
    }

    /// The 4-byte payload (the reserved bit is sent as 0).
    public var encoded: [UInt8] {
        [event, (isEnd ? 0x80 : 0) | (volume & 0x3F), UInt8(duration >> 8), UInt8(duration & 0xFF)]
    }

    /// The DTMF character for an event code 0–15, or `nil`.
    /// - Parameter event: An event code.
    /// - Returns: `0`–`9`, `*`, `#`, `A`–`D`.
    public static func digit(for event: UInt8) -> Character? {
        guard event < 16 else { return nil }
        return digitCharacters[Int(event)]
    }

    /// The event code for a DTMF character (`0`–`9`, `*`, `#`, `A`–`D`, lower case accepted).
    /// - Parameter digit: A DTMF character.
    /// - Returns: The event code, or `nil` for other characters.
    public static func event(for digit: Character) -> UInt8? {
        let upper = Character(digit.uppercased())
        return digitCharacters.firstIndex(of: upper).map { UInt8($0) }
    }

    /// The flash-hook event (RFC 4733 §3.2).
    public static let flash: UInt8 = 16

    private static let digitCharacters: [Character] = Array("0123456789*#ABCD")
}

/// One telephone-event packet to send: the payload and the RTP fields that belong to the event.
public struct TelephoneEventPacket: Sendable, Hashable {
    /// The report.
    public var event: TelephoneEvent
    /// The event's RTP timestamp: the instant it began (or its current segment began, §2.5.1.3).
    public var timestamp: UInt32
    /// Set on the first packet of an event (RFC 4733 §2.5.1.2).
    public var marker: Bool
}

/// The sending side of RFC 4733 (§2.5.1): one report per packet interval while a key is down, duration
/// growing; three reports with the end bit when it is released; long presses split into segments when the
/// duration would overflow 16 bits.
///
/// Pure: the media loop calls ``nextPacket(timestamp:)`` once per packet interval with the timestamp the
/// audio packet of that interval would carry, and sends the returned packet instead of audio.
public struct TelephoneEventSender: Sendable {
    /// Timestamp units each packet interval adds (160 for 20 ms at 8 kHz).
    public let packetDuration: UInt32
    /// The volume reported, in −dBm0.
    public var volume: UInt8
    /// How many times the final report is sent (RFC 4733 §2.5.1.4 recommends 3).
    public let endRepetitions: Int
    /// Packet intervals of silence between queued digits.
    public let gapIntervals: Int

    private enum State: Sendable {
        case idle
        case active(event: UInt8, start: UInt32, duration: UInt32, total: UInt32, first: Bool, stopAt: UInt32?, stopRequested: Bool)
        case ending(TelephoneEventPacket, remaining: Int)
        case gap(remaining: Int)
    }

    private var state = State.idle
    private var queue: [(event: UInt8, duration: UInt32)] = []

    /// Creates a sender.
    /// - Parameters:
    ///   - packetDuration: Timestamp units per packet interval (160 for 20 ms).
    ///   - volume: The volume to report.
    ///   - endRepetitions: Copies of the end report (at least 1).
    ///   - gapIntervals: Silent intervals between queued events.
    public init(packetDuration: UInt32 = 160, volume: UInt8 = 10, endRepetitions: Int = 3, gapIntervals: Int = 2) {
        self.packetDuration = max(1, packetDuration)
        self.volume = volume & 0x3F
        self.endRepetitions = max(1, endRepetitions)
        self.gapIntervals = max(0, gapIntervals)
    }

    /// Whether an event is being sent (the audio of this interval must not be sent).
    public var isSending: Bool {
        switch state {
        case .idle, .gap: false
        case .active, .ending: true
        }
    }

    /// Whether nothing is being sent or waiting.
    public var isIdle: Bool {
        if case .idle = state { return queue.isEmpty }
        return false
    }

    /// Queues an event of a fixed duration (a digit the IVR dials).
    /// - Parameters:
    ///   - event: The event code.
    ///   - duration: Its length in timestamp units (800 = 100 ms at 8 kHz).
    public mutating func enqueue(event: UInt8, duration: UInt32) {
        queue.append((event, max(packetDuration, duration)))
    }

    /// Presses a key: the event lasts until ``release()`` (a relayed keypress of unknown length).
    /// - Parameter event: The event code.
    public mutating func press(event: UInt8) {
        queue.append((event, 0))
    }

    /// Releases the key pressed with ``press(event:)``; the next packet carries the end bit.
    public mutating func release() {
        if case .active(let event, let start, let duration, let total, let first, let stopAt, _) = state {
            state = .active(
                event: event, start: start, duration: duration, total: total, first: first, stopAt: stopAt,
                stopRequested: true)
        } else if let index = queue.firstIndex(where: { $0.duration == 0 }) {
            queue[index].duration = packetDuration
        }
    }

    /// The report to send in this packet interval, if any.
    /// - Parameter timestamp: The RTP timestamp this interval's audio packet would carry.
    /// - Returns: The packet, or `nil` when no event is being sent (send audio).
    public mutating func nextPacket(timestamp: UInt32) -> TelephoneEventPacket? {
        switch state {
        case .gap(let remaining):
            if remaining > 1 {
                state = .gap(remaining: remaining - 1)
                return nil
            }
            state = .idle
            return nil
        case .idle:
            guard !queue.isEmpty else { return nil }
            let next = queue.removeFirst()
            state = .active(
                event: next.event, start: timestamp, duration: 0, total: 0, first: true,
                stopAt: next.duration == 0 ? nil : next.duration, stopRequested: false)
            return nextPacket(timestamp: timestamp)
        case .active(let event, var start, var duration, var total, let first, let stopAt, let stopRequested):
            if duration + packetDuration > UInt32(UInt16.max) {
                // §2.5.1.3: a new segment begins where the full one ends; same event, no marker.
                start &+= duration
                duration = 0
            }
            duration += packetDuration
            total += packetDuration
            let ends = stopRequested || (stopAt.map { total >= $0 } ?? false)
            let packet = TelephoneEventPacket(
                event: TelephoneEvent(event: event, isEnd: ends, volume: volume, duration: UInt16(duration)),
                timestamp: start, marker: first)
            if ends {
                state = endRepetitions > 1 ? .ending(packet, remaining: endRepetitions - 1) : .gap(remaining: gapIntervals)
                if endRepetitions == 1, gapIntervals == 0 { state = .idle }
            } else {
                state = .active(
                    event: event, start: start, duration: duration, total: total, first: false, stopAt: stopAt,
                    stopRequested: false)
            }
            return packet
        case .ending(var packet, let remaining):
            packet.marker = false
            if remaining > 1 {
                state = .ending(packet, remaining: remaining - 1)
            } else {
                state = gapIntervals > 0 ? .gap(remaining: gapIntervals) : .idle
            }
            return packet
        }
    }
}

/// The receiving side of RFC 4733 (§2.5.2): turns a stream of reports — with duplicates, three redundant
/// end reports, long-press segments, lost first or last packets and reordering — into each event exactly
/// once: a ``Notification/began(event:timestamp:)`` and a ``Notification/ended(event:timestamp:duration:)``.
public struct TelephoneEventReceiver: Sendable {
    /// What the receiver learned from a report.
    public enum Notification: Sendable, Hashable {
        /// A new event began at `timestamp` (RTP units of the stream).
        case began(event: UInt8, timestamp: UInt32)
        /// The event ended after `duration` timestamp units (all segments of a long press added up).
        case ended(event: UInt8, timestamp: UInt32, duration: UInt32)
    }

    private struct Current: Sendable {
        var event: UInt8
        /// Timestamp of the event's first segment (reported in notifications).
        var firstTimestamp: UInt32
        /// Timestamp of the segment being received.
        var segmentTimestamp: UInt32
        /// Durations of completed segments.
        var earlierSegments: UInt32
        var duration: UInt16
        var ended: Bool
    }

    /// How much shorter than 65535 units a segment may be (senders cut segments at whole packet intervals).
    static let segmentTolerance: UInt32 = 4000

    private var current: Current?
    /// Reports ignored because they repeat what was already reported (duplicates, redundant end reports).
    public private(set) var duplicates = 0
    /// Reports ignored because they belong to an event older than the current one.
    public private(set) var stale = 0

    /// Creates a receiver.
    public init() {}

    /// Feeds one report.
    /// - Parameters:
    ///   - report: The decoded payload.
    ///   - timestamp: The packet's RTP timestamp.
    /// - Returns: Zero, one or two notifications (an implicit end of the previous event and a new start, or
    ///   a start and end together when only the end reports arrived).
    public mutating func receive(_ report: TelephoneEvent, timestamp: UInt32) -> [Notification] {
        guard var now = current else {
            return startEvent(report, timestamp: timestamp, previous: nil)
        }
        if timestamp == now.segmentTimestamp && report.event == now.event {
            if now.ended || (!report.isEnd && report.duration <= now.duration) {
                duplicates += 1
                return []
            }
            now.duration = max(now.duration, report.duration)
            if report.isEnd {
                now.ended = true
                current = now
                return [.ended(event: now.event, timestamp: now.firstTimestamp, duration: now.earlierSegments + UInt32(now.duration))]
            }
            current = now
            return []
        }
        let age = Int32(bitPattern: timestamp &- now.segmentTimestamp)
        if age < 0 {
            stale += 1
            return []
        }
        if !now.ended && report.event == now.event && UInt32(age) <= UInt32(UInt16.max)
            && UInt32(age) >= UInt32(UInt16.max) - Self.segmentTolerance
        {
            // Next segment of a long press (§2.5.1.3): same event, previous not ended, its timestamp a full
            // segment (≈ 65535 units) after the previous one. A same-digit press after lost end reports starts
            // earlier than that and counts as a new digit.
            now.earlierSegments += UInt32(age)
            now.segmentTimestamp = timestamp
            now.duration = report.duration
            if report.isEnd {
                now.ended = true
                current = now
                return [.ended(event: now.event, timestamp: now.firstTimestamp, duration: now.earlierSegments + UInt32(now.duration))]
            }
            current = now
            return []
        }
        return startEvent(report, timestamp: timestamp, previous: now)
    }

    /// Ends an event whose end reports were all lost, once the stream has moved `timeout` units past its
    /// last report.
    /// - Parameters:
    ///   - timestamp: The current RTP timestamp of the stream (e.g. of the latest audio packet).
    ///   - timeout: How far past the event's last known instant to wait (default 1 s at 8 kHz).
    /// - Returns: The implicit end, if one is due.
    public mutating func expire(at timestamp: UInt32, timeout: UInt32 = 8000) -> [Notification] {
        guard var now = current, !now.ended else { return [] }
        let lastInstant = now.segmentTimestamp &+ UInt32(now.duration)
        let elapsed = Int32(bitPattern: timestamp &- lastInstant)
        guard elapsed > 0, UInt32(elapsed) >= timeout else { return [] }
        now.ended = true
        current = now
        return [.ended(event: now.event, timestamp: now.firstTimestamp, duration: now.earlierSegments + UInt32(now.duration))]
    }

    private mutating func startEvent(_ report: TelephoneEvent, timestamp: UInt32, previous: Current?) -> [Notification] {
        var notifications: [Notification] = []
        if let previous, !previous.ended {
            notifications.append(
                .ended(event: previous.event, timestamp: previous.firstTimestamp, duration: previous.earlierSegments + UInt32(previous.duration)))
        }
        notifications.append(.began(event: report.event, timestamp: timestamp))
        if report.isEnd {
            notifications.append(.ended(event: report.event, timestamp: timestamp, duration: UInt32(report.duration)))
        }
        current = Current(
            event: report.event, firstTimestamp: timestamp, segmentTimestamp: timestamp, earlierSegments: 0,
            duration: report.duration, ended: report.isEnd)
        return notifications
    }
}
