import Testing

@testable import HotlineMedia

@Suite struct DigitCollectorTests {
    func collect(_ reports: [(Character, Int, DigitCollector.Source)], window: Duration = .milliseconds(200))
        -> (digits: String, suppressed: Int)
    {
        var collector = DigitCollector(window: window)
        var digits = ""
        for (digit, ms, source) in reports {
            if let d = collector.add(digit, start: .milliseconds(ms), source: source) { digits.append(d.digit) }
        }
        return (digits, collector.duplicatesSuppressed)
    }

    @Test func sameKeypressBothWaysCountsOnce() {
        let result = collect([("5", 1000, .telephoneEvent), ("5", 1040, .inBand)])
        #expect(result.digits == "5")
        #expect(result.suppressed == 1)
    }

    @Test func inBandFirstThenTelephoneEvent() {
        let result = collect([("9", 1040, .inBand), ("9", 990, .telephoneEvent), ("#", 1500, .inBand), ("#", 1470, .telephoneEvent)])
        #expect(result.digits == "9#")
    }

    /// `1 1` pressed quickly, each reported both ways: still two digits.
    @Test func genuineRepeatIsTwoDigits() {
        let result = collect([
            ("1", 0, .telephoneEvent), ("1", 45, .inBand), ("1", 150, .telephoneEvent), ("1", 190, .inBand),
        ])
        #expect(result.digits == "11")
        #expect(result.suppressed == 2)
    }

    /// The same source reporting the same digit twice is two keypresses (the RFC 4733 receiver already removed
    /// its own duplicates).
    @Test func sameSourceIsNeverMerged() {
        #expect(collect([("3", 0, .inBand), ("3", 100, .inBand)]).digits == "33")
    }

    @Test func differentDigitsOrFarApartAreKept() {
        #expect(collect([("1", 0, .telephoneEvent), ("2", 20, .inBand)]).digits == "12")
        #expect(collect([("7", 0, .telephoneEvent), ("7", 500, .inBand)]).digits == "77")
    }

    @Test func onlyOneSourcePresent() {
        let digits = (0..<12).map { (Character(String($0 % 10)), $0 * 300, DigitCollector.Source.inBand) }
        #expect(collect(digits).digits == "012345678901")
    }

    @Test func telephoneEventTimestampsConvert() {
        var collector = DigitCollector()
        let first = collector.addTelephoneEvent(11, timestamp: 8000 + 4000, streamStart: 8000)
        #expect(first?.digit == "#")
        #expect(first?.start == .milliseconds(500))
        #expect(collector.add("#", start: .milliseconds(540), source: .inBand) == nil)
        #expect(collector.addTelephoneEvent(16, timestamp: 20000, streamStart: 8000) == nil)  // flash is not a digit
        // Wrap-around of the RTP timestamp.
        let wrapped = collector.addTelephoneEvent(1, timestamp: 800, streamStart: 0xFFFF_FF00)
        #expect(wrapped?.start == .microseconds(Int64(1056) * 125))
    }
}
