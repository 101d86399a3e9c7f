import HotlineCore
import Testing

@Suite struct MoneyTests {
    @Test(arguments: [
        ("1234.56", Int64(123_456)), ("1234.5", 123_450), ("1234", 123_400), ("0.05", 5), ("-0.05", -5),
        ("1,234,567.89", 123_456_789), ("¥12.30", 1230), ("￥7", 700), (" 3.01 ", 301), (".5", 50),
    ])
    func parsesYuan(_ text: String, _ fen: Int64) throws {
        #expect(try Money(yuan: text).fen == fen)
    }

    @Test(arguments: [
        ("1.234", MoneyError.tooManyDecimals("1.234")), ("abc", .malformed("abc")), ("", .empty),
        ("1.2.3", .malformed("1.2.3")), ("-", .malformed("-")), ("99999999999999999999", .outOfRange("99999999999999999999")),
    ])
    func rejects(_ text: String, _ error: MoneyError) {
        #expect(throws: error) { try Money(yuan: text) }
    }

    @Test func formatsAndRoundTrips() throws {
        for fen: Int64 in [0, 1, 9, 10, 99, 100, 123_456, -5, -123_456] {
            let money = Money(fen: fen)
            #expect(try Money(yuan: money.yuanText) == money)
        }
        #expect(Money(fen: -5).yuanText == "-0.05")
        #expect(Money(fen: 120_050).description == "¥1200.50")
        #expect(try JSONEncoderForTest.encode(Money(fen: 1234)) == "1234")
    }

    @Test func arithmeticIsExact() {
        // 0.1 + 0.2 is exactly 0.3 in fen.
        #expect(Money(fen: 10) + Money(fen: 20) == Money(fen: 30))
        #expect(Money(yuan: 5) - Money(fen: 1) == Money(fen: 499))
        #expect(Money(yuan: 100) > Money(fen: 9_999))
    }

    @Test func proportionsRoundHalfAwayFromZero() {
        // 10,000.00 yuan × 0.05 % = 5.00 yuan.
        #expect(Money(yuan: 10_000).multiplied(by: 5, dividedBy: 10_000) == Money(yuan: 5))
        // 0.10 yuan × 0.05 % = 0.00005 → 0.00; 1.00 × 1/200 = 0.005 → 0.01 (half up).
        #expect(Money(fen: 10).multiplied(by: 5, dividedBy: 10_000) == .zero)
        #expect(Money(fen: 100).multiplied(by: 1, dividedBy: 200) == Money(fen: 1))
        #expect(Money(fen: -100).multiplied(by: 1, dividedBy: 200) == Money(fen: -1))
        // No overflow for large amounts over long periods: 10 billion yuan × 0.05 % × 3650 days.
        let huge = Money(yuan: 10_000_000_000)
        #expect(huge.multiplied(by: 5 * 3650, dividedBy: 10_000) == Money(yuan: 18_250_000_000))
    }
}
