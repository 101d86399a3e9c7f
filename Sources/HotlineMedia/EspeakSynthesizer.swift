internal import CEspeakNG
import Synchronization

/// Speech through libespeak-ng (voices `cmn` and `en`), resampled from espeak's 22,050 Hz to 8 kHz.
///
/// libespeak-ng keeps one engine per process, so every call goes through one lock; synthesis of a
/// sentence takes some tens of milliseconds. Use it for dynamic text; fixed prompts and "say"
/// fragments are generated once (`PromptSetGenerator`) and played from files.
public struct EspeakSynthesizer: SpeechSynthesizer {
    /// Speaking rate in words per minute (espeak's default is 175; 150 is clearer on the phone).
    public var wordsPerMinute: Int
    /// Amplitude 0–200 (espeak's default 100).
    public var volume: Int

    /// Creates a synthesizer.
    /// - Parameters:
    ///   - wordsPerMinute: speaking rate (80–450).
    ///   - volume: amplitude (0–200).
    public init(wordsPerMinute: Int = 150, volume: Int = 100) {
        self.wordsPerMinute = wordsPerMinute
        self.volume = volume
    }

    /// Speaks `text`.
    /// - Parameters:
    ///   - text: the text.
    ///   - language: Mandarin or English.
    /// - Returns: 8 kHz mono linear samples.
    /// - Throws: `SpeechSynthesisError` when espeak-ng cannot start, lacks the voice, or fails.
    public func synthesize(_ text: String, language: SpokenLanguage) async throws -> [Int16] {
        try synthesizeNow(text, language: language)
    }

    /// Speaks `text` on the calling thread (blocking while espeak-ng runs).
    /// - Parameters:
    ///   - text: the text.
    ///   - language: Mandarin or English.
    /// - Returns: 8 kHz mono linear samples.
    /// - Throws: `SpeechSynthesisError` when espeak-ng cannot start, lacks the voice, or fails.
    public func synthesizeNow(_ text: String, language: SpokenLanguage) throws -> [Int16] {
        let (rate, samples) = try espeakEngine.withLock { sampleRate throws(SpeechSynthesisError) -> (Int32, [Int16]) in
            if sampleRate == 0 {
                let rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 200, nil, Int32(espeakINITIALIZE_DONT_EXIT))
                guard rate > 0 else {
                    throw SpeechSynthesisError("espeak_Initialize failed (\(rate)): is espeak-ng-data installed (apt install espeak-ng-data)?")
                }
                espeak_SetSynthCallback { wave, count, events in
                    guard let events, let userData = events.pointee.user_data else { return 0 }
                    let sink = Unmanaged<SampleSink>.fromOpaque(userData).takeUnretainedValue()
                    if let wave, count > 0 {
                        sink.samples.append(contentsOf: UnsafeBufferPointer(start: wave, count: Int(count)))
                    }
                    return 0
                }
                sampleRate = rate
            }
            guard espeak_SetVoiceByName(language.espeakVoice) == EE_OK else {
                throw SpeechSynthesisError("espeak-ng has no voice '\(language.espeakVoice)' for \(language.rawValue)")
            }
            espeak_SetParameter(espeakRATE, Int32(wordsPerMinute), 0)
            espeak_SetParameter(espeakVOLUME, Int32(volume), 0)
            let sink = SampleSink()
            let status = withExtendedLifetime(sink) {
                text.withCString { cText in
                    espeak_Synth(cText, strlen(cText) + 1, 0, POS_CHARACTER, 0, UInt32(espeakCHARS_UTF8), nil,
                                 Unmanaged.passUnretained(sink).toOpaque())
                }
            }
            guard status == EE_OK else {
                throw SpeechSynthesisError("espeak_Synth failed (\(status.rawValue)) for \(language.rawValue) text \"\(text.prefix(40))\"")
            }
            return (sampleRate, sink.samples)
        }
        return Resampler.resample(samples, from: Int(rate), to: 8000)
    }
}

/// Collects espeak-ng's callback output; only touched while `espeakEngine` is locked.
private final class SampleSink {
    var samples: [Int16] = []
}

/// libespeak-ng's process-wide engine: the sample rate once initialised (0 before).
private let espeakEngine = Mutex<Int32>(0)

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
