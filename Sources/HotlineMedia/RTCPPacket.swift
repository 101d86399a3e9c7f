/// One reception report block (RFC 3550 §6.4.1): what a receiver learned about one source.
public struct RTCPReportBlock: Sendable, Hashable {
    /// The source this block reports on.
    public var ssrc: UInt32
    /// Packets lost since the previous report, as a fixed-point fraction of 256.
    public var fractionLost: UInt8
    /// Packets lost since reception began (24-bit signed; duplicates can make it negative).
    public var cumulativeLost: Int32
    /// Extended highest sequence number received.
    public var extendedHighestSequence: UInt32
    /// Interarrival jitter in timestamp units.
    public var jitter: UInt32
    /// `LSR`: middle 32 bits of the NTP timestamp of the last SR received from the source, 0 if none.
    public var lastSenderReport: UInt32
    /// `DLSR`: delay since that SR, in 1/65536 s.
    public var delaySinceLastSenderReport: UInt32

    /// Creates a report block.
    /// - Parameters:
    ///   - ssrc: The reported source.
    ///   - fractionLost: Fraction lost ×256.
    ///   - cumulativeLost: Cumulative loss.
    ///   - extendedHighestSequence: Extended highest sequence number.
    ///   - jitter: Interarrival jitter.
    ///   - lastSenderReport: LSR.
    ///   - delaySinceLastSenderReport: DLSR.
    public init(
        ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, extendedHighestSequence: UInt32, jitter: UInt32,
        lastSenderReport: UInt32 = 0, delaySinceLastSenderReport: UInt32 = 0
    ) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = max(-0x80_0000, min(0x7F_FFFF, cumulativeLost))
        self.extendedHighestSequence = extendedHighestSequence
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    /// The fraction lost as a number between 0 and 1.
    public var lossFraction: Double { Double(fractionLost) / 256 }
}

/// An RTCP packet (RFC 3550 §6.4–6.6). A datagram is a compound of several; see ``RTCPPacket/decodeCompound(_:)``.
public enum RTCPPacket: Sendable, Hashable {
    /// Sender report (PT 200, §6.4.1).
    case senderReport(SenderReport)
    /// Receiver report (PT 201, §6.4.2).
    case receiverReport(ssrc: UInt32, reports: [RTCPReportBlock])
    /// Source description with each source's CNAME (PT 202, §6.5); other items are skipped.
    case sourceDescription([(ssrc: UInt32, cname: String)])
    /// Goodbye (PT 203, §6.6).
    case goodbye(ssrcs: [UInt32], reason: String?)
    /// Any other packet type (APP, XR, feedback), kept as its type and body.
    case other(packetType: UInt8, count: UInt8, body: [UInt8])

    /// The sender-information part of an SR.
    public struct SenderReport: Sendable, Hashable {
        /// The sender's SSRC.
        public var ssrc: UInt32
        /// NTP timestamp of the report's sending time (64-bit fixed point, seconds since 1900).
        public var ntpTimestamp: UInt64
        /// The RTP timestamp corresponding to that instant.
        public var rtpTimestamp: UInt32
        /// Packets sent since the stream began.
        public var packetCount: UInt32
        /// Payload octets sent since the stream began.
        public var octetCount: UInt32
        /// Reception reports about the sources this sender hears.
        public var reports: [RTCPReportBlock]

        /// Creates a sender report.
        /// - Parameters:
        ///   - ssrc: The sender's SSRC.
        ///   - ntpTimestamp: The NTP time of sending.
        ///   - rtpTimestamp: The matching RTP timestamp.
        ///   - packetCount: Packets sent.
        ///   - octetCount: Octets sent.
        ///   - reports: Report blocks (at most 31 are encoded).
        public init(
            ssrc: UInt32, ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32,
            reports: [RTCPReportBlock] = []
        ) {
            self.ssrc = ssrc
            self.ntpTimestamp = ntpTimestamp
            self.rtpTimestamp = rtpTimestamp
            self.packetCount = packetCount
            self.octetCount = octetCount
            self.reports = reports
        }

