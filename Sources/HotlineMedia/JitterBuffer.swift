/// An adaptive jitter buffer for one 8 kHz G.711 stream: packets go in as they arrive, in any order; frames
/// come out one per packet interval, in timestamp order.
///
/// The buffer is addressed by RTP timestamp (one byte per sample in a ring), so packets of any ptime mix
/// freely and duplicates or overlaps are detected per sample. Its delay adapts to the network: the target is
/// the spread of recent transit times (arrival − timestamp) plus one frame, between a minimum and a maximum;
/// when more than the target is buffered it discards frames to catch up, when the stream pauses
/// (silence suppression, a telephone event, hold) it re-anchors on the next talk spurt.
///
/// Pure and allocation-free after creation: arrival times are given in samples of an injected clock.
public struct JitterBuffer: Sendable {
    /// Tuning of a buffer.
    public struct Configuration: Sendable, Hashable {
        /// Samples per played frame (160 = 20 ms).
        public var frameSamples: Int
        /// The smallest delay the buffer keeps, in samples.
        public var minimumDelay: Int
        /// The largest delay the buffer adapts to, in samples.
        public var maximumDelay: Int
        /// The code filling samples missing inside a partly received frame (G.711 silence).
        public var fillCode: UInt8

        /// Creates a configuration.
        /// - Parameters:
        ///   - frameSamples: Samples per frame (160).
        ///   - minimumDelay: Minimum delay in samples (320 = 40 ms).
        ///   - maximumDelay: Maximum delay in samples (2400 = 300 ms).
        ///   - fillCode: The silence code of the stream's law.
        public init(frameSamples: Int = 160, minimumDelay: Int = 320, maximumDelay: Int = 2400, fillCode: UInt8 = 0xD5) {
            self.frameSamples = max(1, frameSamples)
            self.minimumDelay = max(0, minimumDelay)
            self.maximumDelay = max(self.minimumDelay, maximumDelay)
            self.fillCode = fillCode
        }
    }

    /// What ``insert(timestamp:payload:arrival:)`` did with a packet.
    public enum InsertResult: Sendable, Hashable {
        /// Stored for playout.
        case stored
        /// Every sample had already been played or discarded: the packet came too late.
        case late
        /// Every sample was already in the buffer.
        case duplicate
        /// The packet lies further ahead than the buffer holds (a timestamp jump the caller should handle).
        case tooFarAhead
        /// The payload was empty.
        case empty
        /// The payload is longer than a quarter of the buffer (over half a second of audio): refused.
        case oversized
    }

    /// What ``nextFrame(into:)`` produced.
    public enum Playout: Sendable, Hashable {
        /// A frame of received audio (missing samples, if any, filled with the fill code).
        case audio
        /// Nothing was received for this frame although later audio is buffered: conceal it.
        case lost
        /// The buffer is filling up to its target delay, or the stream is paused: play silence or comfort noise.
        case waiting
    }

    /// The buffer's tuning.
    public let configuration: Configuration
    /// Samples the ring holds (a power of two).
    public let capacity: Int

    private var codes: [UInt8]
    private var present: [Bool]
    private var mask: Int

    // Extended (64-bit) timestamps.
    private var reference: (short: UInt32, extended: Int64)?
    private var playPosition: Int64 = 0
    private var playing = false
    private var lowestBuffered: Int64 = .max
    private var highestEnd: Int64 = .min
    private var waitedSamples = 0

    // Delay estimation: windowed minimum and maximum of transit (arrival − timestamp).
    private var windowMinimum: Int64 = .max
    private var windowMaximum: Int64 = .min
    private var previousMinimum: Int64 = .max
    private var previousMaximum: Int64 = .min
    private var windowPackets = 0
    private var excessFrames = 0

    /// The delay the buffer currently aims for, in samples.
    public private(set) var targetDelay: Int

    /// Frames played from received audio.
    public private(set) var framesPlayed = 0
    /// Frames reported lost (to be concealed).
    public private(set) var framesLost = 0
    /// Frames discarded to shrink the delay.
    public private(set) var framesDiscarded = 0
    /// Frames concealed without advancing, to grow the delay towards the target.
    public private(set) var framesStretched = 0
    /// Times the buffer re-anchored on a new talk spurt after running dry.
    public private(set) var reanchors = 0

    /// Creates a buffer.
    /// - Parameters:
    ///   - configuration: Frame size and delay limits.
    ///   - capacity: Samples to hold, rounded up to a power of two (default 16384 ≈ 2 s).
    public init(configuration: Configuration = .init(), capacity: Int = 16384) {
        self.configuration = configuration
        var size = 1024
        while size < max(capacity, configuration.maximumDelay * 2 + configuration.frameSamples * 4) { size <<= 1 }
        self.capacity = size
        self.mask = size - 1
        self.codes = [UInt8](repeating: configuration.fillCode, count: size)
        self.present = [Bool](repeating: false, count: size)
        self.targetDelay = configuration.minimumDelay
    }

    /// Samples buffered ahead of the playout position (0 before playout starts).
    public var bufferedSamples: Int {
        guard playing, highestEnd > playPosition else { return 0 }
        return Int(highestEnd - playPosition)
    }

    /// Empties the buffer and forgets the stream's timestamps (after an SSRC change or timestamp jump).
    public mutating func reset() {
        for i in 0..<present.count { present[i] = false }
        reference = nil
        playing = false
        lowestBuffered = .max
        highestEnd = .min
        waitedSamples = 0
        windowMinimum = .max
        windowMaximum = .min
        previousMinimum = .max
        previousMaximum = .min
        windowPackets = 0
        excessFrames = 0
    }

