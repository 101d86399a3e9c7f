public import Foundation

/// How samples are stored in a WAV file's `data` chunk.
public enum AudioEncoding: String, Sendable, Hashable, CaseIterable, Codable {
    /// Linear 16-bit little-endian PCM (WAVE format tag 1).
    case pcm16
    /// G.711 A-law, 8 bits per sample (WAVE format tag 6; ITU-T G.711).
    case alaw
    /// G.711 µ-law, 8 bits per sample (WAVE format tag 7; ITU-T G.711).
    case mulaw

    /// The WAVE format tag (`wFormatTag`).
    public var formatTag: UInt16 {
        switch self {
        case .pcm16: 1
        case .alaw: 6
        case .mulaw: 7
        }
    }

    /// Bytes per sample per channel.
    public var bytesPerSample: Int { self == .pcm16 ? 2 : 1 }

    /// Encodes one linear sample.
    /// - Parameter sample: a 16-bit linear sample.
    /// - Returns: its 8-bit G.711 code (or nothing meaningful for `.pcm16`, which callers store as is).
    @inline(__always)
    func encodeByte(_ sample: Int16) -> UInt8 {
        switch self {
        case .pcm16: 0
        case .alaw: G711.encodeALaw(sample)
        case .mulaw: G711.encodeMuLaw(sample)
        }
    }

    /// Decodes one 8-bit G.711 code.
    /// - Parameter code: the stored byte.
    /// - Returns: the linear sample.
    @inline(__always)
    func decodeByte(_ code: UInt8) -> Int16 {
        switch self {
        case .pcm16: 0
        case .alaw: G711.decodeALaw(code)
        case .mulaw: G711.decodeMuLaw(code)
        }
    }
}

/// The shape of the audio in a WAV file. Hotline audio is 8 kHz, mono or stereo (one call leg per channel).
public struct WAVFormat: Sendable, Hashable {
    /// How samples are stored.
    public var encoding: AudioEncoding
    /// 1 (mono) or 2 (stereo: left = first leg, right = second leg).
    public var channels: Int
    /// Samples per second per channel; always 8000 in Hotline.
    public var sampleRate: Int

    /// Creates a format.
    /// - Parameters:
    ///   - encoding: PCM16, A-law or µ-law.
    ///   - channels: 1 or 2.
    ///   - sampleRate: 8000.
    public init(encoding: AudioEncoding = .pcm16, channels: Int = 1, sampleRate: Int = 8000) {
        self.encoding = encoding
        self.channels = channels
        self.sampleRate = sampleRate
    }

    /// 8 kHz mono 16-bit PCM, the default for prompts.
    public static let telephoneMono = WAVFormat()

    /// Bytes per sample frame (all channels).
    public var blockAlign: Int { encoding.bytesPerSample * channels }
}

/// Why a WAV file was refused. The message names the offending field or chunk and what is supported.
public struct WAVError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem.
    public enum Kind: Sendable, Hashable {
        /// Not a RIFF/WAVE file.
        case notWAV
        /// A chunk header or body is cut short.
        case truncatedChunk
        /// No `fmt ` chunk before `data`.
        case missingFormat
        /// No `data` chunk.
        case missingData
        /// A format tag other than PCM, A-law or µ-law.
        case unsupportedFormatTag
        /// A sample rate other than 8000 Hz.
        case unsupportedSampleRate
        /// Not 1 or 2 channels.
        case unsupportedChannelCount
        /// Bits per sample not matching the format (16 for PCM, 8 for G.711).
        case unsupportedBitsPerSample
        /// The file could not be read or written.
        case io
    }

    /// The kind of problem.
    public var kind: Kind
    /// A message for people: what is wrong, where, and what is supported.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - kind: the kind of problem.
    ///   - message: the explanation.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// Decoded audio: linear 16-bit samples, interleaved when stereo.
public struct WAVAudio: Sendable, Hashable {
    /// The format the file was stored in.
    public var format: WAVFormat
    /// Linear samples, interleaved (`L R L R …`) when `format.channels == 2`.
    public var samples: [Int16]

    /// Creates audio.
    /// - Parameters:
    ///   - format: the storage format.
    ///   - samples: linear samples, interleaved when stereo.
    public init(format: WAVFormat, samples: [Int16]) {
        self.format = format
        self.samples = samples
    }

    /// Sample frames per channel.
    public var frameCount: Int { samples.count / max(format.channels, 1) }

    /// The length of the audio.
    public var duration: Duration { .microseconds(Int64(frameCount) * 1_000_000 / Int64(max(format.sampleRate, 1))) }

    /// One channel's samples.
    /// - Parameter index: 0 (left / first leg) or 1 (right / second leg).
    /// - Returns: that channel's samples; for mono, the samples themselves.
    public func channel(_ index: Int) -> [Int16] {
        let channels = format.channels
        if channels <= 1 { return samples }
        return stride(from: index, to: samples.count, by: channels).map { samples[$0] }
    }

