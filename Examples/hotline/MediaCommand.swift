import ArgumentParser
import Foundation
import HotlineMedia

/// `hotline media …`: DTMF detection, "say" readings, prompt generation, recording check.
struct MediaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media",
        abstract: "Audio tools: DTMF detection, spoken numbers and money, prompt generation, recording.",
        subcommands: [
            DetectDTMFCommand.self,
            SayCommand.self,
            PromptsCommand.self,
            RecordTonesCommand.self,
        ]
    )
}

/// `hotline media detect-dtmf FILE.wav [--json]`.
struct DetectDTMFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect-dtmf",
        abstract: "List the DTMF digits in an 8 kHz WAV file (PCM16, µ-law or A-law; each channel of a stereo file)."
    )

    @Argument(help: "The WAV file.")
    var file: String

    @Flag(help: "Print JSON: [{\"channel\":0,\"digit\":\"1\",\"startSample\":800,\"startMilliseconds\":100}, …].")
    var json = false

    struct Line: Encodable {
        var channel: Int
        var digit: String
        var startSample: Int
        var startMilliseconds: Int
    }

    func run() throws {
        // WAVError's message names the file and what is wrong with it.
        let audio = try WAVFile.read(URL(fileURLWithPath: file))
        var lines: [Line] = []
        for channel in 0..<audio.format.channels {
            for digit in DTMFDetector.detect(in: audio.channel(channel)) {
                lines.append(Line(channel: channel, digit: String(digit.digit), startSample: digit.startSample, startMilliseconds: digit.startMilliseconds))
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(lines), as: UTF8.self))
            return
        }
        if lines.isEmpty {
            print("no DTMF digits in \(file)")
        }
        for line in lines {
            let seconds = String(format: "%.3f", Double(line.startSample) / 8000)
            print(audio.format.channels > 1 ? "\(seconds) s  channel \(line.channel)  \(line.digit)" : "\(seconds) s  \(line.digit)")
        }
    }
}

