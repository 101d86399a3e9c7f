public import NIOCore

extension SIPMessage {
    /// Writes the message in wire form (RFC 3261 §7): received header fields exactly as they
    /// arrived, fields built in code as `Name: value`, and a Content-Length that matches the body.
    /// - Parameter buffer: the buffer to append to.
    public func write(into buffer: inout ByteBuffer) {
        switch self {
        case .request(let r):
            buffer.writeString(r.method.rawValue)
            buffer.writeStaticString(" ")
            buffer.writeString(r.uri.description)
            buffer.writeStaticString(" ")
            buffer.writeString(r.version)
            buffer.writeStaticString("\r\n")
            SIPMessage.writeHeaders(r.headers, body: r.body, into: &buffer)
        case .response(let r):
            buffer.writeString(r.version)
            buffer.writeStaticString(" ")
            buffer.writeString(String(r.statusCode))
            buffer.writeStaticString(" ")
            buffer.writeString(r.reason)
            buffer.writeStaticString("\r\n")
            SIPMessage.writeHeaders(r.headers, body: r.body, into: &buffer)
        }
    }

    /// The message in wire form.
    /// - Returns: the bytes.
    public func serialized() -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: 512)
        write(into: &buffer)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    static func writeHeaders(_ headers: SIPHeaders, body: [UInt8], into buffer: inout ByteBuffer) {
        var wroteLength = false
        for field in headers.fields {
            if field.key == "content-length" {
                if wroteLength { continue }
                wroteLength = true
                if Int(field.value) != body.count {
                    buffer.writeString(field.name)
                    buffer.writeStaticString(": ")
                    buffer.writeString(String(body.count))
                    buffer.writeStaticString("\r\n")
                    continue
                }
            }
            if let original = field.original {
                buffer.writeString(original)
            } else {
                buffer.writeString(field.name)
                buffer.writeStaticString(": ")
                buffer.writeString(field.value)
            }
            buffer.writeStaticString("\r\n")
        }
        if !wroteLength {
            buffer.writeStaticString("Content-Length: ")
            buffer.writeString(String(body.count))
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("\r\n")
        buffer.writeBytes(body)
    }
}

extension SIPRequest: CustomStringConvertible {
    /// The request in wire form, as text.
    public var description: String { String(decoding: SIPMessage.request(self).serialized(), as: UTF8.self) }
}

extension SIPResponse: CustomStringConvertible {
    /// The response in wire form, as text.
    public var description: String { String(decoding: SIPMessage.response(self).serialized(), as: UTF8.self) }
}
