import Core
import LinearAlgebra
import NeuralNets

/// The label-graph path decoder (Label-graph dataset joining, sections 3.2.5–3.2.7, Algorithms 1 and 2): an
/// encoder vector e → a GRU that walks the label graph one node per step, scored by a block softmax.
///
///     h₀ = enc(e)                               .identity: e      .linear: e·W₁ + b₁      .mlp: ReLU(e·W₁ + b₁)·W₂ + b₂
///     f_t = GRU(E[v_t], f_{t−1}),  f_{−1} = h₀   eq. 1: input = embedding of the node chosen at t−1; v₀ = root
///     z_t = f_t·W_o + b_o                        scores over the V nodes and ⟨eop⟩, (V + 1)
///     p(v_{t+1} | v_t, f_t) = BlockSoftmax(z_t; blocks(v_t))
///
/// **Candidate blocks** `blocks[v]`: the competing groups of v's children (`LabelGraph.groupsUnder`), in order;
/// when ⟨eop⟩ may follow v (`PredictionPaths.endNodes`) it joins v's first group, or is a block of its own when
/// v is a leaf. Every other column is masked (p = 0), so decoding never leaves the graph's edges. With one
/// group per parent (a plain taxonomy) this is a softmax over v's children. With k groups each sums to 1; the
/// sampling distribution is p/k (pick a block uniformly, then a node by its block softmax), whose log differs
/// from log p by the constant log k, so the REINFORCE gradient is unchanged.
///
/// Losses (section 3.2.5–3.2.6, `loss(_:options:baseline:parameters:rng:)`):
///
///     L_d  = Σ_paths Σ_t −log p(v_{t+1} | v_t, f_t)                         teacher forcing, eq. 2
///     L_nd = −(r(P̂) − b) · log p(P̂),  P̂ ∼ p,  r(P̂) = |P̂ ∩ S| / |S|        REINFORCE, eq. 3–5
///     L    = α·L_d + β·L_nd                                                 Algorithm 1
///
/// Shapes (letters for this module): B samples, F encoder-vector size, E node-embedding size, H hidden size,
/// V graph nodes (outputs V + 1 with ⟨eop⟩), R decoded rows (paths), T steps. Features (B, F), h₀ (B, H).
///
/// ```swift
/// let decoder = try PathDecoder(graph: graph, configuration: .init(featureSize: 64, embeddingSize: 32, hiddenSize: 64))
/// var parameters: Parameters<Float> = decoder.makeParameters(seed: 1)
/// let truths = try labels.map { try decoder.paths.groundTruth(label: $0, dataset: "fashion-mnist") }
/// parameters.zeroGrads()
/// let result = decoder.loss(PathBatch(features: x, truths: truths), baseline: baseline.value,
///                           parameters: &parameters, rng: &rng)
/// adam.step(&parameters, gradientScale: 1 / Float(x.rows))
/// let predicted = decoder.decode(features: x, parameters: parameters.values)   // Algorithm 2
/// ```
public struct PathDecoder: Sendable {
    /// How the encoder vector becomes the decoder's initial state h₀.
    public enum Encoder: Sendable, Equatable {
        /// h₀ = e (needs F = H): the caller's encoder (bi-LSTM, MLP on Fisher vectors) already outputs H values.
        case identity
        /// h₀ = e·W₁ + b₁.
        case linear
        /// h₀ = ReLU(e·W₁ + b₁)·W₂ + b₂, W₁ (F, M).
        case mlp(hiddenSize: Int)
    }

    public struct Configuration: Sendable, Equatable {
        /// F.
        public var featureSize: Int
        /// E.
        public var embeddingSize: Int
        /// H.
        public var hiddenSize: Int
        public var encoder: Encoder

        public init(featureSize: Int, embeddingSize: Int, hiddenSize: Int, encoder: Encoder = .linear) {
            self.featureSize = featureSize
            self.embeddingSize = embeddingSize
            self.hiddenSize = hiddenSize
            self.encoder = encoder
        }
    }

    public let configuration: Configuration
    public let graph: LabelGraph
    /// Paths, ground truths and end nodes of `graph`.
    public let paths: PredictionPaths
    public let layout: ParameterLayout
    /// enc.1 (F, M or H), enc.2 (M, H) for `.mlp`.
    public let encoderLayers: [Linear]
    /// E (V, E): node embeddings.
    public let embedding: Embedding
    public let gru: GRU
    /// W_o (H, V + 1), b_o.
    public let output: Linear
    /// blocks[v]: the candidate blocks after node v (columns in 0 ... V).
    public let blocks: [BlockSoftmax.Blocks]
    /// n of Algorithm 2: the most steps a path needs (nodes on the longest root → leaf path, ⟨eop⟩ included).
    public let maxSteps: Int

