import Core
import Foundation
import LinearAlgebra

/// The smooth part of a linear classifier's objective for K concepts at once, with the rows of X sharded over
/// ranks: function values, gradients and Hessian-vector products whose sums over rows go through
/// `OrderedReduction`, so every statistic (and so the trained model) is bit-identical for any number of ranks.
///
/// With x̂_i = [x_i, B] (the LIBLINEAR `-B` bias feature), z_ik = ŵ_k·x̂_i, y_ik ∈ {−1, +1} and λ ∈ {0, 1}:
///
///     f_k(Ŵ)   = λ/2 ‖ŵ_k‖² + C Σ_i ℓ(y_ik, z_ik)
///     ∇f_k     = λ ŵ_k + C X̂ᵀ r_k,              r_ik = ∂ℓ/∂z (y_ik, z_ik)
///     ∇²f_k v  = λ v + C X̂ᵀ (D_k ⊙ X̂ v),        D_ik = ∂²ℓ/∂z² (generalised for the squared hinge)
///
/// | loss | ℓ(y, z) | r | D |
/// | --- | --- | --- | --- |
/// | squared hinge (LIBLINEAR `-s 2`) | max(0, 1 − yz)² | −2y·max(0, 1 − yz) | 2·[1 − yz > 0] |
/// | logistic (`-s 0`) | log(1 + e^{−yz}) | −y σ(−yz) | σ(z)(1 − σ(z)) |
///
/// Per owned row block the products are GEMMs over column blocks: Z = Σ_b X_b·W_b + B·1·w_Bᵀ (n, K),
/// G_b = X_bᵀ·R (D_b, K), g_B = B·1ᵀR. TRON uses λ = 1; the L1 solver uses λ = 0 and B = 1 (unpenalised offset).
///
/// **Shapes.** labels (N, K) global; D (n_b, K) per owned row block, kept from the last `evaluate`.
public struct RowShardedObjective<Scalar: BLASScalar> {
    public enum Loss: String, Sendable, CaseIterable {
        case squaredHinge = "squared-hinge", logistic
    }

    public let data: RowBlocks<Scalar>
    public let labels: LabelMatrix
    public let loss: Loss
    /// C.
    public let cost: Double
    /// B, the bias feature (0: no bias).
    public let biasFeature: Double
    /// λ, the weight of ½‖ŵ‖².
    public let ridge: Double
    public let communicator: any Communicator
    /// With one concept, GEMVs instead of GEMMs (faster: sgemm with one column packs X first). Off when the concept
    /// is one of a larger problem trained in groups, so that its bits match its column of the all-at-once GEMMs.
    public var singleConceptGEMV = true

    public init(data: RowBlocks<Scalar>, labels: LabelMatrix, loss: Loss, cost: Double, biasFeature: Double,
                ridge: Double, communicator: any Communicator) throws {
        guard labels.rows == data.rowCount else {
            throw ClassifierError.shapeMismatch(what: "RowShardedObjective: label rows per row of X",
                                                expected: data.rowCount, got: labels.rows)
        }
        self.data = data
        self.labels = labels
        self.loss = loss
        self.cost = cost
        self.biasFeature = biasFeature
        self.ridge = ridge
        self.communicator = communicator
    }

    /// K.
    public var concepts: Int { labels.columns }

    /// The curvature D of every owned row block at some Ŵ (input of `hessianProduct`).
    public typealias Curvature = [Int: Matrix<Scalar>]  // lookup only, never iterated

    /// Z = Σ_b X_b·W_b + B·1·w_Bᵀ for one row block.
    func scores(_ x: [Matrix<Scalar>], _ w: ConceptWeights<Scalar>) -> Matrix<Scalar> {
        let n = x.first?.rows ?? 0, k = concepts
        var z = Matrix<Scalar>(rows: n, columns: k)
        let bf = Scalar(biasFeature)
        for i in 0 ..< n { for c in 0 ..< k { z[i, c] = bf * w.bias[c] } }
        for (xb, wb) in zip(x, w.blocks) {
            if k == 1 && singleConceptGEMV {  // one concept: a GEMV (sgemm with one column packs X first, several times slower)
                BLAS.gemv(xb, wb.values, into: &z.values, alpha: 1, beta: 1)
            } else {
                BLAS.gemm(xb, wb, into: &z, alpha: 1, beta: 1)
            }
        }
        return z
    }

