/// An RTP data packet (RFC 3550 §5.1): fixed header, CSRC list, optional header extension, payload and
/// optional padding.
///
/// Decoding validates every length field against the datagram and throws ``RTPPacket/DecodingError``
/// naming what is wrong; it never traps on hostile input.
///
/// ```swift
/// let packet = RTPPacket(payloadType: 0, sequenceNumber: 1, timestamp: 160, ssrc: 0x1234, payload: bytes)
/// let wire = packet.encoded()
/// let again = try RTPPacket(decoding: wire)
/// ```
public struct RTPPacket: Sendable, Hashable {
    /// The RTP version this implementation speaks (RFC 3550 §5.1 `V`).
    public static let version: UInt8 = 2
    /// The size of the fixed header in bytes.
    public static let fixedHeaderSize = 12
    /// The largest datagram the decoder accepts (a UDP payload can be at most 65,507 bytes over IPv4).
    public static let maximumPacketSize = 65_507

    /// A header extension (RFC 3550 §5.3.1): a 16-bit profile-defined value and a body of whole 32-bit words.
    public struct HeaderExtension: Sendable, Hashable {
        /// The profile-defined 16 bits (for RFC 8285 one-byte headers, `0xBEDE`).
        public var profile: UInt16
        /// The extension body; its length must be a multiple of 4 bytes when encoded.
        public var data: [UInt8]

        /// Creates a header extension.
        /// - Parameters:
        ///   - profile: The profile-defined 16 bits.
        ///   - data: The body; encoding pads it with zero bytes to a multiple of 4.
        public init(profile: UInt16, data: [UInt8]) {
            self.profile = profile
            self.data = data
        }
    }

    /// `M`: for audio, set on the first packet of a talk spurt (RFC 3551 §4.1).
    public var marker: Bool
    /// `PT`, 7 bits: the payload format (0 PCMU, 8 PCMA, dynamic 96–127 e.g. telephone-event).
    public var payloadType: UInt8
    /// Sequence number, incremented by one for each packet sent (wraps at 2¹⁶).
    public var sequenceNumber: UInt16
    /// Sampling instant of the first payload octet, in the payload's clock (8 kHz for G.711).
    public var timestamp: UInt32
    /// Synchronisation source identifier.
    public var ssrc: UInt32
    /// Contributing sources (at most 15).
    public var csrcs: [UInt32]
    /// The header extension, if the `X` bit is set.
    public var headerExtension: HeaderExtension?
    /// The payload, without padding.
    public var payload: [UInt8]
    /// Number of padding octets (including the count octet itself) at the end; 0 means no padding (`P` clear).
    public var paddingCount: UInt8

    /// Creates a packet.
    /// - Parameters:
    ///   - marker: The `M` bit.
    ///   - payloadType: The payload type, 0–127.
    ///   - sequenceNumber: The sequence number.
    ///   - timestamp: The RTP timestamp.
    ///   - ssrc: The synchronisation source.
    ///   - csrcs: Contributing sources (at most 15 are encoded).
    ///   - headerExtension: An optional header extension.
    ///   - payload: The payload bytes.
    ///   - paddingCount: Padding octets to append when encoding (0 for none).
    public init(
        marker: Bool = false,
        payloadType: UInt8,
        sequenceNumber: UInt16,
        timestamp: UInt32,
        ssrc: UInt32,
        csrcs: [UInt32] = [],
        headerExtension: HeaderExtension? = nil,
        payload: [UInt8],
        paddingCount: UInt8 = 0
    ) {
        self.marker = marker
        self.payloadType = payloadType & 0x7F
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.headerExtension = headerExtension
        self.payload = payload
        self.paddingCount = paddingCount
    }

    /// Why a datagram is not a valid RTP packet.
    public enum DecodingError: Error, Sendable, Hashable, CustomStringConvertible {
        /// Shorter than the 12-byte fixed header.
        case truncatedHeader(length: Int)
        /// Longer than ``RTPPacket/maximumPacketSize``.
        case oversized(length: Int)
        /// The version field is not 2.
        case unsupportedVersion(UInt8)
        /// The CSRC count says more identifiers than the datagram holds.
        case truncatedCSRCList(count: Int, length: Int)
        /// The header extension's length runs past the end of the datagram.
        case truncatedHeaderExtension(declaredBytes: Int, available: Int)
        /// The padding count is zero or larger than what follows the header.
        case invalidPadding(count: Int, available: Int)
        /// The payload type is 72–76, which would collide with RTCP packet types (RFC 5761 §4).
        case rtcpPayloadType(UInt8)

