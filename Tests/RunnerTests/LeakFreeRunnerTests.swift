import Core
import Foundation
import Runner
import Stages
import Storage
import TestSupport
import XCTest

/// The leak-free chain split-images → fisher (manifest) → annotate: the split exists before any fit, PCA and GMM
/// record that they saw the training images only, and the split is the one `split` makes from fv.h5.
final class LeakFreeRunnerTests: XCTestCase {
    func load(_ folder: URL, _ stages: String) throws -> RunnerConfig {
        let json = """
            {"out": "\(folder.path)/out",
             "datasets": {"img": {"kind": "synthetic", "count": 12, "width": 32, "height": 32, "seed": 3}},
             "stages": [\(stages)]}
            """
        let path = folder.appendingPathComponent("cfg.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return try RunnerConfig.load(path, stageTypes: allStageTypes)
    }

    static let fisherParams = #""params": {"components": 2, "pca_dims": 4, "sample_size": 500, "iterations": 3, "chunk_size": 4}"#

    func testSplitBeforeFisherFitsOnTrainingImagesOnly() throws {
        let folder = try makeTemporaryDirectory("leak-free")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try load(folder, """
            {"name": "split", "type": "split-images", "dataset": "img", "params": {"test_fraction": 0.25, "seed": 2}},
            {"name": "fv", "type": "fisher", "dataset": "img", "inputs": {"manifest": "split"}, \(Self.fisherParams)},
            {"name": "late", "type": "split", "inputs": {"fv": "fv"}, "params": {"test_fraction": 0.25, "seed": 2}},
            {"name": "svm", "type": "annotate", "inputs": {"fv": "fv", "manifest": "split"}, "params": {"runs": ["svm-early-visual"]}}
            """)
        let runs = try Runner(config: config, verbosity: .quiet).run(communicator: SingleProcessCommunicator())
        XCTAssertEqual(runs.map(\.action.rawValue), ["ran", "ran", "ran", "ran"])
        let out = folder.path + "/out"
        let early = try AnnotationTable.read(out + "/split/images.csv"), late = try AnnotationTable.read(out + "/late/images.csv")
        XCTAssertEqual(early.items, late.items, "split-images and split (from fv.h5) must make the same rows")
        let train = early.items.filter { $0.split == "train" }.count
        XCTAssertEqual(train, 9)
        for model in ["pca.h5", "gmm.h5"] {
            let file = try HDF5File.open(path: out + "/fv/" + model)
            XCTAssertEqual(try file.attribute("fit_images", as: Int.self), train, model)
            XCTAssertEqual(try file.attribute("fit_scope", as: String.self), "train rows of fit_manifest", model)
            try file.close()
        }
        let report = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("fitted on the training images only"), report)
    }

    func testFisherWithoutAManifestSaysItSawEveryImageAndBothSourcesAreRefused() throws {
        let folder = try makeTemporaryDirectory("leak-free-no")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = try load(folder, #"{"name": "fv", "type": "fisher", "dataset": "img", \#(Self.fisherParams)}"#)
        _ = try Runner(config: plain, verbosity: .quiet).run(communicator: SingleProcessCommunicator())
        let file = try HDF5File.open(path: folder.path + "/out/fv/pca.h5")
        XCTAssertEqual(try file.attribute("fit_scope", as: String.self), "all images")
        XCTAssertFalse(file.hasAttribute("fit_manifest"))
        try file.close()
        try Data("path,labels,split,concepts,tags\n".utf8).write(to: folder.appendingPathComponent("manual.csv"))
        let both = try load(folder, """
            {"name": "split", "type": "split-images", "dataset": "img"},
            {"name": "fv", "type": "fisher", "dataset": "img", "inputs": {"manifest": "split"},
             "params": {"components": 2, "pca_dims": 4, "fit_manifest": "\(folder.path)/manual.csv"}}
            """)
        let text = errorText { _ = try Runner(config: both, verbosity: .quiet).run(communicator: SingleProcessCommunicator()) }
        XCTAssertTrue(text.contains("fit_manifest and inputs.manifest") && text.contains("keep one"), text)
    }
}
