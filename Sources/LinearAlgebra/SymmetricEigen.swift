/// Eigendecomposition of a real symmetric matrix through LAPACK's divide-and-conquer driver (`ssyevd`/`dsyevd`).
///
///     A = V·diag(λ)·Vᵀ,   VᵀV = I,   λ_0 ≥ λ_1 ≥ … ≥ λ_{n−1}
///
/// Only the upper triangle of `A` is read. Results are sorted by **decreasing** eigenvalue (the order PCA wants),
/// and the eigenvectors are returned as the *rows* of `vectors`, so `vectors.rows(0 ..< d)` is directly the d×n
/// projection of a PCA. Each eigenvector's sign is fixed so that its largest-magnitude component is positive,
/// making the result reproducible across LAPACK builds.
public struct SymmetricEigen<Scalar: BLASScalar>: Sendable {
    /// λ, n values in decreasing order.
    public let values: [Scalar]
    /// V as rows: row k is the unit eigenvector of `values[k]` (n×n).
    public let vectors: Matrix<Scalar>

    /// Decomposes the symmetric n×n matrix `a`.
    /// - Throws: `LinearAlgebraError.notSquare`, `.nonFinite`, or `.lapack` when LAPACK fails to converge.
    public init(_ a: Matrix<Scalar>) throws {
        guard a.rows == a.columns else { throw LinearAlgebraError.notSquare(rows: a.rows, columns: a.columns) }
        guard a.values.allSatisfy({ $0.isFinite }) else { throw LinearAlgebraError.nonFinite(what: "eigendecomposition input") }
        let n = a.rows
        var work = a.values
        var ascending = [Scalar](repeating: 0, count: n)
        if n > 0 {
            let info = work.withUnsafeMutableBufferPointer { pa in
                ascending.withUnsafeMutableBufferPointer { pw in Scalar.syevd(n: n, a: pa.baseAddress!, w: pw.baseAddress!) }
            }
            guard info == 0 else { throw LinearAlgebraError.lapack(routine: "syevd", info: Int(info)) }
        }
        // LAPACK returns eigenvectors as columns of `work`, eigenvalues ascending: reverse into rows.
        var rowsOut = Matrix<Scalar>(rows: n, columns: n)
        for k in 0 ..< n {
            let column = n - 1 - k
            var largest: Scalar = 0
            for i in 0 ..< n where abs(work[i * n + column]) > abs(largest) { largest = work[i * n + column] }
            let sign: Scalar = largest < 0 ? -1 : 1
            for i in 0 ..< n { rowsOut[k, i] = sign * work[i * n + column] }
        }
        values = ascending.reversed()
        vectors = rowsOut
    }
}

/// Errors from LinearAlgebra routines given bad input.
public enum LinearAlgebraError: Error, CustomStringConvertible, Equatable {
    case notSquare(rows: Int, columns: Int)
    case nonFinite(what: String)
    case lapack(routine: String, info: Int)

    public var description: String {
        switch self {
        case let .notSquare(rows, columns):
            return "expected a square matrix, got \(rows)×\(columns)"
        case let .nonFinite(what):
            return "\(what) contains NaN or infinity; check the input features for NaN/Inf values"
        case let .lapack(routine, info):
            return "LAPACK \(routine) failed (info = \(info)): the matrix is ill-conditioned or did not converge"
        }
    }
}
