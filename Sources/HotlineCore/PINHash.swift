/// A self-service PIN stored only as a salted, slow hash: PBKDF2-HMAC-SHA-256 (RFC 8018 §5.2) with
/// a random 16-byte salt and a configurable iteration count.
///
/// A six-digit PIN has only 10⁶ values, so no hash makes a stolen database safe on its own; the
/// salt stops precomputed tables and the iterations make each guess cost milliseconds. Callers
/// should also limit attempts (the IVR locks a taxpayer out after repeated failures).
///
/// The text form, stored in the database and in exports, is
/// `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`.
public struct PINHash: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The iteration count used when none is given: about 10 ms per PIN in a release build.
    public static let defaultIterations = 20_000

    /// How many PBKDF2 iterations were applied.
    public let iterations: Int
    /// The random salt (16 bytes).
    public let salt: [UInt8]
    /// The derived key (32 bytes).
    public let hash: [UInt8]

    /// Hashes a PIN with a fresh random salt.
    ///
    /// - Parameters:
    ///   - pin: The PIN, 4 to 8 ASCII digits.
    ///   - iterations: PBKDF2 iterations (at least 1).
    ///   - generator: The source of the salt; pass a seeded generator only in tests and demo data.
    /// - Throws: ``PINError/invalidFormat`` when the PIN is not 4–8 digits.
    public init(pin: String, iterations: Int = PINHash.defaultIterations,
                using generator: inout some RandomNumberGenerator) throws(PINError) {
        guard Self.isWellFormed(pin) else { throw .invalidFormat }
        var salt = [UInt8](repeating: 0, count: 16)
        for index in salt.indices { salt[index] = UInt8.random(in: .min ... .max, using: &generator) }
        self.init(pin: pin, salt: salt, iterations: max(1, iterations))
    }

    /// Hashes a PIN with a fresh salt from the system's secure random source.
    ///
    /// - Parameters:
    ///   - pin: The PIN, 4 to 8 ASCII digits.
    ///   - iterations: PBKDF2 iterations.
    /// - Throws: ``PINError/invalidFormat`` when the PIN is not 4–8 digits.
    public init(pin: String, iterations: Int = PINHash.defaultIterations) throws(PINError) {
        var generator = SystemRandomNumberGenerator()
        try self.init(pin: pin, iterations: iterations, using: &generator)
    }

    private init(pin: String, salt: [UInt8], iterations: Int) {
        self.iterations = iterations
        self.salt = salt
        self.hash = SHA256.pbkdf2(password: Array(pin.utf8), salt: salt, iterations: iterations, length: 32)
    }

    /// Parses the stored text form.
    ///
    /// - Parameter text: `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`.
    /// - Throws: ``PINError/malformedHash`` when the text is not in that form.
    public init(stored text: String) throws(PINError) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let iterations = Int(parts[1]), iterations >= 1,
              let salt = Self.bytes(hex: parts[2]), salt.count >= 8,
              let hash = Self.bytes(hex: parts[3]), hash.count == 32 else { throw .malformedHash }
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// Checks a PIN against the hash, comparing in constant time.
    ///
    /// - Parameter pin: The PIN the caller keyed.
    /// - Returns: `true` when it is the PIN that was hashed.
    public func verify(_ pin: String) -> Bool {
        guard Self.isWellFormed(pin) else { return false }
        let candidate = SHA256.pbkdf2(password: Array(pin.utf8), salt: salt, iterations: iterations, length: hash.count)
        var difference: UInt8 = 0
        for index in hash.indices { difference |= hash[index] ^ candidate[index] }
        return difference == 0
    }

    /// The stored text form.
    public var description: String {
        "pbkdf2-sha256$\(iterations)$\(Self.hex(salt))$\(Self.hex(hash))"
    }

    /// Whether a text is an acceptable PIN: 4 to 8 ASCII digits.
    ///
    /// - Parameter pin: The candidate PIN.
    /// - Returns: `true` when it has the right form.
    public static func isWellFormed(_ pin: String) -> Bool {
        (4...8).contains(pin.utf8.count) && pin.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// Decodes the stored text form.
    ///
    /// - Parameter decoder: The decoder to read a string from.
    /// - Throws: `DecodingError.dataCorrupted` when the text is malformed.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { self = try PINHash(stored: text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the stored text form.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return text
    }

    static func bytes(hex text: Substring) -> [UInt8]? {
        let scalars = Array(text.utf8)
        guard scalars.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(scalars.count / 2)
        for index in stride(from: 0, to: scalars.count, by: 2) {
            guard let high = nibble(scalars[index]), let low = nibble(scalars[index + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }
}

/// Why a PIN or stored PIN hash was refused.
public enum PINError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The PIN is not 4 to 8 digits.
    case invalidFormat
    /// The stored hash text is not `pbkdf2-sha256$…`.
    case malformedHash

    /// A sentence explaining the problem.
    public var description: String {
        switch self {
        case .invalidFormat: return "PIN must be 4 to 8 digits"
        case .malformedHash: return "stored PIN hash is not in the form pbkdf2-sha256$iterations$salt$hash"
        }
    }
}
