/// Level-1/2/3 BLAS on row-major `Matrix` values and plain arrays, through CBLAS (OpenBLAS).
///
/// Maths (op(X) is X or Xᵀ):
///
///     gemm:  C ← α·op(A)·op(B) + β·C        op(A): M×K, op(B): K×N, C: M×N
///     gemv:  y ← α·op(A)·x + β·y            A: M×N
///     dot:   x·y = Σ_i x_i y_i
///     axpy:  y ← α·x + y
///     scal:  x ← α·x
///
/// Each routine has a plain-loop twin in `NaiveBLAS` with the same signature; tests compare the two, and
/// `gemm` falls back to its twin for empty shapes, where CBLAS rejects the leading dimensions.
///
/// Shapes are checked with `precondition`: a shape mismatch here is a programming error in Tributary, not bad
/// user input (stages validate user data before it reaches BLAS).
public enum BLAS {
    /// C ← α·op(A)·op(B) + β·C.
    public static func gemm<S: BLASScalar>(
        _ a: Matrix<S>, _ b: Matrix<S>, into c: inout Matrix<S>,
        transposeA: Bool = false, transposeB: Bool = false, alpha: S = 1, beta: S = 0
    ) {
        let (m, k) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
        let (kb, n) = transposeB ? (b.columns, b.rows) : (b.rows, b.columns)
        precondition(k == kb, "gemm: op(A) is \(m)×\(k) but op(B) is \(kb)×\(n)")
        precondition(c.rows == m && c.columns == n, "gemm: C is \(c.rows)×\(c.columns), expected \(m)×\(n)")
        if m == 0 || n == 0 || k == 0 {
            NaiveBLAS.gemm(a, b, into: &c, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta)
            return
        }
        a.values.withUnsafeBufferPointer { pa in
            b.values.withUnsafeBufferPointer { pb in
                c.values.withUnsafeMutableBufferPointer { pc in
                    S.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                           a: pa.baseAddress!, lda: a.columns, b: pb.baseAddress!, ldb: b.columns,
                           beta: beta, c: pc.baseAddress!, ldc: n)
                }
            }
        }
    }

    /// op(A)·op(B) as a new matrix.
    public static func matmul<S: BLASScalar>(
        _ a: Matrix<S>, _ b: Matrix<S>, transposeA: Bool = false, transposeB: Bool = false
    ) -> Matrix<S> {
        var c = Matrix<S>(rows: transposeA ? a.columns : a.rows, columns: transposeB ? b.rows : b.columns)
        gemm(a, b, into: &c, transposeA: transposeA, transposeB: transposeB)
        return c
    }

    /// y ← α·op(A)·x + β·y.
    public static func gemv<S: BLASScalar>(
        _ a: Matrix<S>, _ x: [S], into y: inout [S], transpose: Bool = false, alpha: S = 1, beta: S = 0
    ) {
        let (rows, cols) = transpose ? (a.columns, a.rows) : (a.rows, a.columns)
        precondition(x.count == cols, "gemv: x has \(x.count) values, op(A) has \(cols) columns")
        precondition(y.count == rows, "gemv: y has \(y.count) values, op(A) has \(rows) rows")
        if a.rows == 0 || a.columns == 0 {
            NaiveBLAS.gemv(a, x, into: &y, transpose: transpose, alpha: alpha, beta: beta)
            return
        }
        a.values.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    S.gemv(transpose: transpose, m: a.rows, n: a.columns, alpha: alpha, a: pa.baseAddress!,
                           lda: a.columns, x: px.baseAddress!, beta: beta, y: py.baseAddress!)
                }
            }
        }
    }

    /// x·y.
    public static func dot<S: BLASScalar>(_ x: [S], _ y: [S]) -> S {
        precondition(x.count == y.count, "dot: lengths \(x.count) and \(y.count) differ")
        if x.isEmpty { return 0 }
        return x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in S.dot(n: x.count, x: px.baseAddress!, y: py.baseAddress!) }
        }
    }

    /// y ← α·x + y.
    public static func axpy<S: BLASScalar>(_ alpha: S, _ x: [S], _ y: inout [S]) {
        precondition(x.count == y.count, "axpy: lengths \(x.count) and \(y.count) differ")
        if x.isEmpty { return }
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in S.axpy(n: x.count, alpha: alpha, x: px.baseAddress!, y: py.baseAddress!) }
        }
    }

    /// x ← α·x.
    public static func scal<S: BLASScalar>(_ alpha: S, _ x: inout [S]) {
        if x.isEmpty { return }
        let n = x.count
        x.withUnsafeMutableBufferPointer { px in S.scal(n: n, alpha: alpha, x: px.baseAddress!) }
    }
}

/// Plain-loop twins of `BLAS`, used by tests and for shapes CBLAS cannot take. Same signatures, same maths,
/// accumulation in the order written (i, j, then p), so results differ from CBLAS only by rounding.
public enum NaiveBLAS {
    public static func gemm<S: BLASScalar>(
        _ a: Matrix<S>, _ b: Matrix<S>, into c: inout Matrix<S>,
        transposeA: Bool = false, transposeB: Bool = false, alpha: S = 1, beta: S = 0
    ) {
        let (m, k) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
        let n = transposeB ? b.rows : b.columns
        precondition(c.rows == m && c.columns == n, "gemm: C is \(c.rows)×\(c.columns), expected \(m)×\(n)")
        for i in 0 ..< m {
            for j in 0 ..< n {
                var sum: S = 0
                for p in 0 ..< k {
                    let aip = transposeA ? a[p, i] : a[i, p]
                    let bpj = transposeB ? b[j, p] : b[p, j]
                    sum += aip * bpj
                }
                c[i, j] = alpha * sum + (beta == 0 ? 0 : beta * c[i, j])
            }
        }
    }

    public static func gemv<S: BLASScalar>(
        _ a: Matrix<S>, _ x: [S], into y: inout [S], transpose: Bool = false, alpha: S = 1, beta: S = 0
    ) {
        let rows = transpose ? a.columns : a.rows
        let cols = transpose ? a.rows : a.columns
        for i in 0 ..< rows {
            var sum: S = 0
            for j in 0 ..< cols { sum += (transpose ? a[j, i] : a[i, j]) * x[j] }
            y[i] = alpha * sum + (beta == 0 ? 0 : beta * y[i])
        }
    }

    public static func dot<S: BLASScalar>(_ x: [S], _ y: [S]) -> S {
        var sum: S = 0
        for i in x.indices { sum += x[i] * y[i] }
        return sum
    }

    public static func axpy<S: BLASScalar>(_ alpha: S, _ x: [S], _ y: inout [S]) {
        for i in x.indices { y[i] += alpha * x[i] }
    }

    public static func scal<S: BLASScalar>(_ alpha: S, _ x: inout [S]) {
        for i in x.indices { x[i] *= alpha }
    }
}
