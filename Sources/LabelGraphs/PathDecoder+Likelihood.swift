import LinearAlgebra
import NeuralNets

/// One path to score: sample `sample`'s h₀, nodes [v₀, …, v_k] (⟨eop⟩ implied) and its weight in the loss.
public struct PathTarget: Sendable, Equatable {
    /// Row of the batch whose encoder vector starts the decoder.
    public var sample: Int
    /// [v₀ = root, …, v_k].
    public var path: [Int]
    /// w in Σ w · (−log p(P)).
    public var weight: Double

    public init(sample: Int, path: [Int], weight: Double) {
        self.sample = sample
        self.path = path
        self.weight = weight
    }
}

extension PathDecoder {
    /// ℓ = Σ_rows w · Σ_t −log p(v_{t+1} | v_t, f_t), v_{k+1} = ⟨eop⟩ (eq. 2 weighted), with the gradient of ℓ
    /// accumulated into `parameters.grads`; returns ℓ and dℓ/dFeatures (B, F).
    ///
    /// Teacher forcing (`freeRunning` false) feeds v_t at step t. Free running (Algorithm 1 when coin > r_tf)
    /// feeds the argmax of the previous step instead; a row stops contributing once its next ground-truth node
    /// is not a candidate after the node it was fed (its remaining targets are undefined there).
    /// With weights (r − b) on sampled paths this is the REINFORCE surrogate of eq. 4–5.
    @_specialize(where S == Float)
    public func negativeLogLikelihood<S: NeuralScalar>(
        features: Matrix<S>, targets: [PathTarget], freeRunning: Bool = false, parameters: inout Parameters<S>
    ) -> (loss: S, dFeatures: Matrix<S>) {
        let values = parameters.values
        let (h0, encoderCache) = encode(features, parameters: values)
        var dH0 = Matrix<S>(rows: h0.rows, columns: h0.columns)
        let loss = pathLikelihood(h0: h0, targets: targets, freeRunning: freeRunning, parameters: values,
                                  grads: &parameters.grads, dH0: &dH0)
        let dFeatures = encoderBackward(dH0, encoderCache, parameters: values, into: &parameters.grads)
        return (loss, dFeatures)
    }

    /// The decoder part of `negativeLogLikelihood`: starts from h₀ (B, H), adds dℓ/dh₀ into `dH0`.
    func pathLikelihood<S: NeuralScalar>(
        h0: Matrix<S>, targets: [PathTarget], freeRunning: Bool, parameters: [S], grads: inout [S], dH0: inout Matrix<S>
    ) -> S {
        let rows = targets.count, h = configuration.hiddenSize, eop = graph.endOfPath
        guard rows > 0 else { return 0 }
        for target in targets {
            precondition(target.path.first == graph.root && target.sample >= 0 && target.sample < h0.rows,
                         "PathDecoder: a target path must start at the root and name a sample in 0..<\(h0.rows)")
        }
        let steps = targets.map(\.path.count).max()!
        var state = Matrix<S>(rows: rows, columns: h)
        for (r, target) in targets.enumerated() {
            for j in 0 ..< h { state[r, j] = h0[target.sample, j] }
        }
        var inputs = targets.map { _ in graph.root }
        var active = targets.map { $0.weight != 0 }
        var caches: [(Embedding.Cache, GRU.Cache<S>, Linear.Cache<S>, Matrix<S>)] = []
        var loss: S = 0
        for t in 0 ..< steps {
            let (x, embeddingCache) = embedding.forward(inputs, parameters: parameters)
            let (f, gruCache) = gru.forward(x, initialState: state, parameters: parameters)
            let (z, outputCache) = output.forward(f, parameters: parameters)
            var stepTargets = [Int](repeating: eop, count: rows), weights = [S](repeating: 0, count: rows)
            var rowBlocks = [BlockSoftmax.Blocks](repeating: [], count: rows)
            for (r, target) in targets.enumerated() where active[r] && t < target.path.count {
                let next = t + 1 < target.path.count ? target.path[t + 1] : eop
                rowBlocks[r] = blocks[inputs[r]]
                if rowBlocks[r].contains(where: { $0.contains(next) }) {
                    stepTargets[r] = next
                    weights[r] = S(target.weight)
                } else {
                    active[r] = false  // free running left the ground truth: no defined target from here on
                }
            }
            let (stepLoss, dZ) = BlockSoftmax.negativeLogLikelihood(z, blocks: rowBlocks, targets: stepTargets, weights: weights)
            loss += stepLoss
            caches.append((embeddingCache, gruCache, outputCache, dZ))
            for (r, target) in targets.enumerated() {
                if t + 1 >= target.path.count || !active[r] {
                    inputs[r] = graph.root  // padding: finished rows have weight 0 from here on
                } else if freeRunning {
                    let choice = greedyChoice(z, row: r, after: inputs[r])
                    if choice == eop { active[r] = false; inputs[r] = graph.root } else { inputs[r] = choice }
                } else {
                    inputs[r] = target.path[t + 1]
                }
            }
            state = f
        }
        // Backward through time: dF_t = dZ_t·W_oᵀ + dh from step t + 1.
        var dNext = Matrix<S>(rows: rows, columns: h)
        for (embeddingCache, gruCache, outputCache, dZ) in caches.reversed() {
            var dF = output.backward(dZ, outputCache, parameters: parameters, into: &grads)
            for i in dF.values.indices { dF.values[i] += dNext.values[i] }
            let (dX, dState) = gru.backward(dF, gruCache, parameters: parameters, into: &grads)
            embedding.backward(dX, embeddingCache, into: &grads)
            dNext = dState
        }
        for (r, target) in targets.enumerated() {
            for j in 0 ..< h { dH0[target.sample, j] += dNext[r, j] }
        }
        return loss
    }

    /// argmax_u p(u | v) over the candidates after v (ties → the lowest column).
    func greedyChoice<S: NeuralScalar>(_ z: Matrix<S>, row r: Int, after v: Int) -> Int {
        var best = -1, bestLogP = -S.greatestFiniteMagnitude
        for block in blocks[v] {
            let logSum = BlockSoftmax.logSumExp(z, row: r, block).logSum
            for u in block where z[r, u] - logSum > bestLogP || (z[r, u] - logSum == bestLogP && u < best) {
                best = u
                bestLogP = z[r, u] - logSum
            }
        }
        return best
    }
}
