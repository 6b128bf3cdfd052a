import Core
import FisherAnnotation
import Foundation
import LinearAlgebra
import Stages
import TestSupport
import XCTest

/// The encode stage with the images of each chunk shared over 1, 2, 3 threads of the rank (`InRankThreads`)
/// writes the same fv.h5 bits; with 3 threads and chunks of 3 images every chunk really splits.
final class EncodeThreadsTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryDirectory("encode-threads") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testFisherVectorsAreBitIdenticalOnOneTwoThreeThreads() throws {
        let before = BLASThreads.count
        defer { BLASThreads.set(before) }
        BLASThreads.set(1)
        let one = FisherFixture.pipeline(folder.appendingPathComponent("t1"))
        try one.run(communicator: SingleProcessCommunicator())
        for threads in 2 ... 3 {
            var config = one.encode
            config.output = folder.appendingPathComponent("fv-t\(threads).h5").path
            let encode = EncodeStage(config: config)
            BLASThreads.set(threads)
            try encode.run(communicator: SingleProcessCommunicator())
            XCTAssertEqual(BLASThreads.count, threads, "restored after the stage")
            for name in EncodeStage.datasets where name.hasPrefix("fv/") {
                let a = try FisherFixture.floats(one.encode.output, name), b = try FisherFixture.floats(config.output, name)
                XCTAssertEqual(a.shape, b.shape, name)
                XCTAssertEqual(a.values.map(\.bitPattern), b.values.map(\.bitPattern), "\(name), \(threads) threads")
            }
        }
    }
}
