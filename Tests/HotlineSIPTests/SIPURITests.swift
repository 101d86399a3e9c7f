import Testing
import HotlineSIP

@Suite struct SIPURITests {
    @Test(arguments: [
        "sip:alice@example.com",
        "sips:alice:secret@example.com:5061;transport=tls",
        "sip:+1-212-555-1212:1234@gateway.com;user=phone",
        "sip:%61lice@[::1]:5060;maddr=239.255.255.1;ttl=15?to=alice%40x&subject=a%20b",
        "sip:host.example.com;lr",
        "sip:192.0.2.4",
        "tel:+358-555-1234567;postd=pp22",
    ])
    func roundTrips(_ text: String) throws {
        let uri = try SIPURI(parsing: text)
        #expect(uri.description == text)
    }

    @Test func equivalence() throws {
        let a = try SIPURI(parsing: "sip:%61lice@ATLANTA.com;transport=TCP")
        let b = try SIPURI(parsing: "sip:alice@AtLanTa.CoM;Transport=tcp")
        #expect(a.isEquivalent(to: b))
        let c = try SIPURI(parsing: "sip:alice@atlanta.com")
        #expect(!a.isEquivalent(to: c))
        let d = try SIPURI(parsing: "sip:ALICE@atlanta.com")
        #expect(!c.isEquivalent(to: d))
    }

    @Test(arguments: ["sip:", "nocolon", "sip:a@", "sip:a@b:x", "sip:a@[zz]", "sip:a b@c", "1sip:x"])
    func rejects(_ text: String) {
        #expect(throws: SIPParseError.self) { try SIPURI(parsing: text) }
    }
}