/// `hotline media say --lang zh --money 1234.56 OUT.wav`.
struct SayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "say",
        abstract: "Speak a number, amount, date, digits, duration or free text into an 8 kHz WAV file.",
        discussion: """
            Numbers, money, dates, digits and durations are built from the prompt set's recorded fragments
            (missing fragments are generated first with espeak-ng and sox). --text is synthesised with libespeak-ng.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("lang"), help: "zh (Mandarin) or en (English).")
    var language: String = "zh"

    @Option(help: "An amount in yuan, e.g. 1234.56.")
    var money: String?

    @Option(help: "A whole number.")
    var number: Int?

    @Option(help: "A date, YYYY-MM-DD.")
    var date: String?

    @Option(help: "Digits to read one by one, e.g. 12366.")
    var digits: String?

    @Option(help: "A duration in seconds.")
    var duration: Int?

    @Option(help: "Free text, synthesised with espeak-ng.")
    var text: String?

    @Argument(help: "The WAV file to write (8 kHz mono PCM16).")
    var output: String

    func validate() throws {
        let given = [money != nil, number != nil, date != nil, digits != nil, duration != nil, text != nil].filter { $0 }.count
        guard given == 1 else {
            throw ValidationError("give exactly one of --money, --number, --date, --digits, --duration, --text")
        }
        guard SpokenLanguage(rawValue: language) != nil else {
            throw ValidationError("--lang must be zh or en, not '\(language)'")
        }
    }

    func run() throws {
        let language = SpokenLanguage(rawValue: language) ?? .mandarin
        let outputURL = URL(fileURLWithPath: output)
        if let text {
            let samples = try EspeakSynthesizer().synthesizeNow(text, language: language)
            try WAVFile.write(samples, to: outputURL)
            print("\(text) → \(output) (\(String(format: "%.2f", Double(samples.count) / 8000)) s)")
            return
        }
        let fragments: [Fragment]
        do {
            fragments = try readingFragments(language)
        } catch let error as SayError {
            throw ValidationError(error.message)
        }
        let library = PromptLibrary.inDataDirectory(global.dataDirectory)
        let missing = Set(fragments.map(\.key)).filter {
            !FileManager.default.fileExists(atPath: library.url(for: $0, language: language).path)
        }
        if !missing.isEmpty {
            let report = try PromptSetGenerator(library: library).generate(languages: [language], keys: missing)
            print("generated \(report.written) missing fragment(s) into \(library.root.path)/\(language.rawValue)")
        }
        let samples = try PromptPlayer(PromptItem.sequence(fragments, language: language), library: library).renderAll()
        try WAVFile.write(samples, to: outputURL)
        print("\(Say.text(fragments, language: language)) → \(output) (\(String(format: "%.2f", Double(samples.count) / 8000)) s)")
    }

    private func readingFragments(_ language: SpokenLanguage) throws -> [Fragment] {
        if let money { return try Say.money(money, language: language) }
        if let number { return try Say.number(number, language: language) }
        if let digits { return try Say.digits(digits, language: language) }
        if let duration { return try Say.duration(seconds: duration, language: language) }
        if let date {
            let parts = date.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 3 else { throw SayError(message: "--date \"\(date)\" is not YYYY-MM-DD") }
            return try Say.date(year: parts[0], month: parts[1], day: parts[2], language: language)
        }
        return []
    }
}

/// `hotline media prompts generate [--data-dir D]`.
struct PromptsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompts",
        abstract: "Manage the prompt set.",
        subcommands: [Generate.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render every say fragment and common IVR prompt (zh and en) to DATA/prompts with espeak-ng and sox."
        )

        @OptionGroup var global: GlobalOptions

        @Option(name: .customLong("lang"), help: "Only this language (zh or en); both by default.")
        var language: String?

        @Flag(help: "Replace files that already exist (e.g. recorded ones).")
        var overwrite = false

        func run() throws {
            var languages = SpokenLanguage.allCases
            if let language {
                guard let chosen = SpokenLanguage(rawValue: language) else {
                    throw ValidationError("--lang must be zh or en, not '\(language)'")
                }
                languages = [chosen]
            }
            let library = PromptLibrary.inDataDirectory(global.dataDirectory)
            let report = try PromptSetGenerator(library: library).generate(languages: languages, overwrite: overwrite)
            print("prompt set in \(library.root.path): \(report.written) written, \(report.skipped) already present")
        }
    }
}

/// `hotline media record-tones OUT.wav`: a real-time recording, for checking crash safety with `kill -9`.
struct RecordTonesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record-tones",
        abstract: "Record a synthetic call in real time (ringback on the caller leg, DTMF on the agent leg).",
        discussion: "Kill it with kill -9 at any moment: the file stays a playable WAV up to the last second."
    )

    @Option(help: "Length in seconds.")
    var seconds: Int = 10

    @Flag(help: "Mix both legs into one channel instead of stereo.")
    var mono = false

    @Option(help: "pcm16, alaw or mulaw.")
    var encoding: String = "pcm16"

    @Argument(help: "The WAV file to write.")
    var output: String

    func run() async throws {
        guard let storage = AudioEncoding(rawValue: encoding) else {
            throw ValidationError("--encoding must be pcm16, alaw or mulaw, not '\(encoding)'")
        }
        let recorder = try Recorder(url: URL(fileURLWithPath: output), layout: mono ? .mono : .stereo, encoding: storage)
        var ringback = ToneGenerator(.ringback)
        let digits = DTMFGenerator(level: -10, onTime: 100, offTime: 400)
        try digits.enqueue(String(repeating: "12366#", count: max(1, seconds / 3 + 1)))
        let clock = ContinuousClock()
        var deadline = clock.now
        for _ in 0..<(seconds * 50) {
            try recorder.append(caller: ringback.nextFrame(), agent: digits.nextFrame())
            deadline += .milliseconds(20)
            try await clock.sleep(until: deadline)
        }
        let summary = try recorder.finish()
        print("recorded \(summary.frames / 8000) s to \(output)")
    }
}

/// A command that failed at run time (not a usage error): printed as `Error: <message>` without usage.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
