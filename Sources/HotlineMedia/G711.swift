/// ITU-T G.711 companding: 16-bit linear PCM ⇄ 8-bit µ-law (PCMU) or A-law (PCMA), 8 kHz.
///
/// Encoding and decoding are table lookups. The tables are built once from the segment rules of
/// ITU-T G.711 (1988) Tables 1a/1b (A-law) and 2a/2b (µ-law): µ-law quantises 14-bit magnitudes with
/// a bias of 33 into 8 segments of 16 steps; A-law quantises 13-bit magnitudes into 8 segments, the
/// first two sharing one step size. Even bits of A-law codes are inverted (XOR `0x55`), all bits of
/// µ-law codes are inverted, as the standard transmits them.
///
/// ```swift
/// let bytes = G711.encode(samples, law: .muLaw)   // 160 samples → 160 bytes
/// let pcm = G711.decode(bytes, law: .muLaw)
/// ```
public enum G711 {
    /// The companding law: µ-law (North America, Japan) or A-law (Europe, China, most of the world).
    public enum Law: Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// µ-law, RTP payload type 0, SDP encoding name `PCMU` (RFC 3551 §4.5.14).
        case muLaw
        /// A-law, RTP payload type 8, SDP encoding name `PCMA` (RFC 3551 §4.5.14).
        case aLaw

        /// The static RTP payload type for this law at 8 kHz (RFC 3551 Table 4): 0 for PCMU, 8 for PCMA.
        public var payloadType: UInt8 {
            switch self {
            case .muLaw: 0
            case .aLaw: 8
            }
        }

        /// The SDP encoding name: `PCMU` or `PCMA`.
        public var encodingName: String {
            switch self {
            case .muLaw: "PCMU"
            case .aLaw: "PCMA"
            }
        }

        /// The law whose static payload type is `payloadType`, or `nil` if it is neither 0 nor 8.
        /// - Parameter payloadType: An RTP payload type.
        public init?(payloadType: UInt8) {
            switch payloadType {
            case 0: self = .muLaw
            case 8: self = .aLaw
            default: return nil
            }
        }

        /// The code of digital silence (linear 0) in this law: `0xFF` for µ-law, `0xD5` for A-law.
        public var silence: UInt8 {
            switch self {
            case .muLaw: 0xFF
            case .aLaw: 0xD5
            }
        }

