import Core
import XCTest

/// `SingleProcessCommunicator`: a world of one rank in which every collective is the identity, with the same
/// argument errors as `MPICommunicator`.
final class SingleProcessCommunicatorTests: XCTestCase {
    let comm = SingleProcessCommunicator()

    func testIdentityCollectives() throws {
        XCTAssertEqual(comm.rank, 0)
        XCTAssertEqual(comm.size, 1)
        XCTAssertTrue(comm.isRoot)
        var values: [Double] = [1.5, -2]
        try comm.allReduce(&values, op: .sum)
        XCTAssertEqual(values, [1.5, -2])
        try comm.broadcast(&values, root: 0)
        XCTAssertEqual(values, [1.5, -2])
        XCTAssertEqual(try comm.gather([Int32(3)], root: 0), [[3]])
        XCTAssertEqual(try comm.allGather([UInt8(7), 8]), [[7, 8]])
        XCTAssertEqual(try comm.scatter([[Int64(9)]], root: 0), [9])
        XCTAssertEqual(try comm.allReduce(Float(2.5), op: .max), 2.5)
        XCTAssertEqual(try comm.broadcast("héllo", root: 0), "héllo")
        try comm.barrier()
    }

    func testScatterWithWrongChunkCountThrows() {
        XCTAssertThrowsError(try comm.scatter([[Float(1)], [2]], root: 0)) { error in
            XCTAssertEqual(error as? CommunicatorError, .chunkCount(expected: 1, got: 2))
        }
        XCTAssertThrowsError(try comm.scatter([[Float]]?.none, root: 0)) { error in
            XCTAssertEqual(error as? CommunicatorError, .chunkCount(expected: 1, got: 0))
        }
    }

    func testInvalidRootThrows() {
        var buffer: [Float] = [1]
        XCTAssertThrowsError(try comm.broadcast(&buffer, root: 1)) { error in
            XCTAssertEqual(error as? CommunicatorError, .invalidRoot(root: 1, size: 1))
        }
        XCTAssertThrowsError(try comm.gather([Int(1)], root: -1))
        XCTAssertThrowsError(try comm.scatter([[Int(1)]], root: 3))
    }

    func testErrorMessagesAreActionable() {
        let mismatch = "\(CommunicatorError.countMismatch(operation: "allReduce", counts: [3, 4]))"
        XCTAssertTrue(mismatch.contains("[3, 4]") && mismatch.contains("same shape"), mismatch)
        let chunks = "\(CommunicatorError.chunkCount(expected: 2, got: 3))"
        XCTAssertTrue(chunks.contains("exactly one chunk per rank"), chunks)
    }
}
