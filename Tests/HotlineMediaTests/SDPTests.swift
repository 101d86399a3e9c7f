import Testing

@testable import HotlineMedia

@Suite struct SDPTests {
    /// An offer as baresip/Asterisk-style phones send it (LF and CRLF mixed on purpose).
    let phoneOffer = """
        v=0\r
        o=- 4858 4859 IN IP4 192.0.2.10\r
        s=Talk\r
        c=IN IP4 192.0.2.10\r
        b=AS:80\r
        t=0 0\r
        a=tool:test\r
        m=audio 7078 RTP/AVP 0 8 18 101\r
        a=rtpmap:18 G729/8000\r
        a=rtpmap:101 telephone-event/8000\r
        a=fmtp:101 0-15\r
        a=ptime:20\r
        m=video 9078 RTP/AVP 96
        a=rtpmap:96 VP8/90000

        """

    @Test func parsesAndKeepsEverything() throws {
        let sdp = try SessionDescription(parsing: phoneOffer)
        #expect(sdp.origin.sessionID == 4858)
        #expect(sdp.origin.sessionVersion == 4859)
        #expect(sdp.origin.address.address == "192.0.2.10")
        #expect(sdp.sessionName == "Talk")
        #expect(sdp.connection?.address == "192.0.2.10")
        #expect(sdp.otherLines == [.init(type: "b", value: "AS:80")])
        #expect(sdp.attributes == [.init("tool", "test")])
        #expect(sdp.media.count == 2)
        let audio = sdp.media[0]
        #expect(audio.port == 7078)
        #expect(audio.formats == ["0", "8", "18", "101"])
        #expect(audio.rtpMap(for: 101)?.encodingName == "telephone-event")
        #expect(audio.formatParameters(for: 101) == "0-15")
        #expect(audio.packetTime == 20)
        #expect(sdp.direction(of: audio) == .sendrecv)
        let again = try SessionDescription(parsing: sdp.text)
        #expect(again == sdp)
        #expect(sdp.text.hasPrefix("v=0\r\no=- 4858 4859 IN IP4 192.0.2.10\r\ns=Talk\r\nc=IN IP4 192.0.2.10\r\nb=AS:80\r\nt=0 0\r\n"))
    }

