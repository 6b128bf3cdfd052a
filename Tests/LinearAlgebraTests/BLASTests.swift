import Core
import LinearAlgebra
import TestSupport
import XCTest

/// Every CBLAS-backed routine against its plain-loop twin, on odd shapes (not multiples of any kernel width),
/// with and without transposes, α and β.
final class BLASTests: XCTestCase {
    func testGemmMatchesNaiveForEveryTransposeCombination() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let (m, k, n) = (37, 19, 23)
            let a = randomMatrix(rows: ta ? k : m, columns: ta ? m : k, seed: 1)
            let b = randomMatrix(rows: tb ? n : k, columns: tb ? k : n, seed: 2)
            let c0 = randomMatrix(rows: m, columns: n, seed: 3)
            var fast = c0, naive = c0
            BLAS.gemm(a, b, into: &fast, transposeA: ta, transposeB: tb, alpha: 0.7, beta: -1.3)
            NaiveBLAS.gemm(a, b, into: &naive, transposeA: ta, transposeB: tb, alpha: 0.7, beta: -1.3)
            assertClose(fast, naive, rtol: 1e-4, atol: 1e-4, label: "gemm ta=\(ta) tb=\(tb)")
        }
    }

    func testGemmByHand() {
        // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50]
        let a = Matrix<Double>(rowArrays: [[1, 2], [3, 4]])
        let b = Matrix<Double>(rowArrays: [[5, 6], [7, 8]])
        XCTAssertEqual(BLAS.matmul(a, b).values, [19, 22, 43, 50])
        XCTAssertEqual(BLAS.matmul(a, b, transposeA: true).values, [26, 30, 38, 44])
    }

    func testGemmEmptyInnerDimensionScalesC() {
        let a = Matrix<Float>(rows: 3, columns: 0)
        let b = Matrix<Float>(rows: 0, columns: 2)
        var c = Matrix<Float>(rows: 3, columns: 2, repeating: 2)
        BLAS.gemm(a, b, into: &c, beta: 0.5)
        XCTAssertEqual(c.values, [Float](repeating: 1, count: 6))
    }

    func testGemvMatchesNaive() {
        let a = randomMatrix(rows: 29, columns: 13, seed: 4)
        var rng = SeededRandom(seed: 5)
        for transpose in [false, true] {
            let x = rng.normalFloats(transpose ? 29 : 13)
            let y0 = rng.normalFloats(transpose ? 13 : 29)
            var fast = y0, naive = y0
            BLAS.gemv(a, x, into: &fast, transpose: transpose, alpha: 2, beta: 0.5)
            NaiveBLAS.gemv(a, x, into: &naive, transpose: transpose, alpha: 2, beta: 0.5)
            assertClose(fast, naive, rtol: 1e-4, atol: 1e-4, label: "gemv transpose=\(transpose)")
        }
    }

    func testLevelOneMatchNaive() {
        var rng = SeededRandom(seed: 6)
        let x = rng.normalFloats(1001), y = rng.normalFloats(1001)
        XCTAssertEqual(BLAS.dot(x, y), NaiveBLAS.dot(x, y), accuracy: 1e-3)
        var fy = y, ny = y
        BLAS.axpy(-0.25, x, &fy)
        NaiveBLAS.axpy(-0.25, x, &ny)
        assertClose(fy, ny, label: "axpy")
        var fx = x, nx = x
        BLAS.scal(3, &fx)
        NaiveBLAS.scal(3, &nx)
        assertClose(fx, nx, label: "scal")
        XCTAssertEqual(BLAS.dot([Float](), []), 0)
    }

    func testDoublePrecisionGemmIsExactOnIntegers() {
        let a = Matrix<Double>(rows: 5, columns: 7, values: (0 ..< 35).map { Double($0 % 11) - 5 })
        let b = Matrix<Double>(rows: 7, columns: 3, values: (0 ..< 21).map { Double($0 % 7) - 3 })
        var naive = Matrix<Double>(rows: 5, columns: 3)
        NaiveBLAS.gemm(a, b, into: &naive)
        XCTAssertEqual(BLAS.matmul(a, b), naive)
    }

    func testMatrixLayoutIsRowMajor() {
        let m = Matrix<Float>(rows: 2, columns: 3, values: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(m[1, 0], 4)
        XCTAssertEqual(m.row(1), [4, 5, 6])
        XCTAssertEqual(m.transposed().values, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(m.rows(1 ..< 2).values, [4, 5, 6])
    }
}
