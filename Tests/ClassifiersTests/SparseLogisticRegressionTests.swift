@testable import Classifiers
import Core
import LinearAlgebra
import TestSupport
import XCTest

final class SparseLogisticRegressionTests: XCTestCase {
    /// 60×12 data in which only features 0, 1, 2 carry signal.
    func problem() -> (Matrix<Double>, [Bool]) {
        var rng = SeededRandom(seed: 31)
        var x = Matrix<Double>(rows: 60, columns: 12)
        var labels = [Bool](repeating: false, count: 60)
        for i in 0 ..< 60 {
            for j in 0 ..< 12 { x[i, j] = rng.normal() }
            labels[i] = 2 * x[i, 0] - x[i, 1] + 0.5 * x[i, 2] + 0.3 + 0.7 * rng.normal() > 0
        }
        return (x, labels)
    }

    /// F(w, b) = ‖w‖₁ + C Σ log(1 + exp(−y z)), recomputed independently.
    func objective(_ x: Matrix<Double>, _ labels: [Bool], _ w: [Double], _ b: Double, cost: Double) -> Double {
        var f = w.reduce(0) { $0 + abs($1) }
        for i in 0 ..< x.rows {
            let z = (0 ..< x.columns).reduce(b) { $0 + w[$1] * x[i, $1] }
            f += cost * log(1 + exp(-(labels[i] ? 1 : -1) * z))
        }
        return f
    }

    func testSubgradientOptimalityConditionsHold() throws {
        let (x, labels) = problem()
        for cost in [0.1, 1.0, 10.0] {
            let model = try SparseLogisticRegression<Double>.train(
                x, labels: labels, options: .init(cost: cost, tolerance: 1e-6, maxIterations: 200_000))
            XCTAssertTrue(model.statistics.converged, "C = \(cost): \(model.statistics)")
            // Smooth gradient by central differences of the data term (independent of the solver's formula).
            let smooth: ([Double]) -> Double = { theta in
                self.objective(x, labels, Array(theta.dropLast()), theta.last!, cost: cost)
                    - theta.dropLast().reduce(0) { $0 + abs($1) }
            }
            let g = numericalGradient(model.weights + [model.bias], step: 1e-6, smooth)
            for j in 0 ..< x.columns {
                let w = model.weights[j]
                if w == 0 {
                    XCTAssertLessThanOrEqual(abs(g[j]), 1 + 1e-4, "C = \(cost): w_\(j) = 0 needs |∇_j| ≤ 1")
                } else {
                    XCTAssertEqual(g[j], w > 0 ? -1 : 1, accuracy: 1e-4, "C = \(cost): w_\(j) ≠ 0 needs ∇_j = −sign(w_j)")
                }
            }
            XCTAssertEqual(g[x.columns], 0, accuracy: 1e-4, "C = \(cost): the unpenalised bias has zero gradient")
            XCTAssertEqual(model.statistics.objective, objective(x, labels, model.weights, model.bias, cost: cost),
                           accuracy: 1e-8 * model.statistics.objective)
        }
    }

    func testSparsityIncreasesAsCostDecreases() throws {
        let (x, labels) = problem()
        var nonZeros: [Int] = []
        for cost in [10.0, 1.0, 0.2, 0.05, 0.01] {
            let model = try SparseLogisticRegression<Double>.train(
                x, labels: labels, options: .init(cost: cost, tolerance: 1e-6, maxIterations: 200_000))
            nonZeros.append(model.statistics.nonZeros)
            XCTAssertEqual(model.statistics.sparsity, Double(12 - model.statistics.nonZeros) / 12)
        }
        // Observed: [11, 6, 3, 1, 0]; monotone, from dense to empty.
        XCTAssertEqual(nonZeros, nonZeros.sorted(by: >), "nonzeros per C (10 → 0.01): \(nonZeros)")
        XCTAssertGreaterThan(nonZeros.first!, nonZeros.last!)
        XCTAssertEqual(nonZeros.last, 0, "when C‖Xᵀr(0)‖∞ ≤ 1, w = 0 is optimal")
    }

    func testSignalFeaturesSurviveWhenMostAreDropped() throws {
        let (x, labels) = problem()
        let model = try SparseLogisticRegression<Double>.train(x, labels: labels, options: .init(cost: 0.2, tolerance: 1e-6, maxIterations: 200_000))
        XCTAssertGreaterThan(model.weights[0], 0)
        XCTAssertLessThan(model.weights[1], 0)
        let p = model.probabilities(x)
        XCTAssertGreaterThan(Metrics.accuracy(predicted: p.map { $0 >= 0.5 }, truth: labels), 0.8)
    }

    func testFloatRowsConverge() throws {
        let (x, labels) = problem()
        let xf = Matrix<Float>(rows: x.rows, columns: x.columns, values: x.values.map { Float($0) })
        let f = try SparseLogisticRegression<Float>.train(xf, labels: labels, options: .init(cost: 1, tolerance: 1e-3))
        let d = try SparseLogisticRegression<Double>.train(x, labels: labels, options: .init(cost: 1, tolerance: 1e-6, maxIterations: 200_000))
        XCTAssertTrue(f.statistics.converged)
        XCTAssertEqual(f.statistics.objective, d.statistics.objective, accuracy: 1e-3 * d.statistics.objective)
    }
}
