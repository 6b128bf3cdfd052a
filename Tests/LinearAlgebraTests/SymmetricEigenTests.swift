import Core
import LinearAlgebra
import TestSupport
import XCTest

final class SymmetricEigenTests: XCTestCase {
    /// A = XᵀX for a random X: symmetric positive semi-definite, like a covariance.
    private func covariance(n: Int, seed: UInt64) -> Matrix<Double> {
        var rng = SeededRandom(seed: seed)
        let x = Matrix<Double>(rows: 3 * n, columns: n, values: (0 ..< 3 * n * n).map { _ in rng.normal() })
        return BLAS.matmul(x, x, transposeA: true)
    }

    func testKnownTwoByTwo() throws {
        // [2 1; 1 2] has eigenvalues 3 and 1 with eigenvectors (1, 1)/√2 and (1, −1)/√2.
        let e = try SymmetricEigen(Matrix<Double>(rowArrays: [[2, 1], [1, 2]]))
        XCTAssertEqual(e.values[0], 3, accuracy: 1e-12)
        XCTAssertEqual(e.values[1], 1, accuracy: 1e-12)
        let r = 1 / 2.0.squareRoot()
        assertClose(e.vectors.row(0), [r, r], atol: 1e-12, label: "v0")
        XCTAssertEqual(abs(e.vectors[1, 0]), r, accuracy: 1e-12)
        XCTAssertEqual(e.vectors[1, 0], -e.vectors[1, 1], accuracy: 1e-12)
    }

    func testOrthonormalAndReconstructs() throws {
        for n in [1, 5, 17] {
            let a = covariance(n: n, seed: UInt64(n))
            let e = try SymmetricEigen(a)
            // VVᵀ = I (rows orthonormal)
            assertClose(BLAS.matmul(e.vectors, e.vectors, transposeB: true), .identity(n), atol: 1e-10, label: "VVᵀ n=\(n)")
            // Vᵀ diag(λ) V = A
            var scaled = e.vectors
            for k in 0 ..< n { for i in 0 ..< n { scaled[k, i] *= e.values[k] } }
            assertClose(BLAS.matmul(e.vectors, scaled, transposeA: true), a, rtol: 1e-9, atol: 1e-9, label: "A n=\(n)")
            XCTAssertEqual(e.values, e.values.sorted(by: >), "eigenvalues must be in decreasing order")
        }
    }

    func testFloatAgreesWithDouble() throws {
        let a = covariance(n: 8, seed: 9)
        let ed = try SymmetricEigen(a)
        let ef = try SymmetricEigen(Matrix<Float>(rows: 8, columns: 8, values: a.values.map { Float($0) }))
        assertClose(ef.values.map { Double($0) }, ed.values, rtol: 1e-4, atol: 1e-4, label: "λ float vs double")
    }

    func testRejectsBadInput() {
        XCTAssertThrowsError(try SymmetricEigen(Matrix<Double>(rows: 2, columns: 3))) { error in
            XCTAssertEqual(error as? LinearAlgebraError, .notSquare(rows: 2, columns: 3))
        }
        XCTAssertThrowsError(try SymmetricEigen(Matrix<Double>(rowArrays: [[1, .nan], [.nan, 1]]))) { error in
            XCTAssertTrue("\(error)".contains("NaN"))
        }
    }
}
