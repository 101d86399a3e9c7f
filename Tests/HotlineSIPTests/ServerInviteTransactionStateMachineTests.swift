import Testing
@testable import HotlineSIP

@Suite struct ServerInviteTransactionStateMachineTests {
    @Test func failureRetransmittedWithGUntilAck() {
        let invite = TestMessages.invite()
        var machine = ServerInviteTransactionStateMachine(request: invite, reliable: false)
        var driver = ManualTransactionDriver()
        driver.apply(machine.handle(.respond(TestMessages.response(486, to: invite))))
        driver.advance(by: .milliseconds(3600)) { machine.handle($0) }
        // 0, 0.5, 1.5, 3.5 s
        #expect(driver.sent.count == 4)
        var ack = TestMessages.request(.ack, branch: "z9hG4bKabc")
        ack.headers.set("CSeq", "1 ACK")
        driver.apply(machine.handle(.receivedRequest(ack)))
        #expect(machine.state == .confirmed)
        driver.advance(by: .seconds(10)) { machine.handle($0) }
        #expect(driver.sent.count == 4)
        #expect(machine.state == .terminated)
        #expect(!driver.timedOut)
    }

    @Test func noAckTimesOutWithH() {
        let invite = TestMessages.invite()
        var machine = ServerInviteTransactionStateMachine(request: invite, reliable: false)
        var driver = ManualTransactionDriver()
        driver.apply(machine.handle(.respond(TestMessages.response(603, to: invite))))
        driver.advance(by: .seconds(33)) { machine.handle($0) }
        #expect(driver.timedOut)
        #expect(machine.state == .terminated)
    }

    @Test func retransmittedInviteGetsLastResponseAndAcceptedAbsorbs() {
        let invite = TestMessages.invite()
        var machine = ServerInviteTransactionStateMachine(request: invite, reliable: false)
        var driver = ManualTransactionDriver()
        driver.apply(machine.handle(.receivedRequest(invite)))
        #expect(driver.sent.isEmpty)
        driver.apply(machine.handle(.respond(TestMessages.response(180, to: invite))))
        driver.apply(machine.handle(.receivedRequest(invite)))
        #expect(driver.sent.count == 2)
        driver.apply(machine.handle(.respond(TestMessages.response(200, to: invite))))
        #expect(machine.state == .accepted)
        driver.apply(machine.handle(.receivedRequest(invite)))
        #expect(driver.sent.count == 3)
        driver.advance(by: .seconds(32)) { machine.handle($0) }
        #expect(machine.state == .terminated)
    }
}
