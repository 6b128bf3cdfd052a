import Core
import LinearAlgebra

/// Fitting a `ProductQuantizer`'s S codebooks split over ranks, cut from X a batch of sub-vectors at a time.
///
/// The S k-means problems are independent: codebook s is `KMeans.fit` of X⁽ˢ⁾ = X[:, s·d_s ..< (s+1)·d_s], an
/// (n, d_s) matrix, with K centroids, I iterations and seed `seed + s`, a pure function of those n·d_s values.
/// Rank r of P therefore fits only the contiguous share `shard(count: S, rank: r, size: P)`, and the codebooks
/// (each K·d_s floats) and inertias are all-gathered in rank order, which is sub-vector order:
///
///     C = [C_0; C_1; …; C_{S−1}]   (S·K, d_s)        distortion = (Σ_{s=0}^{S−1} inertia_s) / n   (summed in s order)
///
/// so the quantizer is bit-identical for any P, and to the serial loop (`fitNaive`, the tests' twin).
///
/// **Cost.** Per codebook, k-means++ seeding (K·n·d_s) and at most I Lloyd iterations, each one GEMM
/// X⁽ˢ⁾·C_sᵀ of (n, d_s)·(d_s, K) plus an argmin over (n, K) (`KMeans.assign`); at the paper's size (S = 65,536
/// over six blocks, n = 300, K = 256, d_s = 8, I = 20) each rank does 1/P of it: 112 s on 2 ranks for Flowers102,
/// where the replicated fit was projected at ~30 min (docs/results.md). The sub-vectors are cut from X
/// `batchSubvectors` codebooks at a time, in one pass over the rows (each row's batch·d_s values are contiguous),
/// instead of one strided pass over all n rows per codebook (one cache line and one TLB entry per row and codebook).
///
/// Shapes: X (n, D) row-major, the same rows in the same order on every rank (the caller all-gathers them);
/// `Share.codebooks` (count·K, d_s) row-major, `Share.inertias` (count).
///
/// ```swift
/// let pq = try ProductQuantizer.fit(sample, subvectorDimension: 8, seed: 7, communicator: comm)   // every rank: all S codebooks
/// ```
extension ProductQuantizer {
    /// Codebooks whose sub-vectors are copied out of X in one pass.
    static let batchSubvectors = 64

    /// The codebooks of a contiguous range of sub-vectors, and each one's k-means inertia Σ_i min_k ‖x_i⁽ˢ⁾ − c_sk‖².
    struct Share: Sendable, Equatable {
        /// (count·K, d_s), codebook after codebook.
        var codebooks: [Float]
        /// inertia_s of each codebook, in order.
        var inertias: [Double]
    }

    /// Fits one k-means codebook per sub-vector on the training rows `x` (n, D), the S codebooks split over the
    /// ranks of `communicator` (a collective: every rank calls it with the same `x`).
    public static func fit(_ x: Matrix<Float>, subvectorDimension d: Int, centroids: Int = maxCentroids,
                           iterations: Int = 20, seed: UInt64 = 0, communicator comm: any Communicator) throws -> ProductQuantizer {
        try validate(x, subvectorDimension: d, centroids: centroids)
        let k = Swift.min(centroids, x.rows), s = x.columns / d
        let mine = try fitShare(x, subvectorDimension: d, centroids: k, iterations: iterations, seed: seed,
                                subvectors: shard(count: s, rank: comm.rank, size: comm.size))
        let books = try comm.allGather(mine.codebooks).flatMap { $0 }  // Distributed: rank order = sub-vector order
        let inertias = try comm.allGather(mine.inertias).flatMap { $0 }
        return try ProductQuantizer(dimension: x.columns, codebooks: Matrix(rows: s * k, columns: d, values: books),
                                    distortion: inertias.reduce(0, +) / Double(x.rows))
    }

    /// The codebooks of sub-vectors `subvectors` (K = `centroids` ≤ n), batch by batch.
    static func fitShare(_ x: Matrix<Float>, subvectorDimension d: Int, centroids k: Int, iterations: Int, seed: UInt64,
                         subvectors: Range<Int>) throws -> Share {
        var share = Share(codebooks: [], inertias: [])
        share.codebooks.reserveCapacity(subvectors.count * k * d)
        share.inertias.reserveCapacity(subvectors.count)
        for start in stride(from: subvectors.lowerBound, to: subvectors.upperBound, by: batchSubvectors) {
            let batch = start ..< Swift.min(start + batchSubvectors, subvectors.upperBound)
            for (offset, sub) in cut(x, subvectors: batch, subvectorDimension: d).enumerated() {
                let means = try KMeans.fit(sub, clusters: k, iterations: iterations, seed: seed &+ UInt64(batch.lowerBound + offset))
                share.codebooks += means.centers.values
                share.inertias.append(means.inertia)
            }
        }
        return share
    }

    /// X⁽ˢ⁾ (n, d_s) for each s in `subvectors`, in one pass over the rows of x.
    static func cut(_ x: Matrix<Float>, subvectors: Range<Int>, subvectorDimension d: Int) -> [Matrix<Float>] {
        let n = x.rows, width = subvectors.count * d, first = subvectors.lowerBound * d
        var parts = [[Float]](repeating: [Float](repeating: 0, count: n * d), count: subvectors.count)
        x.values.withUnsafeBufferPointer { px in
            for i in 0 ..< n {
                let row = i * x.columns + first
                for j in 0 ..< width { parts[j / d][i * d + j % d] = px[row + j] }
            }
        }
        return parts.map { Matrix(rows: n, columns: d, values: $0) }
    }

    /// The fit's argument checks, the same on every rank (thrown before any collective).
    static func validate(_ x: Matrix<Float>, subvectorDimension d: Int, centroids: Int) throws {
        guard d >= 1, x.columns % d == 0 else {
            throw EncodingError.invalidParameter(name: "pq_subvector_dims", value: "\(d)",
                                                 rule: "must divide the row dimension \(x.columns) (try a power of 2 ≤ 16)")
        }
        guard (1 ... maxCentroids).contains(centroids) else {
            throw EncodingError.invalidParameter(name: "centroids", value: "\(centroids)", rule: "must be in 1...256 (one-byte codes)")
        }
        guard x.rows >= 1 else { throw EncodingError.tooFewRows(what: "product quantizer", rows: 0, needed: 1) }
    }

    /// Plain-loop twin of `fit` (tests): one strided column copy and one k-means per sub-vector, in order, on one process.
    static func fitNaive(_ x: Matrix<Float>, subvectorDimension d: Int, centroids: Int = maxCentroids,
                         iterations: Int = 20, seed: UInt64 = 0) throws -> ProductQuantizer {
        try validate(x, subvectorDimension: d, centroids: centroids)
        let k = Swift.min(centroids, x.rows), s = x.columns / d
        var stacked = [Float](), inertia = 0.0
        for sub in 0 ..< s {
            let means = try KMeans.fit(columns(x, sub * d, d), clusters: k, iterations: iterations, seed: seed &+ UInt64(sub))
            stacked += means.centers.values
            inertia += means.inertia
        }
        return try ProductQuantizer(dimension: x.columns, codebooks: Matrix(rows: s * k, columns: d, values: stacked),
                                    distortion: inertia / Double(x.rows))
    }
}
