import Foundation
import HotlineCore
import Testing
@testable import HotlineIVR

private func p(_ name: String) -> PromptDefinition { PromptDefinition(name, zh: "\(name)-中文", en: "\(name)-en") }

/// A flow with nested menus, collect, lookup, authentication, record, queue, rating, sub-flow.
private let mainFlow = Flow("main", start: "welcome") {
    for name in ["welcome", "menu", "sub-menu", "deep-menu", "invalid", "silence", "ask", "bad", "confirm",
                 "ask-number", "ask-pin", "wrong", "locked", "result", "vm", "vm-confirm", "queue", "rate",
                 "thanks", "complaint", "bye", "nope", "english-only", "sub-hello"] {
        p(name)
    }
    Node.play("welcome", prompts: ["welcome"], bargeIn: true, next: "menu")
    Node.menu("menu", .init(prompt: "menu", options: ["1": .goto("sub-menu"), "2": .goto("ask"), "3": .goto("ask-number"),
                                                      "4": .goto("vm"), "5": .goto("queue"), "6": .goto("sub"),
                                                      "7": .goto("to-english"), "8": .goto("transfer"), "*": .repeat],
                            timeout: .seconds(5), retries: 2, invalidPrompt: "invalid", noInputPrompt: "silence",
                            onFailure: "queue"))
    Node.menu("sub-menu", .init(prompt: "sub-menu", options: ["1": .goto("deep-menu"), "0": .back]))
    Node.menu("deep-menu", .init(prompt: "deep-menu", options: ["0": .back, "9": .top]))
    Node.collect("ask", .init(prompt: "ask", variable: "figure", minLength: 2, maxLength: 6, terminator: "#",
                              firstDigitTimeout: .seconds(8), interDigitTimeout: .seconds(3), validation: .amount,
                              retries: 1, invalidPrompt: "bad", confirmPrompt: "confirm", next: "report", onFailure: "bye"))
    Node.lookup("report", .init(.reportFigure, arguments: ["figure": .variable("figure")], next: "result", onFailure: "bye"))
    Node.play("result", prompts: ["result"], next: "bye")
    Node.collect("ask-number", .init(prompt: "ask-number", variable: "taxpayerNumber", minLength: 18, maxLength: 18,
                                     validation: .taxpayerNumber, retries: 2, invalidPrompt: "bad", next: "ask-pin"))
    Node.collect("ask-pin", .init(prompt: "ask-pin", variable: "pin", minLength: 6, maxLength: 6, next: "auth"))
    Node.authenticate("auth", .init(maxAttempts: 3, failurePrompt: "wrong", lockedPrompt: "locked", next: "arrears",
                                    retry: "ask-number", onLockedOut: "bye"))
    Node.lookup("arrears", .init(.arrears, next: "has-arrears", onNotFound: "bye", onFailure: "bye"))
    Node.branch("has-arrears", on: .flag("arrears.hasArrears"), cases: ["true": "result"], otherwise: "bye")
    Node.record("vm", .init(prompt: "vm", purpose: "voicemail", maxDuration: .seconds(60), confirmPrompt: "vm-confirm", next: "bye"))
    Node.enqueue("queue", .init(queue: "consultation", priority: 1, priorityByCategory: ["vip": 9], skills: ["tax-policy"],
                                prompt: "queue", afterCall: "rate", onUnavailable: "vm"))
    Node.rating("rate", .init(prompt: "rate", retries: 1, invalidPrompt: "invalid", thanksPrompt: "thanks",
                              complaint: "complaint-record", next: "bye"))
    Node.record("complaint-record", .init(prompt: "complaint", purpose: "complaint", next: "bye"))
    Node.subflow("sub", flow: "helper", next: "menu")
    Node.setLanguage("to-english", .english, next: "menu")
    Node.transfer("transfer", .init(number: "13911112222", afterCall: "bye", onUnavailable: "nope-node"))
    Node.hangUp("nope-node", prompt: "nope", reason: "transfer-failed")
    Node.hangUp("bye", prompt: "bye", reason: "completed")
}