    @Test(arguments: [
        ("", 1, "v=0"),
        ("v=1\r\n", 1, "v=0"),
        ("v=0\r\ns=x\r\n", 2, "o="),
        ("v=0\r\no=- x 1 IN IP4 1.2.3.4\r\n", 2, "o="),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4\r\n", 3, "c="),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nt=0\r\n", 3, "t="),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 70000 RTP/AVP 0\r\n", 3, "port"),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 7000\r\n", 3, "m="),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ngarbage\r\n", 3, "<type>=<value>"),
        ("v=0\r\nv=0\r\n", 2, "twice"),
    ] as [(String, Int, String)])
    func badLinesAreNamed(text: String, line: Int, mentions: String) {
        do {
            _ = try SessionDescription(parsing: text)
            Issue.record("parsed \(text.debugDescription)")
        } catch {
            #expect(error.line == line)
            #expect(error.description.contains(mentions), "\(error)")
        }
    }

    @Test func answerPicksOfferersFirstG711AndTelephoneEvent() throws {
        let offer = try SessionDescription(parsing: phoneOffer)
        let (answer, audio) = try OfferAnswer.answer(
            to: offer, capabilities: AudioCapabilities(), address: "198.51.100.7", port: 40000, sessionID: 99)
        #expect(audio.codec == .muLaw)  // the offer lists 0 before 8
        #expect(audio.payloadType == 0)
        #expect(audio.telephoneEventPayloadType == 101)
        #expect(audio.telephoneEvents.description == "0-15")
        #expect(audio.remoteAddress == "192.0.2.10")
        #expect(audio.remotePort == 7078)
        #expect(audio.direction == .sendrecv)
        #expect(!audio.heldByPeer)
        #expect(answer.media.count == 2)
        #expect(answer.media[1].port == 0)  // video rejected, order kept
        #expect(answer.media[0].formats == ["0", "101"])
        let reparsed = try SessionDescription(parsing: answer.text)
        let offererView = try OfferAnswer.negotiate(offer: offer, answer: reparsed)
        #expect(offererView.codec == .muLaw)
        #expect(offererView.remotePort == 40000)
        #expect(offererView.remoteAddress == "198.51.100.7")
        #expect(offererView.telephoneEventPayloadType == 101)
    }

    @Test func offerRoundTripWithDynamicTelephoneEvent() throws {
        var capabilities = AudioCapabilities(codecs: [.aLaw], telephoneEventPayloadType: 96)
        capabilities.packetTime = 30
        let offer = OfferAnswer.offer(capabilities: capabilities, address: "127.0.0.1", port: 5004, sessionID: 7)
        let text = offer.text
        #expect(text.contains("m=audio 5004 RTP/AVP 8 96\r\n"))
        #expect(text.contains("a=rtpmap:96 telephone-event/8000\r\n"))
        #expect(text.contains("a=fmtp:96 0-16\r\n"))
        #expect(text.contains("a=ptime:30\r\n"))
        let parsed = try SessionDescription(parsing: text)
        let (answer, answerer) = try OfferAnswer.answer(
            to: parsed, capabilities: AudioCapabilities(), address: "127.0.0.1", port: 6004, sessionID: 8)
        #expect(answerer.codec == .aLaw)
        #expect(answerer.packetTime == 30)
        #expect(answerer.telephoneEvents.description == "0-16")
        let offerer = try OfferAnswer.negotiate(offer: offer, answer: answer)
        #expect(offerer.codec == .aLaw)
        #expect(offerer.packetTime == 30)
        #expect(offerer.telephoneEventPayloadType == 96)
    }

    @Test(arguments: [
        (MediaDirection.sendrecv, MediaDirection.sendrecv, false),
        (.sendonly, .recvonly, true),
        (.recvonly, .sendonly, false),
        (.inactive, .inactive, true),
    ])
    func holdDirectionsAreMirrored(offered: MediaDirection, answered: MediaDirection, held: Bool) throws {
        let offer = OfferAnswer.offer(
            capabilities: AudioCapabilities(), address: "10.0.0.1", port: 4000, direction: offered, sessionID: 1)
        let (answer, audio) = try OfferAnswer.answer(
            to: offer, capabilities: AudioCapabilities(), address: "10.0.0.2", port: 5000, sessionID: 2)
        #expect(audio.direction == answered)
        #expect(audio.heldByPeer == held)
        #expect(answer.media[0].explicitDirection == answered)
        let offerer = try OfferAnswer.negotiate(offer: offer, answer: answer)
        #expect(offerer.direction == offered)
    }

    @Test func answererOnHoldNarrowsTheDirection() throws {
        let offer = OfferAnswer.offer(capabilities: AudioCapabilities(), address: "10.0.0.1", port: 4000, sessionID: 1)
        let (_, audio) = try OfferAnswer.answer(
            to: offer, capabilities: AudioCapabilities(), address: "10.0.0.2", port: 5000, direction: .sendonly,
            sessionID: 2)
        #expect(audio.direction == .sendonly)
    }

    /// RFC 3264 §8.4 / RFC 2543 hold: `c=0.0.0.0` means "do not send to me".
    @Test func oldStyleHoldAddress() throws {
        let text = """
            v=0\r
            o=- 1 2 IN IP4 10.0.0.1\r
            s=-\r
            c=IN IP4 0.0.0.0\r
            t=0 0\r
            m=audio 4000 RTP/AVP 8\r

            """
        let (answer, audio) = try OfferAnswer.answer(
            to: try SessionDescription(parsing: text), capabilities: AudioCapabilities(), address: "10.0.0.2",
            port: 5000, sessionID: 2)
        #expect(audio.heldByPeer)
        #expect(!audio.direction.sends)
        #expect(audio.direction == .recvonly)
        #expect(audio.telephoneEventPayloadType == nil)
        #expect(answer.media[0].explicitDirection == .recvonly)
    }

    @Test func noCommonCodecIsRefusedWith488Advice() throws {
        let text = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18 9\r\n"
        #expect(throws: SDPNegotiationError.noCommonCodec(offered: ["18", "9"])) {
            try OfferAnswer.answer(
                to: try SessionDescription(parsing: text), capabilities: AudioCapabilities(), address: "10.0.0.2",
                port: 5000, sessionID: 2)
        }
        #expect(SDPNegotiationError.noCommonCodec(offered: ["18"]).description.contains("488"))
    }

    @Test func missingConnectionIsRefused() throws {
        let text = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
        #expect(throws: SDPNegotiationError.missingConnection(mediaIndex: 0)) {
            try OfferAnswer.answer(
                to: try SessionDescription(parsing: text), capabilities: AudioCapabilities(), address: "10.0.0.2",
                port: 5000, sessionID: 2)
        }
    }

    @Test func rejectedAnswerIsAMismatch() throws {
        let offer = OfferAnswer.offer(capabilities: AudioCapabilities(), address: "10.0.0.1", port: 4000, sessionID: 1)
        var answer = offer
        answer.media[0].port = 0
        #expect(throws: SDPNegotiationError.self) { try OfferAnswer.negotiate(offer: offer, answer: answer) }
        answer.media.append(answer.media[0])
        #expect(throws: SDPNegotiationError.self) { try OfferAnswer.negotiate(offer: offer, answer: answer) }
    }

    @Test func dynamicallyMappedG711IsRecognised() throws {
        let text = """
            v=0\r
            o=- 1 1 IN IP4 10.0.0.1\r
            s=-\r
            c=IN IP4 10.0.0.1\r
            t=0 0\r
            m=audio 4000 RTP/AVP 97 98\r
            a=rtpmap:97 opus/48000/2\r
            a=rtpmap:98 pcma/8000\r

            """
        let (_, audio) = try OfferAnswer.answer(
            to: try SessionDescription(parsing: text), capabilities: AudioCapabilities(), address: "10.0.0.2",
            port: 5000, sessionID: 2)
        #expect(audio.codec == .aLaw)
        #expect(audio.payloadType == 98)
        #expect(audio.packetTime == 20)
    }

    @Test(arguments: [("0-15", "0-15"), ("0-16,32,36", "0-16,32,36"), ("0,1,2,3", "0-3"), ("16", "16")])
    func telephoneEventSets(fmtp: String, normalised: String) throws {
        let set = try #require(TelephoneEventSet(fmtp: fmtp))
        #expect(set.description == normalised)
    }

    @Test(arguments: ["a-b", "5-1", "0-300", "1--2"])
    func badTelephoneEventSets(fmtp: String) {
        #expect(TelephoneEventSet(fmtp: fmtp) == nil)
    }
}
