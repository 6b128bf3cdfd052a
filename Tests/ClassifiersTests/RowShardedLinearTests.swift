@testable import Classifiers
import Core
import Foundation
import LinearAlgebra
import TestSupport
import XCTest

/// K overlapping concepts on seeded blobs: concept k is "row i's blob, flipped for every (k+2)-th row".
func shardedFixture(rows n: Int, dimension d: Int, concepts k: Int, seed: UInt64) -> (Matrix<Double>, LabelMatrix) {
    let (x, base) = blobs(rows: n, dimension: d, separation: 1.5, seed: seed)
    var flags: [Bool] = []
    for i in 0 ..< n { for c in 0 ..< k { flags.append(i % (c + 2) == 0 ? !base[i] : base[i]) } }
    return (x, LabelMatrix(rows: n, columns: k, values: flags))
}

/// Columns `range` of `x` as a matrix (a column block for early-fusion tests).
func columns<S: BLASScalar>(_ x: Matrix<S>, _ range: Range<Int>) -> Matrix<S> {
    Matrix(rowArrays: (0 ..< x.rows).map { Array(x.row($0)[range]) })
}

/// A source that counts its reads (to tell streaming from caching).
final class CountingRows: RowSource, @unchecked Sendable {
    let matrix: Matrix<Float>
    private let lock = NSLock()
    private var count = 0
    init(_ matrix: Matrix<Float>) { self.matrix = matrix }
    var rowCount: Int { matrix.rows }
    var dimension: Int { matrix.columns }
    var reads: Int { lock.lock(); defer { lock.unlock() }; return count }
    func rows(_ range: Range<Int>) throws -> Matrix<Float> {
        lock.lock(); count += 1; lock.unlock()
        return matrix.rows(range)
    }
}

final class RowShardedLinearTests: XCTestCase {
    /// Trains on 1, 2 and 3 threaded ranks, asserts every rank's weights are the 1-rank weights bit for bit, and
    /// returns them.
    static func sameWeightsOnOneToThreeRanks(_ sources: [InMemoryRows<Float>], labels: LabelMatrix,
                                             options: RowShardedLinear<Float>.Options) throws -> ConceptWeights<Float>? {
        var reference: ConceptWeights<Float>?
        for size in 1 ... 3 {
            let models = try ThreadedWorld.run(size: size) { comm in
                try RowShardedLinear<Float>.train(sources, labels: labels, options: options, communicator: comm)
            }
            for model in models {
                if let r = reference { XCTAssertEqual(model.weights, r, "\(options.loss), \(size) ranks") }
                else { reference = model.weights }
            }
        }
        return reference
    }

    func objective(_ x: Matrix<Double>, _ y: LabelMatrix, loss: RowShardedObjective<Double>.Loss, split: Int,
                   blockSize: Int = 5, cost: Double = 0.7) throws -> RowShardedObjective<Double> {
        let sources: [any RowSource<Double>] = [InMemoryRows(columns(x, 0 ..< split)),
                                                InMemoryRows(columns(x, split ..< x.columns))]
        let data = try RowBlocks(sources: sources, reduction: OrderedReduction(blockSize: blockSize), rank: 0, size: 1,
                                 cacheBytes: .max)
        return try RowShardedObjective(data: data, labels: y, loss: loss, cost: cost, biasFeature: 1, ridge: 1,
                                       communicator: SingleProcessCommunicator())
    }

    func randomWeights(_ dims: [Int], k: Int, seed: UInt64) -> ConceptWeights<Double> {
        var rng = SeededRandom(seed: seed)
        var w = ConceptWeights<Double>(dimensions: dims, concepts: k)
        for b in w.blocks.indices { for i in w.blocks[b].values.indices { w.blocks[b].values[i] = 0.3 * rng.normal() } }
        for c in 0 ..< k { w.bias[c] = 0.3 * rng.normal() }
        return w
    }

    /// Every parameter of concept c, flattened: [W_1[·,c]; W_2[·,c]; w_B[c]].
    func flat(_ w: ConceptWeights<Double>, _ c: Int) -> [Double] { let col = w.column(c); return col.weights + [col.bias] }

    func set(_ w: inout ConceptWeights<Double>, _ c: Int, _ theta: [Double]) {
        var offset = 0
        for b in w.blocks.indices {
            for j in 0 ..< w.blocks[b].rows { w.blocks[b][j, c] = theta[offset]; offset += 1 }
        }
        w.bias[c] = theta[offset]
    }

