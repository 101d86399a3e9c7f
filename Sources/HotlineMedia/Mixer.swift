/// Mixes 20 ms frames of 16-bit PCM for N participants, each hearing the sum of its own *receive set*.
///
/// One mixer covers every way a hotline joins voices, by choosing who hears whom:
///
/// | Situation | Receive sets |
/// |---|---|
/// | Bridge (caller ⇄ agent) | caller: {agent}; agent: {caller} |
/// | Conference | everyone: everyone else (``connectAll(_:)``) |
/// | Listen-only monitoring | supervisor: {caller, agent}; nobody hears the supervisor |
/// | Whisper (coaching) | agent: {caller, supervisor}; caller: {agent}; supervisor: {caller, agent} |
/// | Barge | all three hear each other |
///
/// A participant never hears itself. Sums saturate at the 16-bit limits instead of wrapping. A participant
/// with no frame this interval (packet lost and not concealed, muted) contributes silence.
///
/// - Complexity: per interval O(frame × Σ receive-set sizes), with a fast path for participants who hear
///   everyone else (one shared sum minus their own voice), so a conference of N costs O(frame × N).
public struct Mixer<ID: Hashable & Sendable>: Sendable {
    private struct Participant: Sendable {
        var id: ID
        var hears: Set<ID>
        var hasInput = false
        /// Slots of `hears`, rebuilt when the routing changes.
        var sources: [Int] = []
    }

    /// Samples per frame (160 = 20 ms at 8 kHz).
    public let frameSamples: Int
    private var participants: [Participant] = []
    private var slots: [ID: Int] = [:]
    private var total: [Int32]
    private var scratch: [Int32]
    /// Every participant's input frame, slot after slot.
    private var inputs: [Int16] = []
    /// Every participant's mixed output frame, slot after slot.
    private var outputs: [Int16] = []
    private var routingChanged = true
    /// Who sent a frame this interval, by slot (reused between intervals).
    private var speaking: [Bool] = []

    /// Creates an empty mixer.
    /// - Parameter frameSamples: Samples per frame.
    public init(frameSamples: Int = 160) {
        self.frameSamples = max(1, frameSamples)
        self.total = [Int32](repeating: 0, count: self.frameSamples)
        self.scratch = [Int32](repeating: 0, count: self.frameSamples)
    }

    /// The participants, in the order they joined.
    public var participantIDs: [ID] { participants.map(\.id) }

    /// Adds a participant (or replaces its receive set if present).
    /// - Parameters:
    ///   - id: The participant.
    ///   - hears: Whom it hears (itself is ignored).
    public mutating func add(_ id: ID, hears: Set<ID> = []) {
        routingChanged = true
        if let slot = slots[id] {
            participants[slot].hears = hears.subtracting([id])
            return
        }
        slots[id] = participants.count
        participants.append(Participant(id: id, hears: hears.subtracting([id])))
        inputs.append(contentsOf: repeatElement(0, count: frameSamples))
        outputs.append(contentsOf: repeatElement(0, count: frameSamples))
    }

    /// Removes a participant; others stop hearing it.
    /// - Parameter id: The participant.
    public mutating func remove(_ id: ID) {
        guard let slot = slots.removeValue(forKey: id) else { return }
        routingChanged = true
        participants.remove(at: slot)
        inputs.removeSubrange((slot * frameSamples)..<((slot + 1) * frameSamples))
        outputs.removeSubrange((slot * frameSamples)..<((slot + 1) * frameSamples))
        for index in participants.indices {
            participants[index].hears.remove(id)
            slots[participants[index].id] = index
        }
    }

    /// Whom a participant hears.
    /// - Parameter id: The participant.
    /// - Returns: Its receive set, empty if unknown.
    public func receiveSet(of id: ID) -> Set<ID> {
        slots[id].map { participants[$0].hears } ?? []
    }

    /// Lets `listener` hear `speaker`, or stops it.
    /// - Parameters:
    ///   - listener: Who listens.
    ///   - speaker: Whom it hears.
    ///   - hears: `true` to hear, `false` to stop.
    public mutating func setHears(_ listener: ID, _ speaker: ID, _ hears: Bool = true) {
        guard let slot = slots[listener], listener != speaker else { return }
        routingChanged = true
        if hears { participants[slot].hears.insert(speaker) } else { participants[slot].hears.remove(speaker) }
    }

