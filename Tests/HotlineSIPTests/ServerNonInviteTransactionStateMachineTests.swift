import Testing
@testable import HotlineSIP

@Suite struct ServerNonInviteTransactionStateMachineTests {
    @Test func absorbsRetransmissionsAndEndsWithJ() {
        let request = TestMessages.request(.options)
        var machine = ServerNonInviteTransactionStateMachine(request: request, reliable: false)
        var driver = ManualTransactionDriver()
        driver.apply(machine.handle(.receivedRequest(request)))
        #expect(driver.sent.isEmpty)
        driver.apply(machine.handle(.respond(TestMessages.response(200, to: request))))
        driver.apply(machine.handle(.receivedRequest(request)))
        #expect(driver.sent.count == 2)
        driver.advance(by: .seconds(31)) { machine.handle($0) }
        #expect(machine.state == .completed)
        driver.advance(by: .seconds(2)) { machine.handle($0) }
        #expect(machine.state == .terminated)
    }

    @Test func reliableEndsAtOnce() {
        let request = TestMessages.request(.register)
        var machine = ServerNonInviteTransactionStateMachine(request: request, reliable: true)
        var driver = ManualTransactionDriver()
        driver.apply(machine.handle(.respond(TestMessages.response(200, to: request))))
        #expect(driver.terminated)
    }
}
