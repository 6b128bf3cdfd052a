import LinearAlgebra

/// Softmax cross-entropy over the rows of a logit matrix, optionally with per-sample weights.
///
///     p_n = softmax(z_n)                 log p_{n,c} = z_{n,c} − m_n − log Σ_k e^(z_{n,k} − m_n),  m_n = max_k z_{n,k}
///     ℓ   = s · Σ_n w_n · (−log p_{n,y_n})           s = 1 (`.sum`) or 1/N (`.mean`),  w_n = 1 when unweighted
///     ∂ℓ/∂z_{n,c} = s · w_n · (p_{n,c} − [c = y_n])
///
/// Numerical notes: the log-sum-exp subtracts the row maximum m_n, so e^(·) ≤ 1 and never overflows, and
/// −log p is computed from the log-sum-exp rather than as log of a probability that may underflow to 0.
///
/// `.mean` divides by N (the number of rows), also when weighted: with weights 0 for padded decoder steps the
/// loss is the sum over real steps / N. Data-parallel training uses `.sum` and divides the all-reduced gradient
/// by the global sample count.
///
/// Shapes: Z (N, C), targets (N) in 0 ..< C, weights (N).
public enum SoftmaxCrossEntropy {
    public enum Reduction: Sendable {
        case sum, mean
    }

    /// What backward needs: the probabilities and the per-row gradient scale s·w_n.
    public struct Cache<S: NeuralScalar>: Sendable {
        let probabilities: Matrix<S>
        let targets: [Int]
        let rowScale: [S]
    }

    /// The loss ℓ and the softmax probabilities (kept in the cache).
    @_specialize(where S == Float)
    public static func forward<S: NeuralScalar>(
        _ logits: Matrix<S>, targets: [Int], weights: [S]? = nil, reduction: Reduction = .mean
    ) -> (S, Cache<S>) {
        let (n, c) = (logits.rows, logits.columns)
        precondition(targets.count == n, "SoftmaxCrossEntropy: \(targets.count) targets for \(n) rows")
        precondition(targets.allSatisfy { $0 >= 0 && $0 < c }, "SoftmaxCrossEntropy: targets must be in 0..<\(c) (C)")
        if let w = weights { precondition(w.count == n, "SoftmaxCrossEntropy: \(w.count) weights for \(n) rows") }
        let s: S = reduction == .mean && n > 0 ? 1 / S(n) : 1
        let rowScale = (0 ..< n).map { s * (weights?[$0] ?? 1) }
        var probabilities = logits
        var loss: S = 0
        probabilities.values.withUnsafeMutableBufferPointer { pp in
            for r in 0 ..< n {
                let row = pp.baseAddress! + r * c
                var m = row[0]
                for k in 1 ..< c where row[k] > m { m = row[k] }
                let zy = row[targets[r]] - m
                var total: S = 0
                for k in 0 ..< c {
                    row[k] = S.exp(row[k] - m)
                    total += row[k]
                }
                let logTotal = S.log(total)
                loss += rowScale[r] * (logTotal - zy)  // −log p_y = log Σ e^(z − m) − (z_y − m)
                let inv = 1 / total
                for k in 0 ..< c { row[k] *= inv }
            }
        }
        return (loss, Cache(probabilities: probabilities, targets: targets, rowScale: rowScale))
    }

    /// dZ = dℓ · s · w_n · (p_n − onehot(y_n)), (N, C).
    @_specialize(where S == Float)
    public static func backward<S: NeuralScalar>(_ dLoss: S = 1, _ cache: Cache<S>) -> Matrix<S> {
        var dZ = cache.probabilities
        let c = dZ.columns
        dZ.values.withUnsafeMutableBufferPointer { pd in
            for r in 0 ..< dZ.rows {
                let row = pd.baseAddress! + r * c, scale = dLoss * cache.rowScale[r]
                row[cache.targets[r]] -= 1
                for k in 0 ..< c { row[k] *= scale }
            }
        }
        return dZ
    }
}
