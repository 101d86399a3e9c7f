import ArgumentParser

/// `hotline bench …`: the measurements behind `Docs/Performance.md`. Run them from a release build.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the toolkit's hot paths (use a release build: swift run -c release hotline bench …).",
        subcommands: [
            BenchImportCommand.self,
            BenchSearchCommand.self,
            BenchCaseworkCommand.self,
            BenchAPICommand.self,
            BenchMediaRTPCommand.self,
            BenchMediaDSPCommand.self,
            BenchIVRCommand.self,
            BenchACDCommand.self,
        ]
    )
}
