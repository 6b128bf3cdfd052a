import Core
import LinearAlgebra

/// Product quantisation: each row cut into S sub-vectors, each replaced by the index of its nearest centroid in
/// its own k-means codebook, so a row of D floats (4·D bytes) is stored as S bytes.
///
/// Reference: Jégou, Douze & Schmid (2011), "Product quantization for nearest neighbor search", TPAMI 33(1);
/// Sánchez & Perronnin (2011), "High-dimensional signature compression for large-scale image classification",
/// CVPR (linear SVMs trained on PQ-compressed Fisher vectors, decoded on the fly).
///
/// Model: x ∈ ℝ^D, d_s = `subvectorDimension`, S = D / d_s sub-vectors x⁽ˢ⁾ = x[s·d_s ..< (s+1)·d_s]. Codebook
/// C_s holds K ≤ 256 centroids c_sk ∈ ℝ^{d_s}, fitted by k-means (`KMeans`, k-means++ seeding) on the training
/// rows' s-th sub-vectors only:
///
///     encode:  q_s(x) = argmin_k ‖x⁽ˢ⁾ − c_sk‖²        (UInt8)
///     decode:  x̂ = [c_{1 q_1(x)}, …, c_{S q_S(x)}]
///     error:   ‖x − x̂‖² = Σ_s ‖x⁽ˢ⁾ − c_{s q_s(x)}‖²
///
/// so the mean squared error of the decoded training rows is exactly the summed k-means objective
/// `distortion` = Σ_s inertia_s / n (the stated bound of the tests); rows unseen in training do about as well
/// when they come from the same distribution.
///
/// Shapes: X (n, D) row-major; `codebooks` (S·K, d_s), codebook s in rows s·K ..< (s+1)·K; codes (n, S) UInt8.
///
/// Numerical notes: K = min(`centroids`, n) (k-means needs at least K rows); a codebook's empty cluster keeps its
/// centre (`KMeans`). Everything is a pure function of (X, d_s, K, iterations, seed): every rank that fits on
/// the same rows gets the same bits, and so does the fit split over ranks (`ProductQuantizer+Fit.swift`).
///
/// ```swift
/// let pq = try ProductQuantizer.fit(train, subvectorDimension: 8)   // (n, D) → S = D/8 codebooks of 256
/// let codes = pq.encode(x)                                            // (m, S) bytes
/// let approx = pq.decode(codes, rows: x.rows)                         // (m, D)
/// ```
public struct ProductQuantizer: Sendable, Equatable {
    /// The most centroids a codebook may hold (codes are one byte).
    public static let maxCentroids = 256

    /// D, the row dimension.
    public let dimension: Int
    /// d_s, the sub-vector dimension (divides D).
    public let subvectorDimension: Int
    /// K, the centroids per codebook.
    public let centroids: Int
    /// The S codebooks stacked: (S·K, d_s).
    public let codebooks: Matrix<Float>
    /// Σ_s inertia_s / n: the mean squared error of the decoded training rows (0 when built from stored codebooks).
    public let distortion: Double

    /// S, the number of sub-vectors (bytes per encoded row).
    public var subvectors: Int { dimension / subvectorDimension }

    /// A quantizer from stored codebooks (S·K, d_s) for rows of `dimension`.
    public init(dimension: Int, codebooks: Matrix<Float>, distortion: Double = 0) throws {
        let d = codebooks.columns
        guard d > 0, dimension % d == 0, codebooks.rows % (dimension / d) == 0 else {
            throw EncodingError.invalidParameter(name: "codebooks", value: "(\(codebooks.rows), \(d))",
                                                 rule: "must be (S·K, d_s) with S = \(dimension) / d_s; re-run encode")
        }
        let k = codebooks.rows / (dimension / d)
        guard (1 ... Self.maxCentroids).contains(k) else {
            throw EncodingError.invalidParameter(name: "centroids", value: "\(k)", rule: "must be in 1...256 (one-byte codes)")
        }
        self.dimension = dimension
        self.subvectorDimension = d
        self.centroids = k
        self.codebooks = codebooks
        self.distortion = distortion
    }

    /// Fits one k-means codebook per sub-vector on the training rows `x` (n, D), on this process alone (the
    /// split over ranks is `fit(_:subvectorDimension:centroids:iterations:seed:communicator:)`, same bits).
    public static func fit(_ x: Matrix<Float>, subvectorDimension d: Int, centroids: Int = maxCentroids,
                           iterations: Int = 20, seed: UInt64 = 0) throws -> ProductQuantizer {
        try fit(x, subvectorDimension: d, centroids: centroids, iterations: iterations, seed: seed,
                communicator: SingleProcessCommunicator())
    }

    /// Codebook s as a (K, d_s) matrix.
    public func codebook(_ s: Int) -> Matrix<Float> { codebooks.rows((s * centroids) ..< ((s + 1) * centroids)) }

    /// The codes (n, S) of the rows of `x` (n, D): the nearest centroid of each sub-vector (`KMeans.assign`, a GEMM).
    public func encode(_ x: Matrix<Float>) -> [UInt8] {
        precondition(x.columns == dimension, "rows of \(x.columns) values for a quantizer of \(dimension)")
        let s = subvectors
        var codes = [UInt8](repeating: 0, count: x.rows * s)
        for sub in 0 ..< s {
            let labels = KMeans.assign(Self.columns(x, sub * subvectorDimension, subvectorDimension), centers: codebook(sub)).labels
            for (i, label) in labels.enumerated() { codes[i * s + sub] = UInt8(label) }
        }
        return codes
    }

    /// The rows (n, D) that codes (n, S) stand for.
    public func decode(_ codes: [UInt8], rows n: Int) -> Matrix<Float> {
        let s = subvectors, d = subvectorDimension
        precondition(codes.count == n * s, "\(codes.count) codes for \(n) rows of \(s) sub-vectors")
        var values = [Float](repeating: 0, count: n * dimension)
        codebooks.values.withUnsafeBufferPointer { book in
            for i in 0 ..< n {
                for sub in 0 ..< s {
                    let from = (sub * centroids + Int(codes[i * s + sub])) * d, to = i * dimension + sub * d
                    for j in 0 ..< d { values[to + j] = book[from + j] }
                }
            }
        }
        return Matrix(rows: n, columns: dimension, values: values)
    }

    /// Plain-loop twin of `encode` (tests): every distance ‖x⁽ˢ⁾ − c_sk‖² summed in Double, first minimum wins.
    func encodeNaive(_ x: Matrix<Float>) -> [UInt8] {
        let s = subvectors, d = subvectorDimension
        var codes = [UInt8](repeating: 0, count: x.rows * s)
        for i in 0 ..< x.rows {
            for sub in 0 ..< s {
                var best = 0, bestDistance = Double.infinity
                for k in 0 ..< centroids {
                    var distance = 0.0
                    for j in 0 ..< d {
                        let diff = Double(x[i, sub * d + j]) - Double(codebooks[sub * centroids + k, j])
                        distance += diff * diff
                    }
                    if distance < bestDistance { (best, bestDistance) = (k, distance) }
                }
                codes[i * s + sub] = UInt8(best)
            }
        }
        return codes
    }

    /// Columns `start ..< start + count` of `x` as an (n, count) matrix.
    static func columns(_ x: Matrix<Float>, _ start: Int, _ count: Int) -> Matrix<Float> {
        var values = [Float](repeating: 0, count: x.rows * count)
        for i in 0 ..< x.rows {
            for j in 0 ..< count { values[i * count + j] = x[i, start + j] }
        }
        return Matrix(rows: x.rows, columns: count, values: values)
    }
}
