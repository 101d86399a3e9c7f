import ArgumentParser
import CSpanDSP
import Foundation
import HotlineMedia

/// `hotline bench media-dsp`: DTMF detection per frame (wrapper vs raw spandsp), recorder throughput,
/// fax loopback pages per minute at V.17 14,400.
struct BenchMediaDSPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media-dsp",
        abstract: "DTMF detection cost per 20 ms frame (HotlineMedia vs raw dtmf_rx), recorder throughput, fax pages per minute."
    )

    @Option(help: "Seconds of audio per DTMF run.")
    var seconds: Int = 60

    @Option(help: "Interleaved DTMF runs of each kind (the fastest of each is reported).")
    var rounds: Int = 25

    @Option(help: "Minutes of stereo call audio the recorder writes.")
    var recorderMinutes: Int = 60

    @Option(help: "Pages in the fax loopback run.")
    var faxPages: Int = 4

    func run() throws {
        print("hotline bench media-dsp — \(ProcessInfo.processInfo.activeProcessorCount) cores\n")
        try benchDTMF()
        try benchRecorder()
        try benchFax()
    }

    private func best(_ runs: Int = 5, _ body: () throws -> Void) rethrows -> Duration {
        let clock = ContinuousClock()
        var fastest = Duration.seconds(1_000_000)
        for _ in 0..<runs {
            let start = clock.now
            try body()
            fastest = min(fastest, clock.now - start)
        }
        return fastest
    }

    private func nanoseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
    }

    private func benchDTMF() throws {
        // A realistic stream: digits, silence and −30 dBm0 noise, looped to `seconds` of audio.
        let digits = try DTMFGenerator.render("0123456789*#", level: -20, onTime: 80, offTime: 420)
        var noise = [Int16](repeating: 0, count: digits.count)
        if let generator = awgn_init_dbm0(nil, 1234, -30) {
            for index in noise.indices { noise[index] = awgn(generator) }
            awgn_free(generator)
        }
        let pattern = zip(digits, noise).map { Int16(clamping: Int32($0) + Int32($1)) }
        let frames = seconds * 50
        let patternFrames = pattern.count / 160
        var wrapperDigits = 0
        var rawDigits = 0
        let clock = ContinuousClock()
        var wrapper = Duration.seconds(1_000_000)
        var raw = Duration.seconds(1_000_000)
        // Alternate short runs of both and keep each one's fastest: on a shared machine the minimum
        // over many interleaved runs is the fairest comparison.
        try pattern.withUnsafeBufferPointer { all in
            guard let base = all.baseAddress else { return }
            for _ in 0..<rounds {
                var start = clock.now
                let detector = DTMFDetector()
                var count = 0
                for frame in 0..<frames {
                    let offset = (frame % patternFrames) * 160
                    count += detector.process(UnsafeBufferPointer(rebasing: all[offset..<offset + 160])).count
                }
                wrapper = min(wrapper, clock.now - start)
                wrapperDigits = count
                if count == 0 { throw ValidationError("no digits detected: benchmark input broken") }

                start = clock.now
                guard let state = dtmf_rx_init(nil, nil, nil) else { return }
                var buffer = [CChar](repeating: 0, count: 128)
                count = 0
                for frame in 0..<frames {
                    dtmf_rx(state, base + (frame % patternFrames) * 160, 160)
                    count += Int(dtmf_rx_get(state, &buffer, 128))
                }
                dtmf_rx_free(state)
                raw = min(raw, clock.now - start)
                rawDigits = count
            }
        }
        let wrapperPerFrame = nanoseconds(wrapper) / Double(frames)
        let rawPerFrame = nanoseconds(raw) / Double(frames)
        print("DTMF detection, \(seconds) s of audio (\(frames) frames of 160 samples), fastest of \(rounds) interleaved runs:")
        print(String(format: "  raw spandsp dtmf_rx + dtmf_rx_get: %7.3f µs/frame  (%d digits)", rawPerFrame / 1000, rawDigits))
        print(String(format: "  DTMFDetector.process:              %7.3f µs/frame  (%d digits)  overhead %+.1f %%", wrapperPerFrame / 1000, wrapperDigits, (wrapperPerFrame / rawPerFrame - 1) * 100))
        print(String(format: "  channels per core (20 ms budget):  %7.0f\n", 20_000_000 / wrapperPerFrame))
    }

    private func benchRecorder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var caller = ToneGenerator(.busy)
        var agent = ToneGenerator(.ringback)
        let callerFrames = (0..<50).map { _ in caller.nextFrame() }
        let agentFrames = (0..<50).map { _ in agent.nextFrame() }
        let frames = recorderMinutes * 60 * 50
        for layout in [Recorder.Layout.stereo, .mono] {
            for encoding in [AudioEncoding.pcm16, .alaw] {
                let url = directory.appendingPathComponent("\(layout)-\(encoding).wav")
                let elapsed = try best(3) {
                    let recorder = try Recorder(url: url, layout: layout, encoding: encoding)
                    for frame in 0..<frames {
                        try recorder.append(caller: callerFrames[frame % 50], agent: agentFrames[frame % 50])
                    }
                    try recorder.finish()
                }
                let seconds = nanoseconds(elapsed) / 1e9
                let bytes = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
                print(String(format: "Recorder %@ %@: %d min of call in %.3f s = %.0f× real time (%.0f concurrent calls per core), %.1f MB/s",
                             layout.rawValue, encoding.rawValue, recorderMinutes, seconds, Double(recorderMinutes * 60) / seconds,
                             Double(recorderMinutes * 60) / seconds, Double(bytes) / seconds / 1e6))
            }
        }
        print("")
    }

    private func benchFax() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-bench-fax-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A4 pages at 204×98 dpi with text-like content: rows of short black runs.
        var pageFiles: [String] = []
        for page in 0..<faxPages {
            var pbm = Data("P4\n1728 1143\n".utf8)
            for row in 0..<1143 {
                for byte in 0..<216 {
                    let inText = (row / 12) % 3 != 2 && row > 100 && row < 1040 && byte > 20 && byte < 196
                    pbm.append(inText && (row * 7 + byte * 13 + page) % 5 == 0 ? 0x3C : 0)
                }
            }
            let pbmURL = directory.appendingPathComponent("p\(page).pbm")
            let tiffURL = directory.appendingPathComponent("p\(page).tif")
            try pbm.write(to: pbmURL)
            try tool("/usr/bin/ppm2tiff", ["-R", "204", pbmURL.path, tiffURL.path])
            try tool("/usr/bin/tiffset", ["-s", "283", "98", tiffURL.path])
            pageFiles.append(tiffURL.path)
        }
        let input = directory.appendingPathComponent("in.tif")
        try tool("/usr/bin/tiffcp", ["-c", "g3:2d"] + pageFiles + [input.path])
        for (t38, ecm) in [(false, false), (false, true), (true, false), (true, true)] {
            let clock = ContinuousClock()
            let start = clock.now
            let output = directory.appendingPathComponent("out-\(t38)-\(ecm).tif")
            let options = FaxOptions(errorCorrection: ecm, modems: [.v17])
            let report = t38
                ? try FaxLoopback.runT38(input: input, output: output, options: options)
                : try FaxLoopback.run(input: input, output: output, options: options)
            let compute = nanoseconds(clock.now - start) / 1e9
            let call = nanoseconds(report.callDuration) / 1e9
            print(String(format: "Fax loopback %@ V.17, ECM %@: %d pages at %d bit/s in %.1f s of call = %.2f pages/min; computed in %.2f s (%.0f× real time for both ends)",
                         t38 ? "T.38 " : "G.711", ecm ? "on " : "off", report.receiver.pages, report.receiver.bitRate, call, Double(report.receiver.pages) / call * 60, compute, call / compute))
        }
    }

    private func tool(_ path: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("\(path) failed (apt install libtiff-tools)") }
    }
}