        public var description: String {
            switch self {
            case .truncatedHeader(let length):
                "RTP packet truncated: \(length) bytes, the fixed header needs 12 (RFC 3550 §5.1)"
            case .oversized(let length):
                "RTP packet of \(length) bytes exceeds the \(RTPPacket.maximumPacketSize)-byte limit"
            case .unsupportedVersion(let version):
                "RTP version \(version) is not supported; only version 2 (RFC 3550 §5.1)"
            case .truncatedCSRCList(let count, let length):
                "RTP CSRC count \(count) needs \(12 + 4 * count) header bytes, packet has \(length)"
            case .truncatedHeaderExtension(let declared, let available):
                "RTP header extension declares \(declared) bytes but only \(available) remain (RFC 3550 §5.3.1)"
            case .invalidPadding(let count, let available):
                "RTP padding count \(count) is invalid: \(available) bytes follow the header (RFC 3550 §5.1)"
            case .rtcpPayloadType(let pt):
                "payload type \(pt) is reserved to avoid RTCP conflict (RFC 5761 §4); an RTCP packet on the RTP port?"
            }
        }
    }

    /// Decodes a datagram.
    /// - Parameter bytes: One UDP payload.
    /// - Throws: ``DecodingError`` naming the first inconsistency found.
    public init(decoding bytes: [UInt8]) throws(DecodingError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(DecodingError) -> RTPPacket in try RTPPacket(decoding: raw) }
        }
        self = try result.get()
    }

    /// Decodes a datagram from raw memory (no copy of the header; the payload is copied).
    /// - Parameter raw: One UDP payload.
    /// - Throws: ``DecodingError`` naming the first inconsistency found.
    public init(decoding raw: UnsafeRawBufferPointer) throws(DecodingError) {
        let header = try Header(decoding: raw)
        self.marker = header.marker
        self.payloadType = header.payloadType
        self.sequenceNumber = header.sequenceNumber
        self.timestamp = header.timestamp
        self.ssrc = header.ssrc
        self.paddingCount = header.paddingCount
        if header.csrcCount > 0 {
            var csrcs: [UInt32] = []
            csrcs.reserveCapacity(header.csrcCount)
            for i in 0..<header.csrcCount { csrcs.append(raw.loadBigEndianUInt32(at: 12 + 4 * i)) }
            self.csrcs = csrcs
        } else {
            self.csrcs = []
        }
        if let ext = header.extensionRange {
            let profile = UInt16(raw[ext.lowerBound - 4]) << 8 | UInt16(raw[ext.lowerBound - 3])
            self.headerExtension = HeaderExtension(profile: profile, data: Array(raw[ext]))
        } else {
            self.headerExtension = nil
        }
        self.payload = Array(raw[header.payloadRange])
    }

    /// The encoded datagram.
    /// - Returns: Header, CSRCs, extension, payload and padding as they go on the wire.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        encode(appendingTo: &out)
        return out
    }

    /// The number of bytes ``encoded()`` produces.
    public var encodedSize: Int {
        let ext = headerExtension.map { 4 + ($0.data.count + 3) / 4 * 4 } ?? 0
        return 12 + 4 * min(csrcs.count, 15) + ext + payload.count + Int(paddingCount)
    }

    /// Appends the encoded datagram to `out`.
    /// - Parameter out: The buffer the packet is appended to.
    public func encode(appendingTo out: inout [UInt8]) {
        out.reserveCapacity(out.count + encodedSize)
        let csrcCount = min(csrcs.count, 15)
        var first: UInt8 = Self.version << 6 | UInt8(csrcCount)
        if paddingCount > 0 { first |= 0x20 }
        if headerExtension != nil { first |= 0x10 }
        out.append(first)
        out.append((marker ? 0x80 : 0) | (payloadType & 0x7F))
        out.appendBigEndian(sequenceNumber)
        out.appendBigEndian(timestamp)
        out.appendBigEndian(ssrc)
        for csrc in csrcs.prefix(csrcCount) { out.appendBigEndian(csrc) }
        if let ext = headerExtension {
            let words = (ext.data.count + 3) / 4
            out.appendBigEndian(ext.profile)
            out.appendBigEndian(UInt16(truncatingIfNeeded: words))
            out.append(contentsOf: ext.data)
            out.append(contentsOf: repeatElement(0, count: words * 4 - ext.data.count))
        }
        out.append(contentsOf: payload)
        if paddingCount > 0 {
            out.append(contentsOf: repeatElement(0, count: Int(paddingCount) - 1))
            out.append(paddingCount)
        }
    }
}

