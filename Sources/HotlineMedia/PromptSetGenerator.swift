public import Foundation

/// Renders the prompt set — every "say" fragment and every `CommonPrompt`, in Mandarin and English —
/// as 8 kHz mono 16-bit WAV files, with the `espeak-ng` and `sox` programs
/// (`espeak-ng -v cmn --stdout TEXT | sox -t wav - -r 8000 -c 1 -b 16 OUT.wav …`), so a fresh machine
/// has audible prompts without downloading anything. Recorded human prompts can replace any file later.
public struct PromptSetGenerator: Sendable {
    /// Where the files go.
    public var library: PromptLibrary
    /// The espeak-ng executable.
    public var espeakPath: String
    /// The sox executable.
    public var soxPath: String
    /// Speaking rate in words per minute.
    public var wordsPerMinute: Int

    /// What one generation run did.
    public struct Report: Sendable, Hashable {
        /// Files written.
        public var written: Int
        /// Files left alone because they existed and `overwrite` was false.
        public var skipped: Int
    }

    /// Why generation failed.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// What failed: the program, its exit status, and the prompt being made.
        public var message: String
        /// The message.
        public var description: String { message }
    }

    /// Creates a generator.
    /// - Parameters:
    ///   - library: where the files go.
    ///   - espeakPath: the espeak-ng program.
    ///   - soxPath: the sox program.
    ///   - wordsPerMinute: speaking rate.
    public init(library: PromptLibrary, espeakPath: String = "/usr/bin/espeak-ng", soxPath: String = "/usr/bin/sox", wordsPerMinute: Int = 150) {
        self.library = library
        self.espeakPath = espeakPath
        self.soxPath = soxPath
        self.wordsPerMinute = wordsPerMinute
    }

    /// Every key and text the prompt set holds for a language: fragments, then common prompts.
    /// - Parameter language: Mandarin or English.
    /// - Returns: the entries.
    public static func entries(for language: SpokenLanguage) -> [Fragment] {
        FragmentCatalogue.fragments(for: language) + CommonPrompt.allCases.map { Fragment(key: $0.rawValue, text: $0.text(language)) }
    }

    /// Generates files.
    /// - Parameters:
    ///   - languages: which languages.
    ///   - keys: only these keys (all when `nil`).
    ///   - overwrite: replace existing files.
    ///   - progress: called after each file with its URL.
    /// - Returns: counts of files written and skipped.
    /// - Throws: `Failure` naming the program and the prompt when espeak-ng or sox fails.
    @discardableResult
    public func generate(
        languages: [SpokenLanguage] = SpokenLanguage.allCases,
        keys: Set<String>? = nil,
        overwrite: Bool = false,
        progress: (URL) -> Void = { _ in }
    ) throws -> Report {
        var report = Report(written: 0, skipped: 0)
        for language in languages {
            let directory = library.root.appendingPathComponent(language.rawValue, isDirectory: true)
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw Failure(message: "cannot create \(directory.path): \(error.localizedDescription)")
            }
            for entry in Self.entries(for: language) where keys?.contains(entry.key) ?? true {
                let url = library.url(for: entry.key, language: language)
                if !overwrite, FileManager.default.fileExists(atPath: url.path) {
                    report.skipped += 1
                    continue
                }
                try render(entry, language: language, to: url)
                report.written += 1
                progress(url)
            }
        }
        return report
    }

    private func render(_ entry: Fragment, language: SpokenLanguage, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(entry.key).\(UUID().uuidString).wav")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let espeak = Process()
        espeak.executableURL = URL(fileURLWithPath: espeakPath)
        espeak.arguments = ["-v", language.espeakVoice, "-s", String(wordsPerMinute), "--stdout", entry.text]
        let sox = Process()
        sox.executableURL = URL(fileURLWithPath: soxPath)
        // Resample to 8 kHz mono 16-bit, trim leading and trailing silence (fragments are joined
        // back to back), and normalise to −3 dBFS so every fragment has the same loudness.
        sox.arguments = ["-q", "-t", "wav", "-", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", temporary.path,
                         "silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse", "norm", "-3"]
        let pipe = Pipe()
        espeak.standardOutput = pipe
        espeak.standardError = FileHandle.nullDevice
        sox.standardInput = pipe
        let soxErrors = Pipe()
        sox.standardError = soxErrors
        do {
            try espeak.run()
            try sox.run()
        } catch {
            throw Failure(message: "cannot start \(espeakPath) or \(soxPath) (apt install espeak-ng sox): \(error.localizedDescription)")
        }
        let errorText = soxErrors.fileHandleForReading.readDataToEndOfFile()
        espeak.waitUntilExit()
        sox.waitUntilExit()
        guard espeak.terminationStatus == 0 else {
            throw Failure(message: "espeak-ng exited with status \(espeak.terminationStatus) for \(language.rawValue) prompt '\(entry.key)'")
        }
        guard sox.terminationStatus == 0 else {
            throw Failure(message: "sox exited with status \(sox.terminationStatus) for \(language.rawValue) prompt '\(entry.key)': \(String(decoding: errorText, as: UTF8.self))")
        }
        do {
            if FileManager.default.fileExists(atPath: url.path) {
                _ = try FileManager.default.replaceItemAt(url, withItemAt: temporary)
            } else {
                try FileManager.default.moveItem(at: temporary, to: url)
            }
        } catch {
            throw Failure(message: "cannot move the new prompt into \(url.path): \(error.localizedDescription)")
        }
    }
}