        /// The middle 32 bits of the NTP timestamp: what a receiver echoes as LSR.
        public var compactNTP: UInt32 { UInt32(truncatingIfNeeded: ntpTimestamp >> 16) }
    }

    /// Why an RTCP datagram could not be decoded.
    public enum DecodingError: Error, Sendable, Hashable, CustomStringConvertible {
        /// A packet's header or declared length runs past the datagram (offset of that packet).
        case truncated(offset: Int)
        /// The version is not 2.
        case unsupportedVersion(UInt8, offset: Int)
        /// The report count needs more bytes than the packet's length gives.
        case inconsistentLength(packetType: UInt8, offset: Int)
        /// A compound datagram must begin with an SR or RR (RFC 3550 §6.1).
        case notAReport(firstPacketType: UInt8)

        public var description: String {
            switch self {
            case .truncated(let offset): "RTCP packet at byte \(offset) is truncated (RFC 3550 §6.4.1 length field)"
            case .unsupportedVersion(let v, let offset): "RTCP version \(v) at byte \(offset); only version 2"
            case .inconsistentLength(let pt, let offset):
                "RTCP packet type \(pt) at byte \(offset): report count does not fit the length field"
            case .notAReport(let pt): "RTCP compound packet starts with type \(pt), not SR (200) or RR (201)"
            }
        }
    }

