import Foundation
import HotlineCore
import HotlineIVR
import HotlineMedia
import Synchronization

/// Turns the IVR's resolved playback items into what a ``PromptPlayer`` plays: recorded files from the
/// prompts directory, "say" fragments (numbers, money, dates, digits) from the generated prompt set,
/// and free text spoken by espeak-ng (cached per text and language, so a prompt is synthesised once).
final class PromptRenderer: Sendable {
    let library: PromptLibrary
    let synthesizer: any SpeechSynthesizer
    private let cache = Mutex<[String: [Int16]]>([:])

    init(library: PromptLibrary, synthesizer: any SpeechSynthesizer) {
        self.library = library
        self.synthesizer = synthesizer
    }

    static func spoken(_ language: Language) -> SpokenLanguage {
        language == .english ? .english : .mandarin
    }

    /// Resolves a playback; text is synthesised off the event loop.
    /// - Throws: `SpeechSynthesisError` or `SayError` when an item cannot be spoken.
    func render(_ playback: Playback) async throws -> [HotlineMedia.PromptItem] {
        let language = Self.spoken(playback.language)
        var items: [HotlineMedia.PromptItem] = []
        for item in playback.items {
            switch item {
            case .file(let path):
                let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : library.root.appendingPathComponent(path)
                items.append(.file(url))
            case .text(let text):
                items.append(.samples(try await speak(text, language: language)))
            case .money(let fen):
                items += HotlineMedia.PromptItem.sequence(try Say.money(fen: Int(fen), language: language), language: language)
            case .number(let n):
                items += HotlineMedia.PromptItem.sequence(try Say.number(Int(n), language: language), language: language)
            case .date(let d):
                items += HotlineMedia.PromptItem.sequence(try Say.date(year: d.year, month: d.month, day: d.day, language: language), language: language)
            case .digits(let digits):
                items += HotlineMedia.PromptItem.sequence(try Say.digits(digits, language: language), language: language)
            }
        }
        return items
    }

    /// Speaks text, from the cache when it was spoken before.
    func speak(_ text: String, language: SpokenLanguage) async throws -> [Int16] {
        let key = language.rawValue + "|" + text
        if let cached = cache.withLock({ $0[key] }) { return cached }
        let samples = try await synthesizer.synthesize(text, language: language)
        cache.withLock { $0[key] = samples }
        return samples
    }
}
