@testable import Classifiers
import Core
import LinearAlgebra
import TestSupport
import XCTest

final class SparseLogisticRegressionRowShardedTests: XCTestCase {
    func testMatchesTheSingleProcessSolverObjective() throws {
        let (x, y) = shardedFixture(rows: 60, dimension: 8, concepts: 3, seed: 21)
        let options = SparseLogisticRegression<Double>.Options(cost: 2, tolerance: 1e-5, maxIterations: 20_000)
        let sharded = try SparseLogisticRegression<Double>.trainRowSharded(
            [InMemoryRows(columns(x, 0 ..< 3)), InMemoryRows(columns(x, 3 ..< 8))], labels: y, options: options,
            blockSize: 7)
        for c in 0 ..< 3 {
            let reference = try SparseLogisticRegression<Double>.train(x, labels: y.column(c), options: options)
            let f = sharded[c].statistics.objective, r = reference.statistics.objective
            XCTAssertTrue(sharded[c].statistics.converged)
            XCTAssertEqual(f, r, accuracy: 1e-3 * r, "concept \(c)")
            for j in 0 ..< 8 { XCTAssertEqual(sharded[c].weights[j], reference.weights[j], accuracy: 1e-2) }
            XCTAssertEqual(sharded[c].bias, reference.bias, accuracy: 1e-2)
            // The reported objective is F at the returned model, computed here by hand.
            var value = sharded[c].weights.reduce(0) { $0 + abs($1) }
            let z = sharded[c].decisionValues(x)
            for i in 0 ..< x.rows { value += 2 * log(1 + exp(-(y[i, c] ? 1 : -1) * z[i])) }
            XCTAssertEqual(f, value, accuracy: 1e-9 * value)
        }
    }

    func testOneTwoThreeRanksGiveBitIdenticalModels() throws {
        let (xd, y) = shardedFixture(rows: 45, dimension: 6, concepts: 2, seed: 22)
        let x = InMemoryRows(Matrix<Float>(rows: xd.rows, columns: xd.columns, values: xd.values.map { Float($0) }))
        let options = SparseLogisticRegression<Float>.Options(cost: 1, tolerance: 1e-3, maxIterations: 2000)
        var reference: [[Float]]?
        for size in 1 ... 3 {
            let models = try ThreadedWorld.run(size: size) { comm in
                try SparseLogisticRegression<Float>.trainRowSharded([x], labels: y, options: options, blockSize: 5,
                                                                    communicator: comm)
            }
            for perRank in models {
                let flat = perRank.map { $0.weights + [$0.bias] }
                if let r = reference { XCTAssertEqual(flat, r, "\(size) ranks") } else { reference = flat }
            }
        }
    }
}
