import Testing
@testable import HotlineSIP

@Suite struct DialogTests {
    func invite() throws -> SIPRequest {
        let text = """
        INVITE sip:bob@192.0.2.2 SIP/2.0\r
        Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r
        Record-Route: <sip:p2.example.org;lr>\r
        Record-Route: <sip:p1.example.org;lr>\r
        From: "Alice" <sip:alice@example.org>;tag=al\r
        To: <sip:bob@example.org>\r
        Call-ID: d1\r
        CSeq: 7 INVITE\r
        Contact: <sip:alice@192.0.2.1:5062>\r
        Max-Forwards: 70\r
        \r

        """
        guard case .request(let r) = try SIPMessage(parsing: Array(text.utf8)) else { throw SIPParseError("not a request") }
        return r
    }

    @Test func uasDialogFromInviteRoutesBackThroughRecordRoute() throws {
        let request = try invite()
        var dialog = try Dialog(uas: request, localTag: "bb", localContact: NameAddress(uri: SIPURI(user: "bob", host: "192.0.2.2")), state: .confirmed)
        #expect(dialog.id == DialogID(callID: "d1", localTag: "bb", remoteTag: "al"))
        #expect(dialog.remoteSequence == 7)
        #expect(dialog.remoteTarget.description == "sip:alice@192.0.2.1:5062")
        let bye = dialog.makeRequest(.bye)
        #expect(bye.uri.description == "sip:alice@192.0.2.1:5062")
        #expect(try bye.addresses("route").map(\.uri.host) == ["p2.example.org", "p1.example.org"])
        #expect(try bye.from().tag == "bb")
        #expect(try bye.to().tag == "al")
        #expect(try bye.cseq().number == dialog.localSequence)
        let next = dialog.makeRequest(.info)
        #expect(try next.cseq().number == (try bye.cseq().number) + 1)
    }

    @Test func uacDialogReversesRecordRouteAndRejectsOldCSeq() throws {
        let request = try invite()
        var response = SIPResponse(to: request, statusCode: 200, toTag: "bb")
        for field in request.headers where field.name == "Record-Route" { response.headers.add("Record-Route", field.value) }
        response.headers.add("Contact", "<sip:bob@192.0.2.2:5070>")
        var dialog = try Dialog(uac: request, response: response, localContact: NameAddress(uri: SIPURI(host: "192.0.2.1")))
        #expect(dialog.routeSet.map(\.uri.host) == ["p1.example.org", "p2.example.org"])
        #expect(dialog.remoteTarget.port == 5070)
        #expect(dialog.makeACK(for: 7).headers["cseq"] == "7 ACK")
        var incoming = dialog.makeRequest(.bye)  // shape of a peer request
        incoming.headers.set("CSeq", "100 BYE")
        #expect(dialog.receive(incoming) == .accepted)
        incoming.headers.set("CSeq", "99 BYE")
        #expect(dialog.receive(incoming) == .outOfOrder)
    }

    @Test func strictRouteBecomesRequestURI() throws {
        let request = try invite()
        var response = SIPResponse(to: request, statusCode: 200, toTag: "bb")
        response.headers.add("Record-Route", "<sip:strict.example.org>")
        response.headers.add("Contact", "<sip:bob@192.0.2.2>")
        var dialog = try Dialog(uac: request, response: response, localContact: NameAddress(uri: SIPURI(host: "192.0.2.1")))
        let bye = dialog.makeRequest(.bye)
        #expect(bye.uri.host == "strict.example.org")
        #expect(try bye.addresses("route").last?.uri.description == "sip:bob@192.0.2.2")
    }

    @Test func missingContactIsReported() throws {
        var request = try invite()
        request.headers.remove("Contact")
        #expect(throws: SIPParseError("missing Contact header")) {
            try Dialog(uas: request, localTag: "x", localContact: NameAddress(uri: SIPURI(host: "h")), state: .early)
        }
    }
}
