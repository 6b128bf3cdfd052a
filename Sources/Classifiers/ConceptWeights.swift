import LinearAlgebra

/// The parameters of K linear models over B column blocks, one model per column: Ŵ = [W_1; …; W_B; w_Bᵀ] with
/// W_b (D_b, K) and the bias-feature weights w_B (K). This is the "vector" of the row-sharded solvers (TRON, CG,
/// FISTA): every operation acts on each concept's column separately, with its own scalar, so K independent
/// optimisations share the GEMMs over X while each keeps its own step sizes and stopping test.
///
///     dots(A, B)_k = Σ_b Σ_j A_b[j,k]·B_b[j,k] + a_B[k]·b_B[k]      (accumulated in Double)
///     A.add(B, scaledBy: s):   A[·,k] += s_k·B[·,k]
///
/// Replicated: every rank holds the whole Ŵ (D·K values), as in LIBLINEAR's MPI solvers.
public struct ConceptWeights<Scalar: BLASScalar>: Sendable, Equatable {
    /// W_b (D_b, K), one per column block.
    public var blocks: [Matrix<Scalar>]
    /// w_B (K): the weights of the constant bias feature.
    public var bias: [Scalar]

    /// Zeros with the given block dimensions and K concepts.
    public init(dimensions: [Int], concepts k: Int) {
        blocks = dimensions.map { Matrix(rows: $0, columns: k) }
        bias = [Scalar](repeating: 0, count: k)
    }

    public init(blocks: [Matrix<Scalar>], bias: [Scalar]) {
        self.blocks = blocks
        self.bias = bias
    }

    /// K.
    public var concepts: Int { bias.count }

    /// Per-concept inner products ⟨A_k, B_k⟩ in Double.
    public func dots(_ other: ConceptWeights) -> [Double] {
        let k = concepts
        var out = (0 ..< k).map { Double(bias[$0]) * Double(other.bias[$0]) }
        for (a, b) in zip(blocks, other.blocks) {
            a.values.withUnsafeBufferPointer { pa in
                b.values.withUnsafeBufferPointer { pb in
                    for j in 0 ..< a.rows {
                        for c in 0 ..< k { out[c] += Double(pa[j * k + c]) * Double(pb[j * k + c]) }
                    }
                }
            }
        }
        return out
    }

    /// ‖A_k‖² per concept.
    public func squaredNorms() -> [Double] { dots(self) }

    /// A[·,k] += s_k·B[·,k].
    public mutating func add(_ other: ConceptWeights, scaledBy s: [Double]) {
        let k = concepts
        let scale = s.map { Scalar($0) }
        for c in 0 ..< k { bias[c] += scale[c] * other.bias[c] }
        for b in blocks.indices {
            let rows = blocks[b].rows
            other.blocks[b].values.withUnsafeBufferPointer { pb in
                blocks[b].values.withUnsafeMutableBufferPointer { pa in
                    for j in 0 ..< rows { for c in 0 ..< k { pa[j * k + c] += scale[c] * pb[j * k + c] } }
                }
            }
        }
    }

    /// A[·,k] ← s_k·A[·,k].
    public mutating func scale(by s: [Double]) {
        let k = concepts
        let scale = s.map { Scalar($0) }
        for c in 0 ..< k { bias[c] *= scale[c] }
        for b in blocks.indices {
            let rows = blocks[b].rows
            blocks[b].values.withUnsafeMutableBufferPointer { pa in
                for j in 0 ..< rows { for c in 0 ..< k { pa[j * k + c] *= scale[c] } }
            }
        }
    }

    /// Copies column k of `other` into column k of self for every k with `mask[k]`.
    public mutating func copyColumns(from other: ConceptWeights, where mask: [Bool]) {
        let k = concepts
        for c in 0 ..< k where mask[c] { bias[c] = other.bias[c] }
        for b in blocks.indices {
            for j in 0 ..< blocks[b].rows { for c in 0 ..< k where mask[c] { blocks[b][j, c] = other.blocks[b][j, c] } }
        }
    }

    /// Concept k's weights as one vector [W_1[·,k]; …; W_B[·,k]] (D values) and its bias weight w_B[k].
    public func column(_ c: Int) -> (weights: [Scalar], bias: Scalar) {
        var w: [Scalar] = []
        w.reserveCapacity(blocks.reduce(0) { $0 + $1.rows })
        for m in blocks { for j in 0 ..< m.rows { w.append(m[j, c]) } }
        return (w, bias[c])
    }
}