    /// X̂ᵀ·R for one row block, flattened as [G_1 … G_B, g_B] (the `ConceptWeights` layout).
    func transposedProduct(_ x: [Matrix<Scalar>], _ r: Matrix<Scalar>) -> [Scalar] {
        var out: [Scalar] = []
        for xb in x {
            var g = Matrix<Scalar>(rows: xb.columns, columns: r.columns)
            if r.columns == 1 && singleConceptGEMV {
                BLAS.gemv(xb, r.values, into: &g.values, transpose: true)
            } else {
                BLAS.gemm(xb, r, into: &g, transposeA: true)
            }
            out += g.values
        }
        let bf = Scalar(biasFeature)
        for c in 0 ..< r.columns {
            var s: Scalar = 0
            for i in 0 ..< r.rows { s += r[i, c] }
            out.append(bf * s)
        }
        return out
    }

    /// (f_k, ∇f_k) for every concept at Ŵ, and the curvature D there.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func evaluate(_ w: ConceptWeights<Scalar>) throws
        -> (values: [Double], gradient: ConceptWeights<Scalar>, curvature: Curvature) {
        let k = concepts, n = data.rowCount, reduction = data.reduction
        var lossParts: [Int: [Double]] = [:], gradientParts: [Int: [Scalar]] = [:], curvature: Curvature = [:]
        for b in data.ownedBlocks {
            let block = reduction.rows(ofBlock: b, totalRows: n)
            var part = [Double](repeating: 0, count: k), gradientPart: [Scalar] = []
            var d = Matrix<Scalar>(rows: block.count, columns: k)
            try data.forEachChunk(b) { rows, x in  // in row order: the partial's bits depend only on the block
                let z = scores(x, w)
                var r = Matrix<Scalar>(rows: z.rows, columns: k)
                for i in 0 ..< z.rows {
                    for c in 0 ..< k {
                        let y: Double = labels[rows.lowerBound + i, c] ? 1 : -1
                        let (l, g, h) = pointwise(y: y, z: Double(z[i, c]))
                        part[c] += l
                        r[i, c] = Scalar(g)
                        d[rows.lowerBound - block.lowerBound + i, c] = Scalar(h)
                    }
                }
                Self.accumulate(transposedProduct(x, r), into: &gradientPart)
            }
            lossParts[b] = part
            gradientParts[b] = gradientPart
            curvature[b] = d
        }
        let width = w.blocks.reduce(k) { $0 + $1.values.count }
        let (losses, sums): ([Double], [Scalar]) = try data.timed(\.reductionSeconds) {
            (try reduction.sum(totalRows: n, width: k, communicator: communicator) { rows in
                lossParts[rows.lowerBound / reduction.blockSize]!
            }, try reduction.sum(totalRows: n, width: width, communicator: communicator) { rows in
                gradientParts[rows.lowerBound / reduction.blockSize]!
            })
        }
        var gradient = ConceptWeights(flat: sums, like: w)
        gradient.scale(by: [Double](repeating: cost, count: k))
        if ridge != 0 { gradient.add(w, scaledBy: [Double](repeating: ridge, count: k)) }
        let norms = w.squaredNorms()
        let values = (0 ..< k).map { ridge / 2 * norms[$0] + cost * losses[$0] }
        return (values, gradient, curvature)
    }

