import ArgumentParser
import Foundation
import HotlineIVR

/// `hotline bench ivr`: interpreter step cost and flow load time (Docs/Performance.md, IVR section).
struct BenchIVRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ivr",
        abstract: "Measure the IVR interpreter (events/s on one core) and the load time of a large flow."
    )

    @Option(help: "The flow file whose consultation-and-rating call is replayed.")
    var flow: String = "Flows/12366.yaml"

    @Option(help: "How many calls to replay.")
    var calls: Int = 200_000

    @Option(help: "Nodes in the generated flow whose load time is measured.")
    var nodes: Int = 500

    @Option(help: "How many times the generated flow is loaded (the median is reported).")
    var loads: Int = 20

    func run() throws {
        let set = try FlowLoader.load(contentsOf: URL(fileURLWithPath: flow))
        let start = Date(timeIntervalSince1970: 1_796_088_600)  // 2026-12-01T09:30:00+08:00, a working Tuesday
        let clock = ContinuousClock()
        var events = 0
        var emitted = 0
        let elapsed = clock.measure {
            for n in 0..<calls {
                var machine = CallFlowStateMachine(flowSet: set)
                var queue: [CallFlowEvent] = [.callStarted(CallStart(callID: "b\(n)", caller: "13800138000", dialledNumber: "12366"), at: start)]
                var script: [CallFlowEvent] = [.digit("1", at: start), .handoffEnded(.agentHungUp(agent: "1001"), at: start), .digit("1", at: start)]
                while !queue.isEmpty {
                    let event = queue.removeFirst()
                    events += 1
                    for action in machine.handle(event) {
                        if case .emit = action { emitted += 1 }
                    }
                    switch machine.waiting {
                    case .prompt(let id): queue.append(.promptFinished(id, at: start))
                    case .digits, .handoff: if !script.isEmpty { queue.append(script.removeFirst()) }
                    default: break
                    }
                }
                precondition(machine.outcome == .hungUp(reason: "completed"), "benchmark call did not complete: \(String(describing: machine.outcome))")
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("interpreter: \(calls) calls, \(events) events (\(emitted) domain events emitted) in \(String(format: "%.3f", seconds)) s")
        print(String(format: "  %.0f events/s, %.2f µs/event, %.0f calls/s on one core", Double(events) / seconds,
                     seconds / Double(events) * 1e6, Double(calls) / seconds))

        let yaml = Self.generatedFlow(nodes: nodes)
        var times: [Double] = []
        for _ in 0..<max(1, loads) {
            let t = clock.measure { _ = try? FlowLoader.parse(yaml: yaml, file: "generated.yaml") }
            times.append(Double(t.components.seconds) + Double(t.components.attoseconds) / 1e18)
        }
        guard (try? FlowLoader.parse(yaml: yaml, file: "generated.yaml")) != nil else {
            throw ValidationError("the generated flow does not validate")
        }
        times.sort()
        print(String(format: "load: %d-node flow (%d KiB of YAML), parse + validate median %.1f ms (min %.1f, max %.1f) over %d loads",
                     nodes, yaml.utf8.count / 1024, times[times.count / 2] * 1000, times[0] * 1000, times[times.count - 1] * 1000, times.count))
    }

    /// A flow of `nodes` nodes: menus four deep with plays, collects and branches under them.
    static func generatedFlow(nodes count: Int) -> String {
        var out = """
        version: 1
        routes:
          "12366": main
        flows:
          main:
            languages: [zh, en]
            start: n0
            prompts:
              p:
                zh: ["请选择", {say: number, value: $choice}]
                en: ["Please choose", {say: number, value: $choice}]
            nodes:

        """
        let menus = max(1, count / 4)
        for i in 0..<menus {
            // Menu i leads to its play (which returns to the menu), its collect, its branch and the next menu.
            let next = i + 1 < menus ? "n\(i + 1)" : "n0"
            out += """
                  n\(i):
                    type: menu
                    prompt: p
                    options:
                      1: play\(i)
                      2: collect\(i)
                      3: branch\(i)
                      4: \(next)
                      "*": repeat
                  play\(i):
                    type: play
                    prompts: [p]
                    next: n\(i)
                  collect\(i):
                    type: collect
                    prompt: p
                    variable: choice
                    min-length: 1
                    max-length: 4
                    next: n\(i)
                  branch\(i):
                    type: branch
                    on: variable
                    variable: choice
                    cases:
                      "1": play\(i)
                    otherwise: n\(i)

            """
        }
        return out
    }
}
