public import Foundation

/// Something a `PromptPlayer` can play.
public enum PromptItem: Sendable, Hashable {
    /// A WAV file (8 kHz; stereo files are mixed to mono).
    case file(URL)
    /// A fragment or prompt key, looked up in the player's library for a language.
    case fragment(String, SpokenLanguage)
    /// Audio already in memory (8 kHz mono linear).
    case samples([Int16])
    /// Silence.
    case silence(Duration)

    /// Items for "say" fragments.
    /// - Parameters:
    ///   - fragments: from a `Say` function.
    ///   - language: their language.
    /// - Returns: one `.fragment` item each.
    public static func sequence(_ fragments: [Fragment], language: SpokenLanguage) -> [PromptItem] {
        fragments.map { .fragment($0.key, language) }
    }
}

/// Why a prompt could not be played.
public struct PromptError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is missing or broken, naming the file and how to fix it.
    public var message: String

    /// The message.
    public var description: String { message }
}

/// Plays a sequence of prompt files, fragments, in-memory audio and silences, one 20 ms frame at a time.
///
/// Files are opened only when the sequence reaches them, so a long sequence starts at once and memory
/// holds one file at a time. `stop()` ends playback at the next frame (barge-in on a digit). Not
/// thread-safe: one player per call leg.
public final class PromptPlayer {
    /// Samples per 20 ms frame.
    public static let samplesPerFrame = 160

    private let items: [PromptItem]
    private let library: PromptLibrary?
    private var itemIndex = 0
    private var current: [Int16] = []
    private var position = 0
    private var silenceLeft = 0
    private var stopped = false

    /// Creates a player.
    /// - Parameters:
    ///   - items: what to play, in order.
    ///   - library: where `.fragment` items are found.
    public init(_ items: [PromptItem], library: PromptLibrary? = nil) {
        self.items = items
        self.library = library
    }

    /// Whether everything has been played (or playback was stopped).
    public var isFinished: Bool { stopped || (itemIndex >= items.count && position >= current.count && silenceLeft == 0) }

    /// Ends playback: the next `nextFrame()` returns `nil`.
    public func stop() {
        stopped = true
    }

    /// The next 20 ms of audio.
    /// - Returns: 160 samples (the last frame padded with silence), or `nil` when finished.
    /// - Throws: `PromptError` when a file is missing or not a supported WAV file.
    public func nextFrame() throws -> [Int16]? {
        guard !stopped else { return nil }
        var frame = [Int16]()
        frame.reserveCapacity(Self.samplesPerFrame)
        while frame.count < Self.samplesPerFrame {
            if silenceLeft > 0 {
                let take = min(silenceLeft, Self.samplesPerFrame - frame.count)
                frame.append(contentsOf: repeatElement(0, count: take))
                silenceLeft -= take
                continue
            }
            if position < current.count {
                let take = min(current.count - position, Self.samplesPerFrame - frame.count)
                frame.append(contentsOf: current[position..<position + take])
                position += take
                continue
            }
            guard itemIndex < items.count else { break }
            try load(items[itemIndex])
            itemIndex += 1
        }
        if frame.isEmpty { return nil }
        if frame.count < Self.samplesPerFrame {
            frame.append(contentsOf: repeatElement(0, count: Self.samplesPerFrame - frame.count))
        }
        return frame
    }

    /// Plays everything into one buffer (for files and tests).
    /// - Returns: all samples, a whole number of frames.
    /// - Throws: `PromptError` as `nextFrame()` does.
    public func renderAll() throws -> [Int16] {
        var samples: [Int16] = []
        while let frame = try nextFrame() {
            samples += frame
        }
        return samples
    }

    private func load(_ item: PromptItem) throws {
        current = []
        position = 0
        switch item {
        case .samples(let samples):
            current = samples
        case .silence(let duration):
            let (seconds, attoseconds) = duration.components
            silenceLeft = max(0, Int(seconds) * 8000 + Int(attoseconds / 125_000_000_000_000))
        case .file(let url):
            current = try Self.read(url, hint: nil)
        case .fragment(let key, let language):
            guard let library else {
                throw PromptError(message: "prompt '\(key)' (\(language.rawValue)) needs a prompt library, and the player has none")
            }
            current = try Self.read(library.url(for: key, language: language), hint: "run `hotline media prompts generate` to create the prompt set")
        }
    }

    private static func read(_ url: URL, hint: String?) throws -> [Int16] {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw PromptError(message: "prompt file \(url.path) does not exist" + (hint.map { ": \($0)" } ?? ""))
        }
        do {
            return try WAVFile.read(url).monoMix
        } catch let error as WAVError {
            throw PromptError(message: "prompt file cannot be played: \(error.message)")
        }
    }
}
