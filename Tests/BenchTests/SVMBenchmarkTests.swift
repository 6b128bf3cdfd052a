import Bench
import Classifiers
import Foundation
import LinearAlgebra
import TestSupport
import XCTest

final class SVMBenchmarkTests: XCTestCase {
    func testRawReadersRoundTripAndCheckTheSize() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let floats: [Float] = [1.5, -2, 0, 3.25, 1e-3, 7]
        let ints: [Int32] = [1, -1, -1, 1]
        let fpath = dir.appendingPathComponent("x.f32").path, ipath = dir.appendingPathComponent("y.i32").path
        XCTAssertTrue(FileManager.default.createFile(atPath: fpath, contents: floats.withUnsafeBytes { Data($0) }))
        XCTAssertTrue(FileManager.default.createFile(atPath: ipath, contents: ints.withUnsafeBytes { Data($0) }))
        XCTAssertEqual(try SVMBenchmark.readFloat32(fpath, rows: 2, columns: 3).values, floats)
        XCTAssertEqual(try SVMBenchmark.readInt32(ipath, count: 4), ints)
        XCTAssertThrowsError(try SVMBenchmark.readFloat32(fpath, rows: 3, columns: 3)) { error in
            XCTAssertEqual(error as? BenchError, .fileSize(path: fpath, expectedBytes: 36, gotBytes: 24))
        }
        XCTAssertThrowsError(try SVMBenchmark.readInt32(dir.appendingPathComponent("missing").path, count: 1))
    }

    func testTimedRunsReportAccuracy() throws {
        let (x, labels) = blobs(rows: 80, dimension: 4, separation: 4, seed: 71)
        let xf = Matrix<Float>(rows: x.rows, columns: x.columns, values: x.values.map { Float($0) })
        let binary = try SVMBenchmark.run(trainX: xf.rows(0 ..< 60), trainY: Array(labels[0 ..< 60]),
                                          testX: xf.rows(60 ..< 80), testY: Array(labels[60 ..< 80]))
        XCTAssertGreaterThan(binary.testAccuracy, 0.9)
        XCTAssertGreaterThan(binary.seconds, 0)
        let y = LabelMatrix(rows: 80, columns: 2, values: labels.flatMap { [$0, !$0] })
        let ovr = try SVMBenchmark.runOneVsRest(
            trainX: xf.rows(0 ..< 60), trainY: LabelMatrix(rows: 60, columns: 2, values: Array(y.values[0 ..< 120])),
            testX: xf.rows(60 ..< 80), testY: LabelMatrix(rows: 20, columns: 2, values: Array(y.values[120...])))
        XCTAssertGreaterThan(ovr.meanTestAccuracy, 0.9)
        XCTAssertEqual(ovr.statistics.count, 2)
    }
}
