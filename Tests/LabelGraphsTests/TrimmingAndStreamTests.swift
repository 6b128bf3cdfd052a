import Core
import Foundation
import LabelGraphs
import LinearAlgebra
import NeuralNets
import XCTest

final class TrimmingAndStreamTests: XCTestCase {
    /// Removing Shorthair from Figure 2: Cat adopts its child BSH (already Cat's grandchild through the colour
    /// nodes), and BSH takes Shorthair's place in the Hair group.
    func testRemovingAnAugmentedNodeReconnectsItsChildren() throws {
        let g = graph(figure2)
        let trimmed = try g.removing([g.index(of: "shorthair")!])
        XCTAssertNil(trimmed.index(of: "shorthair"))
        XCTAssertEqual(trimmed.count, g.count - 1)
        let cat = trimmed.index(of: "cat")!, bsh = trimmed.index(of: "bsh")!, longhair = trimmed.index(of: "longhair")!
        XCTAssertEqual(trimmed.children[cat].map { trimmed.nodes[$0].id }, ["bsh", "longhair", "solid", "tabby", "point"])
        XCTAssertTrue(trimmed.competing(bsh, longhair), "BSH replaces Shorthair in the Hair group")
        XCTAssertFalse(trimmed.competing(bsh, trimmed.index(of: "solid")!))
        // Every label keeps a path from the root.
        let paths = PredictionPaths(graph: trimmed)
        XCTAssertEqual(try paths.paths(to: bsh).map { ids($0, trimmed) }.sorted(),
                       ["animal∘cat∘bsh", "animal∘cat∘point∘bsh", "animal∘cat∘solid∘bsh", "animal∘cat∘tabby∘bsh"])
    }

    /// The ablation's counts: round(f · 5) of Figure 2's five augmented nodes, reproducible from the seed, and
    /// the labels all survive.
    func testTrimmingFractionsAndSeeds() throws {
        let g = graph(figure2)
        for (fraction, removed) in [(0.36, 2), (0.63, 3), (1.0, 5), (0.0, 0)] {
            let t = try g.trimmingAugmented(fraction: fraction, seed: 7)
            XCTAssertEqual(t.nodes.filter { $0.kind == .augmented }.count, 5 - removed, "fraction \(fraction)")
            XCTAssertEqual(t.labelNodes.count, g.labelNodes.count)
            XCTAssertEqual(t, try g.trimmingAugmented(fraction: fraction, seed: 7))
        }
        // Nodes with several groups under them go last: the fashion attribute graph's garment and footwear
        // survive trimming 8 of its 12 augmented nodes (10 have at most one group).
        let fashion = try LabelGraph(parsing: String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../data/label-graphs/fashion-mnist-attributes.graph").standardized.path, encoding: .utf8))
        for seed: UInt64 in 0 ..< 5 {
            let small = try fashion.trimmingAugmented(fraction: 0.63, seed: seed)
            XCTAssertEqual(small.nodes.filter { $0.kind == .augmented }.count, 4)
            XCTAssertNotNil(small.index(of: "garment"))
            XCTAssertNotNil(small.index(of: "footwear"))
        }
        // All five gone: BSH and Ragdoll replaced members of both Hair and Color, so the groups merge.
        let bare = try g.trimmingAugmented(fraction: 1, seed: 0)
        let cat = bare.index(of: "cat")!
        XCTAssertEqual(bare.groupsUnder[cat].count, 1)
        XCTAssertTrue(bare.competing(bare.index(of: "bsh")!, bare.index(of: "ragdoll")!))
    }

    /// With per-sample streams, a sample's contribution does not depend on its batch-mates: the loss (and the
    /// gradient) of a batch equals the sum over any split of it, given the same coin. This is what makes the
    /// data-parallel loss curve independent of the rank count.
    func testSampleStreamsMakeTheLossSplitInvariant() throws {
        let g = graph(figure2)
        let decoder = try PathDecoder(graph: g, configuration: .init(featureSize: 3, embeddingSize: 4, hiddenSize: 5, encoder: .mlp(hiddenSize: 6)))
        let paths = decoder.paths
        let truths = try ["bsh", "ragdoll", "bsh", "ragdoll", "bsh"].map { try paths.groundTruth(label: $0, dataset: "pets") }
            + [try paths.groundTruth(label: "cat", dataset: "dogs-vs-cats")]
        XCTAssertTrue(truths.contains { $0.hasNondeterministicPaths }, "the check must exercise REINFORCE")
        let x = randomMatrixD(rows: 6, columns: 3, seed: 2)
        let options = PathTrainingOptions(teacherForcingRate: 0.5, maxTargetPaths: 1, reinforceSamples: 2)
        let streams = (0 ..< 6).map { SeededRandom(seed: 40, stream: UInt64($0)) }
        func run(_ rows: [Int], _ parameters: inout Parameters<Double>) -> PathLoss<Double> {
            var coin = SeededRandom(seed: 1)
            let features = Matrix(rows: rows.count, columns: 3, values: rows.flatMap { x.row($0) })
            return decoder.loss(PathBatch(features: features, truths: rows.map { truths[$0] }), options: options, baseline: 0.3,
                                parameters: &parameters, rng: &coin, sampleStreams: rows.map { streams[$0] })
        }
        var whole: Parameters<Double> = decoder.makeParameters(seed: 3)
        let all = run(Array(0 ..< 6), &whole)
        var split = whole
        split.zeroGrads()
        let first = run([0, 1, 2], &split), second = run([3, 4, 5], &split)
        XCTAssertEqual(all.loss, first.loss + second.loss, accuracy: 1e-9)
        XCTAssertEqual(all.rewardSum, first.rewardSum + second.rewardSum, accuracy: 1e-12)
        XCTAssertEqual(all.rewardCount, first.rewardCount + second.rewardCount)
        for (a, b) in zip(whole.grads, split.grads) { XCTAssertEqual(a, b, accuracy: 1e-9) }
        XCTAssertGreaterThan(whole.grads.map(abs).max()!, 1e-6)
    }
}