    /// Connects two participants both ways (a bridge).
    /// - Parameters:
    ///   - a: One participant.
    ///   - b: The other.
    public mutating func connect(_ a: ID, _ b: ID) {
        setHears(a, b)
        setHears(b, a)
    }

    /// Makes every listed participant hear every other listed participant (a conference or barge).
    /// - Parameter ids: The participants.
    public mutating func connectAll(_ ids: [ID]) {
        for a in ids { for b in ids where a != b { setHears(a, b) } }
    }

    /// Sets a participant's frame for this interval.
    /// - Parameters:
    ///   - id: The participant.
    ///   - frame: Its audio; shorter frames are padded with silence, longer ones cut.
    public mutating func setInput(_ id: ID, frame: UnsafeBufferPointer<Int16>) {
        guard let slot = slots[id] else { return }
        let count = min(frame.count, frameSamples)
        let base = slot * frameSamples
        inputs.withUnsafeMutableBufferPointer { input in
            for i in 0..<count { input[base + i] = frame[i] }
            for i in count..<frameSamples { input[base + i] = 0 }
        }
        participants[slot].hasInput = true
    }

    /// Sets a participant's frame for this interval.
    /// - Parameters:
    ///   - id: The participant.
    ///   - frame: Its audio.
    public mutating func setInput(_ id: ID, frame: [Int16]) {
        frame.withUnsafeBufferPointer { setInput(id, frame: $0) }
    }

    /// Mixes the interval: computes every participant's output, then clears the inputs for the next one.
    public mutating func mix() {
        let n = participants.count
        let samples = frameSamples
        if routingChanged {
            for index in 0..<n {
                participants[index].sources = participants[index].hears.compactMap { slots[$0] }.sorted()
            }
            routingChanged = false
        }
        speaking.removeAll(keepingCapacity: true)
        for p in participants { speaking.append(p.hasInput) }
        inputs.withUnsafeBufferPointer { inputs in
            outputs.withUnsafeMutableBufferPointer { outputs in
                total.withUnsafeMutableBufferPointer { total in
                    // The sum of everyone who spoke, for listeners who hear everyone else.
                    for i in 0..<samples { total[i] = 0 }
                    for slot in 0..<n where speaking[slot] {
                        let base = slot * samples
                        for i in 0..<samples { total[i] &+= Int32(inputs[base + i]) }
                    }
                    scratch.withUnsafeMutableBufferPointer { sum in
                        for index in 0..<n {
                            let out = index * samples
                            let sources = participants[index].sources
                            if sources.count == n - 1 {
                                // Hears everyone else: the total minus its own voice.
                                if speaking[index] {
                                    for i in 0..<samples {
                                        outputs[out + i] = Int16(clamping: total[i] &- Int32(inputs[out + i]))
                                    }
                                } else {
                                    for i in 0..<samples { outputs[out + i] = Int16(clamping: total[i]) }
                                }
                                continue
                            }
                            for i in 0..<samples { sum[i] = 0 }
                            for slot in sources where speaking[slot] {
                                let base = slot * samples
                                for i in 0..<samples { sum[i] &+= Int32(inputs[base + i]) }
                            }
                            for i in 0..<samples { outputs[out + i] = Int16(clamping: sum[i]) }
                        }
                    }
                }
            }
        }
        for index in 0..<n { participants[index].hasInput = false }
    }

    /// Reads a participant's mixed output of the last ``mix()``.
    /// - Parameters:
    ///   - id: The participant.
    ///   - body: Receives the frame (empty if the participant is unknown).
    /// - Returns: What `body` returns.
    public func withOutput<R>(of id: ID, _ body: (UnsafeBufferPointer<Int16>) throws -> R) rethrows -> R {
        guard let slot = slots[id] else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try outputs.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[(slot * frameSamples)..<((slot + 1) * frameSamples)]))
        }
    }

    /// A participant's mixed output of the last ``mix()`` as an array (copies; see ``withOutput(of:_:)``).
    /// - Parameter id: The participant.
    /// - Returns: The frame, or an empty array if the participant is unknown.
    public func output(of id: ID) -> [Int16] {
        withOutput(of: id) { Array($0) }
    }
}
