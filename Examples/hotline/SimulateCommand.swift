import ArgumentParser
import Foundation
import HotlineSimulator

/// `hotline simulate SCENARIO.yaml`: a day of traffic through the real ACD on a virtual clock.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a call-center scenario through the real ACD (see Docs/Simulation.md)."
    )

    @Argument(help: ArgumentHelp("The scenario file (YAML).", valueName: "SCENARIO.yaml"))
    var scenario: String

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "Override the scenario's random seed.")
    var seed: UInt64?

    func run() throws {
        let text: String
        do {
            text = try String(contentsOfFile: scenario, encoding: .utf8)
        } catch {
            throw SimulationFailure("cannot read \(scenario): \(error.localizedDescription)")
        }
        let parsed: Scenario
        do {
            parsed = try Scenario(yaml: text)
        } catch {
            throw SimulationFailure("\(scenario): \(error.message)")
        }
        let clock = ContinuousClock()
        let started = clock.now
        let report: SimulationReport
        do {
            report = try Simulation.run(parsed, seed: seed)
        } catch {
            throw SimulationFailure("\(scenario): \(error.message)")
        }
        let elapsed = clock.now - started
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(report)
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(report.text())
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("\nSimulated \(report.total.offered) calls in \(String(format: "%.2f", seconds)) s of wall time.")
        }
    }
}

/// A failure while running a simulation or staffing command (a file that cannot be read or used).
struct SimulationFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
