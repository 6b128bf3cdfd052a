import Foundation
import LinearAlgebra
import NeuralNets

/// Multi-path decoding: a set of paths per sample, for multi-label prediction (a prediction set, scored by F1).
///
///     P(v₀ ∘ v₁ ∘ … ∘ v_k) = Π_{t=0}^{k} q(v_{t+1} | v_t, f_t),  v_{k+1} = ⟨eop⟩
///     q(u | v) = p(u | v) / k_v            p the block softmax, k_v the number of blocks after v
///
/// q is the distribution the decoder walks by (`samplePaths`: a block uniformly, then a node by its softmax), so
/// Σ over all complete paths of P = 1; with one block per node (a taxonomy) q = p.
///
/// `decodePaths(threshold: τ)` returns, per sample, the greedy path (Algorithm 2) first — always, whatever its
/// probability — then every other complete path with P ≥ τ by descending P (ties: lexicographic node order),
/// at most `maxPaths` in all. The search is exact: P only shrinks as a path grows (q ≤ 1), so a partial path
/// below τ is pruned with all its extensions; each step runs the GRU once on the live prefixes of all samples.
/// Every step takes a candidate of `blocks[v]`, so no decoded path leaves the graph's edges.
///
/// A prediction set for dataset d (`PredictionPaths.labelScores`): each label ℓ is scored by the decoded paths
/// that end on it (their last label node of d) —
///
///     marginal (default): s(ℓ) = Σ P over those paths   the probability that the walk ends on ℓ, truncated to
///                                                        the paths with P ≥ τ (a tag under k sections has k paths)
///     max:                s(ℓ) = max P                   then {ℓ : s(ℓ) ≥ τ} = the labels of the paths with P ≥ τ
///
/// and the set is {ℓ : s(ℓ) ≥ τ} ∪ {the greedy path's label} (`MultiLabelF1.selecting`). With the marginal,
/// decode with the smallest τ to be tried (a path below it contributes nothing).
public struct DecodedPath: Sendable, Equatable {
    /// [v₀, …, v_k], ⟨eop⟩ not included.
    public var nodes: [Int]
    /// P (see `PathDecoder.decodePaths`).
    public var probability: Double
    /// Whether this is the greedy path of Algorithm 2.
    public var isGreedy: Bool

    public init(nodes: [Int], probability: Double, isGreedy: Bool) {
        self.nodes = nodes
        self.probability = probability
        self.isGreedy = isGreedy
    }
}

extension PathDecoder {
    /// See the file's documentation. τ in (0, 1]; one list per row of `features` (B, F).
    public func decodePaths<S: NeuralScalar>(features: Matrix<S>, parameters: [S], threshold: Double,
                                             maxPaths: Int = 64) -> [[DecodedPath]] {
        precondition(threshold > 0 && threshold <= 1 && maxPaths >= 1, "PathDecoder.decodePaths: τ in (0, 1], maxPaths ≥ 1")
        let greedy = decode(features: features, parameters: parameters)
        let (h0, _) = encode(features, parameters: parameters)
        let logThreshold = log(threshold)
        // Live prefixes: (sample, nodes, log P, state row).
        var prefixes: [(sample: Int, nodes: [Int], logP: Double)] = (0 ..< h0.rows).map { ($0, [graph.root], 0) }
        var state = h0
        var complete = [[(nodes: [Int], logP: Double)]](repeating: [], count: h0.rows)
        var greedyLogP = [Double](repeating: -.infinity, count: h0.rows)
        for _ in 0 ..< maxSteps where !prefixes.isEmpty {
            let inputs = prefixes.map { $0.nodes.last! }
            let (x, _) = embedding.forward(inputs, parameters: parameters)
            let (f, _) = gru.forward(x, initialState: state, parameters: parameters)
            let (z, _) = output.forward(f, parameters: parameters)
            var next: [(sample: Int, nodes: [Int], logP: Double)] = [], rows: [Int] = []
            for (r, prefix) in prefixes.enumerated() {
                let candidates = blocks[inputs[r]]
                let logK = log(Double(candidates.count))
                for block in candidates {
                    let logSum = BlockSoftmax.logSumExp(z, row: r, block).logSum
                    for u in block {
                        let logP = prefix.logP + Double(z[r, u] - logSum) - logK
                        let onGreedy = greedy[prefix.sample].starts(with: prefix.nodes)
                            && (u == graph.endOfPath ? greedy[prefix.sample].count == prefix.nodes.count
                                                     : greedy[prefix.sample].count > prefix.nodes.count && greedy[prefix.sample][prefix.nodes.count] == u)
                        guard logP >= logThreshold || onGreedy else { continue }
                        if u == graph.endOfPath {
                            complete[prefix.sample].append((prefix.nodes, logP))
                            if onGreedy { greedyLogP[prefix.sample] = logP }
                        } else {
                            next.append((prefix.sample, prefix.nodes + [u], logP))
                            rows.append(r)
                        }
                    }
                }
            }
            var nextState = Matrix<S>(rows: rows.count, columns: f.columns)
            for (i, r) in rows.enumerated() { for j in 0 ..< f.columns { nextState[i, j] = f[r, j] } }
            state = nextState
            prefixes = next
        }
        return (0 ..< h0.rows).map { b in
            let others = complete[b].filter { $0.nodes != greedy[b] && $0.logP >= logThreshold }
                .sorted { $0.logP != $1.logP ? $0.logP > $1.logP : $0.nodes.lexicographicallyPrecedes($1.nodes) }
            let first = DecodedPath(nodes: greedy[b], probability: exp(greedyLogP[b]), isGreedy: true)
            return [first] + others.prefix(maxPaths - 1).map { DecodedPath(nodes: $0.nodes, probability: exp($0.logP), isGreedy: false) }
        }
    }
}

extension PredictionPaths {
    /// Label scores for `dataset` from decoded paths: label → Σ P (`marginal`) or max P of the paths ending on
    /// it (its last label of `dataset`), and the greedy path's label (nil when it holds no label of `dataset`).
    public func labelScores(_ decoded: [DecodedPath], dataset: String, marginal: Bool = true) -> (scores: [Int: Double], top: Int?) {
        var scores: [Int: Double] = [:], top: Int?
        for path in decoded {
            guard let label = label(on: path.nodes, dataset: dataset) else { continue }
            scores[label] = marginal ? (scores[label] ?? 0) + path.probability : max(scores[label] ?? 0, path.probability)
            if path.isGreedy { top = label }
        }
        return (scores, top)
    }
}
