/// Splits a byte stream (TCP) into SIP messages by `Content-Length` (RFC 3261 §18.3) and
/// recognises CRLF keep-alives between messages (RFC 5626 §3.5.1).
///
/// Pure and incremental: feed bytes as they arrive, then take frames until `nil`.
public struct SIPStreamFramer: Sendable {
    /// One unit taken from the stream.
    public enum Frame: Sendable, Hashable {
        /// A complete message's bytes, ready for ``SIPMessage/init(parsing:isStream:limits:)``.
        case message([UInt8])
        /// A double-CRLF "ping"; answer with a single CRLF "pong".
        case ping
    }

    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// The limits applied to each message.
    public let limits: SIPParserLimits

    /// Creates a framer.
    /// - Parameter limits: the header-section and body limits.
    public init(limits: SIPParserLimits = .standard) { self.limits = limits }

    /// The number of bytes held but not yet framed.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// The first bytes held but not yet framed (to salvage headers for an error response).
    /// - Parameter count: at most this many bytes.
    /// - Returns: the bytes.
    public func pendingBytes(prefix count: Int) -> [UInt8] { Array(buffer[readIndex..<min(buffer.count, readIndex + count)]) }

    /// Appends received bytes.
    /// - Parameter bytes: the bytes.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if readIndex > 0 && readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex > 65_536 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Takes the next frame, if complete.
    /// - Returns: a frame, or `nil` when more bytes are needed.
    /// - Throws: ``SIPParseError`` when the stream cannot be framed (missing or bad Content-Length,
    ///   oversized header section or body); the connection should then be closed.
    public mutating func next() throws(SIPParseError) -> Frame? {
        // Keep-alives: CRLFCRLF is a ping; a lone CRLF (a pong) is skipped.
        while readIndex < buffer.count, buffer[readIndex] == 13 || buffer[readIndex] == 10 {
            if buffer.count - readIndex >= 4, buffer[readIndex] == 13, buffer[readIndex + 1] == 10,
               buffer[readIndex + 2] == 13, buffer[readIndex + 3] == 10 {
                readIndex += 4
                return .ping
            }
            // A run of CR/LF that ends the buffer and is shorter than a ping may still become one.
            var run = readIndex
            while run < buffer.count, buffer[run] == 13 || buffer[run] == 10 { run += 1 }
            if run == buffer.count && run - readIndex < 4 { return nil }
            readIndex += 1
        }
        guard readIndex < buffer.count else { return nil }
        // Find the end of the header section.
        var index = readIndex
        var headerEnd = -1
        while index + 1 < buffer.count {
            if buffer[index] == 10 {
                if buffer[index + 1] == 10 { headerEnd = index + 2; break }
                if buffer[index + 1] == 13, index + 2 < buffer.count, buffer[index + 2] == 10 { headerEnd = index + 3; break }
            }
            index += 1
        }
        if headerEnd < 0 {
            if buffer.count - readIndex > limits.maximumMessageSize {
                throw SIPParseError(statusCode: 513, "header section longer than \(limits.maximumMessageSize) bytes")
            }
            return nil
        }
        let length = try contentLength(readIndex..<headerEnd)
        if length > limits.maximumBodySize {
            throw SIPParseError(statusCode: 413, "body of \(length) bytes exceeds \(limits.maximumBodySize)")
        }
        guard buffer.count - headerEnd >= length else { return nil }
        let message = Array(buffer[readIndex..<(headerEnd + length)])
        readIndex = headerEnd + length
        return .message(message)
    }

    /// Finds Content-Length (or `l`) in a header section; 0 when absent.
    private func contentLength(_ range: Range<Int>) throws(SIPParseError) -> Int {
        var lineStart = range.lowerBound
        var i = range.lowerBound
        while i < range.upperBound {
            if buffer[i] == 10 {
                if let value = try lengthValue(lineStart..<i) { return value }
                lineStart = i + 1
            }
            i += 1
        }
        return 0
    }

    private func lengthValue(_ line: Range<Int>) throws(SIPParseError) -> Int? {
        var colon = line.lowerBound
        while colon < line.upperBound, buffer[colon] != UInt8(ascii: ":") { colon += 1 }
        guard colon < line.upperBound else { return nil }
        var nameEnd = colon
        while nameEnd > line.lowerBound, buffer[nameEnd - 1] == 32 || buffer[nameEnd - 1] == 9 { nameEnd -= 1 }
        let nameBytes = buffer[line.lowerBound..<nameEnd]
        let isLength: Bool
        if nameBytes.count == 1 {
            isLength = nameBytes.first.map { $0 | 0x20 } == UInt8(ascii: "l")
        } else if nameBytes.count == 14 {
            isLength = String(decoding: nameBytes, as: UTF8.self).lowercased() == "content-length"
        } else {
            isLength = false
        }
        guard isLength else { return nil }
        let value = String(decoding: buffer[(colon + 1)..<line.upperBound], as: UTF8.self).trimmingWhitespace()
        guard !value.isEmpty, value.count <= 9, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(value) else {
            throw SIPParseError("malformed Content-Length header")
        }
        return n
    }
}
