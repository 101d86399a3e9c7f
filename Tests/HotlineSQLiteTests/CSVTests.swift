import Foundation
import HotlineSQLite
import Testing

@Suite struct CSVTests {
    func records(_ text: String) -> ([CSVReader.Record], CSVError?) {
        var iterator = CSVReader(utf8: Array(text.utf8)).makeIterator()
        var records: [CSVReader.Record] = []
        while let record = iterator.next() { records.append(record) }
        return (records, iterator.error)
    }

    @Test func readsRFC4180QuotedFields() {
        let (records, error) = records("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nlast,,\n")
        #expect(error == nil)
        #expect(records.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"], ["last", "", ""]])
        #expect(records.map(\.line) == [1, 2, 4])
    }

    @Test func reportsUnclosedQuotesAndStrayQuotes() {
        #expect(records("a,b\n\"open,b\n").1 == CSVError(line: 2, message: "quoted field is never closed"))
        #expect(records("a,b\nx\"y,b\n").1?.line == 2)
        #expect(records("a,b\n\"x\"y,b\n").1?.line == 2)
    }

    @Test func writerQuotesWhatNeedsQuotingAndRoundTrips() {
        var writer = CSVWriter()
        let rows = [["plain", "with,comma", "with \"quote\"", "multi\nline", " padded "], ["王伟", "", "x", "y", "z"]]
        for row in rows { writer.write(row) }
        var iterator = CSVReader(utf8: writer.bytes).makeIterator()
        var read: [[String]] = []
        while let record = iterator.next() { read.append(record.fields) }
        #expect(read == rows)
    }

    @Test func decodesUTF8WithAndWithoutBOMAndGB18030() throws {
        let text = "名称,地址\n王伟,北京市朝阳区\n"
        let plain = try CSVText.decode(Array(text.utf8))
        #expect(plain.encoding == .utf8 && plain.utf8 == Array(text.utf8))
        let bom = try CSVText.decode([0xEF, 0xBB, 0xBF] + Array(text.utf8))
        #expect(bom.encoding == .utf8 && bom.utf8 == Array(text.utf8))
        let gb = try CSVText.gb18030(Array(text.utf8))
        #expect(gb != Array(text.utf8))
        #expect(gb.prefix(2) == [0xC3, 0xFB]) // 名 in GB18030
        let decoded = try CSVText.decode(gb)
        #expect(decoded.encoding == .gb18030)
        #expect(decoded.utf8 == Array(text.utf8))
    }

    @Test func rejectsBytesThatAreNeitherUTF8NorGB18030() {
        #expect(throws: CSVError.self) { try CSVText.decode([0x41, 0xFF, 0xFF, 0xFF, 0x0A]) }
    }
}
