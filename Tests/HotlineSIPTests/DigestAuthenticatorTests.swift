import Testing
@testable import HotlineSIP

@Suite struct DigestAuthenticatorTests {
    let authenticator = DigestAuthenticator(realm: "hotline", secret: Array("secret-key".utf8), nonceLifetime: 60)
    let uri = SIPURI(host: "127.0.0.1")

    @Test(arguments: DigestAlgorithm.allCases)
    func clientAnswerVerifies(_ algorithm: DigestAlgorithm) throws {
        let challenges = authenticator.challenges(now: 1000)
        #expect(challenges.count == 2)
        let challenge = try #require(try challenges.map { try DigestParameters(parsing: $0) }.first { $0.algorithm == algorithm })
        let credentials = DigestCredentials(username: "1001", password: "pw")
        let authorization = try #require(credentials.authorization(for: challenge, method: .register, uri: uri, cnonce: "c1"))
        #expect(authenticator.verify(authorization, method: .register, now: 1010, password: { $0 == "1001" ? "pw" : nil })
                == .authenticated(username: "1001"))
        #expect(authenticator.verify(authorization, method: .invite, now: 1010, password: { _ in "pw" }) != .authenticated(username: "1001"))
        #expect(authenticator.verify(authorization, method: .register, now: 1010, password: { _ in "wrong" }) == .rejected(reason: "wrong password"))
        #expect(authenticator.verify(authorization, method: .register, now: 1100, password: { _ in "pw" }) == .stale)
    }

    @Test func knownMD5Vector() {
        // RFC 2617 §3.5's example computation, checked with our own hash helper.
        let ha1 = DigestAlgorithm.md5.hash("Mufasa:testrealm@host.com:Circle Of Life")
        #expect(ha1 == "939e7578ed9e3c518a452acee763bce9")
        #expect(DigestAlgorithm.sha256.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func forgedNonceRejectedAndStaleFlagOffered() throws {
        let forged = "Digest username=\"1001\", realm=\"hotline\", nonce=\"3e8.00\", uri=\"sip:127.0.0.1\", response=\"00\", algorithm=MD5"
        #expect(authenticator.verify(forged, method: .register, now: 1000, password: { _ in "pw" }) == .rejected(reason: "unknown nonce"))
        #expect(authenticator.challenges(now: 5, stale: true).allSatisfy { $0.contains("stale=true") })
        let parsed = try DigestParameters(parsing: authenticator.challenges(now: 5)[0])
        #expect(parsed["qop"] == "auth")
        #expect(parsed.algorithm == .sha256)
    }

    @Test func malformedHeadersAreErrors() {
        #expect(throws: SIPParseError.self) { try DigestParameters(parsing: "Basic abc") }
        #expect(throws: SIPParseError.self) { try DigestParameters(parsing: "Digest realm=\"x") }
    }
}
