@testable import Datasets
import XCTest

/// RFC 4180 fields: quotes, doubled quotes, commas and line breaks inside quotes, CRLF, BOM, line numbers.
final class CSVReaderTests: XCTestCase {
    private func read(_ text: String) throws -> [CSVReader.Record] { try CSVReader.records(Array(text.utf8)) }

    func testPlainAndQuotedFields() throws {
        let records = try read("path,labels\na.png,cat\n\"b, c.png\",\"dog;\"\"big\"\"\"\n")
        XCTAssertEqual(records.map(\.fields), [["path", "labels"], ["a.png", "cat"], ["b, c.png", "dog;\"big\""]])
        XCTAssertEqual(records.map(\.line), [1, 2, 3])
    }

    func testCRLFBOMBlankLinesAndNoFinalNewline() throws {
        let records = try read("\u{FEFF}path,labels\r\n\r\na.png,x\r\nb.png,\"y\"")
        XCTAssertEqual(records.map(\.fields), [["path", "labels"], ["a.png", "x"], ["b.png", "y"]])
        XCTAssertEqual(records.map(\.line), [1, 3, 4])
    }

    func testLineBreakInsideQuotesCountsLines() throws {
        let records = try read("h1,h2\n\"multi\nline\",v\nnext,w\n")
        XCTAssertEqual(records[1].fields, ["multi\nline", "v"])
        XCTAssertEqual(records[1].line, 2)
        XCTAssertEqual(records[2].line, 4)
    }

    func testEmptyFieldsAndUnicode() throws {
        XCTAssertEqual(try read("a,,\"\"\nfleur-de-lys.png,Pâquerette\n").map(\.fields),
                       [["a", "", ""], ["fleur-de-lys.png", "Pâquerette"]])
    }

    func testMalformedQuotes() {
        XCTAssertThrowsError(try read("a,b\n\"open,x\n")) { error in
            XCTAssertEqual(error as? CSVReader.Failure, .unterminatedQuote(line: 2))
        }
        XCTAssertThrowsError(try read("a,b\nc,d\n\"x\"y,z\n")) { error in
            XCTAssertEqual(error as? CSVReader.Failure, .textAfterClosingQuote(line: 3))
        }
    }
}
