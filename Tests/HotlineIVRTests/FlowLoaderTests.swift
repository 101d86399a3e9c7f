import Foundation
import HotlineCore
import Testing
@testable import HotlineIVR

@Suite struct FlowLoaderTests {
    static let yaml = """
    version: 1
    routes:
      "12366": main
    schedules:
      office:
        time-zone: Asia/Shanghai
        hours:
          weekdays: ["09:00-12:00", "13:30-17:30"]
        holidays:
          2026-10-01: 国庆节
        make-up-days:
          2026-10-10: friday
    caller-filter:
      blacklist:
        - number: "13900000001"
          action: warn
          period: 30m
          since: 2026-12-01T09:00:00+08:00
      categories:
        - prefix: "138"
          category: vip
    flows:
      main:
        languages: [zh, en]
        start: hours
        prompts:
          menu:
            zh: 咨询请按1
            en: Press 1
          owed:
            zh: ["您欠税", {say: money, value: $arrears.total}]
            en: [{file: en/owed.wav}, {say: money, value: "12.50"}]
        nodes:
          hours:
            type: branch
            on: schedule
            schedule: office
            cases:
              open: menu
            otherwise: bye
          menu:
            type: menu
            prompt: menu
            options:
              1: queue
              "*": repeat
            timeout: 4s
            retries: 1
          queue:
            type: enqueue
            queue: consultation
            skills: [tax-policy]
            priority-by-category:
              vip: 10
          bye:
            type: hangup
            prompt: owed
            reason: after-hours
    """

    static let dsl: FlowSet = {
        let flow = Flow("main", start: "hours") {
            PromptDefinition("menu", zh: "咨询请按1", en: "Press 1")
            PromptDefinition("owed", [.mandarin: [.text("您欠税"), .say(.money, .variable("arrears.total"))],
                                      .english: [.file("en/owed.wav"), .say(.money, .literal(.money(fen: 1250)))]])
            Node.branch("hours", on: .schedule("office"), cases: ["open": "menu"], otherwise: "bye")
            Node.menu("menu", .init(prompt: "menu", options: ["1": .goto("queue"), "*": .repeat], timeout: .seconds(4), retries: 1))
            Node.enqueue("queue", .init(queue: "consultation", priorityByCategory: ["vip": 10], skills: ["tax-policy"]))
            Node.hangUp("bye", prompt: "owed", reason: "after-hours")
        }
        let periods = [WorkingPeriod("09:00-12:00")!, WorkingPeriod("13:30-17:30")!]
        let calendar = BusinessCalendar(
            timeZoneIdentifier: "Asia/Shanghai",
            weeklyHours: [.monday: periods, .tuesday: periods, .wednesday: periods, .thursday: periods, .friday: periods],
            holidays: [LocalDate("2026-10-01")!: "国庆节"], makeUpWorkingDays: [LocalDate("2026-10-10")!: .friday])
        let filter = CallerFilter(
            blacklist: [BlacklistEntry(number: "13900000001", since: instant("2026-12-01T09:00:00+08:00"),
                                       period: .thirtyMinutes, action: .warn)],
            categories: [CallerCategoryRule(number: "138", matchesPrefix: true, category: "vip")])
        return FlowSet(flows: [flow], routes: ["12366": "main"], schedules: ["office": calendar], callerFilter: filter)
    }()

    @Test func yamlAndDSLGiveTheSameValue() throws {
        let loaded = try FlowLoader.parse(yaml: Self.yaml, file: "test.yaml")
        #expect(loaded == Self.dsl)
        #expect(loaded.flows["main"]?.nodes["menu"]?.source == SourceLocation(file: "test.yaml", line: 42, column: 9))
    }

    /// Replaces one line of the valid document and returns the single issue it causes.
    private func issues(replacing old: String, with new: String) -> [FlowIssue] {
        let text = Self.yaml.replacingOccurrences(of: old, with: new)
        #expect(text != Self.yaml, "fixture text not found: \(old)")
        do {
            _ = try FlowLoader.parse(yaml: text, file: "bad.yaml")
            return []
        } catch let error as FlowValidationError {
            return error.issues
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    @Test(arguments: [
        ("      1: queue", "      1: queu", 42, "unknown node 'queu'"),
        ("    prompt: menu\n        options", "    prompt: menuu\n        options", 42, "unknown prompt 'menuu'"),
        ("    en: Press 1", "    fr: Appuyez 1", 28, "missing language 'en'"),
        ("      open: menu", "      open: bye", 42, "unreachable"),
        ("weekdays: [\"09:00-12:00\", \"13:30-17:30\"]", "weekdays: [\"09:00-12:00\", \"11:30-17:30\"]", 6, "overlap"),
        ("time-zone: Asia/Shanghai", "time-zone: Mars/Olympus", 6, "unknown time zone"),
        ("2026-10-10: friday", "2026-10-01: friday", 6, "both a holiday"),
        ("    timeout: 4s", "    timout: 4s", 47, "unknown field 'timout'"),
        ("    type: enqueue", "    type: enqueu", 50, "unknown node type 'enqueu'"),
        ("period: 30m", "period: 3 hours", 17, "period must be"),
        ("weekdays: [", "weekdays: [[", 9, "YAML syntax"),
    ] as [(String, String, Int, String)])
    func refusedWithLineAndReason(old: String, new: String, line: Int, reason: String) {
        let found = issues(replacing: old, with: new)
        #expect(!found.isEmpty)
        #expect(found.contains { $0.location?.file == "bad.yaml" && $0.location?.line == line && $0.message.contains(reason) },
                "got: \(found)")
    }

    @Test func loopWithoutInputIsRefused() {
        let text = Self.yaml.replacingOccurrences(of: "      1: queue", with: "      1: spin")
            + "\n      spin:\n        type: goto\n        target: spin2\n      spin2:\n        type: goto\n        target: spin\n"
        #expect(throws: FlowValidationError.self) { try FlowLoader.parse(yaml: text, file: "loop.yaml") }
        let error = try? #require(throws: FlowValidationError.self) { try FlowLoader.parse(yaml: text, file: "loop.yaml") }
        #expect(error?.issues.contains { $0.message.contains("never waits for the caller") && $0.location?.line ?? 0 >= 59 } == true)
    }

    @Test func loadsTheShippedDemoWithItsInclude() throws {
        let set = try FlowLoader.load(contentsOf: packageRoot.appending(path: "Flows/12366.yaml"))
        #expect(Set(set.flows.keys) == ["main", "self-service"])
        #expect(set.flowName(forDialledNumber: "12366") == "main")
        #expect(set.flowName(forDialledNumber: "95566") == nil)
        #expect(set.validate().isEmpty)
    }

    @Test func missingIncludeNamesTheIncludingLine() throws {
        let dir = FileManager.default.temporaryDirectory.appending(path: "ivr-include-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appending(path: "main.yaml")
        try (Self.yaml + "\ninclude:\n  - missing.yaml\n").write(to: file, atomically: true, encoding: .utf8)
        let error = try #require(throws: FlowValidationError.self) { try FlowLoader.load(contentsOf: file) }
        #expect(error.issues.first?.message.contains("cannot read") == true)
        #expect(error.issues.first?.location?.line == 60)
    }
}
