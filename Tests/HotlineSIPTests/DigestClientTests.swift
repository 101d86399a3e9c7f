import Logging
import NIOPosix
import Testing
@testable import HotlineSIP

/// The UAC side of digest authentication (RFC 3261 §22.2, RFC 8760): the retried request carries the
/// credentials in the header the challenge asks for, a new CSeq and no Via, and a registrar accepts them.
struct DigestClientTests {
    static let loop = MultiThreadedEventLoopGroup.singleton.next()

    static func agent() -> UserAgent {
        let endpoint = SIPEndpoint(configuration: SIPEndpointConfiguration(host: "127.0.0.1", port: 0, transports: [.udp]),
                                   eventLoop: loop, logger: Logger(label: "test"))
        return UserAgent(endpoint: endpoint, configuration: UserAgentConfiguration(now: { 1_000 }), logger: Logger(label: "test"))
    }

    static func invite() -> SIPRequest {
        var request = SIPRequest(method: .invite, uri: SIPURI(user: "01012345678", host: "192.0.2.10", port: 5060))
        request.headers.add("Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKfirst;rport")
        request.headers.add("From", "<sip:12366@192.0.2.10>;tag=abc")
        request.headers.add("To", "<sip:01012345678@192.0.2.10:5060>")
        request.headers.add("Call-ID", "digest-client-test")
        request.headers.add("CSeq", "1 INVITE")
        return request
    }

    @Test(arguments: [(407, "proxy-authenticate", "proxy-authorization"), (401, "www-authenticate", "authorization")])
    func challengeIsAnsweredWithANewCSeq(status: Int, challengeHeader: String, credentialsHeader: String) throws {
        let trunk = DigestAuthenticator(realm: "pstn.test", secret: Array("secret".utf8), algorithms: [.md5, .sha256])
        let request = Self.invite()
        var response = SIPResponse(to: request, statusCode: status, reason: nil, toTag: "t1")
        for value in trunk.challenges(now: 1_000) { response.headers.add(challengeHeader, value) }
        let credentials = DigestCredentials(username: "hotline", password: "trunk-secret")
        let retry = try #require(Self.agent().authorize(request, response: response, credentials: credentials, sequence: 2))
        #expect(try retry.cseq().number == 2)
        #expect(retry.headers["via"] == nil, "a new transaction gets a new Via (branch)")
        #expect(retry.headers["call-id"] == "digest-client-test")
        let value = try #require(retry.headers[credentialsHeader])
        #expect(try DigestParameters(parsing: value).algorithm == .sha256, "SHA-256 preferred over MD5 (RFC 8760 §2.4)")
        let verdict = trunk.verify(value, method: .invite, now: 1_001) { $0 == "hotline" ? "trunk-secret" : nil }
        #expect(verdict == .authenticated(username: "hotline"))
        let wrong = trunk.verify(value, method: .invite, now: 1_001) { _ in "other" }
        #expect(wrong != .authenticated(username: "hotline"))
    }

    @Test func md5OnlyChallengeIsAnsweredWithMD5() throws {
        let trunk = DigestAuthenticator(realm: "pstn.test", secret: Array("secret".utf8), algorithms: [.md5])
        let request = Self.invite()
        var response = SIPResponse(to: request, statusCode: 407, reason: nil, toTag: "t1")
        for value in trunk.challenges(now: 1_000) { response.headers.add("Proxy-Authenticate", value) }
        let retry = try #require(Self.agent().authorize(request, response: response, credentials: DigestCredentials(username: "hotline", password: "pw"),
                                                        sequence: 7))
        let value = try #require(retry.headers["proxy-authorization"])
        #expect(try DigestParameters(parsing: value).algorithm == .md5)
        #expect(try retry.cseq().number == 7)
        #expect(trunk.verify(value, method: .invite, now: 1_000) { _ in "pw" } == .authenticated(username: "hotline"))
    }

    @Test func unsupportedChallengeGivesNoRetry() {
        let request = Self.invite()
        var response = SIPResponse(to: request, statusCode: 407, reason: nil, toTag: "t1")
        response.headers.add("Proxy-Authenticate", "Digest realm=\"x\", nonce=\"n\", algorithm=SHA-512-256")
        #expect(Self.agent().authorize(request, response: response, credentials: DigestCredentials(username: "u", password: "p"), sequence: 2) == nil)
    }
}
