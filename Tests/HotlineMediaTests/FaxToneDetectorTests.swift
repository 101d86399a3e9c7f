import Testing
@testable import HotlineMedia

@Suite struct FaxToneDetectorTests {
    @Test(arguments: FaxTone.allCases)
    func detectsGeneratedFaxTones(tone: FaxTone) {
        let generator = FaxToneGenerator(tone)
        let detector = FaxToneDetector()
        var heard: [FaxTone] = []
        for _ in 0..<200 {  // 4 s
            if let found = detector.process(generator.nextFrame()) { heard.append(found) }
        }
        #expect(heard == [tone])
    }

    @Test func detectsCNGUnderNoise() {
        let generator = FaxToneGenerator(.cng)
        let detector = FaxToneDetector()
        let noise = TestAudio.noise(count: 160 * 200, level: -40, seed: 11)
        var heard: [FaxTone] = []
        for frame in 0..<200 {
            let mixed = TestAudio.mix(generator.nextFrame(), Array(noise[frame * 160..<(frame + 1) * 160]))
            if let found = detector.process(mixed) { heard.append(found) }
        }
        #expect(heard == [.cng])
    }

    @Test func speechAndCallProgressToneAreNotFax() throws {
        let speech = try EspeakSynthesizer().synthesizeNow("Please send your fax after the tone.", language: .english)
        let audio = speech + ToneGenerator.render(.ringback, milliseconds: 6000)
        let detector = FaxToneDetector()
        var heard: [FaxTone] = []
        for start in stride(from: 0, to: audio.count - 160, by: 160) {
            if let found = detector.process(Array(audio[start..<start + 160])) { heard.append(found) }
        }
        #expect(heard.isEmpty)
    }
}
