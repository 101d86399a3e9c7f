import Foundation

/// Detects dial, ringback, busy, congestion and SIT tones by their frequency and cadence.
///
/// Each 20 ms frame is classified with Goertzel filters at the plan's call-progress frequency and the
/// three SIT frequencies (950, 1400, 1800 Hz): a frame "has" a tone when most of its energy sits at that
/// frequency and it is louder than `minimumLevel`. Runs of classified frames are then matched against
/// the plan's cadences (±20 %, at least ±60 ms). Busy and congestion need two matching on/off cycles,
/// ringback one, dial tone one continuous second, SIT the three tones in order. A pure value type:
/// one detector per call leg.
public struct CallProgressToneDetector: Sendable {
    /// A tone recognised, with the sample at which it was recognised.
    public struct Detection: Sendable, Hashable {
        /// The tone.
        public var tone: CallProgressTone
        /// The first sample of the frame in which it was recognised.
        public var sample: Int
    }

    private enum FrameClass: Equatable {
        /// Silence, noise, speech: anything that is not one of the tones.
        case off
        case callProgress
        case sit(Int)
    }

    private struct Run {
        var kind: FrameClass
        var samples: Int
    }

    /// The plan whose cadences are recognised.
    public let standard: ToneStandard
    /// The weakest tone considered, in dBm0.
    public let minimumLevel: Double
    private let sitFrequencies: [Double] = [950, 1400, 1800]
    private var runs: [Run] = []
    private var current = Run(kind: .off, samples: 0)
    private var samplesSeen = 0
    private var reportedContinuous = false

    /// Creates a detector.
    /// - Parameters:
    ///   - standard: the tone plan (China by default).
    ///   - minimumLevel: the weakest tone considered, in dBm0 (default −35).
    public init(standard: ToneStandard = .china, minimumLevel: Double = -35) {
        self.standard = standard
        self.minimumLevel = minimumLevel
    }

    /// Classifies one frame and reports a tone when its cadence completes.
    /// - Parameter frame: linear 8 kHz samples (160 for 20 ms).
    /// - Returns: the tone recognised at this frame, if any.
    public mutating func process(_ frame: UnsafeBufferPointer<Int16>) -> Detection? {
        let kind = classify(frame)
        let frameStart = samplesSeen
        samplesSeen += frame.count
        if kind == current.kind {
            current.samples += frame.count
            if kind == .callProgress, !reportedContinuous, current.samples >= 8000 * 12 / 10,
               runs.last.map({ $0.kind != .callProgress }) ?? true {
                reportedContinuous = true
                return Detection(tone: .dial, sample: frameStart)
            }
            return nil
        }
        let finished = current
        current = Run(kind: kind, samples: frame.count)
        reportedContinuous = false
        if finished.samples > 0 {
            runs.append(finished)
            if runs.count > 12 { runs.removeFirst(runs.count - 12) }
        }
        if let tone = matchCadence() {
            runs.removeAll()
            return Detection(tone: tone, sample: frameStart)
        }
        return nil
    }

    /// Classifies one frame and reports a tone when its cadence completes.
    /// - Parameter frame: linear 8 kHz samples.
    /// - Returns: the tone recognised at this frame, if any.
    public mutating func process(_ frame: [Int16]) -> Detection? {
        frame.withUnsafeBufferPointer { process($0) }
    }

    /// Runs a whole recording through a fresh detector.
    /// - Parameters:
    ///   - samples: 8 kHz linear samples.
    ///   - standard: the tone plan.
    /// - Returns: every detection in order.
    public static func detect(in samples: [Int16], standard: ToneStandard = .china) -> [Detection] {
        var detector = CallProgressToneDetector(standard: standard)
        var found: [Detection] = []
        var offset = 0
        samples.withUnsafeBufferPointer { all in
            while offset + 160 <= all.count {
                if let detection = detector.process(UnsafeBufferPointer(rebasing: all[offset..<offset + 160])) {
                    found.append(detection)
                }
                offset += 160
            }
        }
        return found
    }

    private func classify(_ frame: UnsafeBufferPointer<Int16>) -> FrameClass {
        let count = frame.count
        guard count > 0 else { return .off }
        var energy = 0.0
        for sample in frame {
            energy += Double(sample) * Double(sample)
        }
        // Mean power relative to a 0 dBm0 sine (peak 32767·10^(−3.14/20)).
        let referencePeak = sineAmplitude(dBm0: 0)
        let level = 10 * log10(max(energy / Double(count), 1e-9) / (referencePeak * referencePeak / 2))
        if level < minimumLevel { return .off }
        func share(_ frequency: Double) -> Double {
            goertzelPower(frame, frequency: frequency) * 2 / (Double(count) * energy)
        }
        if share(standard.callProgressFrequency) > 0.6 { return .callProgress }
        for (index, frequency) in sitFrequencies.enumerated() where share(frequency) > 0.6 {
            return .sit(index)
        }
        return .off
    }

    private func goertzelPower(_ frame: UnsafeBufferPointer<Int16>, frequency: Double) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / 8000)
        var s1 = 0.0
        var s2 = 0.0
        for sample in frame {
            let s0 = Double(sample) + coefficient * s1 - s2
            s2 = s1
            s1 = s0
        }
        return s1 * s1 + s2 * s2 - coefficient * s1 * s2
    }

    private func matches(_ run: Run, milliseconds: Int) -> Bool {
        let expected = milliseconds * 8
        let tolerance = max(expected / 5, 60 * 8)
        return abs(run.samples - expected) <= tolerance
    }

    private func isOff(_ run: Run) -> Bool {
        run.kind == .off
    }

    private func matchCadence() -> CallProgressTone? {
        // SIT: 950, 1400, 1800 Hz runs in order, each 200–450 ms (a frame or two of "off" where one
        // frequency hands over to the next is skipped).
        let sitRuns = runs.filter { !($0.kind == .off && $0.samples <= 2 * 160) }
        if sitRuns.count >= 3 {
            let last = Array(sitRuns.suffix(3))
            if last[0].kind == .sit(0), last[1].kind == .sit(1), last[2].kind == .sit(2),
               last.allSatisfy({ (200 * 8...450 * 8).contains($0.samples) }) {
                return .specialInformation
            }
        }
        for tone in [CallProgressTone.busy, .congestion, .ringback] {
            let segments = standard.cadence(for: tone).segments
            guard segments.count == 2, let on = segments[0].milliseconds, let off = segments[1].milliseconds else { continue }
            let cycles = tone == .ringback ? 1 : 2
            guard runs.count >= 2 * cycles else { continue }
            let tail = Array(runs.suffix(2 * cycles))
            var ok = true
            for cycle in 0..<cycles {
                let onRun = tail[2 * cycle]
                let offRun = tail[2 * cycle + 1]
                if onRun.kind != .callProgress || !matches(onRun, milliseconds: on) || !isOff(offRun) || !matches(offRun, milliseconds: off) {
                    ok = false
                    break
                }
            }
            if ok { return tone }
        }
        return nil
    }
}
