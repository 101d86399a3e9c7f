import Foundation
import Testing
@testable import HotlineMedia

/// Bilevel fax pages for tests: drawn here, written as PBM, turned into TIFF-F (T.4 2-D, 204×98 dpi)
/// with libtiff-tools, and read back pixel by pixel after decompression with `tiffcp -c none`.
enum FaxPages {
    static let width = 1728

    /// A page of random black boxes and a line of dots, reproducible from `seed`.
    static func page(seed: UInt64, rows: Int = 1100) -> [[Bool]] {
        var random = SplitMixRandom(seed: seed)
        var pixels = [[Bool]](repeating: [Bool](repeating: false, count: width), count: rows)
        for _ in 0..<40 {
            let x = Int(random.next() % UInt64(width - 200)), y = Int(random.next() % UInt64(rows - 100))
            let w = 20 + Int(random.next() % 180), h = 5 + Int(random.next() % 95)
            for row in y..<y + h { for column in x..<x + w { pixels[row][column] = true } }
        }
        for column in stride(from: 0, to: width, by: 3) { pixels[rows / 2][column] = true }
        return pixels
    }

    /// Writes pages as one multi-page TIFF-F file.
    static func writeTIFF(_ pages: [[[Bool]]], to url: URL, in directory: URL) throws {
        var pageFiles: [String] = []
        for (index, page) in pages.enumerated() {
            var pbm = Data("P4\n\(width) \(page.count)\n".utf8)
            for row in page {
                for byteStart in stride(from: 0, to: width, by: 8) {
                    var byte: UInt8 = 0
                    for bit in 0..<8 where row[byteStart + bit] { byte |= 0x80 >> UInt8(bit) }
                    pbm.append(byte)
                }
            }
            let pbmURL = directory.appendingPathComponent("page\(index).pbm")
            let tiffURL = directory.appendingPathComponent("page\(index).tif")
            try pbm.write(to: pbmURL)
            try runTool("/usr/bin/ppm2tiff", ["-R", "204", pbmURL.path, tiffURL.path])
            try runTool("/usr/bin/tiffset", ["-s", "283", "98", tiffURL.path])
            pageFiles.append(tiffURL.path)
        }
        try runTool("/usr/bin/tiffcp", ["-c", "g3:2d"] + pageFiles + [url.path])
    }

    /// Reads every page of a TIFF file as pixels (true = black).
    static func readTIFF(_ url: URL, in directory: URL) throws -> [[[Bool]]] {
        let plain = directory.appendingPathComponent("plain-\(UUID().uuidString).tif")
        try runTool("/usr/bin/tiffcp", ["-c", "none", "-f", "msb2lsb", "-r", "100000", url.path, plain.path])
        let data = [UInt8](try Data(contentsOf: plain))
        let little = data[0] == 0x49
        func u16(_ at: Int) -> Int { little ? Int(data[at]) | Int(data[at + 1]) << 8 : Int(data[at]) << 8 | Int(data[at + 1]) }
        func u32(_ at: Int) -> Int { little ? u16(at) | u16(at + 2) << 16 : u16(at) << 16 | u16(at + 2) }
        var pages: [[[Bool]]] = []
        var ifd = u32(4)
        while ifd != 0 {
            var tags: [Int: Int] = [:]
            let count = u16(ifd)
            for entry in 0..<count {
                let at = ifd + 2 + entry * 12
                let type = u16(at + 2)
                tags[u16(at)] = type == 3 ? u16(at + 8) : u32(at + 8)
            }
            let width = tags[256] ?? 0, rows = tags[257] ?? 0, offset = tags[273] ?? 0
            let whiteIsZero = (tags[262] ?? 0) == 0
            let stride = (width + 7) / 8
            pages.append((0..<rows).map { row in
                (0..<width).map { column in
                    let bit = data[offset + row * stride + column / 8] & (0x80 >> UInt8(column % 8)) != 0
                    return whiteIsZero ? bit : !bit
                }
            })
            ifd = u32(ifd + 2 + count * 12)
        }
        return pages
    }
}

@Suite(.serialized) struct FaxTests {
    /// Two engines through an audio loop with jitter, 1 % packet loss and noise: the received pages
    /// decode to exactly the pixels sent, with and without ECM.
    @Test(arguments: [true, false])
    func loopbackThroughAnImpairedLineDeliversIdenticalPages(errorCorrection: Bool) throws {
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sent = [FaxPages.page(seed: 1), FaxPages.page(seed: 2)]
        let input = directory.appendingPathComponent("in.tif")
        let output = directory.appendingPathComponent("out.tif")
        try FaxPages.writeTIFF(sent, to: input, in: directory)
        #expect(try FaxPages.readTIFF(input, in: directory) == sent)

        let line = LineConditions(lossRate: 0.01, signalToNoise: 45, jitterMilliseconds: 40, redundancy: 1, seed: 7)
        let report = try FaxLoopback.run(input: input, output: output, options: FaxOptions(stationID: "+86 10 12366", errorCorrection: errorCorrection), line: line)
        #expect(report.sender.succeeded, "\(report.sender.failureReason ?? "")")
        #expect(report.receiver.succeeded, "\(report.receiver.failureReason ?? "")")
        #expect(report.receiver.pages == 2)
        #expect(report.sender.pages == 2)
        #expect(report.receiver.bitRate == 14400)
        #expect(report.receiver.errorCorrection == errorCorrection)
        #expect(report.receiver.remoteStationID == "+86 10 12366")
        #expect(report.lostPackets > 0)
        #expect(try FaxPages.readTIFF(output, in: directory) == sent)
    }