private let helperFlow = Flow("helper", start: "hello") {
    PromptDefinition("sub-hello", zh: "子流程", en: "sub-flow")
    Node.play("hello", prompts: ["sub-hello"], next: "mark")
    Node.set("mark", "visited", to: .literal(.flag(true)), next: "jump")
    Node.goto("jump", "done")
    Node.returnFromSubflow("done")
}

private let workday = instant("2026-12-01T09:30:00+08:00")  // a Tuesday
private func mainSet(filter: CallerFilter = CallerFilter()) -> FlowSet {
    FlowSet(flows: [mainFlow, helperFlow], routes: ["12366": "main"], callerFilter: filter)
}

@Suite struct CallFlowStateMachineTests {
    @Test func theTestFlowSetIsValid() {
        #expect(mainSet().validate() == [])
    }

    @Test func playThenMenuOptionThenBackAndTop() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.press("1")
        host.press("1")
        #expect(host.machine.position.node == "deep-menu")
        host.press("0")  // back to sub-menu
        #expect(host.machine.position.node == "sub-menu")
        host.press("1")
        host.press("9")  // top: the first menu of the flow
        #expect(host.machine.position.node == "menu")
        #expect(host.played == ["welcome", "menu", "sub-menu", "deep-menu", "sub-menu", "deep-menu", "menu"])
        #expect(host.completions.contains("deep-menu:top"))
    }

    @Test func bargeInStopsThePromptAndKeepsTheKeyForTheMenu() {
        var host = Host(mainSet(), at: workday)
        host.start()
        guard case .prompt(let welcomeID) = host.machine.waiting else { Issue.record("not playing"); return }
        host.pressNow("1")  // during the welcome prompt
        #expect(host.stopped == [welcomeID])
        #expect(host.machine.position.node == "sub-menu")
        #expect(!host.played.contains("menu"))  // type-ahead skipped the menu prompt
    }

    @Test func keysTypedAheadCarryThroughNestedMenusAndIntoCollect() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.pressNow("1")  // during the welcome prompt
        host.pressNow("1")  // during the sub-menu prompt
        #expect(host.machine.position.node == "deep-menu")
        #expect(host.played == ["welcome", "sub-menu", "deep-menu"])

        var collecting = Host(mainSet(), at: workday)
        collecting.start()
        for key in "212#" { collecting.pressNow(key) }  // menu 2, then the figure 12 and #
        #expect(collecting.machine.variables["figure"] == .money(fen: 1200))
        #expect(collecting.played.last == "confirm")
    }

    @Test func keysTypedDuringTwoPromptsFillTheNextCollect() {
        let flow = Flow("main", start: "a") {
            PromptDefinition("x", zh: "x", en: "x")
            Node.play("a", prompts: ["x"], next: "b")
            Node.play("b", prompts: ["x"], next: "pin")
            Node.collect("pin", .init(prompt: "x", variable: "pin", minLength: 2, maxLength: 2, next: "menu"))
            Node.menu("menu", .init(prompt: "x", options: ["5": .goto("bye")]))
            Node.hangUp("bye")
        }
        var host = Host(flowSet(flow), at: workday)
        host.start()
        host.pressNow("4")  // stops a; kept
        host.pressNow("2")  // stops b; kept
        #expect(host.machine.variables["pin"] == .text("42"))
        #expect(host.machine.position.node == "menu")
        #expect(host.played == ["x", "x", "x"])  // a, b, then the menu: the collect needed no prompt
        host.press("5")
        #expect(host.outcome == .hungUp(reason: "completed"))
    }

    @Test func keysDuringAPromptWithoutBargeInAreIgnored() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.press("4")  // voicemail: its prompt has no barge-in
        guard case .prompt = host.machine.waiting else { Issue.record("not playing"); return }
        host.pressNow("1")
        #expect(host.stopped.isEmpty)
        #expect(host.machine.position.node == "vm")
    }

    @Test func menuTimeoutsAndInvalidKeysRetryThenFail() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.waitForTimeout()
        host.press("0")  // no option 0
        host.waitForTimeout()  // third failure > 2 retries → on-failure (queue)
        #expect(host.played == ["welcome", "menu", "silence", "menu", "invalid", "menu", "queue"])
        #expect(host.completions == ["menu:no-input", "menu:invalid", "menu:failed"])
        host.finishPrompts()
        #expect(host.machine.waiting == .handoff)
    }

    @Test func repeatPlaysTheMenuAgain() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.press("*")
        host.finishPrompts()
        #expect(host.played == ["welcome", "menu", "menu"])
        #expect(host.completions == ["menu:repeat"])
    }

    @Test func collectWithTerminatorConfirmationAndReport() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.press("2")
        host.press("123*5#")
        #expect(host.machine.variables["figure"] == .money(fen: 12350))
        #expect(host.played.last == "confirm")
        host.press("2")  // re-enter
        host.press("88#")
        host.press("1")  // confirm
        #expect(host.lastLookup?.function == .reportFigure)
        #expect(host.lastLookup?.arguments["figure"] == .money(fen: 8800))
        host.answer(.ok, ["receipt": .number(7)])
        #expect(host.machine.variables["report-figure.receipt"] == .number(7))
        #expect(host.machine.position.node == "result")
    }

    @Test func collectInterDigitTimeoutEndsInputWhenLongEnough() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.press("2")
        host.press("45")
        host.advance(by: .seconds(3))
        #expect(host.machine.variables["figure"] == .money(fen: 4500))
    }

    @Test func collectTooShortThenSilenceFails() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.press("2")
        host.press("4#")  // shorter than min-length 2
        host.waitForTimeout()  // second failure > 1 retry
        #expect(host.completions.suffix(2) == ["ask:too-short", "ask:failed"])
        #expect(host.machine.position.node == "bye")
    }

    @Test func taxpayerNumberValidationAndWrongPINLockOut() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.press("3")
        let bad = String(digitCreditCode.dropLast()) + (digitCreditCode.last == "0" ? "1" : "0")
        host.press(bad)
        #expect(host.completions.last == "ask-number:invalid")
        for attempt in 1...3 {
            host.press(digitCreditCode)
            host.press("000000")
            #expect(host.lastLookup?.function == .authenticate)
            #expect(host.lastLookup?.arguments["taxpayerNumber"] == .text(digitCreditCode))
            host.answer(.rejected)
            #expect(host.completions.last == (attempt < 3 ? "auth:rejected" : "auth:locked-out"))
        }
        host.finishPrompts()
        #expect(host.played.filter { $0 == "wrong" }.count == 2)
        #expect(host.played.contains("locked"))
        #expect(host.outcome == .hungUp(reason: "completed"))
        let selfService = host.events.compactMap { if case .selfServiceUsed(let e) = $0 { e.outcome } else { nil } }
        #expect(selfService == ["rejected", "rejected", "locked-out"])
    }

    @Test func successfulAuthenticationPassesTheTaxpayerToLookups() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.press("3")
        host.press("11010519491231002*")  // star for the check character X
        host.press("123456")
        host.answer(.ok)
        #expect(host.machine.variables["taxpayer"] == .text("11010519491231002X"))
        #expect(host.lastLookup?.function == .arrears)
        #expect(host.lastLookup?.arguments["taxpayer"] == .text("11010519491231002X"))
        host.answer(.ok, ["hasArrears": .flag(true), "total": .money(fen: 12345)])
        #expect(host.machine.position.node == "result")
        // A result nobody asked for is ignored.
        #expect(host.send { .lookupFinished(LookupResult(requestID: 999, status: .ok), at: $0) }.isEmpty)
        #expect(host.machine.position.node == "result")
    }

    @Test func providerReportsTheAccountLocked() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.press("3")
        host.press(digitCreditCode)
        host.press("123456")
        host.answer(.locked)
        #expect(host.completions.last == "auth:locked")
        #expect(host.played.last == "locked")
    }

    @Test func recordConfirmReRecordAndKeep() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.press("4")
        host.finishPrompts()
        #expect(host.machine.waiting == .recording)
        host.send { .recordingFinished(RecordingInfo(reference: "r1.wav", duration: .seconds(12)), at: $0) }
        host.press("2")  // record again
        #expect(host.actions.contains(.discardRecording("r1.wav")))
        host.finishPrompts()
        host.send { .recordingFinished(RecordingInfo(reference: "r2.wav", duration: .seconds(9)), at: $0) }
        host.press("1")
        #expect(host.machine.variables["recording"] == .text("r2.wav"))
        let recorded = host.events.compactMap { if case .messageRecorded(let e) = $0 { e } else { nil } }
        #expect(recorded.map(\.reference) == ["r2.wav"])
        #expect(recorded.first?.durationMilliseconds == 9000)
    }

    @Test func hangingUpAfterRecordingKeepsTheMessage() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.press("4")
        host.finishPrompts()
        host.send { .recordingFinished(RecordingInfo(reference: "r1.wav", duration: .seconds(30)), at: $0) }
        host.send { .hangUp(at: $0) }
        let recorded = host.events.compactMap { if case .messageRecorded(let e) = $0 { e.reference } else { nil } }
        #expect(recorded == ["r1.wav"])
        #expect(host.outcome == .callerHungUp(flow: "main", node: "vm"))
    }

    @Test func vipCallerIsQueuedWithHigherPriorityThenRatesAndComplains() {
        let filter = CallerFilter(categories: [CallerCategoryRule(number: "13811112222", category: "vip")])
        var host = Host(mainSet(filter: filter), at: workday)
        host.start(caller: "13811112222")
        host.press("5")
        host.finishPrompts()
        let queued = host.actions.compactMap { if case .enqueue(let q) = $0 { q } else { nil } }
        #expect(queued == [QueueRequest(queue: "consultation", priority: 9, skills: ["tax-policy"], callerCategory: "vip", language: .mandarin)])
        host.send { .handoffEnded(.agentHungUp(agent: "1001"), at: $0) }
        #expect(host.machine.position.node == "rate")
        host.press("7")  // invalid
        host.press("0")  // complaint
        let ratings = host.events.compactMap { if case .ratingGiven(let e) = $0 { e } else { nil } }
        #expect(ratings == [RatingGiven(callID: "c1", agent: "1001", rating: "complaint")])
        #expect(host.machine.position.node == "complaint-record")
    }

    @Test(arguments: [("1", "satisfied"), ("2", "average"), ("3", "dissatisfied")])
    func ratingThanksAndEnds(key: Character, rating: String) {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.press("5")
        host.finishPrompts()
        host.send { .handoffEnded(.agentHungUp(agent: nil), at: $0) }
        host.press(String(key))
        host.finishPrompts()
        #expect(host.machine.variables["rating"] == .text(rating))
        #expect(host.played.suffix(2) == ["thanks", "bye"])
        #expect(host.outcome == .hungUp(reason: "completed"))
    }

    @Test func queueUnavailableGoesToVoicemail() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.press("5")
        host.finishPrompts()
        host.send { .handoffEnded(.unavailable(reason: "all busy"), at: $0) }
        #expect(host.machine.position.node == "vm")
    }

    @Test func transferThenFailure() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.press("8")
        #expect(host.actions.contains(.transfer(to: "13911112222")))
        host.send { .handoffEnded(.unavailable(reason: "no answer"), at: $0) }
        host.finishPrompts()
        #expect(host.outcome == .hungUp(reason: "transfer-failed"))
        #expect(host.actions.contains(.hangUp(reason: "transfer-failed")))
    }

    @Test func subflowSetsAVariableJumpsAndReturns() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.press("6")
        host.finishPrompts()
        #expect(host.machine.variables["visited"] == .flag(true))
        #expect(host.machine.position == ("main", "menu"))
        #expect(host.entered.suffix(5) == ["hello", "mark", "jump", "done", "menu"])
    }

    @Test func languageSwitchPlaysEnglishVariants() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.press("7")
        host.finishPrompts()
        let last = host.playbacks.last
        #expect(last?.language == .english)
        #expect(last?.items == [.text("menu-en")])
        #expect(host.playbacks.first?.items == [.text("welcome-中文")])
    }

    @Test func callerHangUpEndsTheCallWithoutAHangUpAction() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.finishPrompts()
        let pendingTimer = host.timers.keys.first
        host.send { .hangUp(at: $0) }
        #expect(host.outcome == .callerHungUp(flow: "main", node: "menu"))
        #expect(!host.actions.contains { if case .hangUp = $0 { true } else { false } })
        if let pendingTimer { #expect(host.actions.contains(.cancelTimer(pendingTimer))) }
        // Late events are ignored.
        #expect(host.send { .digit("1", at: $0) }.isEmpty)
        #expect(host.send { .hangUp(at: $0) }.isEmpty)
    }

    @Test func staleTimersAreIgnored() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.finishPrompts()
        guard case .digits(let timer) = host.machine.waiting else { Issue.record("not waiting"); return }
        host.press("1")
        #expect(host.send { .timeout(timer, at: $0) }.isEmpty)
        #expect(host.machine.position.node == "sub-menu")
    }

    @Test func unknownDialledNumberHasNoRoute() {
        var host = Host(mainSet(), at: workday)
        host.start(did: "95566")
        #expect(host.outcome == .noRoute(dialledNumber: "95566"))
        #expect(host.actions.contains(.hangUp(reason: "no-route")))
    }

    @Test func everyStepEmitsEvents() {
        var host = Host(mainSet(), at: workday)
        host.start()
        host.press("1")
        let types = host.events.map(\.eventType)
        #expect(types.first == "ivr.call.started")
        #expect(types.contains("ivr.node.entered"))
        #expect(types.contains("ivr.input.received"))
        #expect(types.contains("ivr.node.completed"))
        for event in host.events {
            #expect((try? event.recorded(callID: "c1", occurredAt: workday))?.subject == "call:c1")
        }
    }
}

