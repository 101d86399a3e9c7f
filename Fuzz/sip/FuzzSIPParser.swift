// libFuzzer target for the HotlineSIP message parser, stream framer and header parsers.
// Built by run.sh with `swiftc -sanitize=fuzzer,address` from the parser's own source files.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSIPParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for isStream in [false, true] {
        if let message = try? SIPMessage(parsing: bytes, isStream: isStream) {
            exercise(message)
        }
    }
    // The framer must never trap, whatever the chunking.
    var framer = SIPStreamFramer(limits: SIPParserLimits(maximumMessageSize: 4096, maximumBodySize: 2048))
    var offset = 0
    var chunk = 1
    while offset < bytes.count {
        let end = min(bytes.count, offset + chunk)
        framer.append(bytes[offset..<end])
        offset = end
        chunk = chunk * 3 % 17 + 1
        while let frame = try? framer.next() {
            if case .message(let framed) = frame, let message = try? SIPMessage(parsing: framed, isStream: true) {
                exercise(message)
            }
        }
    }
    if let text = String(validating: bytes, as: UTF8.self) {
        _ = try? SIPURI(parsing: text)
        _ = try? NameAddress(parsing: text)
        _ = try? Via(parsing: text)
        _ = try? CSeq(parsing: text)
    }
    return 0
}

func exercise(_ message: SIPMessage) {
    switch message {
    case .request(let request):
        _ = try? request.validate()
        touch(request)
        _ = request.uri.description
        _ = request.uri.decodedUser
        _ = SIPResponse(to: request, statusCode: 200, toTag: "t")
    case .response(let response):
        _ = try? response.validate()
        touch(response)
    }
}

func touch(_ message: some SIPHeaderCarrying) {
    _ = try? message.vias().map(\.description)
    _ = try? message.from().description
    _ = try? message.to().tag
    _ = try? message.contacts().map(\.description)
    _ = try? message.addresses("record-route")
    _ = try? message.cseq()
    _ = try? message.maxForwards()
    _ = message.optionTags("require")
    _ = message.contentType
    _ = message.expires
    for field in message.headers { _ = try? message.headers.values(field.name) }
}
