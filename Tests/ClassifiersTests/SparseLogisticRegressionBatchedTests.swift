@testable import Classifiers
import Core
import LinearAlgebra
import TestSupport
import XCTest

/// `trainAll` (all concepts' FISTA iterations batched into GEMMs) against its twin, one `train` per concept.
final class SparseLogisticRegressionBatchedTests: XCTestCase {
    /// 80×10 data and five concepts: four from different sparse linear rules, one nearly all positive.
    func problem() -> (Matrix<Double>, [[Bool]]) {
        var rng = SeededRandom(seed: 7)
        var x = Matrix<Double>(rows: 80, columns: 10)
        for i in 0 ..< 80 { for j in 0 ..< 10 { x[i, j] = rng.normal() } }
        let rules: [(Int, Int, Double)] = [(0, 1, 0.2), (2, 3, -0.4), (4, 9, 0.0), (5, 6, 1.0), (7, 8, 2.5)]
        let labels = rules.map { rule in
            (0 ..< 80).map { i in 1.5 * x[i, rule.0] - x[i, rule.1] + rule.2 + 0.5 * rng.normal() > 0 }
        }
        return (x, labels)
    }

    func testMatchesOneSolverPerConcept() throws {
        let (x, labels) = problem()
        for cost in [0.3, 3.0] {
            let options = SparseLogisticRegression<Double>.Options(cost: cost, tolerance: 1e-7, maxIterations: 100_000)
            let batched = try SparseLogisticRegression<Double>.trainAll(x, labels: labels, options: options)
            XCTAssertEqual(batched.count, labels.count)
            for (c, column) in labels.enumerated() {
                let single = try SparseLogisticRegression<Double>.train(x, labels: column, options: options)
                XCTAssertTrue(batched[c].statistics.converged, "C = \(cost), concept \(c): \(batched[c].statistics)")
                XCTAssertLessThanOrEqual(batched[c].statistics.optimalityViolation, 1e-7)
                // The problem is strictly convex in practice here: both solvers reach the same optimum.
                XCTAssertEqual(batched[c].statistics.objective, single.statistics.objective,
                               accuracy: 1e-7 * max(1, single.statistics.objective), "C = \(cost), concept \(c)")
                assertClose(batched[c].weights, single.weights, rtol: 1e-4, atol: 1e-5, label: "w, concept \(c)")
                XCTAssertEqual(batched[c].bias, single.bias, accuracy: 1e-4, "b, concept \(c)")
                // Same zero pattern: the L1 prior's sparsity is part of the answer.
                XCTAssertEqual(batched[c].weights.map { $0 == 0 }, single.weights.map { $0 == 0 }, "zeros, concept \(c)")
            }
        }
    }

    func testFloatMatchesDouble() throws {
        let (x, labels) = problem()
        let xf = Matrix<Float>(rows: x.rows, columns: x.columns, values: x.values.map(Float.init))
        let options = SparseLogisticRegression<Float>.Options(cost: 1, tolerance: 1e-3, maxIterations: 20_000)
        let f = try SparseLogisticRegression<Float>.trainAll(xf, labels: labels, options: options)
        let d = try SparseLogisticRegression<Double>.trainAll(x, labels: labels, options: .init(cost: 1, tolerance: 1e-3,
                                                                                               maxIterations: 20_000))
        for c in labels.indices {
            XCTAssertTrue(f[c].statistics.converged)
            XCTAssertEqual(f[c].statistics.objective, d[c].statistics.objective, accuracy: 1e-2 * d[c].statistics.objective)
        }
    }

    func testBadInput() {
        let (x, labels) = problem()
        XCTAssertThrowsError(try SparseLogisticRegression<Double>.trainAll(x, labels: [Array(labels[0].prefix(5))]))
        XCTAssertThrowsError(try SparseLogisticRegression<Double>.trainAll(x, labels: labels, options: .init(cost: 0)))
        XCTAssertEqual(try SparseLogisticRegression<Double>.trainAll(x, labels: []).count, 0)
    }
}
