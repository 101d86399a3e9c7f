import Foundation
import Testing
@testable import HotlineMedia

@Suite struct PromptSetGeneratorTests {
    /// Generates the fragments for one money reading with the real espeak-ng and sox, then plays the
    /// reading from them: the result is audible 8 kHz audio made of those files back to back.
    @Test(arguments: SpokenLanguage.allCases)
    func generatesFragmentsThatPlayAsASayReading(language: SpokenLanguage) throws {
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let library = PromptLibrary.inDataDirectory(directory)
        let fragments = try Say.money("1005.07", language: language)
        let keys = Set(fragments.map(\.key)).union([CommonPrompt.amountDue.rawValue])
        let report = try PromptSetGenerator(library: library).generate(languages: [language], keys: keys)
        #expect(report.written == keys.count)

        var expectedLength = 0
        for key in keys {
            let audio = try WAVFile.read(library.url(for: key, language: language))
            #expect(audio.format == .telephoneMono)
            #expect(audio.frameCount > 400)  // more than 50 ms of speech each
            #expect(TestAudio.level(audio.samples) > -30)
        }
        for fragment in fragments {
            expectedLength += try WAVFile.read(library.url(for: fragment.key, language: language)).frameCount
        }
        let items = [PromptItem.fragment(CommonPrompt.amountDue.rawValue, language)] + PromptItem.sequence(fragments, language: language)
        let played = try PromptPlayer(items, library: library).renderAll()
        let leadIn = try WAVFile.read(library.url(for: CommonPrompt.amountDue.rawValue, language: language)).frameCount
        #expect(played.count >= expectedLength + leadIn)
        #expect(played.count < expectedLength + leadIn + 160)
        #expect(DTMFDetector.detect(in: played).isEmpty)

        // A second run leaves existing files alone.
        let again = try PromptSetGenerator(library: library).generate(languages: [language], keys: keys)
        #expect(again.written == 0)
        #expect(again.skipped == keys.count)
    }

    @Test func missingProgramIsNamed() throws {
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let generator = PromptSetGenerator(library: PromptLibrary(root: directory), espeakPath: "/nonexistent/espeak-ng")
        let error = #expect(throws: PromptSetGenerator.Failure.self) {
            try generator.generate(languages: [.english], keys: ["one"])
        }
        #expect(error?.message.contains("/nonexistent/espeak-ng") == true)
    }

    @Test(arguments: SpokenLanguage.allCases)
    func everyCommonPromptHasText(language: SpokenLanguage) {
        let entries = PromptSetGenerator.entries(for: language)
        #expect(Set(entries.map(\.key)).count == entries.count)
        #expect(entries.allSatisfy { !$0.text.isEmpty })
    }
}
