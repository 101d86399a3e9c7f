import Testing

@testable import HotlineMedia

@Suite struct G711Tests {
    /// Decoder outputs named in ITU-T G.711 Tables 1 and 2 (scaled to 16 bits: µ-law ×4, A-law ×8).
    @Test(arguments: [
        (0xFF, 0), (0x7F, 0), (0xFE, 8), (0xF0, 120), (0xEF, 132), (0x80, 32124), (0x00, -32124),
        (0x8F, 16764), (0xFD, 16),
    ] as [(UInt8, Int16)])
    func muLawDecoderOutputs(code: UInt8, linear: Int16) {
        #expect(G711.decodeMuLaw(code) == linear)
    }

    @Test(arguments: [
        (0xD5, 8), (0x55, -8), (0xD4, 24), (0xAA, 32256), (0x2A, -32256), (0xC5, 264), (0xF5, 528),
    ] as [(UInt8, Int16)])
    func aLawDecoderOutputs(code: UInt8, linear: Int16) {
        #expect(G711.decodeALaw(code) == linear)
    }

    /// Every µ-law code decodes to `((2m + 33) << s) - 33` in 14-bit units (segment s, step m; G.711 Table 2).
    @Test func muLawSegmentRule() {
        for code in 0...255 {
            let u = ~UInt8(code)
            let segment = Int(u >> 4) & 7
            let step = Int(u) & 0x0F
            let magnitude = (((2 * step + 33) << segment) - 33) * 4
            let expected = u & 0x80 != 0 ? -magnitude : magnitude
            #expect(Int(G711.decodeMuLaw(UInt8(code))) == expected, "code \(code)")
        }
    }

    /// Every A-law code decodes to the midpoint of its interval (G.711 Table 1): segment 0 steps of 2 from 1,
    /// segment s ≥ 1 steps of 2^s from 2^(s+4) (13-bit units).
    @Test func aLawSegmentRule() {
        for code in 0...255 {
            let a = UInt8(code) ^ 0x55
            let segment = Int(a >> 4) & 7
            let step = Int(a) & 0x0F
            let magnitude13 = segment == 0 ? 2 * step + 1 : (1 << (segment + 4)) + (2 * step + 1) * (1 << (segment - 1))
            let expected = a & 0x80 != 0 ? magnitude13 * 8 : -magnitude13 * 8
            #expect(Int(G711.decodeALaw(UInt8(code))) == expected, "code \(code)")
        }
    }

    @Test(arguments: G711.Law.allCases)
    func tablesMatchReferenceForEverySample(law: G711.Law) {
        var mismatches = 0
        for value in Int(Int16.min)...Int(Int16.max) {
            let sample = Int16(value)
            let table = law == .muLaw ? G711.encodeMuLaw(sample) : G711.encodeALaw(sample)
            let reference = law == .muLaw ? G711.referenceEncodeMuLaw(sample) : G711.referenceEncodeALaw(sample)
            if table != reference { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    /// Re-encoding a decoded value yields a code that decodes to the same value (G.711 is idempotent after one pass).
    @Test(arguments: G711.Law.allCases)
    func decodeEncodeIsStable(law: G711.Law) {
        for code in 0...255 {
            let linear = G711.decode([UInt8(code)], law: law)[0]
            let again = G711.decode(G711.encode([linear], law: law), law: law)[0]
            #expect(again == linear, "code \(code)")
        }
    }

    @Test(arguments: G711.Law.allCases)
    func encodingIsMonotonicAndErrorIsBounded(law: G711.Law) {
        var previous = Int.min
        for value in stride(from: -32767, through: 32767, by: 1) {
            let decoded = Int(G711.decode(G711.encode([Int16(value)], law: law), law: law)[0])
            #expect(decoded >= previous)
            previous = decoded
            if abs(value) <= 32000 {
                let error = abs(decoded - value)
                if error > max(16, abs(value) / 16) {
                    Issue.record("\(law) error \(error) at \(value)")
                    return
                }
            }
        }
    }

    @Test func silenceAndPayloadTypes() {
        #expect(G711.encodeMuLaw(0) == G711.Law.muLaw.silence)
        #expect(G711.encodeALaw(0) == G711.Law.aLaw.silence)
        #expect(G711.Law(payloadType: 0) == .muLaw)
        #expect(G711.Law(payloadType: 8) == .aLaw)
        #expect(G711.Law(payloadType: 18) == nil)
        #expect(G711.Law.aLaw.encodingName == "PCMA")
    }

    @Test(arguments: G711.Law.allCases)
    func bufferVariantsAgree(law: G711.Law) {
        let samples: [Int16] = (0..<160).map { Int16(truncatingIfNeeded: ($0 * 977) % 65536 - 32768) }
        let codes = G711.encode(samples, law: law)
        var appended: [UInt8] = [0xAB]
        samples.withUnsafeBufferPointer { G711.encode($0, law: law, appendingTo: &appended) }
        #expect(Array(appended.dropFirst()) == codes)
        var out = [Int16](repeating: 0, count: 100)
        let written = out.withUnsafeMutableBufferPointer { G711.decode(codes, law: law, into: $0) }
        #expect(written == 100)
        #expect(out == Array(G711.decode(codes, law: law).prefix(100)))
    }
}
