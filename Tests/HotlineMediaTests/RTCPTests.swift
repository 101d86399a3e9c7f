import Testing

@testable import HotlineMedia

@Suite struct RTCPTests {
    let block = RTCPReportBlock(
        ssrc: 0xAABB_CCDD, fractionLost: 64, cumulativeLost: -3, extendedHighestSequence: 0x0001_0010, jitter: 37,
        lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 65536)

    @Test func compoundRoundTrip() throws {
        let sr = RTCPPacket.SenderReport(
            ssrc: 1, ntpTimestamp: 0xE8F0_0000_8000_0000, rtpTimestamp: 160_000, packetCount: 1000, octetCount: 160_000,
            reports: [block])
        let packets: [RTCPPacket] = [
            .senderReport(sr), .sourceDescription([(ssrc: 1, cname: "hotline@10.0.0.5")]),
            .goodbye(ssrcs: [1], reason: "call ended"),
        ]
        let bytes = RTCPPacket.encodeCompound(packets)
        #expect(bytes.count % 4 == 0)
        #expect(try RTCPPacket.decodeCompound(bytes) == packets)
        #expect(sr.compactNTP == 0x0000_8000)
    }

    /// The receiver report of RFC 3550 §6.4.2 byte by byte.
    @Test func receiverReportWireFormat() throws {
        let bytes = RTCPPacket.encodeCompound([.receiverReport(ssrc: 0x0102_0304, reports: [block])])
        #expect(bytes.count == 32)
        #expect(Array(bytes[0..<8]) == [0x81, 201, 0x00, 0x07, 0x01, 0x02, 0x03, 0x04])
        #expect(Array(bytes[8..<16]) == [0xAA, 0xBB, 0xCC, 0xDD, 64, 0xFF, 0xFF, 0xFD])
        let decoded = try RTCPPacket.decodeCompound(bytes)
        #expect(decoded == [.receiverReport(ssrc: 0x0102_0304, reports: [block])])
        #expect(block.lossFraction == 0.25)
    }

    @Test func unknownPacketTypesAreKept() throws {
        let bytes = RTCPPacket.encodeCompound([.receiverReport(ssrc: 9, reports: []), .other(packetType: 207, count: 0, body: [1, 2, 3, 4])])
        #expect(try RTCPPacket.decodeCompound(bytes).last == .other(packetType: 207, count: 0, body: [1, 2, 3, 4]))
    }

    @Test func badDatagramsAreRefused() {
        let good = RTCPPacket.encodeCompound([.receiverReport(ssrc: 9, reports: [block])])
        #expect(throws: RTCPPacket.DecodingError.truncated(offset: 0)) { try RTCPPacket.decodeCompound(Array(good.prefix(20))) }
        #expect(throws: RTCPPacket.DecodingError.truncated(offset: 0)) { try RTCPPacket.decodeCompound([0x80, 201]) }
        var version = good
        version[0] = 0x41
        #expect(throws: RTCPPacket.DecodingError.unsupportedVersion(1, offset: 0)) { try RTCPPacket.decodeCompound(version) }
        var count = good
        count[0] = 0x82  // two blocks claimed, one present
        #expect(throws: RTCPPacket.DecodingError.inconsistentLength(packetType: 201, offset: 0)) { try RTCPPacket.decodeCompound(count) }
        let sdesFirst = RTCPPacket.encodeCompound([.goodbye(ssrcs: [1], reason: nil)])
        #expect(throws: RTCPPacket.DecodingError.notAReport(firstPacketType: 203)) { try RTCPPacket.decodeCompound(sdesFirst) }
        for cut in 0..<good.count { _ = try? RTCPPacket.decodeCompound(Array(good.prefix(cut))) }
    }

    @Test func demultiplexesFromRTP() {
        #expect(RTCPPacket.isRTCP(RTCPPacket.encodeCompound([.receiverReport(ssrc: 1, reports: [])])))
        #expect(!RTCPPacket.isRTCP(RTPPacket(marker: true, payloadType: 8, sequenceNumber: 1, timestamp: 1, ssrc: 1, payload: []).encoded()))
        #expect(!RTCPPacket.isRTCP(RTPPacket(payloadType: 101, sequenceNumber: 1, timestamp: 1, ssrc: 1, payload: []).encoded()))
        #expect(!RTCPPacket.isRTCP([0x80]))
    }
}
