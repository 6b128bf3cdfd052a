import Core
import Foundation
import LabelGraphJoining
import LabelGraphs
import LinearAlgebra
import Storage
import TestSupport
import Training
import XCTest

/// A tiny joined dataset on disk: a two-level graph (coarse A, B over fine a1 a2 b1 b2), 4-D Gaussian encoder
/// vectors around one centre per fine class in `embeddings.h5`, fine labels for rows 0 ..< 60 and coarse labels
/// (row column) for rows 60 ..< 120.
struct PathFixture {
    static let graph = LabelGraphFixtures.twoLevel
    static let fine = ["a1", "a2", "b1", "b2"]

    let directory: URL
    var graphPath: String { directory.appendingPathComponent("two-level.graph").path }
    var features: String { directory.appendingPathComponent("embeddings.h5").path }
    var fineCSV: String { directory.appendingPathComponent("fine.csv").path }
    var coarseCSV: String { directory.appendingPathComponent("coarse.csv").path }
    var specs: [PathDataSpec] {
        [PathDataSpec(dataset: "fine", features: features, labels: fineCSV, rows: 0 ..< 60),
         PathDataSpec(dataset: "coarse", features: features, labels: coarseCSV, rows: 60 ..< 120)]
    }

    init(rows: Int = 120, seed: UInt64 = 3) throws {
        directory = try makeTemporaryDirectory("path-training")
        try Self.graph.write(toFile: graphPath, atomically: true, encoding: .utf8)
        var rng = SeededRandom(seed: seed)
        var x: [Float] = [], classes: [Int] = []
        let centres: [[Float]] = [[2, 2, 0, 0], [2, -2, 0, 1], [-2, 2, 1, 0], [-2, -2, 1, 1]]
        for _ in 0 ..< rows {
            let c = rng.bounded(4)
            classes.append(c)
            x += centres[c].map { $0 + 0.4 * Float(rng.normal()) }
        }
        let file = try HDF5File.create(path: features)
        try file.write(x, shape: [rows, 4], to: "embeddings")
        try file.close()
        try ("label\n" + classes[0 ..< 60].map { Self.fine[$0] + "\n" }.joined()).write(toFile: fineCSV, atomically: true, encoding: .utf8)
        try ("row,label\n" + (60 ..< rows).map { "\($0),\(classes[$0] < 2 ? "A" : "B")\n" }.joined())
            .write(toFile: coarseCSV, atomically: true, encoding: .utf8)
        self.classes = classes
    }

    private(set) var classes: [Int] = []

    func configuration(_ method: PathMethod, epochs: Int = 6, batchSize: Int = 25) -> PathTrainingStage.Configuration {
        var c = PathTrainingStage.Configuration(graphPath: graphPath, specs: specs, target: "fine", method: method,
                                                training: TrainingOptions(epochs: epochs, batchSize: batchSize, learningRate: 0.01, seed: 4))
        c.encoderHidden = 16
        c.embeddingSize = 8
        c.hiddenSize = 16
        c.pathOptions = PathTrainingOptions(teacherForcingRate: 0.7)
        c.seed = 4
        return c
    }
}

final class PathTrainingTests: XCTestCase {
    /// Data parallelism must not change the arithmetic beyond float rounding: 1 rank and 2 threaded ranks give
    /// the same loss curve, REINFORCE draws and teacher-forcing coins included (they are seeded per step and per
    /// sample, not per rank). 120 samples in batches of 25: the last batch (20) is split 10 / 10.
    func testOneAndTwoRanksGiveTheSameLossCurve() throws {
        let fixture = try PathFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        for method in [PathMethod.labelAug, .labelSet, .pseudoLabels] {
            let configuration = fixture.configuration(method)
            let one = try PathTrainingStage(configuration).run(communicator: SingleProcessCommunicator())
            let two = try ThreadedWorld.run(size: 2) { comm in try PathTrainingStage(configuration).run(communicator: comm).history }
            XCTAssertEqual(one.history.count, 6)
            XCTAssertEqual(two[0], two[1], "\(method): both ranks report the same curve")
            for (a, b) in zip(one.history, two[0]) {
                XCTAssertEqual(a.meanLoss, b.meanLoss, accuracy: 1e-4 * max(1, abs(a.meanLoss)), "\(method) epoch \(a.epoch)")
            }
            XCTAssertLessThan(one.history.last!.meanLoss, one.history.first!.meanLoss, "\(method): the loss decreases")
        }
    }

