import ArgumentParser
import Foundation

/// Options every `hotline` subcommand that touches stored data accepts.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp("The data directory (database, recordings, prompts).", valueName: "DIR")
    )
    var dataDirOption: String?

    /// The data directory: `--data-dir`, else `$HOTLINE_DATA_DIR`, else `./hotline-data`.
    var dataDirectory: URL {
        let path = dataDirOption
            ?? ProcessInfo.processInfo.environment["HOTLINE_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "hotline-data"
        return URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }
}
