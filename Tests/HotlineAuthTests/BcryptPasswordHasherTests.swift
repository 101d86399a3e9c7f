import HotlineAuth
import Testing

@Suite struct BcryptPasswordHasherTests {
    let hasher = BcryptPasswordHasher(cost: 4)

    @Test func hashesAreSaltedAndVerify() {
        let a = hasher.hash("Tax-12366-hotline")
        let b = hasher.hash("Tax-12366-hotline")
        #expect(a != b, "a fresh salt each time")
        #expect(a.hasPrefix("$2b$04$") && a.count == 60)
        #expect(hasher.verify("Tax-12366-hotline", against: a))
        #expect(hasher.verify("Tax-12366-hotline", against: b))
        #expect(!hasher.verify("tax-12366-hotline", against: a))
        #expect(!hasher.verify("Tax-12366-hotline", against: "not a hash"))
    }

    /// A published bcrypt vector (OpenBSD regress, "U*U" with cost 5).
    @Test func verifiesAKnownVector() {
        #expect(hasher.verify("U*U", against: "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"))
        #expect(!hasher.verify("U*V", against: "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"))
    }

    @Test func costIsClamped() {
        #expect(BcryptPasswordHasher(cost: 1).cost == 4)
        #expect(BcryptPasswordHasher().cost == 12)
    }
}
