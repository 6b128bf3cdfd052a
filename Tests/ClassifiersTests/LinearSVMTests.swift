@testable import Classifiers
import Core
import LinearAlgebra
import TestSupport
import XCTest

/// P(ŵ) = ½‖ŵ‖² + C Σ max(0, 1 − y ŵ·x̂) with x̂ = [x, B], in Double.
func primalObjective(_ x: Matrix<Double>, _ labels: [Bool], w: [Double], wBias: Double, cost: Double, bias: Double) -> Double {
    var value = 0.5 * (w.reduce(0) { $0 + $1 * $1 } + wBias * wBias)
    for i in 0 ..< x.rows {
        var f = wBias * bias
        for j in 0 ..< x.columns { f += w[j] * x[i, j] }
        value += cost * max(0, 1 - (labels[i] ? 1 : -1) * f)
    }
    return value
}

final class LinearSVMTests: XCTestCase {
    let tight = LinearSVMOptions(tolerance: 1e-7, maxIterations: 100_000)

    /// KKT conditions of the dual at the returned α, with G_i = y_i f(x_i) − 1:
    /// α_i = 0 ⇒ G_i ≥ −tol;  0 < α_i < C ⇒ |G_i| ≤ tol;  α_i = C ⇒ G_i ≤ tol.
    func assertKKT(_ svm: LinearSVM<Double>, _ x: Matrix<Double>, _ labels: [Bool], cost: Double, tol: Double,
                   file: StaticString = #filePath, line: UInt = #line) {
        let f = svm.decisionValues(x)
        for i in 0 ..< x.rows {
            let g = (labels[i] ? 1 : -1) * f[i] - 1, a = svm.dualCoefficients[i]
            XCTAssert(a >= 0 && a <= cost, "α_\(i) = \(a) outside [0, C]", file: file, line: line)
            if a == 0 { XCTAssertGreaterThanOrEqual(g, -tol, "α_\(i) = 0 but y f − 1 = \(g)", file: file, line: line) }
            else if a == cost { XCTAssertLessThanOrEqual(g, tol, "α_\(i) = C but y f − 1 = \(g)", file: file, line: line) }
            else { XCTAssertEqual(g, 0, accuracy: tol, "0 < α_\(i) < C but y f − 1 = \(g)", file: file, line: line) }
        }
    }

    func testSeparableDataReachesZeroDualityGapAndKKT() throws {
        let (x, labels) = blobs(rows: 30, dimension: 3, separation: 6, seed: 1)
        let svm = try LinearSVM<Double>.train(x, labels: labels, options: tight)
        XCTAssertTrue(svm.statistics.converged)
        // Weak duality: D(α) ≤ P* ≤ P(ŵ); equality within tolerance proves optimality.
        XCTAssertEqual(svm.statistics.primalObjective, svm.statistics.dualObjective,
                       accuracy: 1e-6 * svm.statistics.primalObjective)
        assertKKT(svm, x, labels, cost: 1, tol: 1e-6)
        // Separable with a large margin: every training point classified correctly, none at the bound C.
        XCTAssertEqual(Metrics.accuracy(predicted: svm.decisionValues(x).map { $0 >= 0 }, truth: labels), 1)
        XCTAssertEqual(svm.statistics.boundedSupportVectors, 0)
    }

    func testNonSeparableDataMatchesPrimalSubgradientSolution() throws {
        let (x, labels) = blobs(rows: 24, dimension: 2, separation: 1.5, seed: 2)
        let svm = try LinearSVM<Double>.train(x, labels: labels, options: tight)
        assertKKT(svm, x, labels, cost: 1, tol: 1e-6)
        XCTAssertGreaterThan(svm.statistics.boundedSupportVectors, 0, "overlapping blobs must have margin errors")
        let pStar = primalObjective(x, labels, w: svm.weights, wBias: svm.bias, cost: 1, bias: 1)
        XCTAssertEqual(pStar, svm.statistics.primalObjective, accuracy: 1e-9 * pStar)
        XCTAssertEqual(pStar, svm.statistics.dualObjective, accuracy: 1e-6 * pStar)

        // Brute force: subgradient descent on the 1-strongly-convex primal, step 1/t, best iterate kept.
        var w = [0.0, 0.0], wb = 0.0, best = Double.infinity, bestW = w, bestB = wb
        for t in 1 ... 100_000 {
            var g = w, gb = wb
            for i in 0 ..< x.rows {
                let y = labels[i] ? 1.0 : -1.0
                if y * (w[0] * x[i, 0] + w[1] * x[i, 1] + wb) < 1 {
                    g[0] -= y * x[i, 0]; g[1] -= y * x[i, 1]; gb -= y
                }
            }
            let eta = 1 / Double(t)
            w[0] -= eta * g[0]; w[1] -= eta * g[1]; wb -= eta * gb
            let p = primalObjective(x, labels, w: w, wBias: wb, cost: 1, bias: 1)
            if p < best { best = p; bestW = w; bestB = wb }
        }
        XCTAssertGreaterThanOrEqual(best, pStar - 1e-9, "DCD must not be beaten by subgradient descent")
        XCTAssertEqual(best, pStar, accuracy: 1e-3 * pStar)
        // Strong convexity: ½‖ŵ_sub − ŵ*‖² ≤ P(ŵ_sub) − P(ŵ*).
        let d2 = pow(bestW[0] - svm.weights[0], 2) + pow(bestW[1] - svm.weights[1], 2) + pow(bestB - svm.bias, 2)
        XCTAssertLessThanOrEqual(0.5 * d2, best - pStar + 1e-9)
    }

