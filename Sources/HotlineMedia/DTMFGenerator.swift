internal import CSpanDSP

/// DTMF tone generator over spandsp's `dtmf_tx`: queue digits, then pull 20 ms frames.
///
/// Not thread-safe; one generator per call leg.
public final class DTMFGenerator {
    /// The sixteen DTMF digits.
    public static let validDigits: Set<Character> = Set("0123456789*#ABCD")

    /// The error thrown for a character that is not a DTMF digit.
    public struct InvalidDigit: Error, CustomStringConvertible {
        /// The offending character.
        public var character: Character
        /// The position of the character in the string given.
        public var position: Int
        /// A message naming the character and where it was.
        public var description: String { "'\(character)' at position \(position + 1) is not a DTMF digit (0-9, *, #, A-D)" }
    }

    private let state: OpaquePointer

    /// Creates a generator.
    /// - Parameters:
    ///   - level: the level of the low-group tone in dBm0 (the default −10 dBm0 is typical).
    ///   - twist: how much louder the high-group tone is, in dB.
    ///   - onTime: tone duration per digit in milliseconds.
    ///   - offTime: silence after each digit in milliseconds.
    public init(level: Int = -10, twist: Int = 0, onTime: Int = 100, offTime: Int = 100) {
        guard let state = dtmf_tx_init(nil) else {
            preconditionFailure("spandsp dtmf_tx_init could not allocate its state")
        }
        self.state = state
        dtmf_tx_set_level(state, Int32(level), Int32(twist))
        dtmf_tx_set_timing(state, Int32(onTime), Int32(offTime))
    }

    deinit {
        dtmf_tx_free(state)
    }

    /// Queues digits for sending.
    /// - Parameter digits: DTMF digits (`0`–`9`, `*`, `#`, `A`–`D`).
    /// - Throws: `InvalidDigit` naming the first character that is not a digit; nothing is queued then.
    public func enqueue(_ digits: String) throws {
        for (position, character) in digits.enumerated() where !Self.validDigits.contains(character) {
            throw InvalidDigit(character: character, position: position)
        }
        var remaining = Substring(digits)
        while !remaining.isEmpty {
            // spandsp's queue holds 128 digits; put them in pieces so none is dropped.
            let piece = String(remaining.prefix(64))
            let added = Int(dtmf_tx_put(state, piece, Int32(piece.utf8.count)))
            remaining = remaining.dropFirst(added)
            if added == 0 {
                break
            }
        }
    }

    /// Fills `buffer` with tone (or silence after the queue empties).
    /// - Parameter buffer: the frame to fill; every sample is written.
    /// - Returns: the number of samples that carried generated signal (the rest are zero).
    @discardableResult
    public func fill(_ buffer: UnsafeMutableBufferPointer<Int16>) -> Int {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        let produced = Int(dtmf_tx(state, base, Int32(buffer.count)))
        if produced < buffer.count {
            buffer[produced...].update(repeating: 0)
        }
        return produced
    }

    /// Produces the next frame.
    /// - Parameter count: samples in the frame (160 for 20 ms).
    /// - Returns: the frame; silent once every queued digit has been sent.
    public func nextFrame(count: Int = 160) -> [Int16] {
        [Int16](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(buffer)
            initialized = count
        }
    }

    /// Renders digits to audio in one go.
    /// - Parameters:
    ///   - digits: the digits to send.
    ///   - level: the low-group level in dBm0.
    ///   - onTime: tone duration per digit in milliseconds.
    ///   - offTime: silence after each digit in milliseconds.
    /// - Returns: 8 kHz linear samples, `digits.count × (onTime + offTime)` ms long.
    /// - Throws: `InvalidDigit` for a character that is not a DTMF digit.
    public static func render(_ digits: String, level: Int = -10, onTime: Int = 100, offTime: Int = 100) throws -> [Int16] {
        let generator = DTMFGenerator(level: level, onTime: onTime, offTime: offTime)
        var samples: [Int16] = []
        var remaining = Substring(digits)
        while !remaining.isEmpty {
            let piece = remaining.prefix(32)
            try generator.enqueue(String(piece))
            remaining = remaining.dropFirst(piece.count)
            let total = piece.count * (onTime + offTime) * 8
            samples += generator.nextFrame(count: total)
        }
        return samples
    }
}
