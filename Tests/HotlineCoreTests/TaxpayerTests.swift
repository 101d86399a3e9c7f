import HotlineCore
import Testing

@Suite struct TaxpayerTests {
    @Test func masksBankAccounts() {
        #expect(Taxpayer.maskBankAccount("6222021234567890123") == "6222***********0123")
        #expect(Taxpayer.maskBankAccount("6222 0212 3456 7890 123") == "6222***********0123")
        #expect(Taxpayer.maskBankAccount("6222***********0123") == "6222***********0123")
        #expect(Taxpayer.maskBankAccount("1234") == "1234")
    }

    @Test func initMasksTheAccount() throws {
        let taxpayer = Taxpayer(number: try TaxpayerNumber("91350100M000100Y43"), name: "闽都科技", kind: .enterprise,
                                bankAccount: "6222021234567890123")
        #expect(taxpayer.bankAccount == "6222***********0123")
    }

    @Test func problemsNameTheirFields() throws {
        var taxpayer = Taxpayer(number: try TaxpayerNumber("11010519491231002X"), name: " ", kind: .enterprise,
                                email: "not-an-address", customFields: ["ok_key": "1", "bad key": "2"])
        let fields = Set(taxpayer.problems().map(\.field))
        #expect(fields == ["name", "taxpayer_number", "email", "custom.bad key"])
        taxpayer.name = "王伟"
        taxpayer.kind = .individual
        taxpayer.email = "wang.wei@example.cn"
        taxpayer.customFields = ["grade": "A"]
        #expect(taxpayer.problems().isEmpty)
        taxpayer.name = String(repeating: "王", count: Taxpayer.maximumNameLength)
        #expect(taxpayer.problems().isEmpty)
        taxpayer.name += "伟"
        #expect(taxpayer.problems().map(\.field) == ["name"])
    }

    @Test func individualBusinessMayUseEitherNumber() throws {
        for text in ["11010519491231002X", "91350100M000100Y43"] {
            let taxpayer = Taxpayer(number: try TaxpayerNumber(text), name: "老王面馆", kind: .individualBusiness)
            #expect(taxpayer.problems().isEmpty)
        }
    }
}