@Suite struct BranchTests {
    /// Weekdays 09:00–17:00; Thursday 2026-10-01 a holiday; Saturday 2026-10-10 a make-up day.
    static let calendar = BusinessCalendar(
        timeZoneIdentifier: "Asia/Shanghai",
        weeklyHours: Dictionary(uniqueKeysWithValues: [Weekday.monday, .tuesday, .wednesday, .thursday, .friday].map {
            ($0, [WorkingPeriod(start: .init(hour: 9), end: .init(hour: 17))])
        }),
        holidays: [LocalDate("2026-10-01")!: "国庆节"],
        makeUpWorkingDays: [LocalDate("2026-10-10")!: .friday])

    static let flow = Flow("main", start: "by-blacklist") {
        PromptDefinition("x", zh: "x", en: "x")
        Node.branch("by-blacklist", on: .blacklist, cases: ["refuse": "refused", "warn": "warned"], otherwise: "by-schedule")
        Node.hangUp("refused", reason: "blacklisted")
        Node.hangUp("warned", reason: "warned")
        Node.branch("by-schedule", on: .schedule("office"), cases: ["open": "open", "holiday": "holiday"], otherwise: "closed")
        Node.hangUp("open", reason: "open")
        Node.hangUp("holiday", reason: "holiday")
        Node.hangUp("closed", reason: "closed")
    }

