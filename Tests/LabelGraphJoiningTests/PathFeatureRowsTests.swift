import Core
import Foundation
@testable import LabelGraphJoining
import LabelGraphs
import LinearAlgebra
import Storage
import TestSupport
import XCTest

/// `PathFeatureRows` (rows read on demand) against the whole-matrix path it replaces (`PathSamples.load` with
/// the features, `standardisation`, `standardise`): the same statistics and the same standardised rows, bit for
/// bit, for two joined files, two feature sets concatenated, label files that name rows out of order, and
/// requests in any order with repeats.
final class PathFeatureRowsTests: XCTestCase {
    func testRowsAndStandardisationEqualTheWholeMatrix() throws {
        let fixture = try PathFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        // A second file with two feature sets (3 + 2 columns) and a row-labelled CSV naming rows out of order.
        let second = fixture.directory.appendingPathComponent("two-sets.h5").path
        var rng = SeededRandom(seed: 9)
        let file = try HDF5File.create(path: second)
        try file.write((0 ..< 40 * 3).map { _ in Float(rng.normal()) * 3 + 1 }, shape: [40, 3], to: "a")
        try file.write((0 ..< 40 * 2).map { _ in Float(rng.normal()) }, shape: [40, 2], to: "b")
        try file.close()
        let rowsCSV = fixture.directory.appendingPathComponent("rows.csv").path
        let rows = [31, 2, 17, 3, 4, 5, 39, 20, 21, 8]
        try ("row,label\n" + rows.map { "\($0),\(PathFixture.fine[$0 % 4])\n" }.joined()).write(toFile: rowsCSV, atomically: true, encoding: .utf8)
        let graph = try LabelGraph.read(file: fixture.graphPath)
        let cases: [([PathDataSpec], [String]?)] = [
            (fixture.specs, nil),
            ([PathDataSpec(dataset: "fine", features: second, labels: rowsCSV),
              PathDataSpec(dataset: "fine", features: second, labels: rowsCSV, rows: 10 ..< 40)], ["a", "b"]),
        ]
        for (specs, sets) in cases {
            let (whole, featureSets) = try PathSamples.load(specs, graph: graph, featureSets: sets)
            let (meta, metaSets) = try PathSamples.load(specs, graph: graph, featureSets: sets, readFeatures: false)
            XCTAssertEqual(metaSets, featureSets)
            XCTAssertEqual(meta.features.values.count, 0, "nothing read")
            XCTAssertEqual(meta.featureWidth, whole.features.columns)
            let (mean, scale) = PathSamples.standardisation(whole.features)
            let x = PathSamples.standardise(whole.features, mean: mean, scale: scale)
            for chunk in [1, 7, 4096] {
                let reader = PathFeatureRows(samples: meta, specs: specs, featureSets: featureSets)
                reader.gap = chunk % 3  // 1: runs of adjacent rows; 0: exact runs; 2
                try reader.fitStandardisation(chunk: chunk)
                XCTAssertEqual(reader.mean, mean, "chunk \(chunk)")
                XCTAssertEqual(reader.scale, scale, "chunk \(chunk)")
                XCTAssertEqual(try reader.read(Array(0 ..< meta.count)), whole.features.values, "raw rows, chunk \(chunk)")
                var generator = SeededRandom(seed: UInt64(chunk))
                let ids = (0 ..< meta.count / 2).map { _ in generator.bounded(meta.count) }  // any order, repeats
                try reader.keep(ids)
                let expected = ids.flatMap { x.values[$0 * x.columns ..< ($0 + 1) * x.columns] }
                XCTAssertEqual(reader.matrix(ids).values, expected, "standardised rows, chunk \(chunk)")
                XCTAssertEqual(reader.matrix(Array(ids.reversed())).rows, ids.count)
            }
        }
        // Keeping the samples already kept (a single rank's every epoch) reads nothing: with the file gone it
        // still succeeds, while another part must be read and fails.
        let (meta, sets) = try PathSamples.load(cases[1].0, graph: graph, featureSets: cases[1].1, readFeatures: false)
        let reader = PathFeatureRows(samples: meta, specs: cases[1].0, featureSets: sets)
        try reader.fitStandardisation()
        try reader.keep(Array(0 ..< meta.count))
        try FileManager.default.removeItem(atPath: second)
        XCTAssertNoThrow(try reader.keep(Array((0 ..< meta.count).reversed())))
        XCTAssertThrowsError(try reader.keep([0, 1]))
    }
}
