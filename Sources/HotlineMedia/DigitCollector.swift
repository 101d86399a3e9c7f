/// Merges DTMF digits reported by RFC 4733 telephone events and by the in-band tone detector into one stream,
/// reporting a keypress once even when it arrives both ways.
///
/// Many phones and gateways send a digit as telephone events *and* leave the tones in the audio, so both
/// paths report it, a few tens of milliseconds apart. A digit from one source is a duplicate when the other
/// source already reported the same digit within ``window`` of its start and that report has not been
/// matched yet; so a genuine repeat (`1`, `1`) — at least one tone and one pause apart — is still two digits.
///
/// Pure: start times are given by the caller (the event's RTP timestamp or the detector's sample position,
/// converted to a `Duration` since the call's media began).
///
/// ```swift
/// var collector = DigitCollector()
/// collector.add("5", start: .milliseconds(1000), source: .telephoneEvent)  // → the digit
/// collector.add("5", start: .milliseconds(1040), source: .inBand)          // → nil, same keypress
/// ```
public struct DigitCollector: Sendable {
    /// Where a digit was heard.
    public enum Source: Sendable, Hashable {
        /// An RFC 4733 telephone event.
        case telephoneEvent
        /// The in-band DTMF detector.
        case inBand
    }

    /// A digit reported by the collector.
    public struct Digit: Sendable, Hashable {
        /// `0`–`9`, `*`, `#`, `A`–`D`.
        public var digit: Character
        /// When the keypress began, measured from the start of the call's media.
        public var start: Duration
        /// The source that reported it first.
        public var source: Source
    }

    private struct Entry: Sendable {
        var digit: Character
        var start: Duration
        var source: Source
        var matched: Bool
    }

    /// How far apart the two reports of one keypress may start (default 200 ms: in-band detection confirms a
    /// digit some 40 ms after it begins, and the two paths see different network delay).
    public let window: Duration
    /// Reports recognised as the second sighting of a keypress and dropped.
    public private(set) var duplicatesSuppressed = 0
    private var recent: [Entry] = []

    /// Creates a collector.
    /// - Parameter window: The largest start-time difference between two reports of one keypress.
    public init(window: Duration = .milliseconds(200)) {
        self.window = window
    }

    /// Adds a digit from one source.
    /// - Parameters:
    ///   - digit: The digit character (lower-case `a`–`d` accepted).
    ///   - start: When the keypress began, from the start of the call's media.
    ///   - source: Which path reported it.
    /// - Returns: The digit if it is a new keypress, `nil` if it repeats one the other source reported.
    @discardableResult
    public mutating func add(_ digit: Character, start: Duration, source: Source) -> Digit? {
        let digit = Character(digit.uppercased())
        // Forget reports too old to match anything from now on (both sources move forward in time).
        recent.removeAll { $0.start < start - window * 4 }
        if let index = recent.firstIndex(where: {
            !$0.matched && $0.source != source && $0.digit == digit && ($0.start - start <= window && start - $0.start <= window)
        }) {
            recent[index].matched = true
            duplicatesSuppressed += 1
            return nil
        }
        recent.append(Entry(digit: digit, start: start, source: source, matched: false))
        return Digit(digit: digit, start: start, source: source)
    }

    /// Adds a telephone event reported by ``TelephoneEventReceiver``, converting its RTP timestamp.
    /// - Parameters:
    ///   - event: The event code (only 0–15 are digits; others return `nil`).
    ///   - timestamp: The event's RTP timestamp.
    ///   - streamStart: The RTP timestamp at the start of the call's media.
    ///   - clockRate: The RTP clock rate (8000).
    /// - Returns: The digit if it is a new keypress.
    @discardableResult
    public mutating func addTelephoneEvent(_ event: UInt8, timestamp: UInt32, streamStart: UInt32, clockRate: Int = 8000)
        -> Digit?
    {
        guard let digit = TelephoneEvent.digit(for: event) else { return nil }
        let samples = Int64(timestamp &- streamStart)
        return add(digit, start: .microseconds(samples * 1_000_000 / Int64(clockRate)), source: .telephoneEvent)
    }
}