        public var description: String { encodingName }
    }

    // MARK: Single samples

    /// Encodes one linear sample as µ-law.
    /// - Parameter sample: A 16-bit linear PCM sample.
    /// - Returns: The µ-law code (bits inverted, as transmitted).
    @inlinable
    public static func encodeMuLaw(_ sample: Int16) -> UInt8 {
        Tables.muLawEncode[Int(sample >> 2) &+ 8192]
    }

    /// Decodes one µ-law code.
    /// - Parameter code: A µ-law code as transmitted.
    /// - Returns: The linear sample at the centre of the code's quantisation interval, scaled to 16 bits.
    @inlinable
    public static func decodeMuLaw(_ code: UInt8) -> Int16 {
        Tables.muLawDecode[Int(code)]
    }

    /// Encodes one linear sample as A-law.
    /// - Parameter sample: A 16-bit linear PCM sample.
    /// - Returns: The A-law code (even bits inverted, as transmitted).
    @inlinable
    public static func encodeALaw(_ sample: Int16) -> UInt8 {
        Tables.aLawEncode[Int(sample >> 3) &+ 4096]
    }

    /// Decodes one A-law code.
    /// - Parameter code: An A-law code as transmitted.
    /// - Returns: The linear sample at the centre of the code's quantisation interval, scaled to 16 bits.
    @inlinable
    public static func decodeALaw(_ code: UInt8) -> Int16 {
        Tables.aLawDecode[Int(code)]
    }

    // MARK: Buffers

    /// Encodes linear samples into companded bytes.
    /// - Parameters:
    ///   - samples: 16-bit linear PCM samples.
    ///   - law: µ-law or A-law.
    /// - Returns: One byte per sample.
    /// - Complexity: O(n), one table lookup per sample.
    public static func encode(_ samples: some Collection<Int16>, law: Law) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: samples.count)
        out.withUnsafeMutableBufferPointer { dst in
            var i = 0
            switch law {
            case .muLaw:
                Tables.muLawEncode.withUnsafeBufferPointer { table in
                    for s in samples { dst[i] = table[Int(s >> 2) &+ 8192]; i &+= 1 }
                }
            case .aLaw:
                Tables.aLawEncode.withUnsafeBufferPointer { table in
                    for s in samples { dst[i] = table[Int(s >> 3) &+ 4096]; i &+= 1 }
                }
            }
        }
        return out
    }

    /// Encodes linear samples, appending the companded bytes to `output` (no intermediate array).
    /// - Parameters:
    ///   - samples: 16-bit linear PCM samples.
    ///   - law: µ-law or A-law.
    ///   - output: The array the bytes are appended to.
    public static func encode(_ samples: UnsafeBufferPointer<Int16>, law: Law, appendingTo output: inout [UInt8]) {
        output.reserveCapacity(output.count + samples.count)
        switch law {
        case .muLaw:
            Tables.muLawEncode.withUnsafeBufferPointer { table in
                for s in samples { output.append(table[Int(s >> 2) &+ 8192]) }
            }
        case .aLaw:
            Tables.aLawEncode.withUnsafeBufferPointer { table in
                for s in samples { output.append(table[Int(s >> 3) &+ 4096]) }
            }
        }
    }

    /// Decodes companded bytes into linear samples.
    /// - Parameters:
    ///   - codes: µ-law or A-law codes.
    ///   - law: The law the codes use.
    /// - Returns: One 16-bit sample per byte.
    /// - Complexity: O(n), one table lookup per byte.
    public static func decode(_ codes: some Collection<UInt8>, law: Law) -> [Int16] {
        var out = [Int16](repeating: 0, count: codes.count)
        _ = out.withUnsafeMutableBufferPointer { dst in
            decode(codes, law: law, into: dst)
        }
        return out
    }

    /// Decodes companded bytes into a caller-owned buffer (no allocation).
    /// - Parameters:
    ///   - codes: µ-law or A-law codes.
    ///   - law: The law the codes use.
    ///   - output: Receives `min(codes.count, output.count)` samples from its start.
    /// - Returns: The number of samples written.
    @discardableResult
    public static func decode(
        _ codes: some Collection<UInt8>, law: Law, into output: UnsafeMutableBufferPointer<Int16>
    ) -> Int {
        let table = law == .muLaw ? Tables.muLawDecode : Tables.aLawDecode
        return table.withUnsafeBufferPointer { table in
            var i = 0
            for c in codes {
                guard i < output.count else { break }
                output[i] = table[Int(c)]
                i &+= 1
            }
            return i
        }
    }

    // MARK: Reference algorithm (builds the tables; also used by tests)

    /// Encodes with the segment rules of G.711 Table 2 (µ-law), without tables.
    /// - Parameter sample: A 16-bit linear sample.
    /// - Returns: The µ-law code.
    public static func referenceEncodeMuLaw(_ sample: Int16) -> UInt8 {
        var value = Int(sample) >> 2  // 14-bit
        let mask: Int
        if value < 0 {
            value = -value
            mask = 0x7F
        } else {
            mask = 0xFF
        }
        value = min(value, 8159) + 33  // clip, add bias
        var segment = 0
        while segment <= 7, value > ((0x40 << segment) - 1) { segment += 1 }
        if segment >= 8 { return UInt8(0x7F ^ mask) }
        let code = (segment << 4) | ((value >> (segment + 1)) & 0x0F)
        return UInt8((code ^ mask) & 0xFF)
    }

    /// Decodes with the segment rules of G.711 Table 2 (µ-law), without tables.
    /// - Parameter code: A µ-law code.
    /// - Returns: The 16-bit linear sample.
    public static func referenceDecodeMuLaw(_ code: UInt8) -> Int16 {
        let u = Int(~code)
        var t = ((u & 0x0F) << 3) + 0x84
        t <<= (u & 0x70) >> 4
        return Int16(u & 0x80 != 0 ? 0x84 - t : t - 0x84)
    }

    /// Encodes with the segment rules of G.711 Table 1 (A-law), without tables.
    /// - Parameter sample: A 16-bit linear sample.
    /// - Returns: The A-law code.
    public static func referenceEncodeALaw(_ sample: Int16) -> UInt8 {
        var value = Int(sample) >> 3  // 13-bit
        let mask: Int
        if value >= 0 {
            mask = 0xD5
        } else {
            mask = 0x55
            value = -value - 1
        }
        var segment = 0
        while segment <= 7, value > ((0x20 << segment) - 1) { segment += 1 }
        if segment >= 8 { return UInt8(0x7F ^ mask) }
        var code = segment << 4
        code |= segment < 2 ? (value >> 1) & 0x0F : (value >> segment) & 0x0F
        return UInt8(code ^ mask)
    }

    /// Decodes with the segment rules of G.711 Table 1 (A-law), without tables.
    /// - Parameter code: An A-law code.
    /// - Returns: The 16-bit linear sample.
    public static func referenceDecodeALaw(_ code: UInt8) -> Int16 {
        let a = Int(code ^ 0x55)
        var t = (a & 0x0F) << 4
        let segment = (a & 0x70) >> 4
        switch segment {
        case 0: t += 8
        case 1: t += 0x108
        default:
            t += 0x108
            t <<= segment - 1
        }
        return Int16(a & 0x80 != 0 ? t : -t)
    }

    /// The lookup tables, built once on first use from the reference rules.
    @usableFromInline
    enum Tables {
        /// Indexed by `(sample >> 2) + 8192` (every 14-bit value).
        @usableFromInline
        static let muLawEncode: [UInt8] = (0..<16384).map { referenceEncodeMuLaw(Int16(($0 - 8192) << 2)) }
        /// Indexed by `(sample >> 3) + 4096` (every 13-bit value).
        @usableFromInline
        static let aLawEncode: [UInt8] = (0..<8192).map { referenceEncodeALaw(Int16(($0 - 4096) << 3)) }
        @usableFromInline
        static let muLawDecode: [Int16] = (0..<256).map { referenceDecodeMuLaw(UInt8($0)) }
        @usableFromInline
        static let aLawDecode: [Int16] = (0..<256).map { referenceDecodeALaw(UInt8($0)) }
    }
}