    /// A mono mix of all channels (average, so it cannot clip).
    public var monoMix: [Int16] {
        let channels = format.channels
        if channels <= 1 { return samples }
        return stride(from: 0, to: samples.count - channels + 1, by: channels).map { start in
            var sum = 0
            for offset in 0..<channels { sum += Int(samples[start + offset]) }
            return Int16(sum / channels)
        }
    }
}

/// Reading and writing WAV (RIFF/WAVE) files: 8 kHz PCM16, A-law or µ-law, mono or stereo.
public enum WAVFile {
    /// Reads and decodes a WAV file.
    /// - Parameter url: the file.
    /// - Returns: the decoded audio.
    /// - Throws: `WAVError` naming what is wrong or unsupported (with the file name).
    public static func read(_ url: URL) throws -> WAVAudio {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw WAVError(.io, "\(url.path): cannot read: \(error.localizedDescription)")
        }
        do {
            return try decode(data)
        } catch let error as WAVError {
            throw WAVError(error.kind, "\(url.path): \(error.message)")
        }
    }

    /// Decodes WAV bytes.
    ///
    /// A `data` chunk whose declared size runs past the end of the bytes is refused as truncated,
    /// except that a declared size of 0 or 0xFFFFFFFF (a stream whose size was never filled in) means
    /// "to the end of the file".
    /// - Parameter data: the whole file.
    /// - Returns: the decoded audio.
    /// - Throws: `WAVError` naming what is wrong or unsupported.
    public static func decode(_ data: Data) throws -> WAVAudio {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws(WAVError) -> WAVAudio in
            try decode(raw)
        }
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer) throws(WAVError) -> WAVAudio {
        func u16(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
        func fourCC(_ at: Int) -> String { String(decoding: bytes[at..<at + 4], as: UTF8.self) }

        guard bytes.count >= 12 else {
            throw WAVError(.notWAV, "not a WAV file: \(bytes.count) bytes, shorter than the 12-byte RIFF header")
        }
        guard fourCC(0) == "RIFF", fourCC(8) == "WAVE" else {
            throw WAVError(.notWAV, "not a WAV file: expected 'RIFF'…'WAVE' at byte 0, found '\(printable(bytes[0..<4]))'…'\(printable(bytes[8..<12]))'")
        }
        var offset = 12
        var format: WAVFormat?
        while offset + 8 <= bytes.count {
            let id = fourCC(offset)
            let size = Int(u32(offset + 4))
            let body = offset + 8
            if id == "fmt " {
                guard size >= 16, body + 16 <= bytes.count else {
                    throw WAVError(.truncatedChunk, "truncated 'fmt ' chunk at byte \(offset): \(size) bytes declared, \(max(0, bytes.count - body)) present, at least 16 needed")
                }
                var tag = u16(body)
                let channels = Int(u16(body + 2))
                let rate = Int(u32(body + 4))
                let bits = Int(u16(body + 14))
                if tag == 0xFFFE {
                    guard size >= 40, body + 40 <= bytes.count else {
                        throw WAVError(.truncatedChunk, "truncated WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk at byte \(offset): \(size) bytes, 40 needed")
                    }
                    tag = u16(body + 24)
                }
                let encoding: AudioEncoding
                switch tag {
                case 1: encoding = .pcm16
                case 6: encoding = .alaw
                case 7: encoding = .mulaw
                default:
                    throw WAVError(.unsupportedFormatTag, "unsupported format tag \(tag) (\(formatTagName(tag))) in 'fmt ' chunk: supported are 1 (PCM), 6 (A-law), 7 (µ-law)")
                }
                guard rate == 8000 else {
                    throw WAVError(.unsupportedSampleRate, "unsupported sample rate \(rate) Hz: Hotline audio is 8000 Hz (convert with: sox IN.wav -r 8000 OUT.wav)")
                }
                guard channels == 1 || channels == 2 else {
                    throw WAVError(.unsupportedChannelCount, "unsupported channel count \(channels): supported are 1 (mono) and 2 (stereo)")
                }
                let expectedBits = encoding.bytesPerSample * 8
                guard bits == expectedBits else {
                    throw WAVError(.unsupportedBitsPerSample, "unsupported \(bits) bits per sample for \(encoding.rawValue): expected \(expectedBits)")
                }
                format = WAVFormat(encoding: encoding, channels: channels, sampleRate: rate)
            } else if id == "data" {
                guard let format else {
                    throw WAVError(.missingFormat, "'data' chunk at byte \(offset) comes before any 'fmt ' chunk")
                }
                let available = bytes.count - body
                var length = size
                if size == 0 || size == 0xFFFF_FFFF {
                    length = available
                } else if size > available {
                    throw WAVError(.truncatedChunk, "truncated 'data' chunk at byte \(offset): \(size) bytes declared, \(available) present")
                }
                length -= length % format.blockAlign
                return WAVAudio(format: format, samples: decodeSamples(UnsafeRawBufferPointer(rebasing: bytes[body..<body + length]), encoding: format.encoding))
            }
            guard body + size <= bytes.count else {
                throw WAVError(.truncatedChunk, "truncated '\(printable(bytes[offset..<offset + 4]))' chunk at byte \(offset): \(size) bytes declared, \(bytes.count - body) present")
            }
            offset = body + size + (size & 1)
        }
        if format == nil {
            throw WAVError(.missingFormat, "no 'fmt ' chunk found")
        }
        throw WAVError(.missingData, "no 'data' chunk found")
    }

    private static func decodeSamples(_ bytes: UnsafeRawBufferPointer, encoding: AudioEncoding) -> [Int16] {
        switch encoding {
        case .pcm16:
            let count = bytes.count / 2
            return [Int16](unsafeUninitializedCapacity: count) { buffer, initialized in
                for index in 0..<count {
                    buffer[index] = Int16(bitPattern: UInt16(bytes[2 * index]) | UInt16(bytes[2 * index + 1]) << 8)
                }
                initialized = count
            }
        case .alaw, .mulaw:
            return bytes.map { encoding.decodeByte($0) }
        }
    }

    /// Encodes audio as a complete WAV file.
    /// - Parameters:
    ///   - samples: linear samples, interleaved when stereo.
    ///   - format: the storage format.
    /// - Returns: the file's bytes.
    public static func encode(_ samples: [Int16], format: WAVFormat = .telephoneMono) -> Data {
        var data = header(format: format, dataBytes: samples.count * format.encoding.bytesPerSample)
        data.append(encodeSamples(samples[...], encoding: format.encoding))
        return data
    }

    /// Writes audio to a WAV file (atomically: a reader never sees half a file).
    /// - Parameters:
    ///   - samples: linear samples, interleaved when stereo.
    ///   - format: the storage format.
    ///   - url: where to write.
    /// - Throws: `WAVError.io` when the file cannot be written.
    public static func write(_ samples: [Int16], format: WAVFormat = .telephoneMono, to url: URL) throws {
        do {
            try encode(samples, format: format).write(to: url, options: .atomic)
        } catch {
            throw WAVError(.io, "\(url.path): cannot write: \(error.localizedDescription)")
        }
    }

    /// The header for a file with `dataBytes` bytes of samples: RIFF, `fmt ` (and `fact` for G.711), `data`.
    static func header(format: WAVFormat, dataBytes: Int) -> Data {
        var data = Data()
        data.reserveCapacity(headerSize(format.encoding))
        func put16(_ value: Int) { withUnsafeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian) { data.append(contentsOf: $0) } }
        func put32(_ value: Int) { withUnsafeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian) { data.append(contentsOf: $0) } }
        let isPCM = format.encoding == .pcm16
        data.append(contentsOf: Array("RIFF".utf8))
        put32(headerSize(format.encoding) - 8 + dataBytes)
        data.append(contentsOf: Array("WAVE".utf8))
        data.append(contentsOf: Array("fmt ".utf8))
        put32(isPCM ? 16 : 18)
        put16(Int(format.encoding.formatTag))
        put16(format.channels)
        put32(format.sampleRate)
        put32(format.sampleRate * format.blockAlign)
        put16(format.blockAlign)
        put16(format.encoding.bytesPerSample * 8)
        if !isPCM {
            put16(0)  // cbSize
            data.append(contentsOf: Array("fact".utf8))
            put32(4)
            put32(dataBytes / max(format.blockAlign, 1))
        }
        data.append(contentsOf: Array("data".utf8))
        put32(dataBytes)
        return data
    }

    /// The header's length in bytes: 44 for PCM, 58 for G.711 (18-byte `fmt ` plus `fact`).
    static func headerSize(_ encoding: AudioEncoding) -> Int { encoding == .pcm16 ? 44 : 58 }

    static func encodeSamples(_ samples: ArraySlice<Int16>, encoding: AudioEncoding) -> Data {
        switch encoding {
        case .pcm16:
            var data = Data(count: samples.count * 2)
            data.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) in
                for (index, sample) in samples.enumerated() {
                    let bits = UInt16(bitPattern: sample)
                    out[2 * index] = UInt8(truncatingIfNeeded: bits)
                    out[2 * index + 1] = UInt8(truncatingIfNeeded: bits >> 8)
                }
            }
            return data
        case .alaw, .mulaw:
            return Data(samples.map { encoding.encodeByte($0) })
        }
    }

    private static func printable(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        String(bytes.map { (32..<127).contains($0) ? Character(Unicode.Scalar($0)) : "?" })
    }

    private static func formatTagName(_ tag: UInt16) -> String {
        switch tag {
        case 2: "Microsoft ADPCM"
        case 3: "IEEE float"
        case 0x11: "IMA ADPCM"
        case 0x31: "GSM 6.10"
        case 0x50: "MPEG"
        case 0x55: "MP3"
        default: "unknown"
        }
    }
}
