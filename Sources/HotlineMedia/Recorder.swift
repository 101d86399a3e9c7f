public import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Records a call to a WAV file as it happens: a mono mix of both legs, or stereo with one leg per
/// channel (left = caller, right = agent).
///
/// Memory is bounded: at most `flushInterval` of encoded audio is held before it is written. After
/// every flush the RIFF, `fact` and `data` sizes in the header are rewritten, so a recording cut off
/// by a crash (even `kill -9`) is a valid, playable WAV file up to the last flush (one second by
/// default). Not thread-safe: one recorder is fed by one task.
public final class Recorder {
    /// How the two legs are laid out in the file.
    public enum Layout: String, Sendable, Hashable, CaseIterable, Codable {
        /// One channel: the sum of both legs (saturated to 16 bits).
        case mono
        /// Two channels: left = caller leg, right = agent leg.
        case stereo
    }

    /// What a finished recording holds.
    public struct Summary: Sendable, Hashable {
        /// The file written.
        public var url: URL
        /// The storage format.
        public var format: WAVFormat
        /// Sample frames per channel.
        public var frames: Int
        /// The recording's length.
        public var duration: Duration { .microseconds(Int64(frames) * 125) }
    }

    /// The file being written.
    public let url: URL
    /// The storage format.
    public let format: WAVFormat
    private let descriptor: Int32
    private let flushBytes: Int
    private var pending: [UInt8] = []
    private var dataBytes = 0
    private var isClosed = false

    /// Creates the file (replacing any file at `url`) and writes a header for an empty recording.
    /// - Parameters:
    ///   - url: where to write.
    ///   - layout: mono mix or stereo.
    ///   - encoding: PCM16 (default), A-law or µ-law.
    ///   - flushInterval: how much audio may be buffered before it is written and the header
    ///     updated; also the most a crash can lose. Default one second.
    /// - Throws: `WAVError.io` when the file cannot be created.
    public init(url: URL, layout: Layout = .stereo, encoding: AudioEncoding = .pcm16, flushInterval: Duration = .seconds(1)) throws {
        self.url = url
        format = WAVFormat(encoding: encoding, channels: layout == .stereo ? 2 : 1, sampleRate: 8000)
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw WAVError(.io, "\(url.path): cannot create recording: \(String(cString: strerror(errno)))")
        }
        descriptor = fd
        let (seconds, attoseconds) = flushInterval.components
        let intervalSamples = max(160, Int(seconds) * 8000 + Int(attoseconds / 125_000_000_000_000))
        flushBytes = intervalSamples * format.blockAlign
        pending.reserveCapacity(flushBytes)
        let header = [UInt8](WAVFile.header(format: format, dataBytes: 0))
        do {
            try writeAll(header, at: nil)
        } catch {
            close(fd)
            throw error
        }
    }

    deinit {
        if !isClosed {
            _ = try? finish()
        }
    }

    /// Appends one frame from each leg (normally 160 samples, 20 ms). A missing or shorter leg is
    /// padded with silence so the legs stay aligned.
    /// - Parameters:
    ///   - caller: the caller leg's samples, or `nil` when it had no audio for this frame.
    ///   - agent: the agent leg's samples, or `nil`.
    /// - Throws: `WAVError.io` when writing fails, or when the recorder was already finished.
    public func append(caller: UnsafeBufferPointer<Int16>?, agent: UnsafeBufferPointer<Int16>?) throws {
        guard !isClosed else { throw WAVError(.io, "\(url.path): recording already finished") }
        let callerCount = caller?.count ?? 0
        let agentCount = agent?.count ?? 0
        let count = max(callerCount, agentCount)
        let encoding = format.encoding
        let stereo = format.channels == 2
        let oldCount = pending.count
        let added = count * format.blockAlign
        // Grow once, then encode straight into the buffer.
        pending.append(contentsOf: repeatElement(0, count: added))
        pending.withUnsafeMutableBufferPointer { buffer in
            var at = oldCount
            @inline(__always) func store(_ sample: Int16) {
                if encoding == .pcm16 {
                    let bits = UInt16(bitPattern: sample)
                    buffer[at] = UInt8(truncatingIfNeeded: bits)
                    buffer[at + 1] = UInt8(truncatingIfNeeded: bits >> 8)
                    at += 2
                } else {
                    buffer[at] = encoding.encodeByte(sample)
                    at += 1
                }
            }
            for index in 0..<count {
                let left = index < callerCount ? caller?[index] ?? 0 : 0
                let right = index < agentCount ? agent?[index] ?? 0 : 0
                if stereo {
                    store(left)
                    store(right)
                } else {
                    store(Int16(clamping: Int32(left) + Int32(right)))
                }
            }
        }
        if pending.count >= flushBytes {
            try flush()
        }
    }

    /// Appends one frame from each leg.
    /// - Parameters:
    ///   - caller: the caller leg's samples (empty for none).
    ///   - agent: the agent leg's samples (empty for none).
    /// - Throws: `WAVError.io` when writing fails.
    public func append(caller: [Int16], agent: [Int16]) throws {
        try caller.withUnsafeBufferPointer { callerBuffer in
            try agent.withUnsafeBufferPointer { agentBuffer in
                try append(caller: callerBuffer, agent: agentBuffer)
            }
        }
    }

    /// Writes buffered audio and rewrites the header sizes so the file is complete as it stands.
    /// - Throws: `WAVError.io` when writing fails.
    public func flush() throws {
        guard !pending.isEmpty else { return }
        try writeAll(pending, at: nil)
        dataBytes += pending.count
        pending.removeAll(keepingCapacity: true)
        try writeSizes()
    }

    /// Flushes, finalises the header and closes the file.
    /// - Returns: what was recorded.
    /// - Throws: `WAVError.io` when writing fails; the file is closed anyway.
    @discardableResult
    public func finish() throws -> Summary {
        guard !isClosed else { return summary }
        defer {
            isClosed = true
            close(descriptor)
        }
        try flush()
        return summary
    }

    /// Sample frames written to disk so far (per channel).
    public var framesOnDisk: Int { dataBytes / format.blockAlign }

    private var summary: Summary {
        Summary(url: url, format: format, frames: dataBytes / format.blockAlign)
    }

    private func writeSizes() throws {
        // Patch RIFF size, the fact chunk's frame count (G.711) and the data size in place: each is a
        // 4-byte aligned pwrite, so a crash leaves either the old or the new value.
        let headerSize = WAVFile.headerSize(format.encoding)
        try writeAll(le32(headerSize - 8 + dataBytes), at: 4)
        if format.encoding != .pcm16 {
            try writeAll(le32(dataBytes / format.blockAlign), at: 46)
        }
        try writeAll(le32(dataBytes), at: headerSize - 4)
    }

    private func le32(_ value: Int) -> [UInt8] {
        let bits = UInt32(truncatingIfNeeded: value)
        return [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8), UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 24)]
    }

    private func writeAll(_ bytes: [UInt8], at position: Int?) throws {
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var done = 0
            while done < raw.count {
                let pointer = base + done
                let result = if let position {
                    pwrite(descriptor, pointer, raw.count - done, off_t(position + done))
                } else {
                    write(descriptor, pointer, raw.count - done)
                }
                if result < 0 {
                    if errno == EINTR { continue }
                    throw WAVError(.io, "\(url.path): write failed: \(String(cString: strerror(errno)))")
                }
                done += result
            }
        }
    }
}
