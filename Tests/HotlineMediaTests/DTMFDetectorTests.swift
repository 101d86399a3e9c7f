import Foundation
import Testing
@testable import HotlineMedia

@Suite struct DTMFDetectorTests {
    @Test(arguments: ["0123456789", "*#ABCD", "12366", "5"])
    func detectsGeneratedDigitsAtMinus25dBm0For40ms(digits: String) throws {
        let audio = try DTMFGenerator.render(digits, level: -25, onTime: 40, offTime: 40)
        let detected = DTMFDetector.detect(in: audio + [Int16](repeating: 0, count: 800))
        #expect(String(detected.map(\.digit)) == digits)
    }

    @Test func reportsStartTimesNearTheToneOnsets() throws {
        // Silence, digit, silence, digit: onsets at 500 ms and 1300 ms.
        let silence = [Int16](repeating: 0, count: 4000)
        let one = try DTMFGenerator.render("1", onTime: 100, offTime: 0)
        let two = try DTMFGenerator.render("2", onTime: 100, offTime: 0)
        let audio = silence + one + [Int16](repeating: 0, count: 5600) + two + silence
        let detected = DTMFDetector.detect(in: audio)
        #expect(detected.map(\.digit) == ["1", "2"])
        #expect((500...560).contains(detected[0].startMilliseconds))
        #expect((1300...1360).contains(detected[1].startMilliseconds))
    }

    @Test func detectsDigitsInNoise() throws {
        let audio = try DTMFGenerator.render("9876543210", level: -20, onTime: 60, offTime: 60)
        let noisy = TestAudio.mix(audio, TestAudio.noise(count: audio.count, level: -45, seed: 7))
        #expect(String(DTMFDetector.detect(in: noisy).map(\.digit)) == "9876543210")
    }

    @Test func ignoresDigitsBelowTheThreshold() throws {
        let audio = try DTMFGenerator.render("123", level: -50, onTime: 100, offTime: 100)
        #expect(DTMFDetector.detect(in: audio).isEmpty)
    }

    @Test func heldDigitIsReportedOnce() throws {
        let audio = try DTMFGenerator.render("7", onTime: 2000, offTime: 100)
        #expect(DTMFDetector.detect(in: audio).map(\.digit) == ["7"])
    }

    @Test(arguments: [SpokenLanguage.mandarin, .english])
    func speechYieldsNoFalseDigits(language: SpokenLanguage) throws {
        let text = language == .mandarin
            ? "您好，欢迎致电一二三六六纳税服务热线。个人所得税请按一，增值税请按二，发票问题请按三，人工服务请按零。"
            : "Welcome to the tax service hotline. For personal income tax press one, for value added tax press two, for invoices press three, to speak to an agent press zero."
        let speech = try EspeakSynthesizer().synthesizeNow(text, language: language)
        #expect(speech.count > 8000 * 3)
        #expect(TestAudio.level(speech) > -35)
        #expect(DTMFDetector.detect(in: speech).isEmpty)
    }

    @Test func generatorRefusesNonDigitsNamingThem() {
        let generator = DTMFGenerator()
        let error = #expect(throws: DTMFGenerator.InvalidDigit.self) { try generator.enqueue("12x4") }
        #expect(error?.character == "x")
        #expect(error?.position == 2)
        #expect(error?.description.contains("position 3") == true)
    }

    @Test func generatorLevelMatchesTheRequest() throws {
        // A DTMF digit is two tones at −10 and −10 dBm0: about −7 dBm0 together.
        let audio = try DTMFGenerator.render("5", level: -10, onTime: 200, offTime: 0)
        #expect(abs(TestAudio.level(audio) - -7) < 1.5)
    }

    @Test func fillInKeepsTimeAdvancing() throws {
        let detector = DTMFDetector()
        detector.fillIn(samples: 8000)
        let audio = try DTMFGenerator.render("4", onTime: 100, offTime: 100)
        var digits: [DetectedDigit] = []
        for start in stride(from: 0, to: audio.count, by: 160) {
            digits += detector.process(Array(audio[start..<min(start + 160, audio.count)]))
        }
        #expect(digits.map(\.digit) == ["4"])
        #expect(digits[0].startMilliseconds >= 1000)
    }

    @Test func digitsEncodeAsJSON() throws {
        let digit = DetectedDigit(digit: "#", startSample: 800)
        let json = String(decoding: try JSONEncoder().encode(digit), as: UTF8.self)
        #expect(json.contains("\"startMilliseconds\":100"))
        #expect(try JSONDecoder().decode(DetectedDigit.self, from: Data(json.utf8)) == digit)
    }
}
