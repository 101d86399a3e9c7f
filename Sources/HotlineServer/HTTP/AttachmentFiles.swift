public import Foundation
import Crypto

/// Where work-order attachments' bytes live: `<data-dir>/attachments/<work order id>/<attachment id>`,
/// written atomically, with their SHA-256 checked on every read.
public struct AttachmentFiles: Sendable {
    /// The data directory that ``WorkOrder/Attachment/storagePath`` is relative to.
    public let dataDirectory: URL

    /// Creates the store.
    ///
    /// - Parameter dataDirectory: The data directory (the attachments go in its `attachments` folder).
    public init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
    }

    /// Lower-case hex SHA-256 of bytes.
    ///
    /// - Parameter data: The bytes.
    /// - Returns: 64 hex digits.
    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Stores bytes for an attachment.
    ///
    /// - Parameters:
    ///   - data: The bytes.
    ///   - workOrderID: The order.
    ///   - attachmentID: The attachment.
    /// - Returns: The path relative to the data directory.
    /// - Throws: File-system errors.
    public func write(_ data: Data, workOrderID: String, attachmentID: String) throws -> String {
        let relative = "attachments/\(Self.safe(workOrderID))/\(Self.safe(attachmentID))"
        let url = dataDirectory.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
        return relative
    }

    /// Reads an attachment's bytes and checks them against their checksum.
    ///
    /// - Parameters:
    ///   - storagePath: The stored path, relative to the data directory.
    ///   - sha256: The expected hex digest, when known.
    /// - Returns: The bytes.
    /// - Throws: ``AttachmentFileError`` when missing or corrupt.
    public func read(_ storagePath: String, sha256: String?) throws -> Data {
        guard !storagePath.contains(".."), !storagePath.hasPrefix("/") else { throw AttachmentFileError.missing(storagePath) }
        let url = dataDirectory.appendingPathComponent(storagePath)
        guard let data = try? Data(contentsOf: url) else { throw AttachmentFileError.missing(storagePath) }
        if let sha256, Self.sha256(data) != sha256.lowercased() { throw AttachmentFileError.corrupt(storagePath) }
        return data
    }

    /// Removes stored bytes (after a failed attach).
    ///
    /// - Parameter storagePath: The stored path.
    public func remove(_ storagePath: String) {
        try? FileManager.default.removeItem(at: dataDirectory.appendingPathComponent(storagePath))
    }

    private static func safe(_ component: String) -> String {
        String(component.unicodeScalars.map { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
                ? Character(scalar) : "_"
        })
    }
}

/// Why an attachment's bytes could not be read.
public enum AttachmentFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file is not there.
    case missing(String)
    /// The file's SHA-256 does not match its record.
    case corrupt(String)

    /// A sentence.
    public var description: String {
        switch self {
        case .missing(let path): "the attachment's file \(path) is missing from the data directory"
        case .corrupt(let path): "the attachment's file \(path) does not match its SHA-256 checksum"
        }
    }
}
