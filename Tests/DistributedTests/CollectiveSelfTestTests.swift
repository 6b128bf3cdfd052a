import Core
import Distributed
import LinearAlgebra
import XCTest

/// `CollectiveSelfTest` passes on a world of one rank and reports its bits in the agreed line format.
final class CollectiveSelfTestTests: XCTestCase {
    func testPassesOnSingleProcessCommunicator() {
        let report = CollectiveSelfTest.run(communicator: SingleProcessCommunicator())
        for check in report.checks where !check.passed { XCTFail("\(check.name): \(check.detail)") }
        XCTAssertTrue(report.passed)
        XCTAssertEqual(report.size, 1)
        XCTAssertGreaterThan(report.checks.count, 25)
    }

    func testBitsLineFormat() throws {
        let report = CollectiveSelfTest.run(communicator: SingleProcessCommunicator())
        XCTAssertEqual(report.lines.last, report.bitsLine)
        XCTAssertTrue(report.bitsLine.hasPrefix("ordered-reduction bits: "))
        let hex = report.bitsLine.dropFirst(CollectiveSelfTest.bitsLinePrefix.count)
        let words = hex.split(separator: ",")
        XCTAssertEqual(words.count, 5)
        for word in words {
            XCTAssertEqual(word.count, 8)
            XCTAssertNotNil(UInt32(word, radix: 16), String(word))
        }
        // Repeated runs give the same bits.
        XCTAssertEqual(CollectiveSelfTest.run(communicator: SingleProcessCommunicator()).bitsLine, report.bitsLine)
    }
}
