import Testing
@testable import HotlineSIP

@Suite struct ClientInviteTransactionStateMachineTests {
    @Test func retransmitsWithTimerADoublingThenTimesOutWithB() {
        var machine = ClientInviteTransactionStateMachine(request: TestMessages.invite(), reliable: false)
        var driver = ManualTransactionDriver()
        driver.apply(machine.handle(.start))
        driver.advance(by: .seconds(40)) { machine.handle($0) }
        // Sent at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; Timer B fires at 32 s.
        #expect(driver.sent.map(\.0) == [.zero, .milliseconds(500), .milliseconds(1500), .milliseconds(3500),
                                         .milliseconds(7500), .milliseconds(15500), .milliseconds(31500)])
        #expect(driver.timedOut)
        #expect(driver.terminated)
        #expect(machine.state == .terminated)
    }

    @Test func reliableTransportDoesNotRetransmit() {
        var machine = ClientInviteTransactionStateMachine(request: TestMessages.invite(), reliable: true)
        var driver = ManualTransactionDriver()
        driver.apply(machine.handle(.start))
        driver.advance(by: .seconds(10)) { machine.handle($0) }
        #expect(driver.sent.count == 1)
        #expect(!driver.timedOut)
    }

    @Test func provisionalStopsRetransmissionAndSuccessEntersAccepted() {
        let invite = TestMessages.invite()
        var machine = ClientInviteTransactionStateMachine(request: invite, reliable: false)
        var driver = ManualTransactionDriver()
        driver.apply(machine.handle(.start))
        driver.apply(machine.handle(.receivedResponse(TestMessages.response(180, to: invite))))
        #expect(machine.state == .proceeding)
        driver.advance(by: .seconds(5)) { machine.handle($0) }
        #expect(driver.sent.count == 1)
        driver.apply(machine.handle(.receivedResponse(TestMessages.response(200, to: invite))))
        #expect(machine.state == .accepted)
        // A retransmitted 2xx goes up to the TU so it can re-send its ACK (RFC 6026).
        driver.apply(machine.handle(.receivedResponse(TestMessages.response(200, to: invite))))
        #expect(driver.passed.map(\.statusCode) == [180, 200, 200])
        driver.advance(by: .seconds(32)) { machine.handle($0) }
        #expect(machine.state == .terminated)
        #expect(!driver.timedOut)
    }

    @Test func failureIsAcknowledgedAndRetransmissionsReAcked() throws {
        let invite = TestMessages.invite()
        var machine = ClientInviteTransactionStateMachine(request: invite, reliable: false)
        var driver = ManualTransactionDriver()
        driver.apply(machine.handle(.start))
        driver.apply(machine.handle(.receivedResponse(TestMessages.response(486, to: invite))))
        #expect(machine.state == .completed)
        driver.apply(machine.handle(.receivedResponse(TestMessages.response(486, to: invite))))
        let acks = driver.sent.compactMap { if case .request(let r) = $0.1, r.method == .ack { r } else { nil } }
        #expect(acks.count == 2)
        #expect(try acks[0].topVia().branch == "z9hG4bKabc")
        #expect(try acks[0].cseq() == CSeq(1, .ack))
        #expect(try acks[0].to().tag == "b1")
        #expect(driver.passed.count == 1)
        driver.advance(by: .seconds(32)) { machine.handle($0) }
        #expect(machine.state == .terminated)
    }
}
