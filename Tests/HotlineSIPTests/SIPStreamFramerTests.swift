import Testing
import HotlineSIP

@Suite struct SIPStreamFramerTests {
    let message = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nl: 5\r\n\r\nhello"

    @Test func framesByteByByteWithKeepAlives() throws {
        var framer = SIPStreamFramer()
        let stream = Array(("\r\n\r\n" + message + message + "\r\n" + message).utf8)
        var frames: [SIPStreamFramer.Frame] = []
        for byte in stream {
            framer.append([byte])
            while let frame = try framer.next() { frames.append(frame) }
        }
        #expect(frames.first == .ping)
        let messages = frames.filter { $0 != .ping }
        #expect(messages.count == 3)
        for case .message(let bytes) in messages {
            let parsed = try SIPMessage(parsing: bytes, isStream: true)
            guard case .request(let r) = parsed else { Issue.record("not a request"); continue }
            #expect(r.body == Array("hello".utf8))
        }
        #expect(framer.bufferedByteCount == 0)
    }

    @Test func rejectsBadLengthAndOversizedHeaders() {
        var framer = SIPStreamFramer()
        framer.append(Array("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: x1\r\n\r\n".utf8))
        #expect(throws: SIPParseError.self) { try framer.next() }
        var small = SIPStreamFramer(limits: SIPParserLimits(maximumMessageSize: 100))
        small.append(Array(repeating: UInt8(ascii: "a"), count: 200))
        #expect(throws: SIPParseError.self) { try small.next() }
    }
}
