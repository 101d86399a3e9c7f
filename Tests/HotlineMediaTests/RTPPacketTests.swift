import Testing

@testable import HotlineMedia

@Suite struct RTPPacketTests {
    /// A PCMU packet captured byte by byte: V=2, M=1, PT=0, seq 0x1234, ts 0x000000A0, SSRC 0xDEADBEEF.
    let wire: [UInt8] = [0x80, 0x80, 0x12, 0x34, 0x00, 0x00, 0x00, 0xA0, 0xDE, 0xAD, 0xBE, 0xEF, 0xFF, 0xFE, 0x7F]

    @Test func decodesFixedHeader() throws {
        let packet = try RTPPacket(decoding: wire)
        #expect(packet.marker)
        #expect(packet.payloadType == 0)
        #expect(packet.sequenceNumber == 0x1234)
        #expect(packet.timestamp == 160)
        #expect(packet.ssrc == 0xDEAD_BEEF)
        #expect(packet.csrcs.isEmpty)
        #expect(packet.headerExtension == nil)
        #expect(packet.payload == [0xFF, 0xFE, 0x7F])
        #expect(packet.encoded() == wire)
    }

    @Test func roundTripsCSRCsExtensionAndPadding() throws {
        let packet = RTPPacket(
            marker: false, payloadType: 101, sequenceNumber: 65535, timestamp: 0xFFFF_FFFF, ssrc: 7,
            csrcs: [1, 2, 0xFFFF_FFFF],
            headerExtension: .init(profile: 0xBEDE, data: [1, 2, 3, 4, 5, 6, 7, 8]),
            payload: [9, 8, 7], paddingCount: 5)
        let bytes = packet.encoded()
        #expect(bytes.count == packet.encodedSize)
        #expect(bytes.count == 12 + 12 + 4 + 8 + 3 + 5)
        #expect(bytes[0] == 0x80 | 0x20 | 0x10 | 3)
        #expect(bytes.last == 5)
        let decoded = try RTPPacket(decoding: bytes)
        #expect(decoded == packet)
    }

    @Test func extensionIsPaddedToWholeWords() throws {
        let packet = RTPPacket(
            payloadType: 8, sequenceNumber: 1, timestamp: 2, ssrc: 3,
            headerExtension: .init(profile: 1, data: [0xAA]), payload: [])
        let decoded = try RTPPacket(decoding: packet.encoded())
        #expect(decoded.headerExtension?.data == [0xAA, 0, 0, 0])
    }

    @Test(arguments: 0..<12)
    func truncatedHeaderIsRefused(length: Int) {
        #expect(throws: RTPPacket.DecodingError.truncatedHeader(length: length)) {
            try RTPPacket(decoding: Array(wire.prefix(length)))
        }
    }

    @Test(arguments: [UInt8(0), 1, 3])
    func otherVersionsAreRefused(version: UInt8) {
        var bytes = wire
        bytes[0] = version << 6
        #expect(throws: RTPPacket.DecodingError.unsupportedVersion(version)) { try RTPPacket(decoding: bytes) }
    }

    @Test func truncatedCSRCListIsRefused() {
        var bytes = wire
        bytes[0] = 0x80 | 2  // two CSRCs need 20 bytes, the packet has 15
        #expect(throws: RTPPacket.DecodingError.truncatedCSRCList(count: 2, length: 15)) {
            try RTPPacket(decoding: bytes)
        }
    }

    @Test func truncatedExtensionIsRefused() {
        var bytes = Array(wire.prefix(12))
        bytes[0] = 0x90
        bytes += [0xBE, 0xDE, 0x00, 0x02, 1, 2, 3, 4]  // declares 8 body bytes, has 4
        #expect(throws: RTPPacket.DecodingError.truncatedHeaderExtension(declaredBytes: 12, available: 8)) {
            try RTPPacket(decoding: bytes)
        }
        #expect(throws: RTPPacket.DecodingError.self) { try RTPPacket(decoding: Array(bytes.prefix(14))) }
    }

    @Test(arguments: [UInt8(0), 4, 255])
    func invalidPaddingIsRefused(count: UInt8) {
        var bytes = wire
        bytes[0] |= 0x20
        bytes[bytes.count - 1] = count  // three bytes follow the header
        #expect(throws: RTPPacket.DecodingError.invalidPadding(count: Int(count), available: 3)) {
            try RTPPacket(decoding: bytes)
        }
    }

    @Test func rtcpOnTheRTPPortIsRecognised() {
        var bytes = wire
        bytes[1] = 200  // SR packet type → M=1, PT=72
        #expect(throws: RTPPacket.DecodingError.rtcpPayloadType(72)) { try RTPPacket(decoding: bytes) }
    }

    @Test func oversizedIsRefused() {
        let bytes = wire + [UInt8](repeating: 0, count: RTPPacket.maximumPacketSize)
        #expect(throws: RTPPacket.DecodingError.oversized(length: bytes.count)) { try RTPPacket(decoding: bytes) }
    }

    @Test func errorsExplainThemselves() {
        let message = RTPPacket.DecodingError.truncatedHeader(length: 5).description
        #expect(message.contains("5 bytes"))
        #expect(message.contains("RFC 3550"))
    }

    /// Every prefix and every single-byte corruption of a full-featured packet decodes or throws, never traps.
    @Test func corruptionsNeverTrap() {
        let packet = RTPPacket(
            payloadType: 0, sequenceNumber: 9, timestamp: 9, ssrc: 9, csrcs: [5],
            headerExtension: .init(profile: 1, data: [1, 2, 3, 4]), payload: [1, 2, 3], paddingCount: 2)
        let bytes = packet.encoded()
        var decoded = 0
        for cut in 0...bytes.count where (try? RTPPacket(decoding: Array(bytes.prefix(cut)))) != nil { decoded += 1 }
        for index in bytes.indices {
            for value in [UInt8(0), 0x0F, 0x3F, 0xFF] {
                var corrupt = bytes
                corrupt[index] = value
                if (try? RTPPacket(decoding: corrupt)) != nil { decoded += 1 }
            }
        }
        #expect(decoded > 0)
    }
}