    static func run(caller: String = "13800138000", at date: Date, blacklist: [BlacklistEntry] = []) -> CallOutcome? {
        var host = Host(flowSet(flow, schedules: ["office": calendar], filter: CallerFilter(blacklist: blacklist)), at: date)
        host.start(caller: caller)
        return host.outcome
    }

    @Test(arguments: [
        ("2026-09-30T10:00:00+08:00", "open"),      // Wednesday
        ("2026-10-01T10:00:00+08:00", "holiday"),   // Thursday, National Day
        ("2026-10-03T10:00:00+08:00", "closed"),    // Saturday
        ("2026-10-10T10:00:00+08:00", "open"),      // Saturday, make-up working day
        ("2026-10-10T17:00:00+08:00", "closed"),    // end of the make-up day
        ("2026-09-30T01:30:00Z", "open"),           // 09:30 in Shanghai, given in UTC
        ("2026-09-30T00:30:00Z", "closed"),         // 08:30 in Shanghai
    ])
    func scheduleWithHolidaySwaps(at: String, expected: String) {
        #expect(Self.run(at: instant(at)) == .hungUp(reason: expected))
    }

    @Test(arguments: [
        (BlacklistEntry.BlockingPeriod.fiveMinutes, 4.0, "blacklisted"),
        (.fiveMinutes, 5.0, "open"),
        (.thirtyMinutes, 29.0, "blacklisted"),
        (.thirtyMinutes, 31.0, "open"),
        (.permanent, 100_000.0, "blacklisted"),
        (.until(instant("2026-09-30T12:00:00+08:00")), 60.0, "blacklisted"),
        (.until(instant("2026-09-30T10:00:00+08:00")), 60.0, "open"),
    ])
    func blacklistExpiry(period: BlacklistEntry.BlockingPeriod, minutesLater: Double, expected: String) {
        let since = instant("2026-09-30T09:00:00+08:00")
        let entry = BlacklistEntry(number: "13900000001", since: since, period: period, action: .refuse)
        let outcome = Self.run(caller: "13900000001", at: since.addingTimeInterval(minutesLater * 60), blacklist: [entry])
        #expect(outcome == .hungUp(reason: expected))
    }

