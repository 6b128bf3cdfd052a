import LinearAlgebra
import NeuralNets

/// The multi-label FFN baseline (Table 2's "LSTM + FFN" on a multi-label dataset) and the baselines' scores.
///
///     z = MLP(e) (B, C)      ℓ = Σ_b Σ_c BCE(σ(z_bc), y_bc),  y_bc = [class c ∈ Y_b]     one sigmoid per fine label
///     ∂ℓ/∂z_bc = σ(z_bc) − y_bc
///
/// It uses the `.softmax(classCount:)` network (F → M → C) with independent sigmoids instead of the softmax.
/// `scores` gives what a prediction set is thresholded on (`MultiLabelF1.selecting`): σ(z) per column for the
/// sigmoid models (multi-label FFN, Label Set), the softmax for the single-label FFN.
extension BaselineClassifier {
    /// Σ_b Σ_c BCE for class-index sets `labelSets` (B); returns the loss and dFeatures; gradients accumulated.
    @_specialize(where S == Float)
    public func multiLabelLoss<S: NeuralScalar>(
        _ features: Matrix<S>, labelSets: [[Int]], parameters: inout Parameters<S>
    ) -> (loss: S, dFeatures: Matrix<S>) {
        guard case .softmax = objective else { preconditionFailure("BaselineClassifier: multiLabelLoss needs the .softmax network") }
        precondition(labelSets.count == features.rows, "BaselineClassifier.multiLabelLoss: \(labelSets.count) label sets for \(features.rows) rows")
        return withHead(features, parameters: &parameters) { z in
            var loss: S = 0
            var dZ = Matrix<S>(rows: z.rows, columns: z.columns)
            for b in 0 ..< z.rows {
                let positive = Set(labelSets[b])
                for c in 0 ..< z.columns {
                    let v = z[b, c], target: S = positive.contains(c) ? 1 : 0
                    loss += max(v, 0) + S.log(1 + S.exp(-abs(v))) - target * v
                    dZ[b, c] = sigmoid(v) - target
                }
            }
            return (loss, dZ)
        }
    }

    /// Scores (B, columns): σ(z) when `sigmoid`, else the softmax of each row.
    public func scores<S: NeuralScalar>(_ features: Matrix<S>, parameters: [S], sigmoid useSigmoid: Bool) -> Matrix<S> {
        var z = logits(features, parameters: parameters)
        for b in 0 ..< z.rows {
            if useSigmoid {
                for c in 0 ..< z.columns { z[b, c] = sigmoid(z[b, c]) }
            } else {
                var m = z[b, 0]
                for c in 0 ..< z.columns where z[b, c] > m { m = z[b, c] }
                var total: S = 0
                for c in 0 ..< z.columns { z[b, c] = S.exp(z[b, c] - m); total += z[b, c] }
                for c in 0 ..< z.columns { z[b, c] /= total }
            }
        }
        return z
    }
}
