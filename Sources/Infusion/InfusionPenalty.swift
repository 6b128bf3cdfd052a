import LinearAlgebra
import NeuralNets

/// The latent-similarity penalty of the paper's eq. 10, summed over a batch:
///
///     P = λ Σ_b ‖z_s,b − z_t,b‖²                       (squared Frobenius norm of the (B, M) difference)
///     ∂P/∂z_s = 2λ (z_s − z_t)        ∂P/∂z_t = −2λ (z_s − z_t)
///
/// **What z_t is.** The paper defines z_t as "the latent vector embedding of the target instance" (§ 3, Penalty
/// Function, after eq. 10); the only latent embedding of a target instance in its model is the context vector
/// c = ReLU(oᵀW) of eq. 5, the same c_t that queries the index and enters s = [c_t, z_s] (eq. 9). So z_t = c_t,
/// and the penalty pulls c_t and the fused source vector z_s together; both gradients are returned, and the
/// caller adds them into dc_t (directly for z_t, through `SourceAttention.backward` for z_s).
///
/// λ = 0 makes P and both gradients exactly 0 (the "infused, no penalty" row of the paper's Table 1).
///
/// Shapes: z_s (B, M), z_t (B, M).
public struct InfusionPenalty: Sendable {
    /// λ (paper: 1e-4).
    public let scale: Double

    public init(scale: Double) {
        precondition(scale >= 0 && scale.isFinite, "InfusionPenalty: λ = \(scale) must be finite and ≥ 0")
        self.scale = scale
    }

    /// P and the two gradients (dz_s, dz_t).
    public func evaluate<S: NeuralScalar>(fused zS: Matrix<S>, target zT: Matrix<S>)
        -> (penalty: S, dFused: Matrix<S>, dTarget: Matrix<S>)
    {
        precondition(zS.rows == zT.rows && zS.columns == zT.columns,
                     "InfusionPenalty: z_s is \(zS.rows)×\(zS.columns), z_t is \(zT.rows)×\(zT.columns)")
        let lambda = S(scale)
        var dFused = Matrix<S>(rows: zS.rows, columns: zS.columns)
        var dTarget = dFused
        guard scale > 0 else { return (0, dFused, dTarget) }
        var sum: S = 0
        for i in zS.values.indices {
            let d = zS.values[i] - zT.values[i]
            sum += d * d
            dFused.values[i] = 2 * lambda * d
            dTarget.values[i] = -2 * lambda * d
        }
        return (lambda * sum, dFused, dTarget)
    }
}
