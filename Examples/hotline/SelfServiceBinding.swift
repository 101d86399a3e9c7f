import ArgumentParser
import Foundation
import HotlineIVR

/// Binds `hotline ivr try` self-service lookups to stored data.
enum SelfServiceBinding {
    /// The provider for `--data-dir`, or `nil` when no data directory was given.
    ///
    /// - Throws: `ValidationError` when a data directory was given but holds no database.
    static func provider(for global: GlobalOptions) async throws -> (any SelfServiceProvider)? {
        guard global.dataDirOption != nil else { return nil }
        throw ValidationError("--data-dir: self-service against stored taxpayers needs the SQLite storage (not in this build yet)")
    }
}
