import Foundation
import HotlineCore
import HotlineSQLite

/// A temporary directory removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(at: url) }
}

let testDate = Date(timeIntervalSince1970: 1_800_000_000)

func number(_ text: String) throws -> TaxpayerNumber { try TaxpayerNumber(text) }

/// Valid numbers built with the check-character helpers, for many distinct taxpayers.
func creditCode(_ index: Int) -> String {
    let first17 = "91350102" + "MA" + String(format: "%07d", index)
    return first17 + String(TaxpayerNumber.creditCodeCheckCharacter(for: first17) ?? "0")
}

func identityNumber(_ index: Int) -> String {
    let first17 = "110105198001" + String(format: "%02d", 1 + index % 28) + String(format: "%03d", index % 1000)
    return first17 + String(TaxpayerNumber.residentIdentityCheckCharacter(for: first17) ?? "0")
}

func csv(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\n") + "\n").utf8) }
