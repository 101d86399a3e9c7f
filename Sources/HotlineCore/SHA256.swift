/// SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) and PBKDF2-HMAC-SHA-256 (RFC 8018 §5.2), in
/// plain Swift so that HotlineCore needs no cryptography package. Only ``PINHash`` uses them.
enum SHA256 {
    private static let roundConstants: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]
    static let initialState: [UInt32] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]

    /// Processes one 64-byte block starting at `offset` of `block` into `state`.
    static func compress(_ state: inout [UInt32], _ block: [UInt8], offset: Int = 0) {
        var w = [UInt32](repeating: 0, count: 64)
        for t in 0..<16 {
            let i = offset + t * 4
            w[t] = UInt32(block[i]) << 24 | UInt32(block[i + 1]) << 16 | UInt32(block[i + 2]) << 8 | UInt32(block[i + 3])
        }
        for t in 16..<64 {
            let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
            let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
            w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
        }
        var a = state[0], b = state[1], c = state[2], d = state[3]
        var e = state[4], f = state[5], g = state[6], h = state[7]
        for t in 0..<64 {
            let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
            let choice = (e & f) ^ (~e & g)
            let temp1 = h &+ s1 &+ choice &+ roundConstants[t] &+ w[t]
            let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            let temp2 = s0 &+ majority
            h = g; g = f; f = e; e = d &+ temp1
            d = c; c = b; b = a; a = temp1 &+ temp2
        }
        state[0] &+= a; state[1] &+= b; state[2] &+= c; state[3] &+= d
        state[4] &+= e; state[5] &+= f; state[6] &+= g; state[7] &+= h
    }

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    /// Hashes `message` continuing from `state`, where `prefixLength` bytes were already absorbed.
    static func finish(state initial: [UInt32], prefixLength: Int, message: [UInt8]) -> [UInt8] {
        var state = initial
        var data = message
        let bitLength = UInt64(prefixLength + message.count) * 8
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        for offset in stride(from: 0, to: data.count, by: 64) { compress(&state, data, offset: offset) }
        return bytes(of: state)
    }

    static func bytes(of state: [UInt32]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for word in state {
            out.append(UInt8(truncatingIfNeeded: word >> 24)); out.append(UInt8(truncatingIfNeeded: word >> 16))
            out.append(UInt8(truncatingIfNeeded: word >> 8)); out.append(UInt8(truncatingIfNeeded: word))
        }
        return out
    }

    /// SHA-256 of a message.
    static func hash(_ message: [UInt8]) -> [UInt8] { finish(state: initialState, prefixLength: 0, message: message) }

    /// HMAC-SHA-256 with the inner and outer pads absorbed once (RFC 2104 §2), reusable for many messages.
    struct HMAC {
        let innerState: [UInt32]
        let outerState: [UInt32]

        init(key: [UInt8]) {
            var block = key.count > 64 ? SHA256.hash(key) : key
            block += [UInt8](repeating: 0, count: 64 - block.count)
            var inner = SHA256.initialState
            SHA256.compress(&inner, block.map { $0 ^ 0x36 })
            var outer = SHA256.initialState
            SHA256.compress(&outer, block.map { $0 ^ 0x5c })
            innerState = inner
            outerState = outer
        }

        func authenticate(_ message: [UInt8]) -> [UInt8] {
            let inner = SHA256.finish(state: innerState, prefixLength: 64, message: message)
            return SHA256.finish(state: outerState, prefixLength: 64, message: inner)
        }
    }

    /// Compresses one block given as 16 big-endian words (the PBKDF2 fast path, no byte arrays).
    static func compress(words state: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
                         block: UnsafeMutablePointer<UInt32>) {
        // block has room for 64 words; the first 16 are the message.
        for t in 16..<64 {
            let w15 = block[t - 15], w2 = block[t - 2]
            let s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3)
            let s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10)
            block[t] = block[t - 16] &+ s0 &+ block[t - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, h) = state
        roundConstants.withUnsafeBufferPointer { k in
            for t in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let choice = (e & f) ^ (~e & g)
                let temp1 = h &+ s1 &+ choice &+ k[t] &+ block[t]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let majority = (a & b) ^ (a & c) ^ (b & c)
                h = g; g = f; f = e; e = d &+ temp1
                d = c; c = b; b = a; a = temp1 &+ s0 &+ majority
            }
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h)
    }

    typealias Words = (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)

    static func tuple(_ array: [UInt32]) -> Words {
        (array[0], array[1], array[2], array[3], array[4], array[5], array[6], array[7])
    }

    /// HMAC of a 32-byte message given as 8 words, with precomputed pad states: two compressions.
    static func hmac32(inner: Words, outer: Words, message: Words, block: UnsafeMutablePointer<UInt32>) -> Words {
        func load(_ words: Words) {
            block[0] = words.0; block[1] = words.1; block[2] = words.2; block[3] = words.3
            block[4] = words.4; block[5] = words.5; block[6] = words.6; block[7] = words.7
            block[8] = 0x8000_0000
            for i in 9..<15 { block[i] = 0 }
            block[15] = (64 + 32) * 8
        }
        var innerState = inner
        load(message)
        compress(words: &innerState, block: block)
        var outerState = outer
        load(innerState)
        compress(words: &outerState, block: block)
        return outerState
    }

    /// PBKDF2 with HMAC-SHA-256 (RFC 8018 §5.2).
    static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) -> [UInt8] {
        let hmac = HMAC(key: password)
        var output: [UInt8] = []
        var blockIndex: UInt32 = 1
        while output.count < length {
            let indexBytes: [UInt8] = [UInt8(blockIndex >> 24), UInt8(truncatingIfNeeded: blockIndex >> 16),
                                       UInt8(truncatingIfNeeded: blockIndex >> 8), UInt8(truncatingIfNeeded: blockIndex)]
            let first = hmac.authenticate(salt + indexBytes)
            var u: Words = (0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &u) { raw in
                for i in 0..<8 {
                    let word = UInt32(first[i * 4]) << 24 | UInt32(first[i * 4 + 1]) << 16
                        | UInt32(first[i * 4 + 2]) << 8 | UInt32(first[i * 4 + 3])
                    raw.storeBytes(of: word, toByteOffset: i * 4, as: UInt32.self)
                }
            }
            var t = u
            if iterations > 1 {
                let inner = tuple(hmac.innerState), outer = tuple(hmac.outerState)
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { buffer in
                    guard let block = buffer.baseAddress else { return }
                    for _ in 1..<iterations {
                        u = hmac32(inner: inner, outer: outer, message: u, block: block)
                        t = (t.0 ^ u.0, t.1 ^ u.1, t.2 ^ u.2, t.3 ^ u.3, t.4 ^ u.4, t.5 ^ u.5, t.6 ^ u.6, t.7 ^ u.7)
                    }
                }
            }
            output += bytes(of: [t.0, t.1, t.2, t.3, t.4, t.5, t.6, t.7])
            blockIndex += 1
        }
        return Array(output.prefix(length))
    }
}
