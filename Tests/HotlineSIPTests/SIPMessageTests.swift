import Testing
@testable import HotlineSIP

/// Hand-written tortuous messages in the spirit of RFC 4475 (our own text, not the RFC's).
@Suite struct SIPMessageTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let tortuous = """
    \r\n\r\nINVITE sip:%62ob;user-x=%41@[2001:db8::10]:5070;transport=udp;lr;x-unknown=%7e?subject=Hi&priority=urgent SIP/2.0\r
    v:  SIP/2.0/UDP   [2001:db8::9]:5062 ;  branch = z9hG4bKtort1 ; rport ; received=10.0.0.1\r
    VIA: SIP/2.0 / TCP relay.example.org;branch=z9hG4bKtort2,\r
     SIP/2.0/UDP other.example.org:5080;branch=z9hG4bKtort3\r
    To: "Bob \\"the builder\\" Smith" <sip:bob@example.org;user=ip>\r
    f: Alice Liddell <sip:alice@example.com>  ;tag=abc.123;x-weird="semi;colon"\r
    i: tortuous-call-1@example.com\r
    cSeQ: 7  INVITE\r
    Max-Forwards: 0069\r
    Contact: "Multi, Comma" <sip:alice@[2001:db8::9]:5062;transport=tcp>;expires=60;q=0.7,\r
    \t<sip:alice@192.0.2.4>\r
    X-Folded: first part\r
    \t\t second part\r
    New-Fangled-Header: some ; totally "unknown, stuff" <here>\r
    Supported: 100rel , timer\r
    c: application/sdp\r
    l: 10\r
    \r
    0123456789EXTRA
    """

    @Test func parsesTortuousInvite() throws {
        let message = try SIPMessage(parsing: Self.bytes(Self.tortuous))
        guard case .request(let request) = message else { Issue.record("not a request"); return }
        #expect(request.method == .invite)
        #expect(request.uri.host == "2001:db8::10")
        #expect(request.uri.port == 5070)
        #expect(request.uri.decodedUser == "bob;user-x=A")  // user may hold ";" (RFC 3261 §25.1)
        #expect(request.uri.parameter("transport") == "udp")
        #expect(request.uri.parameter("lr") == "")
        #expect(request.uri.headers.map(\.name) == ["subject", "priority"])
        #expect(SIPURI.percentDecoded(request.uri.parameter("x-unknown") ?? "") == "~")

        let vias = try request.vias()
        #expect(vias.count == 3)
        #expect(vias[0].host == "2001:db8::9")
        #expect(vias[0].port == 5062)
        #expect(vias[0].branch == "z9hG4bKtort1")
        #expect(vias[0].rport == "")
        #expect(vias[1].transport == "TCP")
        #expect(vias[2].port == 5080)

        let to = try request.to()
        #expect(to.displayName == "Bob \"the builder\" Smith")
        #expect(to.uri.parameter("user") == "ip")
        let from = try request.from()
        #expect(from.displayName == "Alice Liddell")
        #expect(from.tag == "abc.123")
        #expect(from.parameters.value("x-weird") == "semi;colon")
        #expect(request.callID == "tortuous-call-1@example.com")
        #expect(try request.cseq() == CSeq(7, .invite))
        #expect(try request.maxForwards() == 69)
        let contacts = try request.contacts()
        #expect(contacts.count == 2)
        #expect(contacts[0].displayName == "Multi, Comma")
        #expect(contacts[0].parameters.value("q") == "0.7")
        #expect(contacts[1].uri.host == "192.0.2.4")
        #expect(request.headers["x-folded"] == "first part second part")
        #expect(request.headers["new-fangled-header"] == "some ; totally \"unknown, stuff\" <here>")
        #expect(request.optionTags("k") == ["100rel", "timer"])
        #expect(request.contentType == "application/sdp")
        #expect(request.body == Self.bytes("0123456789"))
        try request.validate()
    }

    @Test func serialisesReceivedHeadersVerbatim() throws {
        let message = try SIPMessage(parsing: Self.bytes(Self.tortuous))
        let text = String(decoding: message.serialized(), as: UTF8.self)
        #expect(text.contains("v:  SIP/2.0/UDP   [2001:db8::9]:5062 ;  branch = z9hG4bKtort1 ; rport ; received=10.0.0.1\r\n"))
        #expect(text.contains("X-Folded: first part\r\n\t\t second part\r\n"))
        #expect(text.contains("cSeQ: 7  INVITE\r\n"))
        #expect(text.hasSuffix("l: 10\r\n\r\n0123456789"))
        // Parse again: the same message.
        let again = try SIPMessage(parsing: message.serialized())
        #expect(again == message)
    }

    @Test func unknownMethodIsPreserved() throws {
        let text = "FROBNICATE sip:x@example.org SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:x@example.org>\r\nFrom: <sip:y@example.org>;tag=1\r\nCall-ID: c\r\nCSeq: 1 FROBNICATE\r\nMax-Forwards: 70\r\n\r\n"
        guard case .request(let request) = try SIPMessage(parsing: Self.bytes(text)) else { Issue.record("not a request"); return }
        #expect(request.method.rawValue == "FROBNICATE")
        try request.validate()
        #expect(String(decoding: SIPMessage.request(request).serialized(), as: UTF8.self).hasPrefix("FROBNICATE sip:x@example.org SIP/2.0\r\n"))
    }

    @Test func parsesResponseAndOtherSchemes() throws {
        let text = "SIP/2.0 183 Session   Progress\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <tel:+1-201-555-0123>;tag=9\r\nFrom: sip:y@example.org;tag=1\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
        guard case .response(let response) = try SIPMessage(parsing: Self.bytes(text)) else { Issue.record("not a response"); return }
        #expect(response.statusCode == 183)
        #expect(response.reason == "Session   Progress")
        let to = try response.to()
        #expect(to.uri.scheme == "tel")
        #expect(to.uri.opaque == "+1-201-555-0123")
        #expect(to.tag == "9")
        #expect(try response.from().tag == "1")
        try response.validate()
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let text: String
        let status: Int
        let mention: String
        var testDescription: String { mention }
    }

    static let bad: [Bad] = [
        Bad(text: "INVITE sip:a@b SIP/7.0\r\nVia: SIP/2.0/UDP h\r\n\r\n", status: 505, mention: "version"),
        Bad(text: "INVITE  sip:a@b SIP/2.0\r\n\r\n", status: 400, mention: "request line"),
        Bad(text: "INVITE sip:a@b SIP/2.0\r\nVia SIP/2.0/UDP h\r\n\r\n", status: 400, mention: "without ':'"),
        Bad(text: "INVITE sip:a@b SIP/2.0\r\nContent-Length: 99\r\n\r\nshort", status: 400, mention: "Content-Length 99"),
        Bad(text: "INVITE sip:a@b SIP/2.0\r\nContent-Length: -3\r\n\r\n", status: 400, mention: "Content-Length"),
        Bad(text: "INVITE sip:a@[::1 SIP/2.0\r\n\r\n", status: 400, mention: "IPv6"),
        Bad(text: "INVITE sip:a@b:99999 SIP/2.0\r\n\r\n", status: 400, mention: "port"),
        Bad(text: "SIP/2.0 2000 OK\r\n\r\n", status: 400, mention: "status line"),
        Bad(text: " \r\nINVITE sip:a@b SIP/2.0\r\n\r\n", status: 400, mention: "request line"),
    ]

    @Test(arguments: bad) func rejectsMalformed(_ bad: Bad) {
        do {
            _ = try SIPMessage(parsing: Self.bytes(bad.text))
            Issue.record("accepted: \(bad.text)")
        } catch {
            #expect(error.statusCode == bad.status)
            #expect(error.reasonPhrase.contains(bad.mention), "\(error.reasonPhrase)")
        }
    }

    @Test func validateNamesTheMissingHeader() throws {
        let text = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:a@b>\r\nFrom: <sip:c@d>;tag=1\r\nCSeq: 1 OPTIONS\r\n\r\n"
        guard case .request(let request) = try SIPMessage(parsing: Self.bytes(text)) else { return }
        #expect(throws: SIPParseError("missing Call-ID header")) { try request.validate() }
        var other = request
        other.headers.set("Call-ID", "x")
        other.headers.set("CSeq", "1 INVITE")
        #expect(throws: SIPParseError("CSeq method INVITE does not match request method OPTIONS")) { try other.validate() }
        other.headers.set("CSeq", "1 OPTIONS")
        other.headers.set("From", "<sip:c@d;tag=1")
        #expect(throws: SIPParseError.self) { try other.validate() }
    }

    @Test func limitsGiveTheirStatusCodes() {
        let big = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 40000\r\n\r\n" + String(repeating: "x", count: 40_000)
        #expect(throws: SIPParseError.self) { try SIPMessage(parsing: Self.bytes(big)) }
        do { _ = try SIPMessage(parsing: Self.bytes(big)) } catch { #expect(error.statusCode == 413) }
        let huge = "MESSAGE sip:a@b SIP/2.0\r\n" + String(repeating: "X-A: b\r\n", count: 10_000) + "\r\n"
        do { _ = try SIPMessage(parsing: Self.bytes(huge)); Issue.record("accepted") } catch { #expect(error.statusCode == 513) }
    }

    /// Found by the fuzzer: an empty Content-Type value trapped in `contentType`.
    @Test(arguments: ["c:\r\n", "Content-Type: ;\r\n", "Content-Type:;charset=x\r\n"])
    func emptyContentTypeDoesNotTrap(_ header: String) throws {
        let text = "SIP/2.0 200 OK\r\n" + header + "Session-Expires: ;\r\n\r\n"
        guard case .response(let response) = try SIPMessage(parsing: Self.bytes(text)) else { Issue.record("not a response"); return }
        #expect(response.contentType == "")
    }

    @Test func bareLineFeedsAndNoContentLengthInDatagram() throws {
        let text = "MESSAGE sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nTo: <sip:a@b>\nFrom: <sip:c@d>;tag=1\nCall-ID: x\nCSeq: 2 MESSAGE\n\nhello"
        guard case .request(let request) = try SIPMessage(parsing: Self.bytes(text)) else { Issue.record("not a request"); return }
        #expect(request.body == Self.bytes("hello"))
        try request.validate()
    }

    @Test func responseToRequestCopiesHeadersAndAddsTag() throws {
        guard case .request(let request) = try SIPMessage(parsing: Self.bytes(Self.tortuous)) else { return }
        var response = SIPResponse(to: request, statusCode: 180, toTag: "srv1")
        #expect(try response.vias().count == 3)
        #expect(try response.to().tag == "srv1")
        #expect(try response.to().displayName == "Bob \"the builder\" Smith")
        #expect(response.callID == request.callID)
        response.setBody(Self.bytes("abc"), contentType: "text/plain")
        let parsed = try SIPMessage(parsing: SIPMessage.response(response).serialized())
        guard case .response(let back) = parsed else { return }
        #expect(back.body == Self.bytes("abc"))
        #expect(back.reason == "Ringing")
    }
}