    /// f_k for every concept at Ŵ, without the gradient (one GEMM per column block and row block).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func values(_ w: ConceptWeights<Scalar>) throws -> [Double] {
        let k = concepts, n = data.rowCount, reduction = data.reduction
        var parts: [Int: [Double]] = [:]
        for b in data.ownedBlocks {
            var part = [Double](repeating: 0, count: k)
            try data.forEachChunk(b) { rows, x in
                let z = scores(x, w)
                for i in 0 ..< z.rows {
                    for c in 0 ..< k {
                        part[c] += pointwise(y: labels[rows.lowerBound + i, c] ? 1 : -1, z: Double(z[i, c])).0
                    }
                }
            }
            parts[b] = part
        }
        let losses: [Double] = try data.timed(\.reductionSeconds) {
            try reduction.sum(totalRows: n, width: k, communicator: communicator) { rows in
                parts[rows.lowerBound / reduction.blockSize]!
            }
        }
        let norms = w.squaredNorms()
        return (0 ..< k).map { ridge / 2 * norms[$0] + cost * losses[$0] }
    }

    /// D ≡ δ on every owned row block: `hessianProduct` then gives λv + Cδ·X̂ᵀX̂v (power iterations).
    public func constantCurvature(_ delta: Scalar) -> Curvature {
        var out: Curvature = [:]
        for b in data.ownedBlocks {
            let rows = data.reduction.rows(ofBlock: b, totalRows: data.rowCount).count
            out[b] = Matrix(rows: rows, columns: concepts, repeating: delta)
        }
        return out
    }

    /// ∇²f_k v_k for every concept (D from `evaluate` at the current Ŵ).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func hessianProduct(_ v: ConceptWeights<Scalar>, curvature: Curvature) throws -> ConceptWeights<Scalar> {
        let k = concepts, n = data.rowCount, reduction = data.reduction
        var parts: [Int: [Scalar]] = [:]
        for b in data.ownedBlocks {
            let first = reduction.rows(ofBlock: b, totalRows: n).lowerBound
            let d = curvature[b]!
            var part: [Scalar] = []
            try data.forEachChunk(b) { rows, x in
                var u = scores(x, v)
                let offset = (rows.lowerBound - first) * k
                for i in u.values.indices { u.values[i] *= d.values[offset + i] }
                Self.accumulate(transposedProduct(x, u), into: &part)
            }
            parts[b] = part
        }
        let width = v.blocks.reduce(k) { $0 + $1.values.count }
        let sums: [Scalar] = try data.timed(\.reductionSeconds) {
            try reduction.sum(totalRows: n, width: width, communicator: communicator) { rows in
                parts[rows.lowerBound / reduction.blockSize]!
            }
        }
        var hv = ConceptWeights(flat: sums, like: v)
        hv.scale(by: [Double](repeating: cost, count: k))
        if ridge != 0 { hv.add(v, scaledBy: [Double](repeating: ridge, count: k)) }
        return hv
    }

    /// total ← total + chunk (total ← chunk for the first chunk of a block).
    static func accumulate(_ chunk: [Scalar], into total: inout [Scalar]) {
        if total.isEmpty { total = chunk; return }
        for i in total.indices { total[i] += chunk[i] }
    }

    /// (ℓ, ∂ℓ/∂z, ∂²ℓ/∂z²) at one (y, z).
    @inline(__always)
    func pointwise(y: Double, z: Double) -> (Double, Double, Double) {
        switch loss {
        case .squaredHinge:
            let m = 1 - y * z
            return m > 0 ? (m * m, -2 * y * m, 2) : (0, 0, 0)
        case .logistic:
            let u = -y * z
            let value = Swift.max(u, 0) + log1p(exp(-abs(u)))
            let s = 1 / (1 + exp(-z))  // σ(z)
            let r = y > 0 ? s - 1 : s  // −y σ(−yz)
            return (value, r, s * (1 - s))
        }
    }
}

extension ConceptWeights {
    /// Unflattens [W_1 … W_B, w_B] (row-major blocks then the K bias weights) with the shapes of `like`.
    init(flat: [Scalar], like: ConceptWeights) {
        var offset = 0
        let blocks = like.blocks.map { m -> Matrix<Scalar> in
            defer { offset += m.values.count }
            return Matrix(rows: m.rows, columns: m.columns, values: Array(flat[offset ..< offset + m.values.count]))
        }
        self.init(blocks: blocks, bias: Array(flat[offset ..< offset + like.concepts]))
    }
}
