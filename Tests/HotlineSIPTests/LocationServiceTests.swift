import Testing
@testable import HotlineSIP

@Suite struct LocationServiceTests {
    func register(contacts: [String], expires: Int?, callID: String = "reg-1", cseq: Int) -> SIPRequest {
        var request = SIPRequest(method: .register, uri: SIPURI(host: "127.0.0.1"))
        request.headers.add("To", "<sip:1001@127.0.0.1>")
        request.headers.add("From", "<sip:1001@127.0.0.1>;tag=x")
        request.headers.add("Call-ID", callID)
        request.headers.add("CSeq", "\(cseq) REGISTER")
        for contact in contacts { request.headers.add("Contact", contact) }
        if let expires { request.headers.add("Expires", String(expires)) }
        return request
    }

    @Test func multipleContactsExpiryAndUnregister() {
        var service = LocationService()
        let first = service.register(register(contacts: ["<sip:1001@127.0.0.1:5001>", "<sip:1001@127.0.0.1:5002>;expires=120"], expires: 600, cseq: 1), now: 0)
        guard case .registered(let bindings) = first else { Issue.record("\(first)"); return }
        #expect(bindings.map(\.expiresAt) == [600, 120])
        #expect(service.bindings(for: "sip:1001@127.0.0.1", now: 200).count == 1)
        #expect(service.bindings(forUser: "1001", now: 100).count == 2)
        // Un-register one contact.
        _ = service.register(register(contacts: ["<sip:1001@127.0.0.1:5001>"], expires: 0, cseq: 2), now: 10)
        #expect(service.bindings(for: "sip:1001@127.0.0.1", now: 11).map(\.contact.uri.port) == [5002])
        // Wildcard removes all.
        _ = service.register(register(contacts: ["*"], expires: 0, cseq: 3), now: 12)
        #expect(service.bindings(for: "sip:1001@127.0.0.1", now: 13).isEmpty)
    }

    @Test func tooBriefOutOfOrderAndBadWildcard() {
        var service = LocationService(minimumExpires: 60)
        #expect(service.register(register(contacts: ["<sip:a@h>"], expires: 10, cseq: 1), now: 0)
                == .refused(status: 423, reason: "Interval Too Brief", headers: ["Min-Expires": "60"]))
        _ = service.register(register(contacts: ["<sip:a@h>"], expires: 100, cseq: 5), now: 0)
        if case .refused(let status, _, _) = service.register(register(contacts: ["<sip:a@h>"], expires: 100, cseq: 4), now: 1) {
            #expect(status == 500)
        } else { Issue.record("out-of-order REGISTER accepted") }
        if case .refused(let status, _, _) = service.register(register(contacts: ["*"], expires: 30, cseq: 9), now: 1) {
            #expect(status == 400)
        } else { Issue.record("wildcard with Expires 30 accepted") }
    }
}