    public init(graph: LabelGraph, configuration: Configuration) throws {
        let c = configuration
        precondition(c.featureSize > 0 && c.embeddingSize > 0 && c.hiddenSize > 0, "PathDecoder: sizes must be positive")
        if c.encoder == .identity && c.featureSize != c.hiddenSize {
            throw LabelGraphError.invalidConfiguration(
                message: "the identity encoder needs featureSize (\(c.featureSize)) = hiddenSize (\(c.hiddenSize)). Fix: use .linear or .mlp.")
        }
        var layout = ParameterLayout()
        switch c.encoder {
        case .identity: encoderLayers = []
        case .linear: encoderLayers = [Linear("encoder.1", inputSize: c.featureSize, outputSize: c.hiddenSize, layout: &layout)]
        case let .mlp(m):
            encoderLayers = [Linear("encoder.1", inputSize: c.featureSize, outputSize: m, layout: &layout),
                             Linear("encoder.2", inputSize: m, outputSize: c.hiddenSize, layout: &layout)]
        }
        embedding = Embedding("nodes", vocabularySize: graph.count, embeddingSize: c.embeddingSize, layout: &layout)
        gru = GRU("decoder", inputSize: c.embeddingSize, hiddenSize: c.hiddenSize, layout: &layout)
        output = Linear("output", inputSize: c.hiddenSize, outputSize: graph.count + 1, layout: &layout)
        self.configuration = c
        self.graph = graph
        self.layout = layout
        paths = PredictionPaths(graph: graph)
        blocks = graph.nodes.indices.map { [paths] v in
            var result = graph.groupsUnder[v].map { graph.groups[$0].members }
            if paths.endNodes[v] {
                if result.isEmpty { result = [[graph.endOfPath]] } else { result[0].append(graph.endOfPath) }
            }
            return result
        }
        // Longest root → leaf path in nodes, by dynamic programming over a reversed topological order (the graph
        // is a DAG); a loop, not a recursion, so a 1M-deep chain does not overflow the stack.
        var depth = [Int](repeating: 0, count: graph.count)
        for v in graph.topologicalOrder().reversed() {
            depth[v] = 1 + (graph.children[v].lazy.map { depth[$0] }.max() ?? 0)
        }
        maxSteps = depth[graph.root]
    }

    /// Freshly initialised parameters (zero gradients), deterministic in `seed`.
    public func makeParameters<S: NeuralScalar>(seed: UInt64) -> Parameters<S> {
        var parameters = Parameters<S>(layout: layout)
        var rng = SeededRandom(seed: seed)
        for layer in encoderLayers { layer.initialize(&parameters.values, rng: &rng) }
        embedding.initialize(&parameters.values, rng: &rng)
        gru.initialize(&parameters.values, rng: &rng)
        output.initialize(&parameters.values, rng: &rng)
        return parameters
    }

    // MARK: - Encoder

    /// What `encoderBackward` needs.
    public struct EncoderCache<S: NeuralScalar>: Sendable {
        var linear: [Linear.Cache<S>] = []
        var relu: ReLU.Cache<S>?
    }

    /// h₀ (B, H) for features (B, F).
    @_specialize(where S == Float)
    public func encode<S: NeuralScalar>(_ features: Matrix<S>, parameters: [S]) -> (Matrix<S>, EncoderCache<S>) {
        precondition(features.columns == configuration.featureSize,
                     "PathDecoder: features have \(features.columns) columns, expected F = \(configuration.featureSize)")
        precondition(parameters.count == layout.count, "PathDecoder: \(parameters.count) parameters, the layout has \(layout.count)")
        var cache = EncoderCache<S>()
        var h = features
        for (i, layer) in encoderLayers.enumerated() {
            if i > 0 {
                let (a, reluCache) = ReLU().forward(h)
                h = a
                cache.relu = reluCache
            }
            let (y, linearCache) = layer.forward(h, parameters: parameters)
            h = y
            cache.linear.append(linearCache)
        }
        return (h, cache)
    }

    /// dFeatures (B, F) from dh₀ (B, H); accumulates the encoder's gradients.
    @_specialize(where S == Float)
    public func encoderBackward<S: NeuralScalar>(
        _ dH0: Matrix<S>, _ cache: EncoderCache<S>, parameters: [S], into grads: inout [S]
    ) -> Matrix<S> {
        var d = dH0
        for i in encoderLayers.indices.reversed() {
            d = encoderLayers[i].backward(d, cache.linear[i], parameters: parameters, into: &grads)
            if i > 0, let relu = cache.relu { d = ReLU().backward(d, relu) }
        }
        return d
    }
}
