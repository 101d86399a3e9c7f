import HotlineCore
import Testing

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("13800138000", "13800138000", PhoneNumber.Kind.mobile),
        ("+86 138-0013-8000", "13800138000", .mobile),
        ("0086 13800138000", "13800138000", .mobile),
        ("8613800138000", "13800138000", .mobile),
        ("(010) 6512-3456", "01065123456", .landline),
        ("010-65123456", "01065123456", .landline),
        ("+86 10 6512 3456", "01065123456", .landline),
        ("+86-755-2345-6789", "075523456789", .landline),
        ("0755 23456789", "075523456789", .landline),
        ("0571-8765432", "05718765432", .landline),
        ("12366", "12366", .service),
        ("400-812-3123", "4008123123", .service),
        ("95566", "95566", .service),
    ])
    func normalises(_ text: String, _ digits: String, _ kind: PhoneNumber.Kind) throws {
        let number = try PhoneNumber(text)
        #expect(number.digits == digits)
        #expect(number.kind == kind)
        #expect(number.extension == nil)
    }

    @Test func keepsExtensions() throws {
        let dashed = try PhoneNumber("010-65123456-801")
        #expect(dashed.digits == "01065123456")
        #expect(dashed.extension == "801")
        #expect(dashed.description == "01065123456-801")
        let worded = try PhoneNumber("021 5555 6666 转 1234")
        #expect(worded.digits == "02155556666")
        #expect(worded.extension == "1234")
        #expect(try PhoneNumber(worded.description) == worded)
        let service = try PhoneNumber("400-812-3123 转 5")
        #expect(service.kind == .service && service.extension == "5")
        #expect(try PhoneNumber(service.description) == service)
    }

    @Test func e164() throws {
        #expect(try PhoneNumber("13800138000").e164 == "+8613800138000")
        #expect(try PhoneNumber("010-65123456").e164 == "+861065123456")
    }

    @Test func localNumbersNeedAnAreaCode() throws {
        #expect(throws: PhoneNumberError.missingAreaCode("65123456")) { try PhoneNumber("6512 3456") }
        #expect(try PhoneNumber("6512 3456", defaultAreaCode: "10").digits == "01065123456")
    }

    @Test(arguments: [
        ("", PhoneNumberError.empty),
        ("1380013800", .invalidMobile("1380013800")),
        ("12800138000", .invalidMobile("12800138000")),
        ("010-651234", .invalidLandline("010651234")),
        ("+1 212 555 0100", .notChinese),
        ("138a0013800", .invalidCharacter("a")),
        ("13800138000 转 12", .invalidExtension("12")),
    ])
    func rejects(_ text: String, _ error: PhoneNumberError) {
        #expect(throws: error) { try PhoneNumber(text) }
    }

    @Test func matchKeyForCallerIDs() {
        #expect(PhoneNumber.matchKey(for: "+8613800138000") == "13800138000")
        #expect(PhoneNumber.matchKey(for: "861065123456") == "01065123456")
        #expect(PhoneNumber.matchKey(for: "anonymous-12") == "12")
    }
}
