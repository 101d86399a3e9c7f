import Foundation
import HotlineCore
import Testing
@testable import HotlineIVR

/// Transcripts of the shipped 12366 demo flow, run as `hotline ivr try` runs it.
@Suite struct FlowRehearsalTests {
    static let demo: FlowSet = {
        do {
            return try FlowLoader.load(contentsOf: packageRoot.appending(path: "Flows/12366.yaml"))
        } catch {
            preconditionFailure("the demo flow does not load: \(error)")
        }
    }()

    static let tuesdayMorning = instant("2026-12-01T09:30:00+08:00")
    static let identityNumber = "11010519491231002X"

    /// A store with one taxpayer (PIN 123456) who owes one overdue and one current bill.
    static func store() async throws -> (InMemoryTaxpayerStore, InMemoryEventLog) {
        let log = InMemoryEventLog()
        let store = InMemoryTaxpayerStore(eventLog: log)
        let number = try TaxpayerNumber(identityNumber)
        var generator = SystemRandomNumberGenerator()
        let pin = try PINHash(pin: "123456", iterations: 10, using: &generator)
        try await store.save(Taxpayer(number: number, name: "张三", kind: .individual, pinHash: pin), at: tuesdayMorning)
        let october = try #require(BillingPeriod(year: 2026, month: 10))
        let november = try #require(BillingPeriod(year: 2026, month: 11))
        try await store.save(TaxBill(taxpayerNumber: number, period: october, taxType: "个人所得税", amountDue: Money(fen: 123_450),
                                     dueDate: try #require(LocalDate("2026-11-15"))), at: tuesdayMorning)
        try await store.save(TaxBill(taxpayerNumber: number, period: november, taxType: "个人所得税", amountDue: Money(fen: 50_000),
                                     dueDate: try #require(LocalDate("2026-12-15"))), at: tuesdayMorning)
        return (store, log)
    }

    static func run(_ input: String, caller: String = "13800138000", at: Date = tuesdayMorning,
                    provider: (any SelfServiceProvider)? = nil) async throws -> Transcript {
        let rehearsal = FlowRehearsal(flowSet: demo, provider: provider)
        return await rehearsal.run(caller: caller, dialledNumber: "12366", at: at, inputs: try RehearsalInput.parseList(input))
    }

    @Test func consultationInEnglishThenRatingWithComplaint() async throws {
        let t = try await Self.run("9,1,agent:1001,0")
        #expect(t.promptNames == ["welcome", "main-menu", "main-menu", "queue-consultation", "rating", "complaint-record", "goodbye"])
        #expect(t.entries.contains(.enqueued(queue: "consultation", priority: 0, skills: ["tax-policy"])))
        #expect(t.entries.contains(.recording(purpose: "complaint", seconds: 10)))
        #expect(t.ending == .finished(.hungUp(reason: "completed")))
        guard case .prompt(_, let language, let text)? = t.entries.first(where: {
            if case .prompt(["rating"], _, _) = $0 { true } else { false }
        }) else { Issue.record("no rating prompt"); return }
        #expect(language == .english)
        #expect(text.contains("to complain press 0"))
        let ratings = t.events.compactMap { if case .ratingGiven(let e) = $0 { e } else { nil } }
        #expect(ratings == [RatingGiven(callID: "rehearsal", agent: "1001", rating: "complaint")])
    }

    @Test func completeTranscriptOfAWarnedCallerWhoRatesAverage() async throws {
        let t = try await Self.run("1,agent:2002,2", caller: "13900000002", at: instant("2026-12-01T09:15:00+08:00"))
        #expect(t.entries == [
            .prompt(names: ["warning"], language: .mandarin, text: "温馨提示：请文明通话，恶意骚扰将被限制呼入。"),
            .prompt(names: ["welcome"], language: .mandarin, text: "您好，欢迎致电12366纳税缴费服务热线。"),
            .prompt(names: ["main-menu"], language: .mandarin,
                    text: "税收政策咨询请按1，自助查询请按2，投诉举报请按3，重听请按星号键。For English, press 9."),
            .input("1"),
            .prompt(names: ["queue-consultation"], language: .mandarin, text: "正在为您转接税收政策咨询人工服务，请稍候。"),
            .enqueued(queue: "consultation", priority: 0, skills: ["tax-policy"]),
            .input("agent:2002"),
            .prompt(names: ["rating"], language: .mandarin, text: "请对本次服务进行评价，满意请按1，一般请按2，不满意请按3，投诉请按0。"),
            .input("2"),
            .prompt(names: ["rating-thanks"], language: .mandarin, text: "感谢您的评价。"),
        ])
        #expect(t.ending == .finished(.hungUp(reason: "completed")))
        #expect(t.variables["rating"] == .text("average"))
        #expect(t.variables["agent"] == .text("2002"))
        let started = t.events.compactMap { if case .callStarted(let e) = $0 { e } else { nil } }
        #expect(started.map(\.blacklistAction) == ["warn"])
    }

    @Test func mandarinRatingPromptIsTheF15Wording() async throws {
        let t = try await Self.run("1,agent,1")
        let texts = t.entries.compactMap { if case .prompt(["rating"], _, let text) = $0 { text } else { nil } }
        #expect(texts == ["请对本次服务进行评价，满意请按1，一般请按2，不满意请按3，投诉请按0。"])
        #expect(t.promptNames.suffix(2) == ["rating", "rating-thanks"])
        #expect(t.ending == .finished(.hungUp(reason: "completed")))
    }

    @Test func vipCallerIsGreetedAndQueuedFirst() async throws {
        let t = try await Self.run("3", caller: "13811112222")
        #expect(t.promptNames.prefix(3) == ["welcome", "vip-welcome", "main-menu"])
        #expect(t.entries.contains(.enqueued(queue: "complaints", priority: 5, skills: ["complaint"])))
        #expect(t.ending == .withAgent(flow: "main", node: "complaint"))
    }

    @Test func blacklistedCallerIsRefusedAndWarnedCallerContinues() async throws {
        let refused = try await Self.run("1", caller: "13900000001")
        #expect(refused.promptNames == ["refused"])
        #expect(refused.ending == .finished(.hungUp(reason: "blacklisted")))
        let warned = try await Self.run("", caller: "13900000002", at: instant("2026-12-01T09:10:00+08:00"))
        #expect(warned.promptNames == ["warning", "welcome", "main-menu"])
        let expired = try await Self.run("", caller: "13900000002", at: instant("2026-12-01T09:31:00+08:00"))
        #expect(expired.promptNames == ["welcome", "main-menu"])
    }

    @Test(arguments: [
        ("2026-12-05T10:00:00+08:00", ["welcome", "after-hours"]),            // Saturday
        ("2026-10-01T10:00:00+08:00", ["welcome", "holiday", "after-hours"]), // National Day
        ("2026-10-10T10:00:00+08:00", ["welcome", "main-menu"]),              // make-up Saturday
        ("2026-12-01T18:00:00+08:00", ["welcome", "after-hours"]),            // Tuesday evening
    ])
    func workingHoursCheck(at: String, prompts: [String]) async throws {
        let t = try await Self.run("", at: instant(at))
        #expect(t.promptNames == prompts)
        #expect(t.ending == .inputRanOut(flow: "main", node: prompts.count == 2 && prompts[1] == "main-menu" ? "main-menu" : "after-hours-menu"))
    }

    @Test func afterHoursVoicemailWithReRecording() async throws {
        let t = try await Self.run("2,2,1", at: instant("2026-12-05T10:00:00+08:00"))
        #expect(t.promptNames == ["welcome", "after-hours", "voicemail", "voicemail-confirm", "voicemail", "voicemail-confirm", "goodbye"])
        let recorded = t.events.compactMap { if case .messageRecorded(let e) = $0 { e.reference } else { nil } }
        #expect(recorded == ["rehearsal-recording-2.wav"])
    }

    @Test func selfServiceArrearsAndPaymentStatusFromStorage() async throws {
        let (store, log) = try await Self.store()
        let provider = StoredSelfServiceProvider(taxpayers: store, bills: store, eventLog: log)
        let t = try await Self.run("2,11010519491231002*,#,123456#,1,2,3,0,hangup", provider: provider)
        let lookups = t.entries.compactMap { if case .lookup(let f, _, let status, let values) = $0 { (f, status, values) } else { nil } }
        #expect(lookups.map(\.0) == ["authenticate", "arrears", "payment-status", "amount-due"])
        #expect(lookups.map(\.1) == ["ok", "ok", "ok", "ok"])
        #expect(lookups[1].2["arrears"] == "1234.50 yuan")
        #expect(lookups[2].2["status"] == "unpaid")
        #expect(lookups[3].2["total"] == "500.00 yuan")
        let texts = t.entries.compactMap { if case .prompt(let names, _, let text) = $0, names == ["arrears"] { text } else { nil } }
        #expect(texts.count == 1)
        #expect(texts.first?.hasPrefix("您目前的欠税及滞纳金合计为") == true)
        #expect(texts.first?.contains("共1期") == true)
        #expect(t.promptNames.suffix(2) == ["amount-due", "menu"] || t.promptNames.last == "main-menu")
        #expect(t.ending == .finished(.callerHungUp(flow: "main", node: "main-menu")))
        let used = t.events.compactMap { if case .selfServiceUsed(let e) = $0 { "\(e.function):\(e.outcome)" } else { nil } }
        #expect(used == ["authenticate:ok", "arrears:ok", "payment-status:ok", "amount-due:ok"])
        // The PIN is masked in lookups and never appears in the events.
        #expect(t.text.contains("pin=******"))
        #expect(!t.text.contains("pin=123456"))
        #expect(!t.events.contains { if case .inputReceived(let e) = $0 { e.input.contains("1234") } else { false } })
    }

    @Test func wrongPINThreeTimesLocksSelfServiceOut() async throws {
        let (store, log) = try await Self.store()
        let provider = StoredSelfServiceProvider(taxpayers: store, bills: store, eventLog: log)
        let attempt = "11010519491231002*,#,000000#"
        let t = try await Self.run("2,\(attempt),\(attempt),\(attempt)", provider: provider)
        #expect(t.promptNames.filter { $0 == "wrong-pin" }.count == 2)
        #expect(t.promptNames.suffix(2) == ["locked", "main-menu"])
        #expect(t.ending == .inputRanOut(flow: "main", node: "main-menu"))
    }

    @Test func keypadReportOfAFigureIsConfirmedAndStored() async throws {
        let (store, log) = try await Self.store()
        let provider = StoredSelfServiceProvider(taxpayers: store, bills: store, eventLog: log)
        let t = try await Self.run("2,11010519491231002*#,123456#,5,3500*5#,1", provider: provider)
        let confirm = t.entries.compactMap { if case .prompt(["confirm-figure"], _, let text) = $0 { text } else { nil } }
        #expect(confirm == ["您输入的金额是3500.50元，确认请按1，重新输入请按2。"])
        let stored = try await log.events(after: 0, subject: "taxpayer:\(Self.identityNumber)", limit: 10)
            .compactMap { try $0.decode(as: FigureReported.self) }
        #expect(stored.map(\.value) == [350_050])
        #expect(t.promptNames.contains("figure-recorded"))
    }

    @Test func selfServiceWithoutDataSaysUnavailable() async throws {
        let t = try await Self.run("2,11010519491231002*#,123456#")
        #expect(t.promptNames.suffix(2) == ["service-unavailable", "main-menu"])
    }

    @Test func badTaxpayerNumberIsRefusedByItsCheckCharacter() async throws {
        let t = try await Self.run("2,110105194912310021#")
        #expect(t.promptNames.suffix(2) == ["bad-number", "ask-number"])
    }

    @Test func inputTokensAreParsedAndBadOnesNamed() throws {
        #expect(try RehearsalInput.parseList("1, 91#,timeout,hangup,agent:7,unavailable") ==
                [.keys("1"), .keys("91#"), .timeout, .hangUp, .agentHangsUp(agent: "7"), .unavailable])
        #expect(throws: RehearsalInputError(position: 2, token: "x1")) { try RehearsalInput.parseList("1,x1") }
    }

    @Test func textTranscriptEndsWithTheOutcome() async throws {
        let t = try await Self.run("hangup")
        #expect(t.text.hasPrefix("PLAY   [welcome/zh] 您好，欢迎致电12366纳税缴费服务热线。"))
        #expect(t.text.hasSuffix("END    caller-hung-up at main/main-menu"))
    }
}
