import Core
import LabelGraphs
import LinearAlgebra
import NeuralNets
import XCTest

final class DecodingTests: XCTestCase {
    /// Algorithm 2 with random parameters on many random inputs: every step follows an edge, every path ends at
    /// a node where ⟨eop⟩ is allowed, within maxSteps; sampled paths obey the same rules.
    func testGreedyAndSampledPathsFollowEdgesAndStop() throws {
        for text in [figure2, twoLevel, bandit] {
            let g = graph(text)
            let decoder = try PathDecoder(graph: g, configuration: .init(featureSize: 4, embeddingSize: 5, hiddenSize: 6,
                                                                        encoder: .mlp(hiddenSize: 8)))
            var visited = Set<Int>()
            for seed in UInt64(1) ... 5 {
                let parameters: Parameters<Float> = decoder.makeParameters(seed: seed)
                let x = Matrix<Float>(rows: 200, columns: 4, values: { var r = SeededRandom(seed: seed + 100); return r.normalFloats(800).map { 3 * $0 } }())
                var rng = SeededRandom(seed: seed)
                let all = decoder.decode(features: x, parameters: parameters.values)
                    + decoder.samplePaths(features: x, parameters: parameters.values, rng: &rng)
                for path in all {
                    XCTAssertEqual(path.first, g.root)
                    XCTAssertLessThan(path.count, decoder.maxSteps + 1)
                    for (a, b) in zip(path, path.dropFirst()) {
                        XCTAssertTrue(g.children[a].contains(b), "\(ids(path, g)) leaves the graph at \(g.nodes[a].id) → \(g.nodes[b].id)")
                    }
                    XCTAssertTrue(decoder.paths.endNodes[path.last!], "\(ids(path, g)) stops where ⟨eop⟩ is not allowed")
                    visited.formUnion(path)
                }
            }
            XCTAssertGreaterThan(visited.count, g.count / 2, "random decoders should explore the graph")
        }
    }

    func testCandidateBlocksOfFigure2() throws {
        let g = graph(figure2)
        let decoder = try PathDecoder(graph: g, configuration: .init(featureSize: 2, embeddingSize: 2, hiddenSize: 2))
        let name = { (block: [Int]) in block.map { $0 == g.endOfPath ? "⟨eop⟩" : g.nodes[$0].id } }
        XCTAssertEqual(decoder.blocks[g.index(of: "cat")!].map(name), [["shorthair", "longhair"], ["solid", "tabby", "point"]])
        XCTAssertEqual(decoder.blocks[g.index(of: "bsh")!].map(name), [["⟨eop⟩"]])
        XCTAssertEqual(decoder.blocks[g.root].map(name), [["cat"]])
        XCTAssertEqual(decoder.maxSteps, 4)
    }

    func testPredictedLabelIsTheLastLabelOfTheDataset() {
        let g = graph(figure2)
        let paths = PredictionPaths(graph: g)
        let p = ["animal", "cat", "tabby", "bsh"].map { g.index(of: $0)! }
        XCTAssertEqual(paths.label(on: p, dataset: "pets"), g.index(of: "bsh"))
        XCTAssertEqual(paths.label(on: p, dataset: "dogs-vs-cats"), g.index(of: "cat"))
        XCTAssertNil(paths.label(on: Array(p.prefix(1)), dataset: "pets"))
    }
}
