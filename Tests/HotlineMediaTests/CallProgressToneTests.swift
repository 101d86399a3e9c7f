import Foundation
import Testing
@testable import HotlineMedia

@Suite struct CallProgressToneTests {
    @Test func chineseDefaultsAreTheNationalPlan() {
        let china = ToneStandard.china
        #expect(china.callProgressFrequency == 450)
        #expect(china.cadence(for: .ringback).segments.map(\.milliseconds) == [1000, 4000])
        #expect(china.cadence(for: .busy).segments.map(\.milliseconds) == [350, 350])
        #expect(china.cadence(for: .congestion).segments.map(\.milliseconds) == [700, 700])
        #expect(china.cadence(for: .dial).segments.map(\.milliseconds) == [nil])
        #expect(china.cadence(for: .specialInformation).segments.map(\.frequencies) == [[950], [1400], [1800], []])
    }

    @Test func generatedRingbackHasTheCadence() {
        let audio = ToneGenerator.render(.ringback, milliseconds: 5000)
        #expect(TestAudio.level(Array(audio[0..<8000])) > -12)
        #expect(audio[8000..<40000].allSatisfy { $0 == 0 })
        #expect(TestAudio.level(Array(audio[0..<8000])) < -8)
    }

    @Test(arguments: ToneStandard.allCases, [CallProgressTone.busy, .congestion, .ringback, .dial, .specialInformation])
    func detectsEachGeneratedToneInNoise(standard: ToneStandard, tone: CallProgressTone) {
        let audio = ToneGenerator.render(tone, standard: standard, milliseconds: 12_000)
        let noisy = TestAudio.mix(audio, TestAudio.noise(count: audio.count, level: -35, seed: 42))
        let detections = CallProgressToneDetector.detect(in: noisy, standard: standard)
        #expect(!detections.isEmpty)
        #expect(Set(detections.map(\.tone)) == [tone])
    }

    @Test func chineseBusyIsNotMistakenForITUCongestion() {
        let audio = ToneGenerator.render(.busy, standard: .china, milliseconds: 6000)
        let detections = CallProgressToneDetector.detect(in: audio, standard: .china)
        #expect(detections.first?.tone == .busy)
        // Reported after two cycles: 4 × 350 ms.
        #expect((1400 * 8...1500 * 8).contains(detections.first?.sample ?? 0))
    }

    @Test func noiseAloneIsNotATone() {
        let noise = TestAudio.noise(count: 8000 * 15, level: -20, seed: 3)
        #expect(CallProgressToneDetector.detect(in: noise).isEmpty)
    }

    @Test func speechIsNotATone() throws {
        let speech = try EspeakSynthesizer().synthesizeNow("对不起，您拨打的电话正在通话中，请稍后再拨。", language: .mandarin)
        #expect(CallProgressToneDetector.detect(in: speech + speech).isEmpty)
    }
}