    func testGradientAndHessianProductMatchFiniteDifferences() throws {
        let (x, y) = shardedFixture(rows: 23, dimension: 5, concepts: 3, seed: 4)
        for loss in RowShardedObjective<Double>.Loss.allCases {
            let obj = try objective(x, y, loss: loss, split: 2)
            let w = randomWeights([2, 3], k: 3, seed: 9)
            let (values, gradient, curvature) = try obj.evaluate(w)
            let v = randomWeights([2, 3], k: 3, seed: 10)
            let hv = try obj.hessianProduct(v, curvature: curvature)
            for c in 0 ..< 3 {
                let numeric = numericalGradient(flat(w, c)) { theta in
                    var u = w
                    set(&u, c, theta)
                    return try! obj.evaluate(u).values[c]
                }
                XCTAssertLessThan(maxRelativeError(flat(gradient, c), numeric), 1e-6, "\(loss) ∇f concept \(c)")
                // Hv ≈ (∇f(w + h v) − ∇f(w − h v)) / 2h (no margin crosses 1 in a step of 1e-6).
                let h = 1e-6
                var plus = w, minus = w
                plus.add(v, scaledBy: [h, h, h])
                minus.add(v, scaledBy: [-h, -h, -h])
                let gp = flat(try obj.evaluate(plus).gradient, c), gm = flat(try obj.evaluate(minus).gradient, c)
                let numericHv = zip(gp, gm).map { ($0 - $1) / (2 * h) }
                XCTAssertLessThan(maxRelativeError(flat(hv, c), numericHv, floor: 1e-6), 1e-5, "\(loss) Hv concept \(c)")
            }
            // The value by hand for concept 0.
            var expected = 0.5 * flat(w, 0).reduce(0) { $0 + $1 * $1 }
            let col = w.column(0)
            for i in 0 ..< x.rows {
                let z = zip(x.row(i), col.weights).reduce(col.bias) { $0 + $1.0 * $1.1 }
                let yz = (y[i, 0] ? 1.0 : -1.0) * z
                expected += 0.7 * (loss == .logistic ? log(1 + exp(-yz)) : pow(max(0, 1 - yz), 2))
            }
            XCTAssertEqual(values[0], expected, accuracy: 1e-12 * expected, "\(loss) f by hand")
        }
    }

    func testSquaredHingeDualCoordinateDescentClosesItsDualityGap() throws {
        let (x, labels) = blobs(rows: 40, dimension: 4, separation: 1.0, seed: 3)
        let svm = try LinearSVM<Double>.train(x, labels: labels, options: LinearSVMOptions(
            tolerance: 1e-8, maxIterations: 100_000, loss: .squaredHinge))
        XCTAssertTrue(svm.statistics.converged)
        let p = svm.statistics.primalObjective, d = svm.statistics.dualObjective
        XCTAssertEqual(p, d, accuracy: 1e-7 * p)
        // Unbounded α (no α_i = C cap) and KKT of the L2 loss: α_i = 2C·max(0, 1 − y_i f_i).
        let f = svm.decisionValues(x)
        for i in 0 ..< x.rows {
            let margin = max(0, 1 - (labels[i] ? 1 : -1) * f[i])
            XCTAssertEqual(svm.dualCoefficients[i], 2 * margin, accuracy: 1e-5)
        }
        XCTAssertTrue(svm.dualCoefficients.contains { $0 > 1 }, "the squared hinge has no upper bound C = 1")
    }

    func testTrustRegionNewtonMatchesDualCoordinateDescentObjective() throws {
        let (x, y) = shardedFixture(rows: 60, dimension: 6, concepts: 3, seed: 5)
        let model = try RowShardedLinear<Double>.train(
            [InMemoryRows(columns(x, 0 ..< 4)), InMemoryRows(columns(x, 4 ..< 6))], labels: y,
            options: .init(loss: .squaredHinge, cost: 1, tolerance: 1e-6, blockSize: 7))
        for c in 0 ..< 3 {
            let svm = try LinearSVM<Double>.train(x, labels: y.column(c), options: LinearSVMOptions(
                tolerance: 1e-6, maxIterations: 100_000, loss: .squaredHinge))
            let tron = model.statistics[c].objective, dual = svm.statistics.primalObjective
            XCTAssertTrue(model.statistics[c].converged)
            XCTAssertEqual(tron, dual, accuracy: 1e-3 * dual, "concept \(c)")
            XCTAssertLessThanOrEqual(svm.statistics.dualObjective, tron * (1 + 1e-9), "weak duality")
            let w = model.oneVsRest.model(c)
            for j in 0 ..< 6 { XCTAssertEqual(w.weights[j], svm.weights[j], accuracy: 1e-2) }
            XCTAssertEqual(w.bias, svm.bias, accuracy: 1e-2)
        }
    }

    func testTrustRegionNewtonMatchesDualOnW5LikeFloatData() throws {
        // W5-like: L2-normalised Gaussian rows, Float, more dimensions than a toy, a weak linear signal.
        let n = 300, d = 64
        var x = randomMatrix(rows: n, columns: d, seed: 11)
        var flags: [Bool] = []
        for i in 0 ..< n {
            let norm = x.row(i).reduce(0) { $0 + $1 * $1 }.squareRoot()
            for j in 0 ..< d { x[i, j] /= norm }
            flags.append(x[i, 0] + x[i, 1] - x[i, 2] > 0.05)
        }
        let y = LabelMatrix(rows: n, columns: 1, values: flags)
        let model = try RowShardedLinear<Float>.train([InMemoryRows(x)], labels: y,
                                                      options: .init(cost: 1, tolerance: 1e-4, blockSize: 64))
        let svm = try LinearSVM<Float>.train(x, labels: flags, options: LinearSVMOptions(
            tolerance: 1e-4, maxIterations: 100_000, loss: .squaredHinge))
        XCTAssertEqual(model.statistics[0].objective, svm.statistics.primalObjective,
                       accuracy: 1e-3 * svm.statistics.primalObjective)
    }

