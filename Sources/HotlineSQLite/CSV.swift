import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads CSV text (RFC 4180): comma-separated fields, records ending in CRLF or LF, fields in double
/// quotes may hold commas, line breaks and doubled quotes (`""`).
///
/// Works on UTF-8 bytes; ``CSVText/decode(_:)`` turns a file in UTF-8 (with or without BOM) or
/// GB18030 into them first.
public struct CSVReader: Sequence {
    /// One record and the line it starts on.
    public struct Record: Sendable {
        /// The 1-based line number where the record starts.
        public var line: Int
        /// The fields, unquoted.
        public var fields: [String]
    }

    let bytes: [UInt8]

    /// Creates a reader over UTF-8 bytes.
    ///
    /// - Parameter utf8: The text, already UTF-8 without BOM.
    public init(utf8: [UInt8]) { bytes = utf8 }

    /// Iterates the records.
    ///
    /// - Returns: An iterator that yields records or throws ``CSVError``.
    public func makeIterator() -> Iterator { Iterator(bytes: bytes) }

    /// Yields records; `next()` returns `nil` at the end. Syntax errors are reported through ``error``.
    public struct Iterator: IteratorProtocol, Sendable {
        let bytes: [UInt8]
        /// The byte offset reached.
        public private(set) var position = 0
        var line = 1
        /// The first syntax error met; iteration stops there.
        public private(set) var error: CSVError?

        init(bytes: [UInt8]) { self.bytes = bytes }

        /// The next record, or `nil` at the end or after a syntax error.
        public mutating func next() -> Record? {
            guard error == nil, position < bytes.count else { return nil }
            let startLine = line
            var fields: [String] = []
            var field: [UInt8] = []
            let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
            var fieldStart = position
            while true {
                // At the start of a field.
                if position < bytes.count && bytes[position] == quote {
                    position += 1
                    let quoteLine = line
                    var closed = false
                    while position < bytes.count {
                        let byte = bytes[position]
                        if byte == quote {
                            if position + 1 < bytes.count && bytes[position + 1] == quote {
                                field.append(quote)
                                position += 2
                                continue
                            }
                            position += 1
                            closed = true
                            break
                        }
                        if byte == lf { line += 1 }
                        field.append(byte)
                        position += 1
                    }
                    guard closed else {
                        error = CSVError(line: quoteLine, message: "quoted field is never closed")
                        return nil
                    }
                    if position < bytes.count, bytes[position] != comma, bytes[position] != cr, bytes[position] != lf {
                        error = CSVError(line: line, message: "unexpected character after closing quote in field \(fields.count + 1)")
                        return nil
                    }
                } else {
                    fieldStart = position
                    while position < bytes.count {
                        let byte = bytes[position]
                        if byte == comma || byte == cr || byte == lf { break }
                        if byte == quote {
                            error = CSVError(line: line, message: "quote inside unquoted field \(fields.count + 1) (quote the field and double the quote)")
                            return nil
                        }
                        position += 1
                    }
                    field.append(contentsOf: bytes[fieldStart..<position])
                }
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                if position >= bytes.count { break }
                let byte = bytes[position]
                if byte == comma { position += 1; continue }
                // End of record.
                if byte == cr { position += 1 }
                if position < bytes.count && bytes[position] == lf { position += 1 }
                line += 1
                break
            }
            return Record(line: startLine, fields: fields)
        }
    }
}

/// A CSV syntax error, with the line it is on.
public struct CSVError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line.
    public var line: Int
    /// What is wrong.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - line: The 1-based line.
    ///   - message: What is wrong.
    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    /// `line N: message`.
    public var description: String { "line \(line): \(message)" }
}

/// Turns file bytes into UTF-8 text and back.
public enum CSVText {
    /// The text encodings an import accepts.
    public enum Encoding: String, Sendable {
        /// UTF-8, with or without byte-order mark.
        case utf8 = "UTF-8"
        /// GB18030 (which includes GBK and GB2312), the usual encoding of Chinese Excel exports.
        case gb18030 = "GB18030"
    }

    /// Decodes file contents: UTF-8 when they are valid UTF-8 (a BOM is dropped), else GB18030.
    ///
    /// - Parameter data: The file's bytes.
    /// - Returns: UTF-8 bytes without BOM, and the encoding detected.
    /// - Throws: ``CSVError`` when the bytes are neither valid UTF-8 nor valid GB18030.
    public static func decode(_ data: [UInt8]) throws -> (utf8: [UInt8], encoding: Encoding) {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if isValidUTF8(bytes) { return (bytes, .utf8) }
        return (try convert(data, from: "GB18030", to: "UTF-8"), .gb18030)
    }

