/// The languages Hotline speaks to callers.
public enum SpokenLanguage: String, Sendable, Hashable, CaseIterable, Codable {
    /// Mandarin Chinese (espeak-ng voice `cmn`).
    case mandarin = "zh"
    /// English (espeak-ng voice `en`).
    case english = "en"

    /// The espeak-ng voice name for this language.
    public var espeakVoice: String { self == .mandarin ? "cmn" : "en" }
}

/// Turns text into 8 kHz mono linear speech for dynamic prompts (names, addresses, free text).
public protocol SpeechSynthesizer: Sendable {
    /// Speaks `text`.
    /// - Parameters:
    ///   - text: the text (UTF-8; Chinese characters for Mandarin).
    ///   - language: the language and voice.
    /// - Returns: 8 kHz mono 16-bit linear samples.
    /// - Throws: `SpeechSynthesisError` when the engine fails.
    func synthesize(_ text: String, language: SpokenLanguage) async throws -> [Int16]
}

/// Why speech synthesis failed.
public struct SpeechSynthesisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, naming the engine call and the voice or text involved.
    public var message: String

    /// Creates an error.
    /// - Parameter message: the explanation.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