    /// The same through T.38: two spandsp T.38 terminals exchanging IFP packets over a network with
    /// 1 % loss, 40 ms jitter (reordering) and one packet of UDPTL-style redundancy.
    @Test(arguments: [true, false])
    func t38LoopbackDeliversIdenticalPages(errorCorrection: Bool) throws {
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sent = [FaxPages.page(seed: 11), FaxPages.page(seed: 12, rows: 600)]
        let input = directory.appendingPathComponent("in.tif")
        let output = directory.appendingPathComponent("out.tif")
        try FaxPages.writeTIFF(sent, to: input, in: directory)
        let line = LineConditions(lossRate: 0.01, jitterMilliseconds: 40, redundancy: 1, seed: 5)
        let report = try FaxLoopback.runT38(input: input, output: output, options: FaxOptions(errorCorrection: errorCorrection), line: line)
        #expect(report.sender.succeeded, "\(report.sender.failureReason ?? "")")
        #expect(report.receiver.succeeded, "\(report.receiver.failureReason ?? "")")
        #expect(report.receiver.pages == 2)
        #expect(report.receiver.errorCorrection == errorCorrection)
        #expect(report.lostPackets > 0)
        #expect(try FaxPages.readTIFF(output, in: directory) == sent)
    }

    @Test(arguments: [(FaxModem.v29, 9600), (.v27ter, 4800)])
    func slowerModemsWork(modem: FaxModem, rate: Int) throws {
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sent = [FaxPages.page(seed: 3, rows: 400)]
        let input = directory.appendingPathComponent("in.tif")
        let output = directory.appendingPathComponent("out.tif")
        try FaxPages.writeTIFF(sent, to: input, in: directory)
        let report = try FaxLoopback.run(input: input, output: output, options: FaxOptions(errorCorrection: false, modems: [modem]))
        #expect(report.receiver.succeeded)
        #expect(report.receiver.bitRate == rate)
        #expect(try FaxPages.readTIFF(output, in: directory) == sent)
    }

    @Test func headerLineIsStampedAboveThePage() throws {
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sent = [FaxPages.page(seed: 4, rows: 300)]
        let input = directory.appendingPathComponent("in.tif")
        let output = directory.appendingPathComponent("out.tif")
        try FaxPages.writeTIFF(sent, to: input, in: directory)
        let report = try FaxLoopback.run(input: input, output: output, options: FaxOptions(headerLine: "12366 TAX HOTLINE"))
        #expect(report.receiver.succeeded)
        let received = try FaxPages.readTIFF(output, in: directory)
        let page = try #require(received.first)
        let headerRows = page.count - 300
        #expect(headerRows > 0)
        #expect(page[..<headerRows].contains { $0.contains(true) })  // the header text is there
        #expect(Array(page[headerRows...]) == sent[0])  // and the page below it is untouched
    }

    @Test func refusesFilesThatAreNotTIFF() throws {
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let notTIFF = directory.appendingPathComponent("x.tif")
        try Data("this is not a tiff".utf8).write(to: notTIFF)
        let error = #expect(throws: FaxError.self) {
            try FaxSession(role: .send(notTIFF), callingParty: true)
        }
        #expect(error?.message.contains("not a TIFF") == true)
        #expect(throws: FaxError.self) {
            try FaxSession(role: .send(directory.appendingPathComponent("missing.tif")), callingParty: true)
        }
        #expect(throws: FaxError.self) {
            try FaxSession(role: .receive(URL(fileURLWithPath: "/nonexistent/dir/out.tif")), callingParty: false)
        }
    }

    @Test func hangingUpMidCallReportsTheFailure() throws {
        let directory = try TestAudio.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.tif")
        try FaxPages.writeTIFF([FaxPages.page(seed: 5, rows: 200)], to: input, in: directory)
        let report = try FaxLoopback.run(input: input, output: directory.appendingPathComponent("out.tif"), timeLimit: .seconds(5))
        #expect(!report.sender.succeeded)
        #expect(report.sender.failureReason != nil)
        #expect(report.sender.pages == 0)
    }
}
