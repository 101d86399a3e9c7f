import Testing
@testable import HotlineSIP

@Suite struct ClientNonInviteTransactionStateMachineTests {
    @Test func timerECapsAtT2AndFTimesOut() {
        var machine = ClientNonInviteTransactionStateMachine(request: TestMessages.request(.options), reliable: false)
        var driver = ManualTransactionDriver()
        driver.apply(machine.handle(.start))
        driver.advance(by: .seconds(33)) { machine.handle($0) }
        let times = driver.sent.map(\.0)
        #expect(Array(times.prefix(6)) == [.zero, .milliseconds(500), .milliseconds(1500), .milliseconds(3500),
                                           .milliseconds(7500), .milliseconds(11500)])
        #expect(driver.timedOut)
        #expect(machine.state == .terminated)
    }

    @Test func finalResponseThenTimerK() {
        let request = TestMessages.request(.bye)
        var machine = ClientNonInviteTransactionStateMachine(request: request, reliable: false)
        var driver = ManualTransactionDriver()
        driver.apply(machine.handle(.start))
        driver.apply(machine.handle(.receivedResponse(TestMessages.response(100, to: request))))
        driver.advance(by: .seconds(6)) { machine.handle($0) }
        #expect(machine.state == .proceeding)
        driver.apply(machine.handle(.receivedResponse(TestMessages.response(200, to: request))))
        #expect(machine.state == .completed)
        let sentBefore = driver.sent.count
        driver.advance(by: .seconds(5)) { machine.handle($0) }
        #expect(machine.state == .terminated)
        #expect(driver.sent.count == sentBefore)
        #expect(driver.passed.map(\.statusCode) == [100, 200])
    }

    @Test func transportErrorTerminates() {
        var machine = ClientNonInviteTransactionStateMachine(request: TestMessages.request(.register), reliable: true)
        var driver = ManualTransactionDriver()
        driver.apply(machine.handle(.start))
        driver.apply(machine.handle(.transportError))
        #expect(driver.transportFailed && driver.terminated)
    }
}