    /// Training then decoding on held-out rows of the same distribution: label-aug + fusion separates the four
    /// fine classes, every decoded path starts at the root and follows edges, and the model file reads back.
    func testTrainWriteDecode() throws {
        let fixture = try PathFixture(rows: 220)
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        var configuration = fixture.configuration(.labelAug, epochs: 25, batchSize: 20)
        let model = fixture.directory.appendingPathComponent("model.h5").path
        configuration.outputPath = model
        _ = try PathTrainingStage(configuration).run(communicator: SingleProcessCommunicator())
        // Without a pipeline's split the model records what it trained on: every sample, and each join's.
        let split = try PathModelFile.read(model).split
        XCTAssertEqual(split.keys.sorted(), ["train", "train.coarse", "train.fine"])
        XCTAssertEqual(split["train.fine"]?.count, 60)
        XCTAssertEqual(split["train.coarse"]?.count, 60)
        XCTAssertEqual(split["train"], split["train.fine"]! + split["train.coarse"]!)
        let testCSV = fixture.directory.appendingPathComponent("test.csv").path
        try ("row,label\n" + (120 ..< 220).map { "\($0),\(PathFixture.fine[fixture.classes[$0]])\n" }.joined())
            .write(toFile: testCSV, atomically: true, encoding: .utf8)
        let report = try PathDecodeStage(modelPath: model, input: PathDataSpec(dataset: "fine", features: fixture.features,
                                                                              labels: testCSV, rows: 120 ..< 220)).run()
        XCTAssertEqual(report.predictions.count, 100)
        XCTAssertGreaterThan(report.accuracy ?? 0, 0.9)
        let edges: Set<String> = ["root>A", "root>B", "A>a1", "A>a2", "B>b1", "B>b2"]
        for p in report.predictions {
            XCTAssertEqual(p.path.first, "root")
            for (u, v) in zip(p.path, p.path.dropFirst()) { XCTAssertTrue(edges.contains("\(u)>\(v)"), "\(p.path)") }
            XCTAssertEqual(p.deterministic, true, "a tree has deterministic paths only")
        }
        let json = PathDecodeStage.json(report, model: model)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        XCTAssertEqual((parsed?["samples"] as? [Any])?.count, 100)
    }

    /// Bad inputs name the file and write no model.
    func testBadInputsNameTheFile() throws {
        let fixture = try PathFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let model = fixture.directory.appendingPathComponent("model.h5").path
        func message(_ configure: (inout PathTrainingStage.Configuration) throws -> Void) throws -> String {
            var configuration = fixture.configuration(.labelAug, epochs: 1)
            configuration.outputPath = model
            try configure(&configuration)
            do {
                _ = try PathTrainingStage(configuration).run(communicator: SingleProcessCommunicator())
                XCTFail("expected an error")
                return ""
            } catch { return "\(error)" }
        }
        // Count mismatch: 59 label lines for 60 rows.
        let short = fixture.directory.appendingPathComponent("short.csv").path
        try String(try String(contentsOfFile: fixture.fineCSV, encoding: .utf8).split(separator: "\n").dropLast().joined(separator: "\n") + "\n")
            .write(toFile: short, atomically: true, encoding: .utf8)
        var text = try message { $0.specs[0].labels = short }
        XCTAssertTrue(text.contains("short.csv") && text.contains("embeddings.h5") && text.contains("59"), text)
        // A label the graph does not have, and a label of the other dataset.
        let unknown = fixture.directory.appendingPathComponent("unknown.csv").path
        try "row,label\n60,A\n61,zebra\n".write(toFile: unknown, atomically: true, encoding: .utf8)
        text = try message { $0.specs[1].labels = unknown }
        XCTAssertTrue(text.contains("unknown.csv:3") && text.contains("zebra") && text.contains("two-level.graph"), text)
        try "row,label\n60,a1\n".write(toFile: unknown, atomically: true, encoding: .utf8)
        text = try message { $0.specs[1].labels = unknown }
        XCTAssertTrue(text.contains("unknown.csv:2") && text.contains("'a1'"), text)
        // A cyclic graph.
        let cyclic = fixture.directory.appendingPathComponent("cyclic.graph").path
        try (PathFixture.graph + "\nedge a1 A\n").write(toFile: cyclic, atomically: true, encoding: .utf8)
        text = try message { $0.graphPath = cyclic }
        XCTAssertTrue(text.contains("cyclic.graph") && text.contains("cycle"), text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: model), "no model is written on bad input")
    }
}