    /// Encodes UTF-8 text as GB18030 (for exports to Excel users).
    ///
    /// - Parameter utf8: UTF-8 bytes.
    /// - Returns: GB18030 bytes.
    /// - Throws: ``CSVError`` if conversion fails.
    public static func gb18030(_ utf8: [UInt8]) throws -> [UInt8] {
        try convert(utf8, from: "UTF-8", to: "GB18030")
    }

    /// Whether bytes are well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or values
    /// above U+10FFFF), checked byte by byte (the stdlib's decoder took 0.4 s for 260 MB).
    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            let count = buffer.count
            var index = 0
            while index < count {
                let lead = buffer[index]
                if lead < 0x80 { index += 1; continue }
                let length: Int, low: UInt8, high: UInt8 // the allowed range of the second byte
                switch lead {
                case 0xC2...0xDF: (length, low, high) = (2, 0x80, 0xBF)
                case 0xE0: (length, low, high) = (3, 0xA0, 0xBF)
                case 0xE1...0xEC, 0xEE...0xEF: (length, low, high) = (3, 0x80, 0xBF)
                case 0xED: (length, low, high) = (3, 0x80, 0x9F)
                case 0xF0: (length, low, high) = (4, 0x90, 0xBF)
                case 0xF1...0xF3: (length, low, high) = (4, 0x80, 0xBF)
                case 0xF4: (length, low, high) = (4, 0x80, 0x8F)
                default: return false
                }
                guard index + length <= count, buffer[index + 1] >= low, buffer[index + 1] <= high else { return false }
                for offset in 2..<length where buffer[index + offset] & 0xC0 != 0x80 { return false }
                index += length
            }
            return true
        }
    }

    /// Converts with the C library's `iconv(3)`; Foundation on Linux has no GB18030 decoder.
    static func convert(_ input: [UInt8], from source: String, to target: String) throws -> [UInt8] {
        let descriptor = iconv_open(target, source)
        guard descriptor != iconv_t(bitPattern: -1) else {
            throw CSVError(line: 0, message: "this system cannot convert \(source) to \(target)")
        }
        defer { iconv_close(descriptor) }
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        var input = input
        var produced = 0
        let ok: Bool = input.withUnsafeMutableBytes { inputBuffer in
            var inPointer = inputBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
            var inLeft = inputBuffer.count
            while true {
                let result: Int = output.withUnsafeMutableBytes { outputBuffer in
                    var outPointer = outputBuffer.baseAddress.map { ($0 + produced).assumingMemoryBound(to: CChar.self) }
                    var outLeft = outputBuffer.count - produced
                    let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                    produced = outputBuffer.count - outLeft
                    return result
                }
                if result != -1 { return true }
                if errno == E2BIG {
                    output.append(contentsOf: [UInt8](repeating: 0, count: output.count))
                    continue
                }
                return false
            }
        }
        guard ok else {
            // Find the line of the first undecodable byte for the message.
            throw CSVError(line: 1 + input.prefix(produced / 2).filter { $0 == 10 }.count,
                           message: "the file is neither UTF-8 nor GB18030")
        }
        return Array(output.prefix(produced))
    }
}

/// Writes CSV (RFC 4180) with CRLF line ends, quoting fields that need it.
public struct CSVWriter {
    /// The bytes written so far (UTF-8).
    public private(set) var bytes: [UInt8] = []

    /// Creates a writer, optionally starting with a UTF-8 byte-order mark (which Excel needs to
    /// recognise UTF-8).
    ///
    /// - Parameter byteOrderMark: Whether to start with `EF BB BF`.
    public init(byteOrderMark: Bool = false) {
        if byteOrderMark { bytes = [0xEF, 0xBB, 0xBF] }
    }

    /// Appends one record.
    ///
    /// - Parameter fields: The fields.
    public mutating func write(_ fields: [String]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            let utf8 = Array(field.utf8)
            let needsQuotes = utf8.contains { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }
                || utf8.first == 32 || utf8.last == 32
            if needsQuotes {
                bytes.append(34)
                for byte in utf8 {
                    if byte == 34 { bytes.append(34) }
                    bytes.append(byte)
                }
                bytes.append(34)
            } else {
                bytes.append(contentsOf: utf8)
            }
        }
        bytes.append(13)
        bytes.append(10)
    }

    /// Takes the bytes written so far, leaving the writer empty (for streaming to a file).
    ///
    /// - Returns: The bytes.
    public mutating func take() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }
}
