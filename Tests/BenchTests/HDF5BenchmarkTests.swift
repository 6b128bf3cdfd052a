import Foundation
import Bench
import Storage
import TestSupport
import XCTest

/// The W10 benchmark helper runs, verifies its data and cleans up (tiny sizes; the real run is
/// `tributary bench hdf5`).
final class BenchmarkTests: XCTestCase {
    func testTinyBenchmarkRunsAndRemovesItsFile() throws {
        let folder = try makeTemporaryDirectory("tributary-storage")
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = folder.path
        for gzip in [nil, 1] as [Int?] {
            let configuration = HDF5Benchmark.Configuration(rows: 64, columns: 256, chunkRows: 16, gzip: gzip,
                                                            repeats: 2, directory: directory)
            var reported = 0
            let result = try HDF5Benchmark.run(configuration) { _, _ in reported += 1 }
            XCTAssertEqual(reported, 2)
            XCTAssertEqual(result.runs.count, 2)
            for run in result.runs {
                XCTAssertGreaterThan(run.write, 0)
                XCTAssertGreaterThanOrEqual(run.write, run.writeSync)
                XCTAssertGreaterThan(run.readWarm, 0)
            }
            XCTAssertLessThan(result.compressionRatio, 1.3, "the benchmark data must be nearly incompressible")
            XCTAssertEqual(((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted(), [])
        }
    }

    func testW10LayoutAndMedian() {
        let w10 = HDF5Benchmark.Configuration(directory: "/tmp")
        XCTAssertEqual([w10.rows, w10.columns, w10.chunkRows], [16384, 16384, 16])
        XCTAssertEqual(w10.bytes, 1 << 30)
        XCTAssertEqual(HDF5Benchmark.median([3, 1, 2]), 2)
        XCTAssertEqual(HDF5Benchmark.median([4, 1, 2, 3]), 2.5)
        let data = HDF5Benchmark.makeData(count: 1001, seed: 1)
        XCTAssertEqual(data, HDF5Benchmark.makeData(count: 1001, seed: 1))
        XCTAssertGreaterThan(Set(data).count, 990)
        let large = HDF5Benchmark.makeData(count: 100_000, seed: 7).map(Double.init)
        let mean = large.reduce(0, +) / Double(large.count)
        let variance = large.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(large.count)
        XCTAssertEqual(mean, 0, accuracy: 0.02, "N(0, 1) data like W10's")
        XCTAssertEqual(variance, 1, accuracy: 0.03)
    }
}
