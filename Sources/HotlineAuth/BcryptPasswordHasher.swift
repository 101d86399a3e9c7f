public import HotlineCore
import HummingbirdBcrypt

/// Password hashing with bcrypt (Provos & Mazières, 1999), from hummingbird-auth's `HummingbirdBcrypt`
/// (OpenBSD's implementation): salted, with an adjustable cost, stored as `$2b$<cost>$<salt+hash>`.
///
/// bcrypt reads at most 72 bytes of a password; ``PasswordRules`` refuses longer ones so that no
/// part of a password is silently ignored.
public struct BcryptPasswordHasher: PasswordHasher {
    /// The cost factor (log2 of the rounds), 4–31.
    public let cost: UInt8

    /// Creates a hasher.
    ///
    /// - Parameter cost: log2 of the key-expansion rounds; 12 (the default) takes about a quarter of a
    ///   second per hash on a server core, slow enough against guessing and fast enough for sign-in.
    ///   Values outside 4–31 are clamped.
    public init(cost: UInt8 = 12) {
        self.cost = min(31, max(4, cost))
    }

    /// Hashes a password with a fresh random salt.
    ///
    /// - Parameter password: The password.
    /// - Returns: The bcrypt string.
    public func hash(_ password: String) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// Checks a password against a bcrypt string.
    ///
    /// - Parameters:
    ///   - password: The password given.
    ///   - hash: The stored bcrypt string.
    /// - Returns: `true` when they match; `false` also for a malformed hash.
    public func verify(_ password: String, against hash: String) -> Bool {
        guard hash.hasPrefix("$2") else { return false }
        return Bcrypt.verify(password, hash: hash)
    }
}
