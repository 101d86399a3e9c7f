import HotlineCore
import Testing

@Suite struct TaxpayerNumberTests {
    /// Published codes: GB 32100's own example and the codes printed on well-known companies' licences.
    @Test(arguments: ["91350100M000100Y43", "91110000600037341L", "91440300708461136T", "91350100m000100y43 "])
    func acceptsValidCreditCodes(_ text: String) throws {
        let number = try TaxpayerNumber(text)
        #expect(number.kind == .unifiedSocialCreditCode)
        #expect(number.value == text.trimmingCharactersForTest().uppercased())
    }

    /// GB 11643's example number and constructed ones with known check digits (including 0 and X).
    @Test(arguments: ["11010519491231002X", "440524188001010014", "110101199003074477"])
    func acceptsValidResidentIdentityNumbers(_ text: String) throws {
        let number = try TaxpayerNumber(text)
        #expect(number.kind == .residentIdentity)
        #expect(number.value == text)
    }

    @Test func acceptsLowerCaseXAndKeypadStar() throws {
        #expect(try TaxpayerNumber("11010519491231002x").value == "11010519491231002X")
        #expect(try TaxpayerNumber(keypadDigits: "11010519491231002*").value == "11010519491231002X")
    }

    @Test(arguments: [
        ("91350100M000100Y44", TaxpayerNumberError.checkCharacterMismatch(kind: .unifiedSocialCreditCode, expected: "3", found: "4")),
        ("91110000600037341K", .checkCharacterMismatch(kind: .unifiedSocialCreditCode, expected: "L", found: "K")),
        ("110105194912310021", .checkCharacterMismatch(kind: .residentIdentity, expected: "X", found: "1")),
        ("440524188001010015", .checkCharacterMismatch(kind: .residentIdentity, expected: "4", found: "5")),
        ("110105194902300020", .invalidBirthDate("19490230")),
        ("9135010", .wrongLength(7)),
        ("", .empty),
        ("91350100M0001O0Y43", .invalidCharacter("O", position: 14)),
        ("Z1350100M000100Y43", .invalidCharacter("Z", position: 1)),
        ("P1350100M000100Y43", .invalidRegistrationAuthority("P")),
        ("9135A100M000100Y43", .invalidDivisionCode("35A100")),
    ])
    func rejectsInvalidNumbersWithReason(_ text: String, _ expected: TaxpayerNumberError) {
        #expect(throws: expected) { try TaxpayerNumber(text) }
        #expect(!expected.description.isEmpty)
    }

    @Test func swappedDigitsAreCaught() {
        // A transposition of two adjacent different characters changes the check character.
        let valid = Array("91350100M000100Y43")
        for index in 0..<16 where valid[index] != valid[index + 1] {
            var swapped = valid
            swapped.swapAt(index, index + 1)
            #expect(throws: (any Error).self) { try TaxpayerNumber(String(swapped)) }
        }
    }

    @Test func checkCharacterHelpersAgreeWithValidation() throws {
        #expect(TaxpayerNumber.creditCodeCheckCharacter(for: "91350100M000100Y4") == "3")
        #expect(TaxpayerNumber.residentIdentityCheckCharacter(for: "11010519491231002") == "X")
        #expect(TaxpayerNumber.residentIdentityCheckCharacter(for: "1101051949123100") == nil)
        #expect(TaxpayerNumber.creditCodeCheckCharacter(for: "91350100I000100Y4") == nil)
        // Every possible check character for one prefix: exactly one is accepted.
        let prefix = "91320500MA1Q2W3E4"
        let alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        let accepted = alphabet.filter { (try? TaxpayerNumber(prefix + String($0))) != nil }
        #expect(accepted.count == 1)
        #expect(accepted.first == TaxpayerNumber.creditCodeCheckCharacter(for: prefix))
    }

    @Test func divisionCodeAndCodable() throws {
        #expect(try TaxpayerNumber("11010519491231002X").divisionCode == "110105")
        #expect(try TaxpayerNumber("91350100M000100Y43").divisionCode == "350100")
        let encoded = try JSONEncoderForTest.encode(try TaxpayerNumber("91350100M000100Y43"))
        #expect(encoded == "\"91350100M000100Y43\"")
    }
}

extension String {
    func trimmingCharactersForTest() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
