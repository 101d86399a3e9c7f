/// Fills the audio of lost packets (packet loss concealment) for an ``RTPReceiver``.
///
/// The receiver shows the concealer every frame it plays, so the concealer can keep the history it
/// synthesises from, and asks it for a frame whenever the jitter buffer has nothing to play. HotlineMedia's
/// spandsp-backed concealer implements this with `plc_rx`/`plc_fillin`; ``FadingConcealer`` is the simple
/// default.
public protocol LossConcealer {
    /// Records a frame that was received and is being played.
    /// - Parameter frame: The decoded frame.
    mutating func didPlay(_ frame: UnsafeBufferPointer<Int16>)

    /// Synthesises a frame in place of a lost one.
    /// - Parameter frame: The buffer to fill, one frame long.
    mutating func conceal(into frame: UnsafeMutableBufferPointer<Int16>)
}

/// The default concealer: repeats the last good frame, each repetition 6 dB quieter, and plays silence after
/// a few lost frames in a row (roughly what G.711 Appendix I does without the pitch search).
public struct FadingConcealer: LossConcealer, Sendable {
    /// Lost frames in a row after which silence is played.
    public let maximumRepeats: Int
    private var last: [Int16] = []
    private var repeats = 0

    /// Creates a concealer.
    /// - Parameter maximumRepeats: Consecutive lost frames filled with faded copies before silence (default 3).
    public init(maximumRepeats: Int = 3) {
        self.maximumRepeats = maximumRepeats
    }

    public mutating func didPlay(_ frame: UnsafeBufferPointer<Int16>) {
        if last.count != frame.count { last = [Int16](repeating: 0, count: frame.count) }
        last.withUnsafeMutableBufferPointer { dst in
            for i in 0..<frame.count { dst[i] = frame[i] }
        }
        repeats = 0
    }

    public mutating func conceal(into frame: UnsafeMutableBufferPointer<Int16>) {
        repeats += 1
        guard repeats <= maximumRepeats, !last.isEmpty else {
            for i in 0..<frame.count { frame[i] = 0 }
            return
        }
        let shift = Int16(repeats)
        last.withUnsafeBufferPointer { source in
            let count = min(frame.count, source.count)
            for i in 0..<count { frame[i] = source[i] >> shift }
            for i in count..<frame.count { frame[i] = 0 }
        }
    }
}