    public static func == (lhs: RTCPPacket, rhs: RTCPPacket) -> Bool {
        switch (lhs, rhs) {
        case (.senderReport(let a), .senderReport(let b)): a == b
        case (.receiverReport(let a, let ra), .receiverReport(let b, let rb)): a == b && ra == rb
        case (.sourceDescription(let a), .sourceDescription(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.ssrc == $1.ssrc && $0.cname == $1.cname }
        case (.goodbye(let a, let ra), .goodbye(let b, let rb)): a == b && ra == rb
        case (.other(let a, let ca, let ba), .other(let b, let cb, let bb)): a == b && ca == cb && ba == bb
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .senderReport(let sr): hasher.combine(sr)
        case .receiverReport(let ssrc, let reports): hasher.combine(ssrc); hasher.combine(reports)
        case .sourceDescription(let items): for item in items { hasher.combine(item.ssrc); hasher.combine(item.cname) }
        case .goodbye(let ssrcs, let reason): hasher.combine(ssrcs); hasher.combine(reason)
        case .other(let pt, let count, let body): hasher.combine(pt); hasher.combine(count); hasher.combine(body)
        }
    }

    /// Whether a datagram on a port shared by RTP and RTCP (`a=rtcp-mux`) is RTCP: version 2 and a second
    /// octet of 192–223, which RTP cannot have for payload types outside 64–95 (RFC 5761 §4).
    /// - Parameter datagram: The UDP payload.
    /// - Returns: `true` for RTCP.
    public static func isRTCP(_ datagram: some Collection<UInt8>) -> Bool {
        var iterator = datagram.makeIterator()
        guard let first = iterator.next(), let second = iterator.next() else { return false }
        return first >> 6 == 2 && (192...223).contains(second)
    }

    // MARK: Encoding

    /// Encodes packets as one compound datagram.
    /// - Parameter packets: The packets, an SR or RR first (RFC 3550 §6.1).
    /// - Returns: The datagram.
    public static func encodeCompound(_ packets: [RTCPPacket]) -> [UInt8] {
        var out: [UInt8] = []
        for packet in packets { packet.encode(appendingTo: &out) }
        return out
    }

    /// Appends this packet's encoding to `out`.
    /// - Parameter out: The buffer.
    public func encode(appendingTo out: inout [UInt8]) {
        let start = out.count
        switch self {
        case .senderReport(let sr):
            let reports = sr.reports.prefix(31)
            header(count: reports.count, type: 200, into: &out)
            out.appendBigEndian(sr.ssrc)
            out.appendBigEndian(UInt32(truncatingIfNeeded: sr.ntpTimestamp >> 32))
            out.appendBigEndian(UInt32(truncatingIfNeeded: sr.ntpTimestamp))
            out.appendBigEndian(sr.rtpTimestamp)
            out.appendBigEndian(sr.packetCount)
            out.appendBigEndian(sr.octetCount)
            for block in reports { Self.encode(block, into: &out) }
        case .receiverReport(let ssrc, let reports):
            let reports = reports.prefix(31)
            header(count: reports.count, type: 201, into: &out)
            out.appendBigEndian(ssrc)
            for block in reports { Self.encode(block, into: &out) }
        case .sourceDescription(let items):
            let items = items.prefix(31)
            header(count: items.count, type: 202, into: &out)
            for item in items {
                out.appendBigEndian(item.ssrc)
                let name = Array(item.cname.utf8.prefix(255))
                out.append(1)  // CNAME
                out.append(UInt8(name.count))
                out.append(contentsOf: name)
                // END item plus padding to a 32-bit boundary (at least one zero octet).
                out.append(0)
                while (out.count - start) % 4 != 0 { out.append(0) }
            }
        case .goodbye(let ssrcs, let reason):
            let ssrcs = ssrcs.prefix(31)
            header(count: ssrcs.count, type: 203, into: &out)
            for ssrc in ssrcs { out.appendBigEndian(ssrc) }
            if let reason {
                let text = Array(reason.utf8.prefix(255))
                out.append(UInt8(text.count))
                out.append(contentsOf: text)
                while (out.count - start) % 4 != 0 { out.append(0) }
            }
        case .other(let packetType, let count, let body):
            header(count: Int(count & 0x1F), type: packetType, into: &out)
            out.append(contentsOf: body)
            while (out.count - start) % 4 != 0 { out.append(0) }
        }
        let words = (out.count - start) / 4 - 1
        out[start + 2] = UInt8(truncatingIfNeeded: words >> 8)
        out[start + 3] = UInt8(truncatingIfNeeded: words)
    }

    private func header(count: Int, type: UInt8, into out: inout [UInt8]) {
        out.append(0x80 | UInt8(count & 0x1F))
        out.append(type)
        out.append(0)
        out.append(0)
    }

    private static func encode(_ block: RTCPReportBlock, into out: inout [UInt8]) {
        out.appendBigEndian(block.ssrc)
        let lost = UInt32(bitPattern: block.cumulativeLost) & 0x00FF_FFFF
        out.appendBigEndian(UInt32(block.fractionLost) << 24 | lost)
        out.appendBigEndian(block.extendedHighestSequence)
        out.appendBigEndian(block.jitter)
        out.appendBigEndian(block.lastSenderReport)
        out.appendBigEndian(block.delaySinceLastSenderReport)
    }

    // MARK: Decoding

    /// Decodes a compound RTCP datagram.
    /// - Parameter bytes: The UDP payload.
    /// - Returns: The packets in order.
    /// - Throws: ``DecodingError`` naming the offset of the first bad packet.
    public static func decodeCompound(_ bytes: [UInt8]) throws(DecodingError) -> [RTCPPacket] {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(DecodingError) -> [RTCPPacket] in try decodeCompound(raw) }
        }
        return try result.get()
    }

    /// Decodes a compound RTCP datagram from raw memory.
    /// - Parameter raw: The UDP payload.
    /// - Returns: The packets in order.
    /// - Throws: ``DecodingError`` naming the offset of the first bad packet.
    public static func decodeCompound(_ raw: UnsafeRawBufferPointer) throws(DecodingError) -> [RTCPPacket] {
        var packets: [RTCPPacket] = []
        var offset = 0
        while offset < raw.count {
            guard raw.count - offset >= 4 else { throw .truncated(offset: offset) }
            let first = raw[offset]
            guard first >> 6 == 2 else { throw .unsupportedVersion(first >> 6, offset: offset) }
            let count = Int(first & 0x1F)
            let type = raw[offset + 1]
            let length = (Int(raw.loadBigEndianUInt16(at: offset + 2)) + 1) * 4
            guard offset + length <= raw.count else { throw .truncated(offset: offset) }
            var end = offset + length
            if first & 0x20 != 0 {
                let padding = Int(raw[end - 1])
                guard padding > 0, padding <= length - 4 else { throw .inconsistentLength(packetType: type, offset: offset) }
                end -= padding
            }
            if packets.isEmpty, type != 200, type != 201 { throw .notAReport(firstPacketType: type) }
            let body = UnsafeRawBufferPointer(rebasing: raw[(offset + 4)..<end])
            packets.append(try decodePacket(type: type, count: count, body: body, offset: offset))
            offset += length
        }
        return packets
    }

    private static func decodePacket(type: UInt8, count: Int, body: UnsafeRawBufferPointer, offset: Int)
        throws(DecodingError) -> RTCPPacket
    {
        switch type {
        case 200:
            guard body.count >= 24 + 24 * count else { throw .inconsistentLength(packetType: type, offset: offset) }
            let ntp = UInt64(body.loadBigEndianUInt32(at: 4)) << 32 | UInt64(body.loadBigEndianUInt32(at: 8))
            let sr = SenderReport(
                ssrc: body.loadBigEndianUInt32(at: 0), ntpTimestamp: ntp, rtpTimestamp: body.loadBigEndianUInt32(at: 12),
                packetCount: body.loadBigEndianUInt32(at: 16), octetCount: body.loadBigEndianUInt32(at: 20),
                reports: (0..<count).map { decodeBlock(body, at: 24 + 24 * $0) })
            return .senderReport(sr)
        case 201:
            guard body.count >= 4 + 24 * count else { throw .inconsistentLength(packetType: type, offset: offset) }
            return .receiverReport(
                ssrc: body.loadBigEndianUInt32(at: 0), reports: (0..<count).map { decodeBlock(body, at: 4 + 24 * $0) })
        case 202:
            var items: [(ssrc: UInt32, cname: String)] = []
            var position = 0
            for _ in 0..<count {
                guard position + 4 <= body.count else { throw .inconsistentLength(packetType: type, offset: offset) }
                let ssrc = body.loadBigEndianUInt32(at: position)
                position += 4
                var cname = ""
                while position < body.count, body[position] != 0 {
                    guard position + 2 <= body.count else { throw .inconsistentLength(packetType: type, offset: offset) }
                    let kind = body[position]
                    let length = Int(body[position + 1])
                    guard position + 2 + length <= body.count else {
                        throw .inconsistentLength(packetType: type, offset: offset)
                    }
                    if kind == 1 {
                        cname = String(decoding: body[(position + 2)..<(position + 2 + length)], as: UTF8.self)
                    }
                    position += 2 + length
                }
                // Skip the END octet and the padding to the next 32-bit boundary.
                position += 1
                position = (position + 3) / 4 * 4
                items.append((ssrc, cname))
            }
            return .sourceDescription(items)
        case 203:
            guard body.count >= 4 * count else { throw .inconsistentLength(packetType: type, offset: offset) }
            let ssrcs = (0..<count).map { body.loadBigEndianUInt32(at: 4 * $0) }
            var reason: String?
            let position = 4 * count
            if position < body.count {
                let length = Int(body[position])
                guard position + 1 + length <= body.count else { throw .inconsistentLength(packetType: type, offset: offset) }
                reason = String(decoding: body[(position + 1)..<(position + 1 + length)], as: UTF8.self)
            }
            return .goodbye(ssrcs: ssrcs, reason: reason)
        default:
            return .other(packetType: type, count: UInt8(count), body: Array(body))
        }
    }

    private static func decodeBlock(_ body: UnsafeRawBufferPointer, at offset: Int) -> RTCPReportBlock {
        let word = body.loadBigEndianUInt32(at: offset + 4)
        var lost = Int32(bitPattern: word & 0x00FF_FFFF)
        if lost & 0x80_0000 != 0 { lost -= 0x100_0000 }
        return RTCPReportBlock(
            ssrc: body.loadBigEndianUInt32(at: offset), fractionLost: UInt8(word >> 24), cumulativeLost: lost,
            extendedHighestSequence: body.loadBigEndianUInt32(at: offset + 8), jitter: body.loadBigEndianUInt32(at: offset + 12),
            lastSenderReport: body.loadBigEndianUInt32(at: offset + 16),
            delaySinceLastSenderReport: body.loadBigEndianUInt32(at: offset + 20))
    }
}
