import Foundation
import HotlineCore
import Testing
@testable import HotlineIVR

@Suite struct FlowRegistryTests {
    static func version(greeting: String) -> FlowSet {
        let flow = Flow("main", start: "hello") {
            PromptDefinition("hello", zh: greeting, en: greeting)
            PromptDefinition("menu", zh: "菜单", en: "menu")
            Node.play("hello", prompts: ["hello"], next: "menu")
            Node.menu("menu", .init(prompt: "menu", options: ["1": .goto("bye")]))
            Node.hangUp("bye")
        }
        return FlowSet(flows: [flow], routes: ["12366": "main"])
    }

    @Test func newVersionAppliesToNewCallsOnly() throws {
        var registry = FlowRegistry()
        let t0 = instant("2026-12-01T09:00:00+08:00")
        #expect(registry.makeCall() == nil)
        #expect(try registry.install(Self.version(greeting: "旧"), at: t0, label: "v1") == 1)

        var oldCall = try #require(registry.makeCall())
        _ = oldCall.handle(.callStarted(CallStart(callID: "a", caller: "1", dialledNumber: "12366"), at: t0))

        #expect(try registry.install(Self.version(greeting: "新"), at: t0, label: "v2") == 2)
        var newCall = try #require(registry.makeCall())
        let newActions = newCall.handle(.callStarted(CallStart(callID: "b", caller: "2", dialledNumber: "12366"), at: t0))
        #expect(newCall.version == 2)
        #expect(newActions.contains { if case .play(let p) = $0 { p.items == [.text("新")] } else { false } })

        // The call in progress finishes on version 1.
        #expect(oldCall.version == 1)
        guard case .prompt(let id) = oldCall.waiting else { Issue.record("not playing"); return }
        _ = oldCall.handle(.promptFinished(id, at: t0))
        _ = oldCall.handle(.digit("1", at: t0))
        #expect(oldCall.position.node == "bye")

        registry.prune(keeping: [])
        #expect(registry.versions.map(\.number) == [2])
        #expect(registry.version(1) == nil)
    }

    @Test func invalidVersionIsRefusedAndTheCurrentOneStays() throws {
        var registry = FlowRegistry()
        let t0 = instant("2026-12-01T09:00:00+08:00")
        try registry.install(Self.version(greeting: "好"), at: t0)
        var broken = Self.version(greeting: "坏")
        broken.routes["12366"] = "missing"
        #expect(throws: FlowValidationError.self) { try registry.install(broken, at: t0) }
        #expect(registry.current?.number == 1)
    }
}

@Suite struct FlowSetTests {
    @Test func recursiveSubflowsAndBadSettingsAreRefused() {
        let a = Flow("a", start: "call-b") {
            PromptDefinition("m", zh: "m", en: "m")
            Node.subflow("call-b", flow: "b", next: "menu")
            Node.menu("menu", .init(prompt: "m", options: ["x": .goto("menu")], retries: -1))
            Node.collect("unused", .init(prompt: "m", variable: "v", minLength: 5, maxLength: 2, next: "menu"))
            Node.goto("unused", "menu")
        }
        let b = Flow("b", start: "call-a") {
            Node.subflow("call-a", flow: "a", next: "done")
            Node.returnFromSubflow("done")
        }
        let issues = FlowSet(flows: [a, b], routes: ["12366": "a"]).validate().map(\.message)
        #expect(issues.contains { $0.contains("calls back into itself") })
        #expect(issues.contains { $0.contains("menu key 'x'") })
        #expect(issues.contains { $0.contains("retries must be 0 or more") })
        #expect(issues.contains { $0.contains("min-length (5) <= max-length (2)") })
        #expect(issues.contains { $0.contains("node 'unused': unreachable") })
        #expect(issues.contains { $0.contains("node 'unused': node id defined twice") })
        // DSL nodes carry their Swift source line.
        let located = FlowSet(flows: [a, b], routes: ["12366": "a"]).validate().first { $0.message.contains("menu key") }
        #expect(located?.location?.file.hasSuffix("FlowRegistryTests.swift") == true)
    }

    @Test func routesMatchExactlyThenByPrefixThenDefault() {
        let set = FlowSet(flows: [], routes: ["12366": "tax", "400*": "service", "4008*": "special", "*": "other"])
        #expect(set.flowName(forDialledNumber: "12366") == "tax")
        #expect(set.flowName(forDialledNumber: "4001234567") == "service")
        #expect(set.flowName(forDialledNumber: "4008123456") == "special")
        #expect(set.flowName(forDialledNumber: "95566") == "other")
    }
}
