import LinearAlgebra
import NeuralNets

/// Block softmax (Label-graph dataset joining, section 3.2.4): a softmax computed separately inside each block
/// of competing nodes, so nodes of different blocks do not compete:
///
///     p_u = e^{z_u} / Σ_{w ∈ S_u} e^{z_w}        S_u = the block (competing group) that holds u
///     p_u = 0                                     for a column u in no block (masked: not a valid next node)
///
///     ∂L/∂z_w = p_w · (∂L/∂p_w − Σ_{u ∈ S_w} p_u ∂L/∂p_u)                  (`backward`, per block)
///     −log p_y:  ∂/∂z_w = p_w − [w = y]  for w ∈ S_y,  0 elsewhere          (`negativeLogLikelihood`)
///
/// Each block's probabilities sum to 1; a row with k blocks sums to k. Changing the logits of one block
/// leaves every other block's probabilities unchanged — the two softmax classifiers of the Pet example.
///
/// Numerical notes: each block subtracts its own maximum before e^(·), and −log p_y is computed as the
/// block's log-sum-exp minus z_y, never as the log of a probability that may have underflowed to 0.
///
/// Shapes: Z, P (N, C); `blocks[n]` lists row n's blocks as disjoint column indices in 0 ..< C.
public enum BlockSoftmax {
    /// One row's blocks.
    public typealias Blocks = [[Int]]

    /// P (N, C).
    @_specialize(where S == Float)
    public static func forward<S: NeuralScalar>(_ z: Matrix<S>, blocks: [Blocks]) -> Matrix<S> {
        precondition(blocks.count == z.rows, "BlockSoftmax: \(blocks.count) block lists for \(z.rows) rows")
        var p = Matrix<S>(rows: z.rows, columns: z.columns)
        for n in 0 ..< z.rows {
            for block in blocks[n] where !block.isEmpty {
                let (_, logSum) = logSumExp(z, row: n, block)
                for u in block { p[n, u] = S.exp(z[n, u] - logSum) }
            }
        }
        return p
    }

    /// dZ (N, C) from dP (N, C) and the forward's P.
    @_specialize(where S == Float)
    public static func backward<S: NeuralScalar>(_ dP: Matrix<S>, probabilities p: Matrix<S>, blocks: [Blocks]) -> Matrix<S> {
        precondition(dP.rows == p.rows && dP.columns == p.columns && blocks.count == p.rows, "BlockSoftmax.backward: shapes differ")
        var dZ = Matrix<S>(rows: p.rows, columns: p.columns)
        for n in 0 ..< p.rows {
            for block in blocks[n] {
                var inner: S = 0
                for u in block { inner += p[n, u] * dP[n, u] }
                for w in block { dZ[n, w] = p[n, w] * (dP[n, w] - inner) }
            }
        }
        return dZ
    }

    /// ℓ = Σ_n w_n · (−log p_{n, y_n}) and dZ = ∂ℓ/∂Z; rows with w_n = 0 are skipped (loss and gradient 0).
    /// Precondition: y_n lies in a block of row n.
    @_specialize(where S == Float)
    public static func negativeLogLikelihood<S: NeuralScalar>(
        _ z: Matrix<S>, blocks: [Blocks], targets: [Int], weights: [S]
    ) -> (loss: S, dZ: Matrix<S>) {
        precondition(blocks.count == z.rows && targets.count == z.rows && weights.count == z.rows,
                     "BlockSoftmax.negativeLogLikelihood: \(z.rows) rows, \(blocks.count) blocks, \(targets.count) targets")
        var loss: S = 0
        var dZ = Matrix<S>(rows: z.rows, columns: z.columns)
        for n in 0 ..< z.rows where weights[n] != 0 {
            let y = targets[n]
            guard let block = blocks[n].first(where: { $0.contains(y) }) else {
                preconditionFailure("BlockSoftmax: target \(y) of row \(n) is in none of its blocks \(blocks[n])")
            }
            let (_, logSum) = logSumExp(z, row: n, block)
            loss += weights[n] * (logSum - z[n, y])
            for w in block { dZ[n, w] = weights[n] * S.exp(z[n, w] - logSum) }
            dZ[n, y] -= weights[n]
        }
        return (loss, dZ)
    }

    /// log p_{n,u} for a column u in a block of row n (−∞ never occurs: the block's max is subtracted).
    public static func logProbability<S: NeuralScalar>(_ z: Matrix<S>, row n: Int, column u: Int, blocks: Blocks) -> S {
        guard let block = blocks.first(where: { $0.contains(u) }) else { return -S.greatestFiniteMagnitude }
        return z[n, u] - logSumExp(z, row: n, block).logSum
    }

    /// (max, log Σ_{u ∈ block} e^{z_u}) with the max subtracted inside.
    @inline(__always)
    static func logSumExp<S: NeuralScalar>(_ z: Matrix<S>, row n: Int, _ block: [Int]) -> (max: S, logSum: S) {
        var m = z[n, block[0]]
        for u in block where z[n, u] > m { m = z[n, u] }
        var total: S = 0
        for u in block { total += S.exp(z[n, u] - m) }
        return (m, m + S.log(total))
    }
}
