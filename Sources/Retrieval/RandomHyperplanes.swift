import Core
import LinearAlgebra

/// Random-hyperplane hashing (sign random projections): the locality-sensitive family of the LSH Forest.
///
/// Reference: Charikar (2002), "Similarity estimation techniques from rounding algorithms"; Goemans &
/// Williamson (1995).
///
/// Model: tree t ∈ 0 ..< L owns K hyperplane normals w_{t,0} … w_{t,K−1} ~ N(0, I_D), drawn from
/// `SeededRandom(seed: seed + t)`. Bit j of the label of x in tree t is
///
///     h_{t,j}(x) = 1 if w_{t,j}·x > 0, else 0          P[h_{t,j}(q) = h_{t,j}(x)] = 1 − θ(q, x)/π
///
/// and the label g_t(x) = (h_{t,0}(x), …, h_{t,K−1}(x)) is stored in a `UInt64`, bit j at position 63 − j, so
/// that the numeric order of labels is the lexicographic order of bit strings and every prefix of length x is a
/// contiguous range of a sorted label array (`LSHForest`).
///
/// Shapes: `normals` (L·K, D) row-major, row t·K + j = w_{t,j}; labels of n points (n, L) row-major.
///
/// Computation: the projections of a block of rows for all trees are ONE GEMM, P = X·Wᵀ (n, L·K), in blocks of
/// `blockRows` rows so the scratch stays bounded (4096 × L·K floats).
///
/// Numerical notes: a GEMM's rounding depends on the BLAS kernel, which may differ with the block's shape (OpenBLAS
/// routes one-row products to gemv), so a projection within rounding of 0 could get different signs in a batch
/// build and an incremental add, or on different ranks. Any |p| ≤ `guardFactor`·D·ε·Σ_j|x_j||w_j| (bounded by
/// ‖x‖‖w‖) is therefore recomputed by a fixed-order Double dot; beyond that bound every correct float summation
/// has the sign of the exact product. Labels are thus a pure function of (x, W), bit-identical across ranks.
///
/// ```swift
/// let h = RandomHyperplanes(dimension: 50, trees: 32, bits: 24, seed: 7)
/// let labels = h.labels(x)          // (n, 32) UInt64, top 24 bits used
/// ```
public struct RandomHyperplanes: Sendable, Equatable {
    /// D, the input dimension.
    public let dimension: Int
    /// L, the number of trees (independent label functions).
    public let trees: Int
    /// K, the label length in bits (1 … 64).
    public let bits: Int
    /// The normals, (L·K, D) row-major.
    public let normals: Matrix<Float>
    /// ‖w_{t,j}‖ for each normal (L·K), for the rounding guard.
    let normalNorms: [Float]

    /// Rows hashed per GEMM.
    static let blockRows = 4096
    /// Safety factor of the rounding guard over the worst-case summation error D·ε.
    static let guardFactor: Float = 16

    /// Draws L·K normals from `SeededRandom(seed: seed + t)` for tree t, K·D standard normals per tree.
    public init(dimension: Int, trees: Int, bits: Int, seed: UInt64) throws {
        try Self.validate(dimension: dimension, trees: trees, bits: bits)
        var values: [Float] = []
        values.reserveCapacity(trees * bits * dimension)
        for t in 0 ..< trees {
            var rng = SeededRandom(seed: seed &+ UInt64(t))
            values += rng.normalFloats(bits * dimension)
        }
        try self.init(normals: Matrix(rows: trees * bits, columns: dimension, values: values), trees: trees, bits: bits)
    }

    /// Hyperplanes from stored normals ((L·K, D), e.g. read back from a file).
    public init(normals: Matrix<Float>, trees: Int, bits: Int) throws {
        try Self.validate(dimension: normals.columns, trees: trees, bits: bits)
        guard normals.rows == trees * bits else {
            throw RetrievalError.countMismatch(what: "hyperplane normals (rows = L·K)", expected: trees * bits,
                                               got: normals.rows)
        }
        self.dimension = normals.columns
        self.trees = trees
        self.bits = bits
        self.normals = normals
        self.normalNorms = SimilarityKernels.inverseNorms(normals.values, rows: normals.rows, dimension: dimension)
            .map { $0 > 0 ? 1 / $0 : 0 }
    }

    private static func validate(dimension: Int, trees: Int, bits: Int) throws {
        guard dimension >= 1 else {
            throw RetrievalError.invalidParameter(name: "dimension", value: "\(dimension)", rule: "must be ≥ 1")
        }
        guard trees >= 1 else {
            throw RetrievalError.invalidParameter(name: "trees", value: "\(trees)", rule: "must be ≥ 1")
        }
        guard (1 ... 64).contains(bits) else {
            throw RetrievalError.invalidParameter(name: "maxDepth", value: "\(bits)",
                                                  rule: "must be in 1…64 (labels are UInt64)")
        }
    }

    /// The labels of the rows of `x` (n, D): (n, L) row-major, label of row i in tree t at i·L + t.
    public func labels(_ x: Matrix<Float>) throws -> [UInt64] {
        guard x.columns == dimension else {
            throw RetrievalError.dimensionMismatch(what: "hashed vectors", expected: dimension, got: x.columns)
        }
        let n = x.rows
        var out = [UInt64](repeating: 0, count: n * trees)
        let width = trees * bits
        var start = 0
        while start < n {
            let block = x.rows(start ..< Swift.min(n, start + Self.blockRows))
            var projections = Matrix<Float>(rows: block.rows, columns: width)
            BLAS.gemm(block, normals, into: &projections, transposeB: true)
            pack(projections, block: block, into: &out, firstRow: start)
            start += block.rows
        }
        return out
    }

    /// Sign bits of a projection block → labels, with the rounding guard.
    private func pack(_ p: Matrix<Float>, block: Matrix<Float>, into out: inout [UInt64], firstRow: Int) {
        let d = dimension, width = trees * bits, kBits = bits, l = trees
        let tolerance = Self.guardFactor * Float(d) * Float.ulpOfOne
        p.values.withUnsafeBufferPointer { pp in
            block.values.withUnsafeBufferPointer { xp in
                normals.values.withUnsafeBufferPointer { wp in
                    normalNorms.withUnsafeBufferPointer { wn in
                        out.withUnsafeMutableBufferPointer { o in
                            for i in 0 ..< block.rows {
                                let x = xp.baseAddress! + i * d
                                let xNorm = 1 / Swift.max(SimilarityKernels.inverseNorm(x, d), .leastNormalMagnitude)
                                let row = pp.baseAddress! + i * width
                                for t in 0 ..< l {
                                    var label: UInt64 = 0  // built MSB-first, then aligned to bit 63
                                    for j in 0 ..< kBits {
                                        let c = t * kBits + j
                                        var v = row[c]
                                        if abs(v) <= tolerance * xNorm * wn[c] {
                                            v = Self.exactSign(x, wp.baseAddress! + c * d, d)
                                        }
                                        label = (label << 1) | (v > 0 ? 1 : 0)
                                    }
                                    label <<= UInt64(64 - kBits)
                                    o[(firstRow + i) * l + t] = label
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// 1 if Σ_j x_j w_j > 0 else 0, summed in Double in index order (the float products are exact in Double):
    /// the tie-breaker for projections within rounding of zero.
    private static func exactSign(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ d: Int) -> Float {
        var s = 0.0
        for j in 0 ..< d { s += Double(x[j]) * Double(w[j]) }
        return s > 0 ? 1 : 0
    }
}
