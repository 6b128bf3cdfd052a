import Core
import Foundation
import Runner
import Stages
import TestSupport
import XCTest

/// `split-images` with `fold` k/K, driven by a config's `repeat.folds`: over the K repetitions every image is a
/// test image exactly once, fold sizes differ by at most one, and so do a class's counts per fold.
final class SplitFoldTests: XCTestCase {
    func write(_ folder: URL, _ stage: String, repeatBlock: String) throws -> String {
        let json = """
            {"out": "out", "datasets": {"img": {"kind": "synthetic", "count": 31, "width": 8, "height": 8, "seed": 4}},
             \(repeatBlock) "stages": [\(stage)]}
            """
        let path = folder.appendingPathComponent("cfg.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testFoldsPartitionTheImagesStratified() throws {
        let folder = try makeTemporaryDirectory("split-folds")
        let path = try write(folder, #"{"name": "split", "type": "split-images", "dataset": "img"}"#,
                             repeatBlock: #""repeat": {"seeds": [5], "folds": 3},"#)
        let config = try RunnerConfig.load(path, stageTypes: allStageTypes)
        XCTAssertEqual(config.repetition?.repeated, ["split"])
        let outcome = try RepeatRunner(config: config, verbosity: .quiet).run(communicator: SingleProcessCommunicator())
        XCTAssertEqual(outcome.repetitions.count, 3)
        var testFold: [String: Int] = [:], sizes: [Int] = [], perClass: [String: [Int]] = [:]
        var everyPath: [String] = []
        for (k, r) in config.repetition!.repetitions.enumerated() {
            let table = try AnnotationTable.read(folder.path + "/out/\(r.folder)/split/images.csv")
            if everyPath.isEmpty { everyPath = table.items.map(\.path).sorted() }
            XCTAssertEqual(table.items.map(\.path).sorted(), everyPath, "every fold lists every image")
            let test = table.items.filter { $0.split == "test" }
            sizes.append(test.count)
            for item in test {
                XCTAssertNil(testFold[item.path], "\(item.path) is a test image of folds \(testFold[item.path]!) and \(k)")
                testFold[item.path] = k
                perClass[item.concepts[0], default: [0, 0, 0]][k] += 1
            }
        }
        XCTAssertEqual(testFold.count, 31, "every image is a test image once")
        XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1, "fold sizes \(sizes)")
        XCTAssertEqual(sizes.reduce(0, +), 31)
        XCTAssertGreaterThan(perClass.count, 1, "the synthetic set has several classes")
        for (c, counts) in perClass { XCTAssertLessThanOrEqual(counts.max()! - counts.min()!, 1, "class \(c): \(counts)") }
        let report = try String(contentsOfFile: folder.path + "/out/rep-seed5-fold2/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("fold 2/3 of a stratified 3-fold split held out, seed 5"), report)
    }

    func testFoldAndTestFractionExcludeEachOther() throws {
        let folder = try makeTemporaryDirectory("split-folds-both")
        let path = try write(folder, #"{"name": "split", "type": "split-images", "dataset": "img", "params": {"fold": "1/3", "test_fraction": 0.2}}"#,
                             repeatBlock: "")
        XCTAssertThrowsError(try RunnerConfig.load(path, stageTypes: allStageTypes)) { error in
            XCTAssertTrue("\(error)".contains("test_fraction") && "\(error)".contains("cannot be given with fold"), "\(error)")
        }
        let bad = try write(folder, #"{"name": "split", "type": "split-images", "dataset": "img", "params": {"fold": "4/3"}}"#, repeatBlock: "")
        XCTAssertThrowsError(try RunnerConfig.load(bad, stageTypes: allStageTypes)) { error in
            XCTAssertTrue("\(error)".contains("k/K with 1 ≤ k ≤ K and K ≥ 2"), "\(error)")
        }
    }
}