    @Test func warnEntryAndOtherCallersAreUnaffected() {
        let since = instant("2026-09-30T09:00:00+08:00")
        let entry = BlacklistEntry(number: "1390000", matchesPrefix: true, since: since, period: .permanent, action: .warn)
        #expect(Self.run(caller: "13900000009", at: since.addingTimeInterval(3600), blacklist: [entry]) == .hungUp(reason: "warned"))
        #expect(Self.run(caller: "13800000009", at: since.addingTimeInterval(3600), blacklist: [entry]) == .hungUp(reason: "open"))
    }

    @Test func hostScreeningOverridesTheFlowSetFilter() {
        let entry = BlacklistEntry(number: "13800138000", since: .distantPast, period: .permanent, action: .refuse)
        var host = Host(flowSet(Self.flow, schedules: ["office": Self.calendar]), at: instant("2026-09-30T10:00:00+08:00"))
        host.start(screening: CallerScreening(blacklistEntry: entry))
        #expect(host.outcome == .hungUp(reason: "blacklisted"))
    }

    @Test(arguments: [("12366", "tax"), ("4008812366", "service"), ("80012345", "other")])
    func dialledNumberCategoryAndVariable(did: String, expected: String) {
        let flow = Flow("main", start: "by-did") {
            Node.branch("by-did", on: .dialledNumber, cases: ["12366": "tax", "4008812366": "set-service"], otherwise: "other")
            Node.set("set-service", "line", to: .literal(.text("service")), next: "by-var")
            Node.branch("by-var", on: .variable("line"), cases: ["service": "service"], otherwise: "other")
            Node.hangUp("tax", reason: "tax")
            Node.hangUp("service", reason: "service")
            Node.hangUp("other", reason: "other")
        }
        var host = Host(FlowSet(flows: [flow], routes: ["*": "main"]), at: instant("2026-09-30T10:00:00+08:00"))
        host.start(did: did)
        #expect(host.outcome == .hungUp(reason: expected))
    }

    @Test func categoryAndLanguageBranches() {
        let flow = Flow("main", start: "by-category") {
            Node.branch("by-category", on: .callerCategory, cases: ["vip": "english"], otherwise: "by-language")
            Node.setLanguage("english", .english, next: "by-language")
            Node.branch("by-language", on: .language, cases: ["en": "en"], otherwise: "zh")
            Node.hangUp("en", reason: "en")
            Node.hangUp("zh", reason: "zh")
        }
        let filter = CallerFilter(categories: [CallerCategoryRule(number: "138", matchesPrefix: true, category: "vip")])
        var vip = Host(flowSet(flow, filter: filter), at: workday)
        vip.start(caller: "13800000000")
        #expect(vip.outcome == .hungUp(reason: "en"))
        var ordinary = Host(flowSet(flow, filter: filter), at: workday)
        ordinary.start(caller: "13900000000")
        #expect(ordinary.outcome == .hungUp(reason: "zh"))
    }
}