    func testLogisticTrustRegionNewtonReachesAStationaryPoint() throws {
        let (x, y) = shardedFixture(rows: 50, dimension: 5, concepts: 2, seed: 6)
        let model = try RowShardedLinear<Double>.train([InMemoryRows(x)], labels: y,
                                                       options: .init(loss: .logistic, cost: 0.7, tolerance: 1e-6,
                                                                      blockSize: 8))
        let obj = try objective(x, y, loss: .logistic, split: 5, blockSize: 8, cost: 0.7)
        let w = ConceptWeights(blocks: model.weights.blocks + [Matrix(rows: 0, columns: 2)], bias: model.weights.bias)
        let (values, gradient, _) = try obj.evaluate(w)
        for c in 0 ..< 2 {
            XCTAssertTrue(model.statistics[c].converged)
            XCTAssertEqual(values[c], model.statistics[c].objective, accuracy: 1e-12 * values[c])
            XCTAssertLessThan(flat(gradient, c).map(abs).max()!, 1e-5, "∇f = 0 at the optimum")
            // f is convex: any perturbation raises it.
            var moved = w
            moved.bias[c] += 0.01
            XCTAssertGreaterThan(try obj.evaluate(moved).values[c], values[c])
        }
    }

    func testOneTwoThreeRanksGiveBitIdenticalModels() throws {
        let (xd, y) = shardedFixture(rows: 50, dimension: 6, concepts: 3, seed: 7)
        let x = Matrix<Float>(rows: xd.rows, columns: xd.columns, values: xd.values.map { Float($0) })
        let a = InMemoryRows(columns(x, 0 ..< 2)), b = InMemoryRows(columns(x, 2 ..< 6))
        for loss in RowShardedLinear<Float>.Loss.allCases {
            let options = RowShardedLinear<Float>.Options(loss: loss, tolerance: 1e-4, blockSize: 6)
            let reference = try Self.sameWeightsOnOneToThreeRanks([a, b], labels: y, options: options)
            XCTAssertNotEqual(reference, ConceptWeights(dimensions: [2, 4], concepts: 3), "a trained model is not 0")
        }
    }

    func testStreamedRowsEqualCachedRowsAndAreReadAgain() throws {
        let x = randomMatrix(rows: 40, columns: 5, seed: 8)
        let y = LabelMatrix(rows: 40, columns: 2, values: (0 ..< 80).map { x.values[$0] > 0 })
        let cached = CountingRows(x), streamed = CountingRows(x)
        let options = RowShardedLinear<Float>.Options(tolerance: 1e-3, blockSize: 9, chunkRows: 4)
        var streaming = options
        streaming.cacheBytes = 0
        let m1 = try RowShardedLinear<Float>.train([cached], labels: y, options: options)
        let m2 = try RowShardedLinear<Float>.train([streamed], labels: y, options: streaming)
        XCTAssertEqual(m1.weights, m2.weights)
        // ⌈40/9⌉ = 5 blocks (4 of 9 rows, 1 of 4), in chunks of ≤ 4 rows: 3 + 3 + 3 + 3 + 1 = 13 reads per pass.
        XCTAssertEqual(cached.reads, 13, "cached: every chunk read once")
        XCTAssertGreaterThan(streamed.reads, 13 * 3, "streamed: every pass reads every chunk again")
        XCTAssertEqual(streamed.reads % 13, 0)
    }

    func testEarlyFusionBlocksEqualTheConcatenation() throws {
        let (x, y) = shardedFixture(rows: 40, dimension: 6, concepts: 2, seed: 12)
        let options = RowShardedLinear<Double>.Options(tolerance: 1e-8, blockSize: 16)
        let split = try RowShardedLinear<Double>.train([InMemoryRows(columns(x, 0 ..< 3)), InMemoryRows(columns(x, 3 ..< 6))],
                                                       labels: y, options: options)
        let whole = try RowShardedLinear<Double>.train([InMemoryRows(x)], labels: y, options: options)
        let a = split.oneVsRest, b = whole.oneVsRest
        for i in a.weights.values.indices { XCTAssertEqual(a.weights.values[i], b.weights.values[i], accuracy: 1e-6) }
        for c in 0 ..< 2 { XCTAssertEqual(a.biases[c], b.biases[c], accuracy: 1e-6) }
    }

    func testColumnBlocksWithDifferentRowCountsAreRefused() {
        let text = errorText {
            _ = try RowShardedLinear<Float>.train([InMemoryRows(randomMatrix(rows: 5, columns: 2, seed: 1)),
                                                   InMemoryRows(randomMatrix(rows: 4, columns: 2, seed: 2))],
                                                  labels: LabelMatrix(rows: 5, columns: 1, values: [true, false, true, false, true]))
        }
        XCTAssertTrue(text.contains("rows of every column block"), text)
    }
}
