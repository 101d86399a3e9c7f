import Foundation
import HotlineTestSupport

extension Peers {
    /// The repository's `Flows` directory.
    static var flows: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Flows")
    }
}
