import Testing
@testable import HotlineMedia

@Suite struct EspeakSynthesizerTests {
    @Test(arguments: SpokenLanguage.allCases)
    func speaksAudibleEightKilohertzAudio(language: SpokenLanguage) async throws {
        let text = language == .mandarin ? "您好，这里是纳税服务热线。" : "Hello, this is the tax hotline."
        let samples = try await EspeakSynthesizer().synthesize(text, language: language)
        // 1–6 s of speech at 8 kHz, clearly audible.
        #expect((8000...48000).contains(samples.count))
        #expect(TestAudio.level(samples) > -30)
    }

    @Test func longerTextGivesLongerSpeech() throws {
        let synthesizer = EspeakSynthesizer()
        let short = try synthesizer.synthesizeNow("一", language: .mandarin)
        let long = try synthesizer.synthesizeNow("一二三四五六七八九十", language: .mandarin)
        #expect(long.count > short.count * 3)
    }

    @Test func resamplerKeepsAPassbandToneAndRemovesAnAliasingOne() {
        let inside = (0..<22050).map { Int16(10000 * sin(2 * Double.pi * 1000 * Double($0) / 22050)) }
        let outside = (0..<22050).map { Int16(10000 * sin(2 * Double.pi * 6000 * Double($0) / 22050)) }
        let keptLevel = TestAudio.level(Resampler.resample(inside, from: 22050, to: 8000))
        let aliasLevel = TestAudio.level(Resampler.resample(outside, from: 22050, to: 8000))
        #expect(Resampler.resample(inside, from: 22050, to: 8000).count == 8000)
        #expect(abs(keptLevel - TestAudio.level(inside)) < 0.5)
        #expect(aliasLevel < TestAudio.level(outside) - 40)
    }
}

import Foundation
