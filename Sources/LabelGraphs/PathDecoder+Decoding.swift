import Core
import LinearAlgebra
import NeuralNets

extension PathDecoder {
    /// Greedy decoding (Algorithm 2): from v₀ = root, take t_i = argmax p(· | t_{i−1}, f_i) over the candidates
    /// after the current node until ⟨eop⟩ or `maxSteps` steps. Returns one path [v₀, v₁, …] per row of
    /// `features` (B, F), ⟨eop⟩ not included. Every step follows an edge of the graph (masked block softmax),
    /// and since every leaf is an end node whose only candidate is ⟨eop⟩, every path ends at an end node.
    @_specialize(where S == Float)
    public func decode<S: NeuralScalar>(features: Matrix<S>, parameters: [S]) -> [[Int]] {
        let (h0, _) = encode(features, parameters: parameters)
        return rollout(h0: h0, parameters: parameters) { z, r, v in greedyChoice(z, row: r, after: v) }
    }

    /// Paths sampled from the model: at each step a block is drawn uniformly and a node from its block softmax,
    /// i.e. u ∼ p(u | v)/k for k blocks after v (the multinomial of Algorithm 1). One path per row of h₀ (R, H).
    @_specialize(where S == Float)
    public func samplePaths<S: NeuralScalar>(h0: Matrix<S>, parameters: [S], rng: inout SeededRandom) -> [[Int]] {
        var generator = rng
        defer { rng = generator }
        return rollout(h0: h0, parameters: parameters) { z, r, v in sampleChoice(z, row: r, after: v, rng: &generator) }
    }

    /// `samplePaths` with one generator per row: row r's draws come from `rowStreams[r]` only, so a row's path
    /// does not depend on which other rows share the batch.
    @_specialize(where S == Float)
    public func samplePaths<S: NeuralScalar>(h0: Matrix<S>, parameters: [S], rowStreams: inout [SeededRandom]) -> [[Int]] {
        precondition(rowStreams.count == h0.rows, "PathDecoder.samplePaths: \(rowStreams.count) streams for \(h0.rows) rows")
        var generators = rowStreams
        defer { rowStreams = generators }
        return rollout(h0: h0, parameters: parameters) { z, r, v in
            sampleChoice(z, row: r, after: v, rng: &generators[r])
        }
    }

    /// One draw after node v: a block uniformly, then a node by its block softmax.
    func sampleChoice<S: NeuralScalar>(_ z: Matrix<S>, row r: Int, after v: Int, rng: inout SeededRandom) -> Int {
        let candidates = blocks[v]
        let block = candidates[candidates.count == 1 ? 0 : rng.bounded(candidates.count)]
        let logSum = BlockSoftmax.logSumExp(z, row: r, block).logSum
        var u = rng.uniform(), chosen = block[block.count - 1]
        for w in block {
            u -= Double(S.exp(z[r, w] - logSum))
            if u < 0 { chosen = w; break }
        }
        return chosen
    }

    /// `samplePaths` from features (B, F).
    public func samplePaths<S: NeuralScalar>(features: Matrix<S>, parameters: [S], rng: inout SeededRandom) -> [[Int]] {
        samplePaths(h0: encode(features, parameters: parameters).0, parameters: parameters, rng: &rng)
    }

    /// Runs the decoder from h₀ feeding back `choose(z, row, current node)` until ⟨eop⟩ or `maxSteps`.
    func rollout<S: NeuralScalar>(h0: Matrix<S>, parameters: [S], choose: (Matrix<S>, Int, Int) -> Int) -> [[Int]] {
        let rows = h0.rows
        var paths = [[Int]](repeating: [graph.root], count: rows)
        var done = [Bool](repeating: false, count: rows)
        var state = h0
        for _ in 0 ..< maxSteps where done.contains(false) {
            let inputs = paths.map { $0.last! }
            let (x, _) = embedding.forward(inputs, parameters: parameters)
            let (f, _) = gru.forward(x, initialState: state, parameters: parameters)
            let (z, _) = output.forward(f, parameters: parameters)
            for r in 0 ..< rows where !done[r] {
                let next = choose(z, r, inputs[r])
                if next == graph.endOfPath { done[r] = true } else { paths[r].append(next) }
            }
            state = f
        }
        return paths
    }
}

extension PredictionPaths {
    /// The prediction for `dataset` read off a decoded path: its last node that is a label of `dataset`, or nil.
    public func label(on path: [Int], dataset: String) -> Int? {
        path.last { graph.nodes[$0].kind == .label && graph.nodes[$0].datasets.contains(dataset) }
    }
}
