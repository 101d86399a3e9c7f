import Testing
@testable import HotlineSIP

@Suite struct TransactionKeyTests {
    @Test func ackMatchesInviteByBranch() throws {
        let invite = TestMessages.invite()
        var ack = invite
        ack.method = .ack
        ack.headers.set("CSeq", "1 ACK")
        ack.headers.set("To", "<sip:bob@127.0.0.1>;tag=b1")
        #expect(try TransactionKey.server(for: invite) == TransactionKey.server(for: ack))
        var cancel = invite
        cancel.method = .cancel
        cancel.headers.set("CSeq", "1 CANCEL")
        #expect(try TransactionKey.server(for: invite) != TransactionKey.server(for: cancel))
    }

    @Test func rfc2543FallbackWithoutMagicCookie() throws {
        let invite = TestMessages.invite(branch: "old-style-1")
        var ack = invite
        ack.method = .ack
        ack.headers.set("CSeq", "1 ACK")
        ack.headers.set("To", "<sip:bob@127.0.0.1>;tag=b1")
        #expect(try TransactionKey.server(for: invite) == TransactionKey.server(for: ack))
        let other = TestMessages.invite(branch: "old-style-1", callID: "call-2")
        #expect(try TransactionKey.server(for: invite) != TransactionKey.server(for: other))
    }

    @Test func responseMatchesClientKey() throws {
        let invite = TestMessages.invite()
        let response = TestMessages.response(180, to: invite)
        #expect(try TransactionKey.client(for: response) == .client(branch: "z9hG4bKabc", method: .invite))
    }
}
