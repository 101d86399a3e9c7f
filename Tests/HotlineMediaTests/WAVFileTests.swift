import Foundation
import Testing
@testable import HotlineMedia

@Suite struct WAVFileTests {
    @Test(arguments: AudioEncoding.allCases, [1, 2])
    func roundTripsThroughAFile(encoding: AudioEncoding, channels: Int) throws {
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tone = ToneGenerator.render(.dial, milliseconds: 500)
        let samples = channels == 1 ? tone : zip(tone, tone.reversed()).flatMap { [$0, $1] }
        let format = WAVFormat(encoding: encoding, channels: channels)
        let url = directory.appendingPathComponent("t.wav")
        try WAVFile.write(samples, format: format, to: url)

        let audio = try WAVFile.read(url)
        #expect(audio.format == format)
        #expect(audio.samples.count == samples.count)
        #expect(audio.frameCount == 4000)
        if encoding == .pcm16 {
            #expect(audio.samples == samples)
        } else {
            // G.711 is lossy: each sample must be within one quantisation step (≤ 1/16 of its size + 16).
            for (decoded, original) in zip(audio.samples, samples) {
                #expect(abs(Int(decoded) - Int(original)) <= abs(Int(original)) / 16 + 16)
            }
        }
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int
        #expect(size == WAVFile.headerSize(encoding) + samples.count * encoding.bytesPerSample)
    }

    @Test func readsWhatSoxWrites() throws {
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (encodingArgument, encoding) in [("signed-integer", AudioEncoding.pcm16), ("u-law", .mulaw), ("a-law", .alaw)] {
            let url = directory.appendingPathComponent("sox-\(encoding.rawValue).wav")
            let bits = encoding == .pcm16 ? "16" : "8"
            try runTool("/usr/bin/sox", ["-n", "-r", "8000", "-c", "1", "-e", encodingArgument, "-b", bits, url.path, "synth", "0.25", "sine", "1000"])
            let audio = try WAVFile.read(url)
            #expect(audio.format.encoding == encoding)
            #expect(audio.frameCount == 2000)
            #expect(TestAudio.level(audio.samples) > -10)
        }
    }

    @Test func soxReadsWhatWeWrite() throws {
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("ours.wav")
        try WAVFile.write([Int16](repeating: 1000, count: 8000 * 2), format: WAVFormat(encoding: .alaw, channels: 2), to: url)
        let output = try runTool("/usr/bin/soxi", ["-D", url.path])
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "1.000000")
    }

    @Test func refusesAWrongSampleRateNamingIt() throws {
        var data = WAVFile.encode([0, 1, 2, 3])
        data.replaceSubrange(24..<28, with: [0x44, 0xAC, 0, 0])  // 44,100 Hz
        let error = #expect(throws: WAVError.self) { try WAVFile.decode(data) }
        #expect(error?.kind == .unsupportedSampleRate)
        #expect(error?.message.contains("44100 Hz") == true)
    }

    @Test func refusesAnUnsupportedFormatTag() throws {
        var data = WAVFile.encode([0, 1, 2, 3])
        data.replaceSubrange(20..<22, with: [3, 0])  // IEEE float
        let error = #expect(throws: WAVError.self) { try WAVFile.decode(data) }
        #expect(error?.kind == .unsupportedFormatTag)
        #expect(error?.message.contains("IEEE float") == true)
    }

    @Test func refusesATruncatedDataChunk() throws {
        let data = WAVFile.encode([Int16](repeating: 7, count: 100))
        let error = #expect(throws: WAVError.self) { try WAVFile.decode(data.prefix(100)) }
        #expect(error?.kind == .truncatedChunk)
        #expect(error?.message.contains("'data'") == true)
    }

    @Test(arguments: [Data(), Data("RIFF".utf8), Data("hello, this is not a wav file at all".utf8)])
    func refusesNonWAVBytes(data: Data) {
        let error = #expect(throws: WAVError.self) { try WAVFile.decode(data) }
        #expect(error?.kind == .notWAV)
    }

    @Test func refusesThreeChannels() throws {
        var data = WAVFile.encode([0, 1, 2])
        data.replaceSubrange(22..<24, with: [3, 0])
        let error = #expect(throws: WAVError.self) { try WAVFile.decode(data) }
        #expect(error?.kind == .unsupportedChannelCount)
    }

    @Test func readErrorNamesTheFile() throws {
        let url = URL(fileURLWithPath: "/nonexistent/hotline/missing.wav")
        let error = #expect(throws: WAVError.self) { try WAVFile.read(url) }
        #expect(error?.message.contains("missing.wav") == true)
    }

    @Test func splitsAndMixesStereo() {
        let audio = WAVAudio(format: WAVFormat(channels: 2), samples: [100, -100, 200, 0])
        #expect(audio.channel(0) == [100, 200])
        #expect(audio.channel(1) == [-100, 0])
        #expect(audio.monoMix == [0, 100])
    }
}

@discardableResult
func runTool(_ path: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    struct ToolFailed: Error { var status: Int32 }
    guard process.terminationStatus == 0 else { throw ToolFailed(status: process.terminationStatus) }
    return String(decoding: output, as: UTF8.self)
}
