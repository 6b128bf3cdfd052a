import Core
import Foundation
import LabelGraphJoining
import LabelGraphs
import Storage
import TestSupport
import XCTest

/// `train-paths --method ffn-fused` and `--method label-set-aug` end to end on `PathFixture`'s vectors.
final class PathBaselineVariantsTests: XCTestCase {
    /// The fixture's graph with B over b1 only and b2 a label both datasets share: coarse rows of class b1
    /// (label B) and b2 (label b2) enter the fused set, rows of a1 / a2 (label A: two fine labels) do not.
    static let fusedGraph = """
        node root root
        node A label datasets=coarse
        node B label datasets=coarse
        node a1 label datasets=fine
        node a2 label datasets=fine
        node b1 label datasets=fine
        node b2 label datasets=fine,coarse
        node g augmented
        edge root g B b2
        edge g A
        edge A a1 a2
        edge B b1
        """

    func fusedFixture() throws -> (PathFixture, PathTrainingStage.Configuration, expectedKept: Int) {
        let fixture = try PathFixture()
        try Self.fusedGraph.write(toFile: fixture.graphPath, atomically: true, encoding: .utf8)
        let coarse = (60 ..< 120).map { ["A", "A", "B", "b2"][fixture.classes[$0]] }
        try ("row,label\n" + zip(60 ..< 120, coarse).map { "\($0),\($1)\n" }.joined())
            .write(toFile: fixture.coarseCSV, atomically: true, encoding: .utf8)
        return (fixture, fixture.configuration(.ffnFused), coarse.filter { $0 != "A" }.count)
    }

    /// The fused FFN keeps exactly the unambiguous coarse rows, is the plain FFN when nothing is joined, and gives
    /// the same loss curve on 1 and 2 ranks.
    func testFusedFFNKeepsUnambiguousRowsAndIsFFNWithoutThem() throws {
        let (fixture, configuration, expectedKept) = try fusedFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        XCTAssertGreaterThan(expectedKept, 5)
        let fused = try PathTrainingStage(configuration).run(communicator: SingleProcessCommunicator())
        XCTAssertEqual(fused.model.attributes["fused_kept"], .int(expectedKept))
        XCTAssertEqual(fused.model.attributes["fused_candidates"], .int(60))
        XCTAssertEqual(fused.history.first?.samples, 60 + expectedKept)

        var fineOnly = configuration
        fineOnly.specs = [configuration.specs[0]]
        var ffn = fineOnly
        ffn.method = .ffn
        let a = try PathTrainingStage(fineOnly).run(communicator: SingleProcessCommunicator())
        let b = try PathTrainingStage(ffn).run(communicator: SingleProcessCommunicator())
        XCTAssertEqual(a.parameterHash, b.parameterHash, "with no other dataset, ffn-fused is ffn bit for bit")
        XCTAssertNotEqual(a.parameterHash, fused.parameterHash)

        let two = try ThreadedWorld.run(size: 2) { comm in try PathTrainingStage(configuration).run(communicator: comm).history }
        for (x, y) in zip(fused.history, two[0]) {
            XCTAssertEqual(x.meanLoss, y.meanLoss, accuracy: 1e-4 * max(1, abs(x.meanLoss)), "epoch \(x.epoch)")
        }
    }

    /// Label Set over label + augmented nodes trains (1 and 2 ranks agree), writes a model whose Label Set
    /// network has one column per non-root node, and decodes the held-out rows well.
    func testLabelSetAugmentedTrainsAndDecodes() throws {
        let (fixture, _, _) = try fusedFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let model = fixture.directory.appendingPathComponent("model.h5").path
        let configuration = {
            var c = fixture.configuration(.labelSetAugmented, epochs: 20, batchSize: 20)
            c.outputPath = model
            return c
        }()
        let one = try PathTrainingStage(configuration).run(communicator: SingleProcessCommunicator())
        let two = try ThreadedWorld.run(size: 2) { comm in try PathTrainingStage(configuration).run(communicator: comm).history }
        for (x, y) in zip(one.history, two[0]) {
            XCTAssertEqual(x.meanLoss, y.meanLoss, accuracy: 1e-4 * max(1, abs(x.meanLoss)), "epoch \(x.epoch)")
        }
        XCTAssertLessThan(one.history.last!.meanLoss, one.history.first!.meanLoss)
        let written = try PathModelFile.read(model)
        XCTAssertEqual(written.method, .labelSetAugmented)
        // W₁ (4·16) + b₁ 16 + W₂ (16·7) + b₂ 7: 7 columns = the graph's 8 nodes but the root.
        XCTAssertEqual(written.parameters.count, 4 * 16 + 16 + 16 * 7 + 7)
        let report = try PathDecodeStage(modelPath: model, input: PathDataSpec(dataset: "fine", features: fixture.features,
                                                                              labels: fixture.fineCSV, rows: 0 ..< 60)).run()
        XCTAssertGreaterThan(report.accuracy ?? 0, 0.9)
        XCTAssertNil(report.pathCorrectness, "a baseline decodes no paths")
    }
}
