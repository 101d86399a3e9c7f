import Foundation
import Testing
@testable import HotlineMedia

@Suite struct PromptPlayerTests {
    @Test func playsItemsInOrderFrameByFrame() throws {
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fileURL = directory.appendingPathComponent("beep.wav")
        try WAVFile.write([Int16](repeating: 1000, count: 250), format: WAVFormat(encoding: .mulaw), to: fileURL)
        let player = PromptPlayer([.samples([5, 5, 5]), .silence(.milliseconds(10)), .file(fileURL)])
        var frames: [[Int16]] = []
        while let frame = try player.nextFrame() {
            frames.append(frame)
        }
        #expect(player.isFinished)
        #expect(frames.allSatisfy { $0.count == 160 })
        let all = frames.flatMap { $0 }
        #expect(all.count == 3 * 160)  // 3 + 80 + 250 = 333 samples → 3 frames
        #expect(Array(all[0..<3]) == [5, 5, 5])
        #expect(all[3..<83].allSatisfy { $0 == 0 })
        #expect(all[83..<333].allSatisfy { abs(Int($0) - 1000) < 40 })
        #expect(all[333...].allSatisfy { $0 == 0 })
    }

    @Test func stopEndsPlayback() throws {
        let player = PromptPlayer([.silence(.seconds(10))])
        #expect(try player.nextFrame() != nil)
        player.stop()
        #expect(try player.nextFrame() == nil)
        #expect(player.isFinished)
    }

    @Test func missingFragmentNamesTheFileAndTheFix() throws {
        let library = PromptLibrary(root: URL(fileURLWithPath: "/nonexistent/prompts"))
        let player = PromptPlayer([.fragment("wan", .mandarin)], library: library)
        let error = #expect(throws: PromptError.self) { try player.nextFrame() }
        #expect(error?.message.contains("/nonexistent/prompts/zh/wan.wav") == true)
        #expect(error?.message.contains("prompts generate") == true)
    }

    @Test func corruptFileIsAClearError() throws {
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("bad.wav")
        try Data("RIFF0000WAVEjunk".utf8).write(to: url)
        let error = #expect(throws: PromptError.self) { try PromptPlayer([.file(url)]).renderAll() }
        #expect(error?.message.contains("bad.wav") == true)
    }

    @Test func emptySequenceIsFinishedAtOnce() throws {
        let player = PromptPlayer([])
        #expect(try player.nextFrame() == nil)
    }
}
