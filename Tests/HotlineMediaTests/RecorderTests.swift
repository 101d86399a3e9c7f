import Foundation
import Testing
@testable import HotlineMedia

@Suite struct RecorderTests {
    @Test(arguments: Recorder.Layout.allCases, AudioEncoding.allCases)
    func recordsBothLegs(layout: Recorder.Layout, encoding: AudioEncoding) throws {
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("call.wav")
        let recorder = try Recorder(url: url, layout: layout, encoding: encoding)
        var caller = ToneGenerator(.ringback)
        // The agent's digits start at 1.2 s, while ringback (1 s on, 4 s off) is silent.
        let agentAudio = [Int16](repeating: 0, count: 9600) + (try DTMFGenerator.render("12366", level: -10))
        for frame in 0..<150 {  // 3 s
            let start = frame * 160
            let agent = start < agentAudio.count ? Array(agentAudio[start..<min(start + 160, agentAudio.count)]) : []
            try recorder.append(caller: caller.nextFrame(), agent: agent)
        }
        let summary = try recorder.finish()
        #expect(summary.frames == 150 * 160)

        let audio = try WAVFile.read(url)
        #expect(audio.format.channels == (layout == .stereo ? 2 : 1))
        #expect(audio.format.encoding == encoding)
        #expect(audio.frameCount == 24000)
        let digits = DTMFDetector.detect(in: layout == .stereo ? audio.channel(1) : audio.samples)
        #expect(String(digits.map(\.digit)) == "12366")
        #expect(TestAudio.level(Array(audio.channel(0).prefix(8000))) > -15)
        if layout == .stereo {
            #expect(DTMFDetector.detect(in: audio.channel(0)).isEmpty)
            #expect(audio.channel(1).prefix(9600).allSatisfy { abs(Int($0)) <= 8 })  // G.711 silence decodes to ±8 at most
        }
    }

    /// The file on disk while recording is all a `kill -9` leaves behind: no `finish()`, no `deinit`.
    /// Snapshot it mid-call (after 3.5 s of audio with a one-second flush interval) and check that a
    /// reader — ours and sox's — sees a valid file holding the first 3 s.
    @Test func fileOnDiskIsPlayableBeforeFinish() throws {
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("crash.wav")
        let snapshot = directory.appendingPathComponent("snapshot.wav")
        let recorder = try Recorder(url: url, layout: .stereo)
        var tone = ToneGenerator(.busy)
        for _ in 0..<175 {
            let frame = tone.nextFrame()
            try recorder.append(caller: frame, agent: frame)
        }
        #expect(recorder.framesOnDisk == 3 * 8000)
        try FileManager.default.copyItem(at: url, to: snapshot)

        let audio = try WAVFile.read(snapshot)
        #expect(audio.frameCount == 3 * 8000)
        let seconds = try runTool("/usr/bin/soxi", ["-D", snapshot.path])
        #expect(seconds.trimmingCharacters(in: .whitespacesAndNewlines) == "3.000000")
        try recorder.finish()
        #expect(try WAVFile.read(url).frameCount == 175 * 160)
    }

    @Test func memoryStaysBoundedByTheFlushInterval() throws {
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("long.wav")
        let recorder = try Recorder(url: url, layout: .mono, flushInterval: .milliseconds(200))
        let frame = [Int16](repeating: 300, count: 160)
        for index in 1...500 {
            try recorder.append(caller: frame, agent: [])
            // Never more than 200 ms (10 frames) behind the disk.
            #expect(index * 160 - recorder.framesOnDisk < 10 * 160 + 1)
        }
        try recorder.finish()
        #expect(try WAVFile.read(url).samples.allSatisfy { $0 == 300 })
    }

    @Test func appendAfterFinishIsRefused() throws {
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recorder = try Recorder(url: directory.appendingPathComponent("x.wav"))
        try recorder.finish()
        #expect(throws: WAVError.self) { try recorder.append(caller: [1], agent: [1]) }
    }

    @Test func unwritablePathIsAClearError() {
        let error = #expect(throws: WAVError.self) {
            try Recorder(url: URL(fileURLWithPath: "/nonexistent-dir/call.wav"))
        }
        #expect(error?.message.contains("/nonexistent-dir/call.wav") == true)
    }
}

/// A real crash: the `hotline` executable records in real time and is killed with SIGKILL mid-call.
@Suite struct RecorderCrashTests {
    /// The `hotline` binary built next to this test bundle (`swift build --build-tests` builds both).
    static var hotlineBinary: URL? {
        let testBundle = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        var directory = testBundle.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("hotline")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    @Test func recordingKilledWithSIGKILLIsPlayableUpToTheLastSecond() throws {
        guard let binary = Self.hotlineBinary else {
            Issue.record("the hotline executable was not found next to the test bundle: run `swift build --build-tests`")
            return
        }
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("killed.wav")
        let child = Process()
        child.executableURL = binary
        child.arguments = ["media", "record-tones", "--seconds", "60", url.path]
        child.standardOutput = FileHandle.nullDevice
        try child.run()
        defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }

        // Wait (at most 20 s) until at least 2.5 s have been flushed, then kill mid-second.
        var onDisk = 0
        for _ in 0..<400 where onDisk < 2 * 8000 {
            Thread.sleep(forTimeInterval: 0.05)
            onDisk = (try? WAVFile.read(url).frameCount) ?? 0
        }
        Thread.sleep(forTimeInterval: 0.5)
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal)

        let audio = try WAVFile.read(url)
        #expect(audio.frameCount >= 2 * 8000)
        #expect(audio.frameCount % 8000 == 0)  // whole seconds: everything up to the last flush
        let seconds = try runTool("/usr/bin/soxi", ["-D", url.path]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Double(seconds) == Double(audio.frameCount / 8000))
        #expect(String(DTMFDetector.detect(in: audio.channel(1)).map(\.digit)).hasPrefix("1236"))
    }
}
