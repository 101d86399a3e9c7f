import ArgumentParser
import Foundation
import HotlineIVR
import HotlineSQLite

/// Binds `hotline ivr try` self-service lookups to stored data.
enum SelfServiceBinding {
    /// The provider for `--data-dir` (or `$HOTLINE_DATA_DIR`), or `nil` when neither names a
    /// directory holding a hotline database.
    ///
    /// Announcements for the `notices` function are the non-empty lines of `notices.txt` in the
    /// data directory, newest first.
    ///
    /// - Throws: `ValidationError` when `--data-dir` was given but holds no database.
    static func provider(for global: GlobalOptions) throws -> (any SelfServiceProvider)? {
        let directory = global.dataDirectory
        let file = directory.appendingPathComponent(HotlineDatabase.fileName)
        guard FileManager.default.fileExists(atPath: file.path) else {
            if global.dataDirOption != nil {
                throw ValidationError("--data-dir: no hotline database in \(directory.path) (create one with `hotline demo-data --data-dir \(directory.path)`)")
            }
            return nil
        }
        let database = try global.openDatabase()
        let notices = (try? String(contentsOf: directory.appendingPathComponent("notices.txt"), encoding: .utf8))?
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } ?? []
        return StoredSelfServiceProvider(taxpayers: database, bills: database, eventLog: database, announcements: notices)
    }
}
