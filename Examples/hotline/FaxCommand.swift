import ArgumentParser
import Foundation
import HotlineMedia

/// `hotline fax …`: T.30 fax over G.711 audio (spandsp) and TIFF → PDF conversion.
struct FaxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fax",
        abstract: "Fax: loopback transfer through a simulated line, TIFF-F to PDF.",
        subcommands: [FaxLoopbackCommand.self, FaxPDFCommand.self]
    )
}

/// `hotline fax loopback IN.tiff OUT.tiff [--ecm] [--loss 0.01] [--snr 30]`.
struct FaxLoopbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loopback",
        abstract: "Send a TIFF-F file from one fax terminal to another through a simulated G.711 line.",
        discussion: "Reports pages, bit rate, ECM use and the simulated call time. Exits 1 when the transfer fails."
    )

    @Argument(help: "The TIFF-F file to send (1728 pixels wide, 204×98 or 204×196 dpi).")
    var input: String

    @Argument(help: "Where to write the received TIFF-F file.")
    var output: String

    @Flag(help: "Use error correction mode (T.30 Annex A).")
    var ecm = false

    @Flag(help: "Carry the fax as T.38 IFP packets instead of G.711 audio (spandsp T.38 terminals; no UDPTL framing).")
    var t38 = false

    @Option(help: "Packet loss probability per 20 ms frame, e.g. 0.01.")
    var loss: Double = 0

    @Option(help: "Signal-to-noise ratio in dB (white noise); omit for a clean line.")
    var snr: Double?

    @Option(help: "Maximum network jitter in milliseconds (the jitter buffer holds 60 ms).")
    var jitter: Int = 0

    @Option(help: "Earlier frames repeated in each packet (RFC 2198 / V.152 redundancy); 0 for none.")
    var redundancy: Int = 1

    @Option(help: "Modems to offer: comma-separated v17,v29,v27ter.")
    var modems: String = "v17,v29,v27ter"

    @Option(help: "The sender's station ID.")
    var stationID: String = "+86 12366"

    @Option(help: "The header line stamped on sent pages.")
    var header: String?

    @Option(help: "Random seed for loss, jitter and noise.")
    var seed: UInt64 = 1

    func run() throws {
        var offered = Set<FaxModem>()
        for name in modems.split(separator: ",") {
            guard let modem = FaxModem(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw ValidationError("--modems: unknown modem '\(name)' (use v17, v29, v27ter)")
            }
            offered.insert(modem)
        }
        guard (0...0.5).contains(loss) else { throw ValidationError("--loss must be between 0 and 0.5") }
        let options = FaxOptions(stationID: stationID, headerLine: header, errorCorrection: ecm, modems: offered)
        let line = LineConditions(lossRate: loss, signalToNoise: snr, jitterMilliseconds: jitter, redundancy: redundancy, seed: seed)
        let clock = ContinuousClock()
        let started = clock.now
        // FaxError's message names the file and what is wrong with it.
        let report = t38
            ? try FaxLoopback.runT38(input: URL(fileURLWithPath: input), output: URL(fileURLWithPath: output), options: options, line: line)
            : try FaxLoopback.run(input: URL(fileURLWithPath: input), output: URL(fileURLWithPath: output), options: options, line: line)
        let elapsed = clock.now - started
        let seconds = Double(report.callDuration.components.seconds) + Double(report.callDuration.components.attoseconds) / 1e18
        let receiver = report.receiver
        print("""
            sender:   \(report.sender.succeeded ? "OK" : "FAILED: \(report.sender.failureReason ?? "?")"), \(report.sender.pages) page(s) sent
            receiver: \(receiver.succeeded ? "OK" : "FAILED: \(receiver.failureReason ?? "?")"), \(receiver.pages) page(s) received from \(receiver.remoteStationID ?? "unknown station")
            \(t38 ? "T.38" : "G.711 audio"), rate \(receiver.bitRate) bit/s, ECM \(receiver.errorCorrection ? "on" : "off"), call \(String(format: "%.1f", seconds)) s simulated \
            (\(String(format: "%.2f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)) s to compute), \
            \(report.lostPackets) packet(s) lost, \(report.missingFrames) frame(s) missing at playout
            """)
        if !(report.sender.succeeded && receiver.succeeded) {
            throw ExitCode(1)
        }
    }
}

/// `hotline fax pdf IN.tiff OUT.pdf`: libtiff's `tiff2pdf`.
struct FaxPDFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pdf",
        abstract: "Convert a received TIFF-F fax to PDF with libtiff-tools' tiff2pdf (apt install libtiff-tools)."
    )

    @Argument(help: "The TIFF file.")
    var input: String

    @Argument(help: "The PDF file to write.")
    var output: String

    @Option(help: "The tiff2pdf program.")
    var tiff2pdf: String = "/usr/bin/tiff2pdf"

    func run() throws {
        guard FileManager.default.isReadableFile(atPath: input) else {
            throw CommandFailure("\(input): no such file")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tiff2pdf)
        // -z: Zip-compress pages (fax pages are bilevel and compress well); -o: output file.
        process.arguments = ["-z", "-o", output, input]
        let errors = Pipe()
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw CommandFailure("cannot run \(tiff2pdf) (apt install libtiff-tools): \(error.localizedDescription)")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure("tiff2pdf failed for \(input): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        print("\(input) → \(output)")
    }
}
