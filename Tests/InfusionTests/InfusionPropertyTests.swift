import Core
import Infusion
import LinearAlgebra
import NeuralNets
import Retrieval
import TestSupport
import XCTest

/// Invariants of the attention and the head, and the neighbour gathering.
final class InfusionPropertyTests: XCTestCase {
    /// Every row of α sums to 1 and lies in (0, 1), also for large scores (max-subtracted softmax).
    func testAttentionWeightsSumToOne() {
        let attention = SourceAttention(neighbours: 5, contextSize: 6)
        for scale in [1.0, 30.0] {
            let c = Matrix(rows: 4, columns: 6, values: randomValues(24, seed: 21, scale: scale))
            let z = Matrix(rows: 20, columns: 6, values: randomValues(120, seed: 22, scale: scale))
            let (zS, cache) = attention.forward(context: c, sources: z)
            for n in 0 ..< 4 {
                let row = cache.weights.row(n)
                XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-12, "row \(n), scale \(scale)")
                XCTAssertTrue(row.allSatisfy { $0 >= 0 && $0 <= 1 })
            }
            XCTAssertTrue(zS.values.allSatisfy(\.isFinite))
        }
    }

    /// With k identical neighbours, z_s is that neighbour (α = 1/k each), whatever c_t is.
    func testIdenticalNeighboursFuseToThemselves() {
        let attention = SourceAttention(neighbours: 4, contextSize: 3)
        let z = [0.5, -1.25, 2.0]
        let sources = Matrix(rows: 8, columns: 3, values: Array([[Double]](repeating: z, count: 8).joined()))
        let c = randomMatrixD(rows: 2, columns: 3, seed: 23)
        let (zS, cache) = attention.forward(context: c, sources: sources)
        assertClose(zS.values, z + z, rtol: 1e-12, atol: 1e-12, label: "z_s")
        assertClose(cache.weights.values, [Double](repeating: 0.25, count: 8), rtol: 1e-12, atol: 1e-12, label: "α")
        // And no gradient reaches c_t through attention: z_s does not depend on it.
        let dC = attention.backward(Matrix(rows: 2, columns: 3, values: randomValues(6, seed: 24)), cache)
        XCTAssertLessThan(dC.values.map(abs).max()!, 1e-12)
    }

    /// Initialised from a baseline classifier (W, b), the head's logits are the baseline's c·W + b.
    func testBaselineInitialisationReproducesTheBaseline() {
        var layout = ParameterLayout()
        let head = InfusedClassifier(.init(contextSize: 3, classCount: 2, neighbours: 2, sourceCount: 2), layout: &layout)
        var values = [Double](repeating: 0.7, count: layout.count)
        let w = randomMatrixD(rows: 3, columns: 2, seed: 25), bias = randomMatrixD(rows: 1, columns: 2, seed: 26)
        head.initialize(&values, fromBaselineWeight: w, bias: bias)
        let c = randomMatrixD(rows: 2, columns: 3, seed: 27)
        let sources = [randomMatrixD(rows: 4, columns: 3, seed: 28), randomMatrixD(rows: 4, columns: 3, seed: 29)]
        let logits = head.logits(context: c, sources: sources, parameters: values)
        for n in 0 ..< 2 {
            for j in 0 ..< 2 {
                let expected = (0 ..< 3).reduce(bias[0, j]) { $0 + c[n, $1] * w[$1, j] }
                XCTAssertEqual(logits[n, j], expected, accuracy: 1e-12)
            }
        }
        XCTAssertEqual(layout.views.map(\.name), ["infused.out.W", "infused.out.b"])
        XCTAssertEqual(head.classifier.weight.rows, 9, "W1 is ((1 + S)·M, C)")
    }

    func testGatherLaysOutNeighboursAndRejectsShortLists() throws {
        let embeddings = Matrix<Float>(rowArrays: [[0, 0], [1, 1], [2, 2], [3, 3]])
        let lists = [[Neighbor(id: 3, score: 1), Neighbor(id: 1, score: 0.5)],
                     [Neighbor(id: 0, score: 1), Neighbor(id: 2, score: 0.5)]]
        let z = try RetrievedSources.gather(lists, from: embeddings, k: 2)
        XCTAssertEqual(z.values, [3, 3, 1, 1, 0, 0, 2, 2])
        XCTAssertThrowsError(try RetrievedSources.gather(lists, from: embeddings, k: 3)) { error in
            XCTAssertEqual(error as? InfusionError, .tooFewNeighbours(query: 0, expected: 3, got: 2))
        }
        XCTAssertThrowsError(try RetrievedSources.gather([[Neighbor(id: 7, score: 0)]], from: embeddings, k: 1)) {
            XCTAssertEqual($0 as? InfusionError, .unknownSource(query: 0, id: 7, sourceRows: 4))
        }
    }

    /// Retrieval + head end to end in Float: neighbours from an LSH Forest over the source, then a forward pass.
    func testForestNeighboursFeedTheHead() throws {
        let source = Matrix<Float>(rows: 200, columns: 8, values: randomValues(1600, seed: 30).map(Float.init))
        let queries = Matrix<Float>(rows: 5, columns: 8, values: randomValues(40, seed: 31).map(Float.init))
        let forest = try LSHForest(source, parameters: .init(trees: 8, maxDepth: 12, candidatesPerTree: 8,
                                                             metric: .innerProduct, seed: 3))
        let z = try RetrievedSources.gather(try forest.search(queries: queries, k: 5), from: source, k: 5)
        var layout = ParameterLayout()
        let head = InfusedClassifier(.init(contextSize: 8, classCount: 3), layout: &layout)
        var parameters = Parameters<Float>(layout: layout)
        var rng = SeededRandom(seed: 4)
        head.initialize(&parameters.values, rng: &rng)
        let (loss, cache) = head.forward(context: queries, sources: [z], targets: [0, 1, 2, 0, 1],
                                         parameters: parameters.values)
        XCTAssertTrue(loss.total.isFinite && loss.penalty > 0)
        let dC = head.backward(cache, parameters: parameters.values, into: &parameters.grads)
        XCTAssertEqual(dC.rows, 5)
        XCTAssertTrue(parameters.grads.contains { $0 != 0 })
    }
}
