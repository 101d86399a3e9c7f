import Foundation

/// The call-progress tones a caller or an outbound dialer hears (ITU-T E.180 and Q.35; China's national tone plan).
public enum CallProgressTone: String, Sendable, Hashable, CaseIterable, Codable {
    /// Dial tone: continuous.
    case dial
    /// Ringback (audible ringing).
    case ringback
    /// Busy: the called party is engaged.
    case busy
    /// Congestion (reorder): the network cannot complete the call.
    case congestion
    /// Special information tone (SIT, ITU-T Q.35/E.180): 950, 1400, 1800 Hz in sequence, then silence.
    case specialInformation
}

/// Whose tone plan to use: China's national plan or the ITU-T E.180 recommendation.
public enum ToneStandard: String, Sendable, Hashable, CaseIterable, Codable {
    /// China's national plan: 450 Hz tones; ringback 1 s/4 s, busy 0.35/0.35 s, congestion 0.7/0.7 s.
    case china
    /// ITU-T E.180: 425 Hz tones; ringback 1 s/4 s, busy 0.5/0.5 s, congestion 0.25/0.25 s.
    case itu

    /// The single frequency this plan's dial, ringback, busy and congestion tones use, in Hz.
    public var callProgressFrequency: Double { self == .china ? 450 : 425 }

    /// The cadence of a tone in this plan.
    /// - Parameter tone: the tone.
    /// - Returns: its segments; the plan repeats them for as long as the tone plays.
    public func cadence(for tone: CallProgressTone) -> ToneCadence {
        let frequency = callProgressFrequency
        let level = -10.0
        switch (self, tone) {
        case (_, .dial):
            return ToneCadence(segments: [.init(frequencies: [frequency], level: level, milliseconds: nil)])
        case (_, .ringback):
            return ToneCadence(on: frequency, level: level, onMilliseconds: 1000, offMilliseconds: 4000)
        case (.china, .busy):
            return ToneCadence(on: frequency, level: level, onMilliseconds: 350, offMilliseconds: 350)
        case (.itu, .busy):
            return ToneCadence(on: frequency, level: level, onMilliseconds: 500, offMilliseconds: 500)
        case (.china, .congestion):
            return ToneCadence(on: frequency, level: level, onMilliseconds: 700, offMilliseconds: 700)
        case (.itu, .congestion):
            return ToneCadence(on: frequency, level: level, onMilliseconds: 250, offMilliseconds: 250)
        case (_, .specialInformation):
            // ITU-T Q.35 / E.180: 950, 1400 and 1800 Hz for 330 ms each, then 1 s of silence.
            return ToneCadence(segments: [
                .init(frequencies: [950], level: -14, milliseconds: 330),
                .init(frequencies: [1400], level: -14, milliseconds: 330),
                .init(frequencies: [1800], level: -14, milliseconds: 330),
                .init(frequencies: [], level: 0, milliseconds: 1000),
            ])
        }
    }
}

/// A repeating sequence of tone and silence segments.
public struct ToneCadence: Sendable, Hashable {
    /// One piece of a cadence: some frequencies (none = silence) for some time.
    public struct Segment: Sendable, Hashable {
        /// The frequencies mixed in this segment, in Hz; empty for silence.
        public var frequencies: [Double]
        /// The level of each frequency, in dBm0.
        public var level: Double
        /// The length in milliseconds, or `nil` for "forever" (continuous tones).
        public var milliseconds: Int?

        /// Creates a segment.
        /// - Parameters:
        ///   - frequencies: Hz; empty for silence.
        ///   - level: dBm0 per frequency.
        ///   - milliseconds: length, or `nil` for continuous.
        public init(frequencies: [Double], level: Double, milliseconds: Int?) {
            self.frequencies = frequencies
            self.level = level
            self.milliseconds = milliseconds
        }
    }

    /// The segments, played in order and then repeated.
    public var segments: [Segment]

    /// Creates a cadence from segments.
    /// - Parameter segments: played in order, then repeated.
    public init(segments: [Segment]) {
        self.segments = segments
    }

    /// Creates a simple on/off cadence of one frequency.
    /// - Parameters:
    ///   - frequency: Hz.
    ///   - level: dBm0.
    ///   - onMilliseconds: tone time.
    ///   - offMilliseconds: silence time.
    public init(on frequency: Double, level: Double, onMilliseconds: Int, offMilliseconds: Int) {
        segments = [
            Segment(frequencies: [frequency], level: level, milliseconds: onMilliseconds),
            Segment(frequencies: [], level: 0, milliseconds: offMilliseconds),
        ]
    }
}

/// The peak amplitude, in 16-bit linear units, of a sine wave at `level` dBm0 (G.711: 3.14 dBm0 is full scale).
/// - Parameter level: the level in dBm0.
/// - Returns: the peak amplitude.
func sineAmplitude(dBm0 level: Double) -> Double {
    32767 * pow(10, (level - 3.14) / 20)
}

/// Generates a tone cadence frame by frame, phase-continuous across frames.
public struct ToneGenerator: Sendable {
    /// The cadence being played.
    public let cadence: ToneCadence
    private var segmentIndex = 0
    private var samplesIntoSegment = 0
    private var phases: [Double] = []

    /// Creates a generator for a cadence.
    /// - Parameter cadence: what to play.
    public init(cadence: ToneCadence) {
        self.cadence = cadence
    }

    /// Creates a generator for a call-progress tone.
    /// - Parameters:
    ///   - tone: the tone.
    ///   - standard: China (default) or ITU.
    public init(_ tone: CallProgressTone, standard: ToneStandard = .china) {
        self.init(cadence: standard.cadence(for: tone))
    }

    /// Fills `buffer` with the next samples of the cadence.
    /// - Parameter buffer: the frame to fill.
    public mutating func fill(_ buffer: UnsafeMutableBufferPointer<Int16>) {
        guard !cadence.segments.isEmpty else {
            buffer.update(repeating: 0)
            return
        }
        for index in buffer.indices {
            let segment = cadence.segments[segmentIndex]
            if phases.count != segment.frequencies.count {
                phases = Array(repeating: 0, count: segment.frequencies.count)
            }
            var value = 0.0
            if !segment.frequencies.isEmpty {
                let amplitude = sineAmplitude(dBm0: segment.level)
                for (tone, frequency) in segment.frequencies.enumerated() {
                    value += amplitude * sin(phases[tone])
                    phases[tone] += 2 * Double.pi * frequency / 8000
                    if phases[tone] > 2 * Double.pi { phases[tone] -= 2 * Double.pi }
                }
            }
            buffer[index] = Int16(clamping: Int(value.rounded()))
            samplesIntoSegment += 1
            if let milliseconds = segment.milliseconds, samplesIntoSegment >= milliseconds * 8 {
                samplesIntoSegment = 0
                segmentIndex = (segmentIndex + 1) % cadence.segments.count
                phases = []
            }
        }
    }

    /// Produces the next frame.
    /// - Parameter count: samples (160 for 20 ms).
    /// - Returns: the frame.
    public mutating func nextFrame(count: Int = 160) -> [Int16] {
        [Int16](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(buffer)
            initialized = count
        }
    }

    /// Renders a stretch of a tone.
    /// - Parameters:
    ///   - tone: the tone.
    ///   - standard: China or ITU.
    ///   - milliseconds: how long.
    /// - Returns: 8 kHz samples.
    public static func render(_ tone: CallProgressTone, standard: ToneStandard = .china, milliseconds: Int) -> [Int16] {
        var generator = ToneGenerator(tone, standard: standard)
        return generator.nextFrame(count: milliseconds * 8)
    }
}
