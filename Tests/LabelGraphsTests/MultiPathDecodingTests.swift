import Foundation
import LabelGraphs
import LinearAlgebra
import NeuralNets
import TestSupport
import XCTest

final class MultiPathDecodingTests: XCTestCase {
    /// r → a, b; a → x, y; b → y. With every parameter 0 each block softmax is uniform.
    let diamond = """
        node r root
        node a augmented
        node b augmented
        node x label datasets=d
        node y label datasets=d
        edge r a b
        edge a x y
        edge b y
        """

    func decoded(_ g: LabelGraph, bias: [String: Double], threshold: Double) throws -> [(String, Double, Bool)] {
        let decoder = try PathDecoder(graph: g, configuration: .init(featureSize: 2, embeddingSize: 2, hiddenSize: 2))
        var parameters = Parameters<Double>(layout: decoder.layout)
        let b = decoder.layout.view(named: "output.b")!
        for (id, value) in bias { parameters.values[b.offset + g.index(of: id)!] = value }
        let x = Matrix<Double>(rows: 1, columns: 2, values: [0.3, -0.7])
        return decoder.decodePaths(features: x, parameters: parameters.values, threshold: threshold)[0]
            .map { (ids($0.nodes, g), $0.probability, $0.isGreedy) }
    }

    /// Uniform: P(r∘a∘x) = P(r∘a∘y) = ½·½ = 0.25, P(r∘b∘y) = ½. Greedy breaks the a/b and x/y ties by index:
    /// r∘a∘x, returned first although r∘b∘y is more probable.
    func testHandComputedPathsWithUniformDecoder() throws {
        let g = graph(diamond)
        let result = try decoded(g, bias: [:], threshold: 0.3)
        XCTAssertEqual(result.map(\.0), ["r∘a∘x", "r∘b∘y"])
        XCTAssertEqual(result.map(\.1), [0.25, 0.5])
        XCTAssertEqual(result.map(\.2), [true, false])
        XCTAssertEqual(try decoded(g, bias: [:], threshold: 0.2).map(\.0), ["r∘a∘x", "r∘b∘y", "r∘a∘y"])
    }

    /// Bias log 3 on b: p(b | r) = ¾, p(a | r) = ¼, so P(r∘b∘y) = 0.75 (greedy), P(r∘a∘x) = P(r∘a∘y) = 0.125.
    func testHandComputedPathsWithBiasedDecoder() throws {
        let g = graph(diamond)
        let result = try decoded(g, bias: ["b": log(3)], threshold: 0.1)
        XCTAssertEqual(result.map(\.0), ["r∘b∘y", "r∘a∘x", "r∘a∘y"])
        for (got, want) in zip(result.map(\.1), [0.75, 0.125, 0.125]) { XCTAssertEqual(got, want, accuracy: 1e-12) }
        XCTAssertEqual(try decoded(g, bias: ["b": log(3)], threshold: 0.2).map(\.0), ["r∘b∘y"])
        // Label scores: marginal y = 0.75 + 0.125, max y = 0.75.
        let paths = PredictionPaths(graph: g)
        let decodedPaths = result.map { r in DecodedPath(nodes: r.0.split(separator: "∘").map { g.index(of: String($0))! }, probability: r.1, isGreedy: r.2) }
        let marginal = paths.labelScores(decodedPaths, dataset: "d")
        XCTAssertEqual(marginal.scores[g.index(of: "y")!]!, 0.875, accuracy: 1e-12)
        XCTAssertEqual(marginal.top, g.index(of: "y"))
        XCTAssertEqual(paths.labelScores(decodedPaths, dataset: "d", marginal: false).scores[g.index(of: "y")!]!, 0.75, accuracy: 1e-12)
    }

    /// Random decoders on graphs with several blocks per node (Figure 2): the decoded paths are exactly the
    /// greedy path followed by every complete path with P ≥ τ, with P = exp(−NLL) / Π k_v computed
    /// independently by the teacher-forced likelihood, and P sums to 1 over all complete paths.
    func testMatchesBruteForceEnumeration() throws {
        for text in [figure2, bandit, twoLevel] {
            let g = graph(text)
            let decoder = try PathDecoder(graph: g, configuration: .init(featureSize: 3, embeddingSize: 4, hiddenSize: 5,
                                                                        encoder: .mlp(hiddenSize: 6)))
            let paths = PredictionPaths(graph: g)
            var all: [[Int]] = []
            for m in g.nodes.indices where paths.endNodes[m] { all += try paths.paths(to: m) }
            for seed in UInt64(1) ... 4 {
                var parameters: Parameters<Double> = decoder.makeParameters(seed: seed)
                let x = randomMatrixD(rows: 3, columns: 3, seed: seed + 10)
                let greedy = decoder.decode(features: x, parameters: parameters.values)
                for tau in [0.05, 0.2] {
                    let result = decoder.decodePaths(features: x, parameters: parameters.values, threshold: tau)
                    for b in 0 ..< 3 {
                        let row = Matrix<Double>(rows: 1, columns: 3, values: Array(x.values[b * 3 ..< b * 3 + 3]))
                        let probability = { (path: [Int]) -> Double in
                            let nll = decoder.negativeLogLikelihood(features: row, targets: [PathTarget(sample: 0, path: path, weight: 1)],
                                                                    parameters: &parameters).loss
                            return exp(-nll) / path.map { Double(decoder.blocks[$0].count) }.reduce(1, *)
                        }
                        let scored = all.map { ($0, probability($0)) }
                        XCTAssertEqual(scored.map(\.1).reduce(0, +), 1, accuracy: 1e-9, "P sums to 1 over the complete paths")
                        let expected = [greedy[b]] + scored.filter { $0.0 != greedy[b] && $0.1 >= tau }
                            .sorted { $0.1 > $1.1 }.map(\.0)
                        XCTAssertEqual(result[b].map { ids($0.nodes, g) }, expected.map { ids($0, g) }, "seed \(seed) τ \(tau) row \(b)")
                        XCTAssertEqual(result[b].first?.isGreedy, true)
                        for path in result[b] {
                            XCTAssertEqual(path.probability, probability(path.nodes), accuracy: 1e-9)
                            for (u, v) in zip(path.nodes, path.nodes.dropFirst()) { XCTAssertTrue(g.children[u].contains(v)) }
                            XCTAssertTrue(paths.endNodes[path.nodes.last!])
                        }
                    }
                }
            }
        }
    }
}
