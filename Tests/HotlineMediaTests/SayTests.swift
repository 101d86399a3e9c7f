import Testing
@testable import HotlineMedia

@Suite struct SayTests {
    @Test(arguments: [
        (0, "零"), (7, "七"), (10, "十"), (15, "十五"), (20, "二十"), (105, "一百零五"), (110, "一百一十"),
        (1005, "一千零五"), (1050, "一千零五十"), (1234, "一千二百三十四"), (10_000, "一万"), (10_010, "一万零一十"),
        (100_000, "十万"), (100_010, "十万零一十"), (1_000_010, "一百万零一十"), (20_300_000, "二千零三十万"),
        (100_000_001, "一亿零一"), (100_010_000, "一亿零一万"), (123_456_789, "一亿二千三百四十五万六千七百八十九"),
    ])
    func mandarinNumbers(number: Int, expected: String) throws {
        #expect(Say.text(try Say.number(number, language: .mandarin), language: .mandarin) == expected)
    }

    @Test(arguments: [
        (0, "zero"), (13, "thirteen"), (40, "forty"), (99, "ninety nine"), (101, "one hundred one"),
        (1234, "one thousand two hundred thirty four"), (1_000_000, "one million"),
        (2_000_017, "two million seventeen"), (999_999_999_999, "nine hundred ninety nine billion nine hundred ninety nine million nine hundred ninety nine thousand nine hundred ninety nine"),
    ])
    func englishNumbers(number: Int, expected: String) throws {
        #expect(Say.text(try Say.number(number, language: .english), language: .english) == expected)
    }

    @Test(arguments: [
        ("1234.56", "一千二百三十四元五角六分"), ("1005.07", "一千零五元零七分"), ("1005.70", "一千零五元七角"),
        ("1005", "一千零五元整"), ("0.56", "五角六分"), ("0.06", "六分"), ("0", "零元整"), ("10.5", "十元五角"),
        ("100000.01", "十万元零一分"),
    ])
    func mandarinMoney(amount: String, expected: String) throws {
        #expect(Say.text(try Say.money(amount, language: .mandarin), language: .mandarin) == expected)
    }

    @Test(arguments: [
        ("1234.56", "one thousand two hundred thirty four yuan and fifty six cents"), ("1", "one yuan"),
        ("0.01", "one cent"), ("20.10", "twenty yuan and ten cents"), ("0", "zero yuan"),
    ])
    func englishMoney(amount: String, expected: String) throws {
        #expect(Say.text(try Say.money(amount, language: .english), language: .english) == expected)
    }

    @Test(arguments: ["", "12.345", "-5", "1,000", "abc", "1.2.3", ".5", "1e5"])
    func refusesMalformedAmounts(amount: String) {
        let error = #expect(throws: SayError.self) { try Say.money(amount, language: .mandarin) }
        #expect(error?.message.contains("\"\(amount)\"") == true)
    }

    @Test func datesInBothLanguages() throws {
        #expect(Say.text(try Say.date(year: 2026, month: 3, day: 5, language: .mandarin), language: .mandarin) == "二零二六年三月五日")
        #expect(Say.text(try Say.date(year: 2026, month: 12, day: 31, language: .mandarin), language: .mandarin) == "二零二六年十二月三十一日")
        #expect(Say.text(try Say.date(year: 2026, month: 3, day: 5, language: .english), language: .english) == "March fifth two thousand twenty six")
        #expect(throws: SayError.self) { try Say.date(year: 2025, month: 2, day: 29, language: .english) }
        #expect(throws: SayError.self) { try Say.date(year: 2026, month: 13, day: 1, language: .english) }
        #expect(try Say.date(year: 2024, month: 2, day: 29, language: .mandarin).last?.text == "日")
    }

    @Test func durations() throws {
        #expect(Say.text(try Say.duration(seconds: 3725, language: .mandarin), language: .mandarin) == "一小时二分钟五秒")
        #expect(Say.text(try Say.duration(seconds: 180, language: .mandarin), language: .mandarin) == "三分钟")
        #expect(Say.text(try Say.duration(seconds: 3661, language: .english), language: .english) == "one hour one minute one second")
        #expect(Say.text(try Say.duration(seconds: 0, language: .english), language: .english) == "zero seconds")
        #expect(throws: SayError.self) { try Say.duration(seconds: -1, language: .english) }
    }

    @Test func digitStrings() throws {
        #expect(Say.text(try Say.digits("12366", language: .mandarin), language: .mandarin) == "一二三六六")
        #expect(Say.text(try Say.digits("0-1 #", language: .english), language: .english) == "zero one hash")
        let error = #expect(throws: SayError.self) { try Say.digits("12a", language: .english) }
        #expect(error?.message.contains("position 3") == true)
    }

    @Test(arguments: SpokenLanguage.allCases)
    func catalogueCoversEverySayFunction(language: SpokenLanguage) throws {
        let keys = Set(FragmentCatalogue.fragments(for: language).map(\.key))
        var produced: [Fragment] = []
        for number in [0, 7, 11, 19, 45, 100, 1005, 12_345, 100_000_001, 987_654_321_012] {
            produced += try Say.number(number, language: language)
            produced += try Say.number(-number, language: language)
        }
        produced += try Say.money("1234.56", language: language) + Say.money("1.01", language: language) + Say.money("0", language: language)
        for month in 1...12 { produced += try Say.date(year: 2026, month: month, day: 28, language: language) }
        for day in 1...31 { produced += try Say.date(year: 2026, month: 1, day: day, language: language) }
        produced += try Say.duration(seconds: 3661, language: language) + Say.duration(seconds: 7322, language: language)
        produced += try Say.digits("0123456789*#", language: language)
        for fragment in produced {
            #expect(keys.contains(fragment.key), "\(fragment.key) missing from the \(language) catalogue")
        }
        #expect(keys.allSatisfy { $0.allSatisfy { $0.isASCII } })
    }
}