    func testShrinkingOnAndOffGiveTheSameSolution() throws {
        let (x, labels) = blobs(rows: 80, dimension: 5, separation: 1, seed: 3)
        var options = tight
        let shrunk = try LinearSVM<Double>.train(x, labels: labels, options: options)
        options.shrinking = false
        let full = try LinearSVM<Double>.train(x, labels: labels, options: options)
        assertClose(shrunk.weights, full.weights, rtol: 1e-5, atol: 1e-6, label: "w")
        XCTAssertEqual(shrunk.bias, full.bias, accuracy: 1e-6)
        XCTAssertEqual(shrunk.statistics.primalObjective, full.statistics.primalObjective,
                       accuracy: 1e-7 * full.statistics.primalObjective)
    }

    func testCostAndBiasOptionsFollowLIBLINEARSemantics() throws {
        let (x, labels) = blobs(rows: 40, dimension: 3, separation: 1, seed: 4)
        for (cost, bias) in [(0.1, 1.0), (10.0, 2.0), (1.0, 0.0)] {
            let svm = try LinearSVM<Double>.train(x, labels: labels, options: LinearSVMOptions(
                cost: cost, bias: bias, tolerance: 1e-7, maxIterations: 100_000))
            assertKKT(svm, x, labels, cost: cost, tol: 1e-6)
            if bias == 0 { XCTAssertEqual(svm.bias, 0) }
            // The regularised bias weight is b/B: the primal recomputed with it matches the reported one.
            let p = primalObjective(x, labels, w: svm.weights, wBias: bias == 0 ? 0 : svm.bias / bias, cost: cost, bias: bias)
            XCTAssertEqual(p, svm.statistics.primalObjective, accuracy: 1e-9 * p)
            XCTAssertEqual(p, svm.statistics.dualObjective, accuracy: 1e-6 * p)
        }
    }

    func testFloatTrainingAgreesWithDouble() throws {
        let (x, labels) = blobs(rows: 60, dimension: 4, separation: 1.5, seed: 5)
        let xf = Matrix<Float>(rows: x.rows, columns: x.columns, values: x.values.map { Float($0) })
        let options = LinearSVMOptions(tolerance: 1e-4, maxIterations: 100_000)
        let d = try LinearSVM<Double>.train(x, labels: labels, options: options)
        let f = try LinearSVM<Float>.train(xf, labels: labels, options: options)
        assertClose(f.weights.map(Double.init), d.weights, rtol: 1e-2, atol: 1e-3, label: "w Float vs Double")
        XCTAssertEqual(Double(f.bias), d.bias, accuracy: 1e-2)
    }

    func testZeroRowWithoutBiasDoesNotStall() throws {
        var (x, labels) = blobs(rows: 20, dimension: 2, separation: 3, seed: 6)
        for j in 0 ..< 2 { x[0, j] = 0 }  // Q_00 = 0 when B = 0
        let svm = try LinearSVM<Double>.train(x, labels: labels, options: LinearSVMOptions(bias: 0, tolerance: 1e-6))
        XCTAssertTrue(svm.statistics.converged)
        XCTAssertEqual(svm.dualCoefficients[0], 1, "a zero row sits at α = C (its hinge loss is always 1)")
    }

    func testDecisionValuesMatchPlainLoop() throws {
        let (x, labels) = blobs(rows: 30, dimension: 6, separation: 1, seed: 7)
        let xf = Matrix<Float>(rows: x.rows, columns: x.columns, values: x.values.map { Float($0) })
        let svm = try LinearSVM<Float>.train(xf, labels: labels)
        let naive = (0 ..< xf.rows).map { i in (0 ..< xf.columns).reduce(svm.bias) { $0 + svm.weights[$1] * xf[i, $1] } }
        assertClose(svm.decisionValues(xf), naive, rtol: 1e-5, atol: 1e-5, label: "f")
    }

    func testBadInputThrowsTypedErrors() {
        let x = Matrix<Float>(rows: 3, columns: 2, values: [1, 2, 3, 4, 5, 6])
        XCTAssertThrowsError(try LinearSVM<Float>.train(x, labels: [true, false])) { error in
            XCTAssertEqual(error as? ClassifierError,
                           .shapeMismatch(what: "LinearSVM.train: labels per row of X", expected: 3, got: 2))
        }
        XCTAssertThrowsError(try LinearSVM<Float>.train(x, labels: [true, false, true], options: LinearSVMOptions(cost: 0)))
        XCTAssertThrowsError(try LinearSVM<Float>.train(Matrix<Float>(rows: 0, columns: 2), labels: []))
    }
}
