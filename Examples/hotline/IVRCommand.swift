import ArgumentParser
import Foundation
import HotlineIVR

/// `hotline ivr …`: check call flows and rehearse calls through them.
struct IVRCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ivr",
        abstract: "Check IVR flow files and rehearse calls through them.",
        subcommands: [Validate.self, Try.self]
    )

    /// `hotline ivr validate FILE.yaml…`
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check flow files (and their includes); print every problem with file, line and reason."
        )

        @Argument(help: ArgumentHelp("Flow files to check.", valueName: "FILE.yaml"))
        var files: [String]

        func run() throws {
            var failed = false
            for file in files {
                do {
                    let set = try FlowLoader.load(contentsOf: URL(fileURLWithPath: file))
                    let nodes = set.flows.values.reduce(0) { $0 + $1.nodes.count }
                    let routes = set.routes.sorted { $0.key < $1.key }.map { "\($0.key)→\($0.value)" }.joined(separator: ", ")
                    print("\(file): OK — \(set.flows.count) flows, \(nodes) nodes, " + (routes.isEmpty ? "no routes (sub-flows for others to include)" : "routes \(routes)"))
                } catch let error as FlowValidationError {
                    failed = true
                    for issue in error.issues { FileHandle.standardError.write(Data("\(issue)\n".utf8)) }
                    FileHandle.standardError.write(Data("\(file): refused (\(error.issues.count) problems)\n".utf8))
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    /// `hotline ivr try FILE.yaml --did … --caller … --at … --input …`
    struct Try: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rehearse a call through a flow with scripted input and print the transcript.",
            discussion: """
            Input tokens, comma-separated: keys (1, 91110000…#), timeout (silence until the pending \
            timer expires), hangup, agent or agent:ID (the agent hangs up; the caller stays, e.g. for \
            the rating), unavailable (the queue gives up). Self-service lookups run against the \
            taxpayers and bills of --data-dir when it holds a database.
            """
        )

        @Argument(help: ArgumentHelp("The flow file.", valueName: "FILE.yaml"))
        var file: String

        @Option(help: "The dialled number (DID).")
        var did: String = "12366"

        @Option(help: "The caller number.")
        var caller: String = "13800138000"

        @Option(help: ArgumentHelp("When the call starts, ISO 8601 with offset (default: now).", valueName: "TIME"))
        var at: String?

        @Option(help: ArgumentHelp("What the caller does, comma-separated.", valueName: "TOKENS"))
        var input: String = ""

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let set: FlowSet
            do {
                set = try FlowLoader.load(contentsOf: URL(fileURLWithPath: file))
            } catch let error as FlowValidationError {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(1)
            }
            let start: Date
            if let at {
                guard let parsed = ISO8601DateFormatter().date(from: at) else {
                    throw ValidationError("--at '\(at)' is not an ISO 8601 time such as 2026-12-01T09:30:00+08:00")
                }
                start = parsed
            } else {
                start = Date()
            }
            let inputs: [RehearsalInput]
            do {
                inputs = try RehearsalInput.parseList(input)
            } catch {
                throw ValidationError("--input: \(error)")
            }
            let provider = try SelfServiceBinding.provider(for: global)
            let rehearsal = FlowRehearsal(flowSet: set, provider: provider)
            let transcript = await rehearsal.run(caller: caller, dialledNumber: did, at: start, inputs: inputs)
            print(transcript.text)
        }
    }
}