extension RTPPacket {
    /// The parsed fixed header of a datagram with the byte ranges of its parts, without copying anything.
    ///
    /// The receive path uses this to inspect a packet (SSRC, payload type, sequence) before deciding to
    /// copy its payload.
    public struct Header: Sendable, Hashable {
        /// `M` bit.
        public var marker: Bool
        /// Payload type (7 bits).
        public var payloadType: UInt8
        /// Sequence number.
        public var sequenceNumber: UInt16
        /// RTP timestamp.
        public var timestamp: UInt32
        /// Synchronisation source.
        public var ssrc: UInt32
        /// Number of CSRC identifiers.
        public var csrcCount: Int
        /// The header extension body's byte range, if present.
        public var extensionRange: Range<Int>?
        /// The payload's byte range (padding excluded).
        public var payloadRange: Range<Int>
        /// Padding octets at the end (0 if `P` is clear).
        public var paddingCount: UInt8

        /// Parses and validates the header of a datagram.
        /// - Parameter raw: One UDP payload.
        /// - Throws: ``RTPPacket/DecodingError`` naming the first inconsistency.
        public init(decoding raw: UnsafeRawBufferPointer) throws(DecodingError) {
            let length = raw.count
            guard length >= 12 else { throw .truncatedHeader(length: length) }
            guard length <= RTPPacket.maximumPacketSize else { throw .oversized(length: length) }
            let first = raw[0]
            let version = first >> 6
            guard version == RTPPacket.version else { throw .unsupportedVersion(version) }
            let hasPadding = first & 0x20 != 0
            let hasExtension = first & 0x10 != 0
            let csrcCount = Int(first & 0x0F)
            let second = raw[1]
            let payloadType = second & 0x7F
            guard !(72...76).contains(payloadType) else { throw .rtcpPayloadType(payloadType) }
            var offset = 12 + 4 * csrcCount
            guard offset <= length else { throw .truncatedCSRCList(count: csrcCount, length: length) }
            var extensionRange: Range<Int>?
            if hasExtension {
                guard offset + 4 <= length else {
                    throw .truncatedHeaderExtension(declaredBytes: 4, available: length - offset)
                }
                let words = Int(raw[offset + 2]) << 8 | Int(raw[offset + 3])
                let start = offset + 4
                guard start + 4 * words <= length else {
                    throw .truncatedHeaderExtension(declaredBytes: 4 + 4 * words, available: length - offset)
                }
                extensionRange = start..<(start + 4 * words)
                offset = start + 4 * words
            }
            var end = length
            var paddingCount: UInt8 = 0
            if hasPadding {
                let count = Int(raw[length - 1])
                guard count > 0, count <= length - offset else {
                    throw .invalidPadding(count: count, available: length - offset)
                }
                paddingCount = UInt8(count)
                end -= count
            }
            self.marker = second & 0x80 != 0
            self.payloadType = payloadType
            self.sequenceNumber = UInt16(raw[2]) << 8 | UInt16(raw[3])
            self.timestamp = raw.loadBigEndianUInt32(at: 4)
            self.ssrc = raw.loadBigEndianUInt32(at: 8)
            self.csrcCount = csrcCount
            self.extensionRange = extensionRange
            self.payloadRange = offset..<end
            self.paddingCount = paddingCount
        }
    }
}

extension UnsafeRawBufferPointer {
    /// Reads a big-endian 32-bit value at `offset`; the caller has checked the bounds.
    @inline(__always)
    func loadBigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8
            | UInt32(self[offset + 3])
    }

    /// Reads a big-endian 16-bit value at `offset`; the caller has checked the bounds.
    @inline(__always)
    func loadBigEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }
}

extension Array where Element == UInt8 {
    /// Appends a big-endian 16-bit value.
    @inline(__always)
    mutating func appendBigEndian(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends a big-endian 32-bit value.
    @inline(__always)
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }
}
