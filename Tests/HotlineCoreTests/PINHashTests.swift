@testable import HotlineCore
import Testing

private func hex(_ bytes: [UInt8]) -> String { PINHash.hex(bytes) }

@Suite struct PINHashTests {
    /// FIPS 180-4 / RFC 4231 / RFC 7914 §11 vectors for the primitives under the PIN hash.
    @Test func primitivesMatchPublishedVectors() {
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash([UInt8](repeating: 0x61, count: 1000))) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        #expect(hex(SHA256.HMAC(key: Array("Jefe".utf8)).authenticate(Array("what do ya want for nothing?".utf8)))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(hex(SHA256.HMAC(key: [UInt8](repeating: 0xaa, count: 131))
            .authenticate(Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect(hex(SHA256.pbkdf2(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1, length: 64))
            == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
        #expect(hex(SHA256.pbkdf2(password: Array("Password".utf8), salt: Array("NaCl".utf8), iterations: 80_000, length: 64))
            == "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d")
    }

    @Test func verifiesOnlyTheRightPIN() throws {
        var generator = SeededGenerator(seed: 7)
        let hash = try PINHash(pin: "123456", iterations: 1000, using: &generator)
        #expect(hash.verify("123456"))
        #expect(!hash.verify("123457"))
        #expect(!hash.verify("12345"))
        #expect(!hash.verify(""))
        #expect(hash.salt.count == 16 && hash.hash.count == 32)
    }

    @Test func saltMakesEqualPINsHashDifferently() throws {
        var generator = SeededGenerator(seed: 1)
        let first = try PINHash(pin: "000000", iterations: 100, using: &generator)
        let second = try PINHash(pin: "000000", iterations: 100, using: &generator)
        #expect(first.hash != second.hash)
        #expect(first.verify("000000") && second.verify("000000"))
    }

    @Test func storedFormRoundTrips() throws {
        let hash = try PINHash(pin: "8642", iterations: 50)
        let text = hash.description
        #expect(text.hasPrefix("pbkdf2-sha256$50$"))
        let parsed = try PINHash(stored: text)
        #expect(parsed == hash)
        #expect(parsed.verify("8642"))
    }

    @Test(arguments: ["12a456", "123", "123456789", " 123456"])
    func rejectsMalformedPINs(_ pin: String) {
        #expect(throws: PINError.invalidFormat) { try PINHash(pin: pin, iterations: 1) }
    }

    @Test(arguments: ["", "md5$1$00$00", "pbkdf2-sha256$x$0011223344556677$00", "pbkdf2-sha256$10$zz$00"])
    func rejectsMalformedStoredHashes(_ text: String) {
        #expect(throws: PINError.malformedHash) { try PINHash(stored: text) }
    }
}