    private mutating func extend(_ timestamp: UInt32) -> Int64 {
        guard let reference else {
            self.reference = (timestamp, Int64(timestamp))
            return Int64(timestamp)
        }
        let value = reference.extended + Int64(Int32(bitPattern: timestamp &- reference.short))
        if value > reference.extended { self.reference = (timestamp, value) }
        return value
    }

    /// Stores a packet's payload.
    /// - Parameters:
    ///   - timestamp: The packet's RTP timestamp.
    ///   - payload: Its G.711 bytes, one per sample.
    ///   - arrival: The arrival time in samples of the receiver's clock (any origin, increasing).
    /// - Returns: What happened to the packet.
    /// - Complexity: O(payload length).
    @discardableResult
    public mutating func insert(timestamp: UInt32, payload: UnsafeRawBufferPointer, arrival: Int64) -> InsertResult {
        guard !payload.isEmpty else { return .empty }
        guard payload.count <= capacity / 4 else { return .oversized }
        let start = extend(timestamp)
        let end = start + Int64(payload.count)
        if playing {
            if end <= playPosition { return .late }
            if end - playPosition > Int64(capacity - configuration.frameSamples) { return .tooFarAhead }
            if highestEnd <= playPosition && start > playPosition {
                // The stream paused and resumes: re-anchor on this talk spurt instead of concealing the pause.
                playing = false
                lowestBuffered = .max
                highestEnd = .min
                waitedSamples = 0
                reanchors += 1
            }
        } else if lowestBuffered != .max {
            let low = min(lowestBuffered, start)
            let high = max(highestEnd, end)
            if high - low > Int64(capacity - configuration.frameSamples) { return .tooFarAhead }
        }
        observeTransit(arrival: arrival, timestamp: start)
        let from = playing ? max(start, playPosition) : start
        var fresh = 0
        payload.withMemoryRebound(to: UInt8.self) { bytes in
            codes.withUnsafeMutableBufferPointer { codes in
                present.withUnsafeMutableBufferPointer { present in
                    var position = from
                    while position < end {
                        let slot = Int(position) & mask
                        if !present[slot] {
                            present[slot] = true
                            codes[slot] = bytes[Int(position - start)]
                            fresh += 1
                        }
                        position += 1
                    }
                }
            }
        }
        guard fresh > 0 else { return .duplicate }
        if !playing { lowestBuffered = min(lowestBuffered, start) }
        highestEnd = max(highestEnd, end)
        return .stored
    }

    private mutating func observeTransit(arrival: Int64, timestamp: Int64) {
        let transit = arrival - timestamp
        windowMinimum = min(windowMinimum, transit)
        windowMaximum = max(windowMaximum, transit)
        windowPackets += 1
        if windowPackets >= 200 {
            previousMinimum = windowMinimum
            previousMaximum = windowMaximum
            windowMinimum = .max
            windowMaximum = .min
            windowPackets = 0
        }
        let low = min(windowMinimum, previousMinimum)
        let high = max(windowMaximum, previousMaximum)
        let spread = Int(clamping: high - low)
        let frame = configuration.frameSamples
        let wanted = (spread + frame + frame - 1) / frame * frame
        targetDelay = min(configuration.maximumDelay, max(configuration.minimumDelay, wanted))
    }

    /// Takes the next frame of codes.
    /// - Parameter output: Receives one frame of G.711 codes (``Configuration/frameSamples`` long).
    /// - Returns: Whether the frame holds audio, is lost, or the buffer is waiting.
    /// - Complexity: O(frame length).
    public mutating func nextFrame(into output: UnsafeMutableBufferPointer<UInt8>) -> Playout {
        let frame = configuration.frameSamples
        if !playing {
            guard lowestBuffered != .max else { return .waiting }
            waitedSamples += frame
            guard waitedSamples >= targetDelay || highestEnd - lowestBuffered >= Int64(targetDelay) else {
                return .waiting
            }
            playing = true
            playPosition = lowestBuffered
            excessFrames = 0
        }
        if highestEnd <= playPosition {
            // Dry: nothing buffered at all. Hold position; the next packet re-anchors.
            return .waiting
        }
        // Catch up when the buffer holds well beyond its target for a while.
        if Int(highestEnd - playPosition) > targetDelay + 2 * frame {
            excessFrames += 1
            if excessFrames >= 10 {
                excessFrames = 0
                clear(from: playPosition, count: frame)
                playPosition += Int64(frame)
                framesDiscarded += 1
            }
        } else {
            excessFrames = 0
        }
        if Int(highestEnd - playPosition) < targetDelay - frame && !holdsAny(from: playPosition, count: frame) {
            // Below target and this frame is missing: conceal without advancing, so the delay grows by a frame
            // and a packet still on its way can be played instead of arriving late.
            framesLost += 1
            framesStretched += 1
            for i in 0..<output.count { output[i] = configuration.fillCode }
            return .lost
        }
        var found = 0
        let position = playPosition
        codes.withUnsafeBufferPointer { codes in
            present.withUnsafeMutableBufferPointer { present in
                for i in 0..<min(frame, output.count) {
                    let slot = Int(position + Int64(i)) & mask
                    if present[slot] {
                        output[i] = codes[slot]
                        present[slot] = false
                        found += 1
                    } else {
                        output[i] = configuration.fillCode
                    }
                }
            }
        }
        playPosition += Int64(frame)
        if found == 0 {
            framesLost += 1
            return .lost
        }
        framesPlayed += 1
        return .audio
    }

    private func holdsAny(from position: Int64, count: Int) -> Bool {
        for i in 0..<count where present[Int(position + Int64(i)) & mask] { return true }
        return false
    }

    private mutating func clear(from position: Int64, count: Int) {
        for i in 0..<count { present[Int(position + Int64(i)) & mask] = false }
    }
}
