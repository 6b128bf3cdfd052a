import Core
import LinearAlgebra
import NeuralNets
import TestSupport
import XCTest

// Shared pieces of the finite-difference checks. Every check uses the scalar probe loss
//
//     L(Y) = Σ_i r_i · Y_i        with r a fixed random vector, so dL/dY = r,
//
// so that every output element contributes with its own weight and a wrong entry anywhere shows up.

/// The bound on max_i |a_i − n_i| / max(|a_i| + |n_i|, floor) for a correct analytic gradient in Double.
let gradientTolerance = 1e-6
/// Central differences carry ~1e-11 absolute round-off on O(1) losses; the floor keeps exact zeros (padded
/// positions) from reading as relative errors, while O(1e-3 … 1) entries are compared fully relatively.
let gradientFloor = 1e-4

/// Fixed random values ~ N(0, 1).
func randomValues(_ count: Int, seed: UInt64) -> [Double] {
    var rng = SeededRandom(seed: seed)
    return (0 ..< count).map { _ in rng.normal() }
}

func randomMatrixD(rows: Int, columns: Int, seed: UInt64) -> Matrix<Double> {
    Matrix(rows: rows, columns: columns, values: randomValues(rows * columns, seed: seed))
}

/// Σ_i r_i y_i.
func probe(_ y: [Double], _ r: [Double]) -> Double {
    precondition(y.count == r.count)
    var sum = 0.0
    for i in y.indices { sum += y[i] * r[i] }
    return sum
}

/// Asserts the analytic gradient matches central differences of `f` at `point`.
func assertGradient(
    _ analytic: [Double], at point: [Double], label: String,
    file: StaticString = #filePath, line: UInt = #line, _ f: ([Double]) -> Double
) {
    XCTAssertEqual(analytic.count, point.count, "\(label): gradient length", file: file, line: line)
    let numeric = numericalGradient(point, step: 1e-5, f)
    let error = maxRelativeError(analytic, numeric, floor: gradientFloor)
    XCTAssertLessThan(error, gradientTolerance, "\(label): max relative error \(error)", file: file, line: line)
    // The check must not pass vacuously: the gradient has to carry signal.
    XCTAssertGreaterThan(numeric.map(abs).max() ?? 0, 1e-3, "\(label): gradient is all ~0", file: file, line: line)
}

/// Parameters with every view initialised by `initialize`, in Double.
func makeParameters(_ layout: ParameterLayout, seed: UInt64,
                    _ initialize: (inout [Double], inout SeededRandom) -> Void) -> Parameters<Double> {
    var parameters = Parameters<Double>(layout: layout)
    var rng = SeededRandom(seed: seed)
    initialize(&parameters.values, &rng)
    return parameters
}
