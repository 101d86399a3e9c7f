package import Foundation

/// Writes test tones as WAV files.
package enum WAVTone {
    /// 8 kHz mono 16-bit PCM of one sine tone.
    package static func write(to url: URL, frequency: Double, amplitude: Double = 6000, seconds: Int) throws {
        let samples = 8000 * seconds
        var data = [UInt8]()
        data.reserveCapacity(44 + samples * 2)
        func u32(_ v: UInt32) { data += withUnsafeBytes(of: v.littleEndian, Array.init) }
        func u16(_ v: UInt16) { data += withUnsafeBytes(of: v.littleEndian, Array.init) }
        data += Array("RIFF".utf8); u32(UInt32(36 + samples * 2)); data += Array("WAVEfmt ".utf8)
        u32(16); u16(1); u16(1); u32(8000); u32(16000); u16(2); u16(16)
        data += Array("data".utf8); u32(UInt32(samples * 2))
        for i in 0..<samples {
            u16(UInt16(bitPattern: Int16(amplitude * sin(2 * Double.pi * frequency * Double(i) / 8000))))
        }
        try Data(data).write(to: url)
    }
}

/// The samples of a 16-bit PCM WAV file, by channel.
package struct WAVSamples {
    package let channels: Int
    /// Samples of each channel.
    package let samples: [[Int16]]

    /// Reads the file.
    /// - Parameters:
    ///   - url: The file.
    ///   - unsizedDataToEnd: Read a `data` chunk whose size says 0 (a file still being written) to the
    ///     end of the file; otherwise the header is taken at its word, as a player would.
    package init(contentsOf url: URL, unsizedDataToEnd: Bool = false) throws {
        let bytes = [UInt8](try Data(contentsOf: url))
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        guard bytes.count >= 12, String(decoding: bytes[0..<4], as: UTF8.self) == "RIFF" else { throw PeerError("\(url.path): not RIFF") }
        var offset = 12
        var channels = 0
        var dataRange: Range<Int>?
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = u32(offset + 4)
            if id == "fmt " { channels = u16(offset + 10) }
            if id == "data" {
                let end = unsizedDataToEnd && size == 0 ? bytes.count : min(bytes.count, offset + 8 + size)
                dataRange = (offset + 8)..<end
                break
            }
            offset += 8 + size + (size & 1)
        }
        guard channels > 0, let dataRange else { throw PeerError("\(url.path): no fmt or data chunk") }
        self.channels = channels
        let frames = dataRange.count / (2 * channels)
        var samples = [[Int16]](repeating: [], count: channels)
        for channel in 0..<channels { samples[channel].reserveCapacity(frames) }
        for frame in 0..<frames {
            for channel in 0..<channels {
                samples[channel].append(Int16(bitPattern: UInt16(u16(dataRange.lowerBound + (frame * channels + channel) * 2))))
            }
        }
        self.samples = samples
    }
}

/// Per-channel signal level of a 16-bit PCM WAV file (its header taken at its word).
package struct WAVLevels {
    package let channels: Int
    package let frames: Int
    /// Root-mean-square level of each channel.
    package let rms: [Double]

    package init(contentsOf url: URL) throws {
        let wav = try WAVSamples(contentsOf: url)
        channels = wav.channels
        frames = wav.samples.first?.count ?? 0
        rms = wav.samples.map { channel in
            channel.isEmpty ? 0 : (channel.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(channel.count)).squareRoot()
        }
    }
}
