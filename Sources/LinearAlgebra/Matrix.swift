/// A dense row-major matrix: the one storage convention of Tributary.
///
/// **Storage rule.** Element (i, j) of an R×C matrix lives at `values[i * columns + j]`. Samples are rows (N×D),
/// images are H×W×C row-major. This is C order, as CBLAS (`CblasRowMajor`) and HDF5 use, and deliberately differs
/// from VLFeat's column-major convention; every buffer in Tributary follows it, so data moves between BLAS, HDF5
/// and MPI without transposes or copies.
///
/// **Shape letters** used in doc comments across modules: N samples, D dimension, K components/clusters,
/// B batch, T time, H hidden, V vocabulary, L bits/trees.
///
/// `Scalar` is `Float` for everything that runs at scale; `Double` exists for gradient checks and for
/// accumulating statistics.
///
/// ```swift
/// var x = Matrix<Float>(rows: 2, columns: 3, values: [1, 2, 3, 4, 5, 6])
/// x[1, 2]        // 6
/// x.row(0)       // [1, 2, 3]
/// ```
public struct Matrix<Scalar: BLASScalar>: Sendable, Equatable {
    /// R, the number of rows.
    public private(set) var rows: Int
    /// C, the number of columns.
    public private(set) var columns: Int
    /// R·C values in row-major order.
    public var values: [Scalar]

    /// An R×C matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Scalar = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.values = [Scalar](repeating: value, count: rows * columns)
    }

    /// An R×C matrix over existing row-major values (`values.count == rows * columns`).
    public init(rows: Int, columns: Int, values: [Scalar]) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)×\(columns)")
        precondition(values.count == rows * columns,
                     "Matrix: \(values.count) values for a \(rows)×\(columns) matrix (need \(rows * columns))")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A matrix whose rows are `rowArrays` (all of the same length).
    public init(rowArrays: [[Scalar]]) {
        let columns = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == columns }, "Matrix: rows of different lengths")
        self.init(rows: rowArrays.count, columns: columns, values: rowArrays.flatMap { $0 })
    }

    /// The n×n identity.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0 ..< n { m[i, i] = 1 }
        return m
    }

    // Inlinable so that callers in other modules get a specialised, inlined element access (a plain call would
    // go through the generic Scalar's metadata on every element).
    @inlinable
    public subscript(row: Int, column: Int) -> Scalar {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// Row i as a new array (C values).
    public func row(_ i: Int) -> [Scalar] {
        Array(values[(i * columns) ..< ((i + 1) * columns)])
    }

    /// Rows `range` as a new (range.count)×C matrix.
    public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, columns: columns,
               values: Array(values[(range.lowerBound * columns) ..< (range.upperBound * columns)]))
    }

    /// Cᵀ: a C×R matrix.
    public func transposed() -> Matrix {
        var t = Matrix(rows: columns, columns: rows)
        for i in 0 ..< rows {
            for j in 0 ..< columns { t.values[j * rows + i] = values[i * columns + j] }
        }
        return t
    }

    /// Reinterprets the same row-major values with another shape of equal element count.
    public func reshaped(rows: Int, columns: Int) -> Matrix {
        Matrix(rows: rows, columns: columns, values: values)
    }
}
