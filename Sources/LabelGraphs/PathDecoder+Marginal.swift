import Foundation
import LinearAlgebra
import NeuralNets

/// The marginal-likelihood objective for nondeterministic ground truth (`PathTrainingOptions.nondeterministic
/// = .marginalLikelihood`), an alternative to REINFORCE (section 3.2.6) when a label's paths can be enumerated:
///
///     L = α/k · Σ_{i=1}^{k} −log Σ_{P ∈ 𝒫_i} p(P)          k labels of the sample, 𝒫_i the paths of label i
///     ∂L/∂θ = α/k · Σ_i Σ_{P ∈ 𝒫_i} w_P · ∂(−log p(P))/∂θ,   w_P = p(P) / Σ_{P′ ∈ 𝒫_i} p(P′)   (posterior over paths)
///
/// p(P) is the teacher-forced block-softmax likelihood (`pathLikelihood`, ⟨eop⟩ included). The weights w_P are
/// computed in a forward pass and held constant, so `pathLikelihood` with weights α/k · w_P gives exactly ∂L/∂θ.
/// A deterministic label (one path) reduces to teacher forcing (eq. 2); a coarse label's 𝒫 are its paths
/// through ℓ, so −log Σ p(P) = −log p(prefix to ℓ) when every path below ℓ ends at a fine label.
///
/// Why: REINFORCE with r = |P̂ ∩ S|/|S| ascends E[r], the probability MASS on a sample's labels. For a
/// multi-label sample any mass split among its labels is optimal, so the policy settles on its easiest label
/// and multi-path decoding then finds one label per sample. Σ_i log p(ℓ_i) — the mean-pooled teacher-forcing
/// objective of eq. 2 — rewards every label. 𝒫_i: `GroundTruth.alternatives` assigns a path to the labels
/// whose required nodes it holds (all paths for a single-label sample). N_p, pooling and r_tf do not apply.
extension PathDecoder {
    @_specialize(where S == Float)
    func marginalLoss<S: NeuralScalar>(_ batch: PathBatch<S>, options: PathTrainingOptions,
                                       parameters: inout Parameters<S>) -> PathLoss<S> {
        let values = parameters.values
        let (h0, encoderCache) = encode(batch.features, parameters: values)
        var candidates: [(target: PathTarget, group: Int)] = []
        var groups = 0
        var groupScale: [Double] = []
        for (b, truth) in batch.truths.enumerated() {
            let labelGroups = truth.alternatives.isEmpty
                ? [truth.paths] : truth.alternatives.map { required in truth.paths.filter { path in required.allSatisfy(path.contains) } }
            let nonEmpty = labelGroups.filter { !$0.isEmpty }
            for paths in nonEmpty {
                for path in paths { candidates.append((PathTarget(sample: b, path: path, weight: 1), groups)) }
                groupScale.append(options.alpha / Double(nonEmpty.count))
                groups += 1
            }
        }
        let logP = pathLogProbabilities(h0: h0, targets: candidates.map(\.target), parameters: values)
        var maxLog = [Double](repeating: -.infinity, count: groups), total = [Double](repeating: 0, count: groups)
        for (i, c) in candidates.enumerated() { maxLog[c.group] = max(maxLog[c.group], logP[i]) }
        for (i, c) in candidates.enumerated() { total[c.group] += exp(logP[i] - maxLog[c.group]) }
        var targets: [PathTarget] = []
        var marginal = 0.0
        for g in 0 ..< groups { marginal -= groupScale[g] * (maxLog[g] + log(total[g])) }
        for (i, c) in candidates.enumerated() {
            var t = c.target
            t.weight = groupScale[c.group] * exp(logP[i] - maxLog[c.group]) / total[c.group]
            targets.append(t)
        }
        var dH0 = Matrix<S>(rows: h0.rows, columns: h0.columns)
        _ = pathLikelihood(h0: h0, targets: targets, freeRunning: false, parameters: values, grads: &parameters.grads, dH0: &dH0)
        let dFeatures = encoderBackward(dH0, encoderCache, parameters: values, into: &parameters.grads)
        return PathLoss(loss: S(marginal), deterministicLoss: S(marginal), reinforceLoss: 0, rewardSum: 0, rewardCount: 0,
                        dFeatures: dFeatures)
    }

    /// log p(P) of each target path from h₀ rows (teacher forcing, ⟨eop⟩ included); forward only.
    func pathLogProbabilities<S: NeuralScalar>(h0: Matrix<S>, targets: [PathTarget], parameters: [S]) -> [Double] {
        guard !targets.isEmpty else { return [] }
        var state = Matrix<S>(rows: targets.count, columns: h0.columns)
        for (r, target) in targets.enumerated() { for j in 0 ..< h0.columns { state[r, j] = h0[target.sample, j] } }
        var result = [Double](repeating: 0, count: targets.count)
        for t in 0 ..< targets.map(\.path.count).max()! {
            let inputs = targets.map { t < $0.path.count ? $0.path[t] : graph.root }
            let (x, _) = embedding.forward(inputs, parameters: parameters)
            let (f, _) = gru.forward(x, initialState: state, parameters: parameters)
            let (z, _) = output.forward(f, parameters: parameters)
            for (r, target) in targets.enumerated() where t < target.path.count {
                let next = t + 1 < target.path.count ? target.path[t + 1] : graph.endOfPath
                result[r] += Double(BlockSoftmax.logProbability(z, row: r, column: next, blocks: blocks[inputs[r]]))
            }
            state = f
        }
        return result
    }
}

