internal import CSpanDSP

/// One DTMF digit heard in the audio, with the moment it was confirmed.
public struct DetectedDigit: Sendable, Hashable, Codable {
    /// The digit: `0`–`9`, `*`, `#` or `A`–`D`.
    public var digit: Character
    /// The first sample of the 20 ms frame in which the detector confirmed the digit, counted from the
    /// first sample the detector was given (8 kHz, so 8 samples are 1 ms).
    public var startSample: Int

    /// The confirmation time as a duration from the start of the stream.
    public var start: Duration { .microseconds(Int64(startSample) * 125) }

    /// The start in milliseconds (8 kHz audio).
    public var startMilliseconds: Int { startSample / 8 }

    /// Creates a detected digit.
    /// - Parameters:
    ///   - digit: the digit character.
    ///   - startSample: the sample index at which it was confirmed.
    public init(digit: Character, startSample: Int) {
        self.digit = digit
        self.startSample = startSample
    }

    private enum CodingKeys: String, CodingKey { case digit, startSample, startMilliseconds }

    /// Decodes a digit from `{"digit": "5", "startSample": 800}`.
    /// - Throws: `DecodingError` when the digit is not a single DTMF character.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .digit)
        guard text.count == 1, let character = text.first, DTMFGenerator.validDigits.contains(character) else {
            throw DecodingError.dataCorruptedError(
                forKey: .digit, in: container, debugDescription: "not a DTMF digit: \(text)")
        }
        digit = character
        startSample = try container.decode(Int.self, forKey: .startSample)
    }

    /// Encodes the digit, its start sample and its start in milliseconds.
    /// - Throws: whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(String(digit), forKey: .digit)
        try container.encode(startSample, forKey: .startSample)
        try container.encode(startMilliseconds, forKey: .startMilliseconds)
    }
}

/// In-band DTMF receiver (ITU-T Q.23/Q.24) over spandsp's `dtmf_rx`, fed one 20 ms frame at a time.
///
/// The detector owns its spandsp state and frees it when released. It is not thread-safe: one
/// detector serves one call leg on one task.
public final class DTMFDetector {
    /// Samples per 20 ms frame at 8 kHz.
    public static let samplesPerFrame = 160

    private let state: OpaquePointer
    private var samplesSeen = 0
    private var frameStart = 0
    private var confirmed: [DetectedDigit] = []

    /// Creates a detector.
    /// - Parameters:
    ///   - filterDialTone: enable spandsp's dial-tone notch (use while dial tone may be present).
    ///   - minimumLevel: the weakest tone accepted, in dBm0; `nil` keeps spandsp's default.
    ///   - twist: the acceptable twist in dB (high group weaker than low), `nil` for spandsp's default.
    ///   - reverseTwist: the acceptable reverse twist in dB, `nil` for spandsp's default.
    public init(filterDialTone: Bool = false, minimumLevel: Int? = nil, twist: Int? = nil, reverseTwist: Int? = nil) {
        // dtmf_rx_init only fails when it cannot allocate memory; crash then like any Swift allocation.
        guard let state = dtmf_rx_init(nil, nil, nil) else {
            preconditionFailure("spandsp dtmf_rx_init could not allocate its state")
        }
        self.state = state
        dtmf_rx_parms(state, filterDialTone ? 1 : 0, Int32(twist ?? -1), Int32(reverseTwist ?? -1), Int32(minimumLevel ?? -99))
        let context = Unmanaged.passUnretained(self).toOpaque()
        dtmf_rx_set_realtime_callback(state, { userData, code, _, _ in
            guard let userData, code != 0 else { return }
            let detector = Unmanaged<DTMFDetector>.fromOpaque(userData).takeUnretainedValue()
            detector.confirmed.append(DetectedDigit(digit: Character(Unicode.Scalar(UInt8(truncatingIfNeeded: code))), startSample: detector.frameStart))
        }, context)
    }

    deinit {
        dtmf_rx_free(state)
    }

    /// Runs one frame (normally 160 samples, 20 ms) through the detector.
    /// - Parameter samples: linear 16-bit samples at 8 kHz.
    /// - Returns: the digits whose start was confirmed in this frame (usually none).
    public func process(_ samples: UnsafeBufferPointer<Int16>) -> [DetectedDigit] {
        guard let base = samples.baseAddress, !samples.isEmpty else { return [] }
        frameStart = samplesSeen
        dtmf_rx(state, base, Int32(samples.count))
        samplesSeen += samples.count
        if confirmed.isEmpty { return [] }
        defer { confirmed.removeAll(keepingCapacity: true) }
        return confirmed
    }

    /// Runs one frame of samples through the detector.
    /// - Parameter samples: linear 16-bit samples at 8 kHz.
    /// - Returns: the digits confirmed in this frame.
    public func process(_ samples: [Int16]) -> [DetectedDigit] {
        samples.withUnsafeBufferPointer { process($0) }
    }

    /// Tells the detector that `count` samples were lost (packet loss), keeping its timing right.
    /// - Parameter count: the number of missing samples.
    public func fillIn(samples count: Int) {
        guard count > 0 else { return }
        dtmf_rx_fillin(state, Int32(count))
        samplesSeen += count
    }

    /// Detects every digit in a whole recording, processing it in 20 ms frames.
    /// - Parameter samples: linear 16-bit samples at 8 kHz.
    /// - Returns: the digits in order with their confirmation times.
    public static func detect(in samples: [Int16]) -> [DetectedDigit] {
        let detector = DTMFDetector()
        var digits: [DetectedDigit] = []
        samples.withUnsafeBufferPointer { all in
            var offset = 0
            while offset < all.count {
                let end = min(offset + samplesPerFrame, all.count)
                digits += detector.process(UnsafeBufferPointer(rebasing: all[offset..<end]))
                offset = end
            }
        }
        return digits
    }
}

extension DigitCollector {
    /// Adds a digit heard by the in-band detector.
    /// - Parameter detected: the detector's report.
    /// - Returns: the digit if it is a new keypress, `nil` if RFC 4733 already reported it.
    public mutating func add(_ detected: DetectedDigit) -> Digit? {
        add(detected.digit, start: detected.start, source: .inBand)
    }
}
