import Core
import LinearAlgebra
import NeuralNets

/// The instance-infused classifier head (paper eqs. 7–10): attention over retrieved source instances, the
/// concatenation s = [c_t, z_s], a softmax classifier and the latent-similarity penalty.
///
///     α_{b,i}   = softmax_i(c_b · z_{b,i})                     (`SourceAttention`, per source j = 1 … S)
///     z^j_{s,b} = Σ_i α_{b,i} z^j_{b,i}
///     s_b       = [c_b, z^1_{s,b}, …, z^S_{s,b}]                ((1 + S)·M)
///     y_b       = softmax(s_b W1 + b1)                          W1 ((1+S)·M, C), b1 (C)
///     ℓ         = Σ_b −log y_{b, t_b}  +  λ Σ_j Σ_b ‖z^j_{s,b} − z_{t,b}‖²,   z_t = c_t (see `InfusionPenalty`)
///
/// Backward: dS = Linear.backward(dlogits) splits into [dc | dz^1_s | … | dz^S_s]; each dz^j_s gets the penalty's
/// 2λ(z^j_s − c) and goes through its attention into dc; dc also gets −2λ Σ_j (z^j_s − c). The returned dC is
/// ∂ℓ/∂c_t, for a joint training loop to pass on into the encoder. Parameter gradients accumulate (`+=`) into the
/// flat buffer at the views `<name>.out.W` (W1) and `<name>.out.b` (b1).
///
/// **Several sources** (paper § 4, Table 6). Two ways, both supported:
/// - *union*: index the source datasets' embeddings together (one index; S = 1); each target instance attends
///   over its k nearest instances from any source. W1 stays (2M, C), as in the paper's eq. 9.
/// - *per-source*: one index per source, k neighbours from each; each source gets its own attention (shared
///   query c_t, no extra parameters) and its own z^j_s; the z^j_s are concatenated after c_t in the given source
///   order, so W1 is ((1 + S)·M, C), and the penalty sums over sources. The order of sources is part of the model.
///
/// **Differences from the paper.** The paper's eq. 9 has no bias (y = softmax(sᵀW1)); we add b1, as the baseline
/// classifier it is initialised from has one (`initialize(_:fromBaselineWeight:bias:)`). The loss is a *sum* over
/// the batch (data-parallel training all-reduces and divides by the global sample count).
///
/// Shapes: c (B, M); sources: S matrices (B·k, M); targets (B) in 0 ..< C; logits (B, C).
///
/// ```swift
/// var layout = ParameterLayout()
/// let head = InfusedClassifier(.init(contextSize: 64, classCount: 20), layout: &layout)
/// var parameters = Parameters<Float>(layout: layout)
/// head.initialize(&parameters.values, fromBaselineWeight: w, bias: b)     // starts as the baseline classifier
/// let (loss, cache) = head.forward(context: c, sources: [z], targets: y, parameters: parameters.values)
/// let dC = head.backward(cache, parameters: parameters.values, into: &parameters.grads)
/// ```
public struct InfusedClassifier: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// M.
        public var contextSize: Int
        /// C.
        public var classCount: Int
        /// k (paper: 5).
        public var neighbours: Int
        /// S: 1 for one source or a union index; > 1 for per-source retrieval.
        public var sourceCount: Int
        /// λ (paper: 1e-4); 0 turns the penalty off.
        public var penaltyScale: Double

        public init(contextSize: Int, classCount: Int, neighbours: Int = 5, sourceCount: Int = 1,
                    penaltyScale: Double = 1e-4) {
            self.contextSize = contextSize
            self.classCount = classCount
            self.neighbours = neighbours
            self.sourceCount = sourceCount
            self.penaltyScale = penaltyScale
        }
    }

    public let configuration: Configuration
    public let attention: SourceAttention
    public let penalty: InfusionPenalty
    /// W1 ((1+S)·M, C) and b1 (C), registered as `<name>.out.W`, `<name>.out.b`.
    public let classifier: Linear

    /// The parts of the loss.
    public struct Loss<S: NeuralScalar>: Sendable {
        /// Σ_b −log y_{b, t_b}.
        public let crossEntropy: S
        /// λ Σ_j Σ_b ‖z^j_s − c‖².
        public let penalty: S
        public var total: S { crossEntropy + penalty }
    }

    /// What backward needs.
    public struct Cache<S: NeuralScalar>: Sendable {
        let context: Matrix<S>
        let attention: [SourceAttention.Cache<S>]
        let fused: [Matrix<S>]
        let linear: Linear.Cache<S>
        let softmax: SoftmaxCrossEntropy.Cache<S>
        /// The logits (B, C).
        public let logits: Matrix<S>
        /// α of each source (B, k).
        public var weights: [Matrix<S>] { attention.map(\.weights) }
    }

    /// Registers W1 and b1 in `layout` (after whatever is already there, e.g. the encoder's parameters).
    public init(_ configuration: Configuration, name: String = "infused", layout: inout ParameterLayout) {
        let c = configuration
        precondition(c.contextSize > 0 && c.classCount > 1 && c.neighbours > 0 && c.sourceCount > 0,
                     "InfusedClassifier: M, k, S must be positive and C ≥ 2, got \(c)")
        self.configuration = c
        attention = SourceAttention(neighbours: c.neighbours, contextSize: c.contextSize)
        penalty = InfusionPenalty(scale: c.penaltyScale)
        classifier = Linear("\(name).out", inputSize: (1 + c.sourceCount) * c.contextSize, outputSize: c.classCount,
                            layout: &layout)
    }

    /// W1, b1 ~ U(−√(1/((1+S)M)), √(1/((1+S)M))).
    public func initialize<S: BLASScalar>(_ values: inout [S], rng: inout SeededRandom) {
        classifier.initialize(&values, rng: &rng)
    }

    /// Starts from a pre-trained baseline classifier (W (M, C), b (1, C)): the c_t rows of W1 take W, the z_s rows
    /// are 0, b1 = b, so the infused model initially predicts exactly what the baseline does (paper: "trained
    /// jointly with the initial parameters from the pre-trained classification module").
    public func initialize<S: BLASScalar>(_ values: inout [S], fromBaselineWeight w: Matrix<S>, bias b: Matrix<S>) {
        let (m, c) = (configuration.contextSize, configuration.classCount)
        precondition(w.rows == m && w.columns == c && b.values.count == c,
                     "InfusedClassifier: baseline W is \(w.rows)×\(w.columns), b has \(b.values.count); expected \(m)×\(c), \(c)")
        let view = classifier.weight
        for i in view.range { values[i] = 0 }
        for i in 0 ..< m * c { values[view.offset + i] = w.values[i] }
        for j in 0 ..< c { values[classifier.bias.offset + j] = b.values[j] }
    }

    /// The loss and the cache (logits in `cache.logits`).
    public func forward<S: NeuralScalar>(
        context c: Matrix<S>, sources: [Matrix<S>], targets: [Int], parameters: [S]
    ) -> (Loss<S>, Cache<S>) {
        let (logits, attentionCaches, fused, linearCache) = scores(context: c, sources: sources, parameters: parameters)
        let (crossEntropy, softmax) = SoftmaxCrossEntropy.forward(logits, targets: targets, reduction: .sum)
        var penaltyTotal: S = 0
        for zS in fused { penaltyTotal += penalty.evaluate(fused: zS, target: c).penalty }
        let cache = Cache(context: c, attention: attentionCaches, fused: fused, linear: linearCache,
                          softmax: softmax, logits: logits)
        return (Loss(crossEntropy: crossEntropy, penalty: penaltyTotal), cache)
    }

    /// The logits (B, C) without a loss (prediction).
    public func logits<S: NeuralScalar>(context c: Matrix<S>, sources: [Matrix<S>], parameters: [S]) -> Matrix<S> {
        scores(context: c, sources: sources, parameters: parameters).logits
    }

    /// Accumulates dW1, db1 into `grads` and returns dC = ∂ℓ/∂c_t (B, M).
    public func backward<S: NeuralScalar>(_ cache: Cache<S>, parameters: [S], into grads: inout [S]) -> Matrix<S> {
        let (b, m) = (cache.context.rows, configuration.contextSize)
        let width = (1 + configuration.sourceCount) * m
        let dLogits = SoftmaxCrossEntropy.backward(1, cache.softmax)
        let dS = classifier.backward(dLogits, cache.linear, parameters: parameters, into: &grads)
        var dC = Matrix<S>(rows: b, columns: m)
        for n in 0 ..< b { for j in 0 ..< m { dC.values[n * m + j] = dS.values[n * width + j] } }
        for (source, zS) in cache.fused.enumerated() {
            var dFused = Matrix<S>(rows: b, columns: m)
            let offset = (1 + source) * m
            for n in 0 ..< b { for j in 0 ..< m { dFused.values[n * m + j] = dS.values[n * width + offset + j] } }
            let p = penalty.evaluate(fused: zS, target: cache.context)
            for i in dFused.values.indices {
                dFused.values[i] += p.dFused.values[i]
                dC.values[i] += p.dTarget.values[i]
            }
            let through = attention.backward(dFused, cache.attention[source])
            for i in dC.values.indices { dC.values[i] += through.values[i] }
        }
        return dC
    }

    /// The logits of s = [c, z^1_s, …], with the caches.
    func scores<S: NeuralScalar>(context c: Matrix<S>, sources: [Matrix<S>], parameters: [S])
        -> (logits: Matrix<S>, attention: [SourceAttention.Cache<S>], fused: [Matrix<S>],
            linear: Linear.Cache<S>)
    {
        precondition(sources.count == configuration.sourceCount,
                     "InfusedClassifier: \(sources.count) source matrices, configured for S = \(configuration.sourceCount)")
        let (b, m) = (c.rows, configuration.contextSize)
        let width = (1 + configuration.sourceCount) * m
        var s = Matrix<S>(rows: b, columns: width)
        for n in 0 ..< b { for j in 0 ..< m { s.values[n * width + j] = c.values[n * m + j] } }
        var caches: [SourceAttention.Cache<S>] = []
        var fused: [Matrix<S>] = []
        for (source, z) in sources.enumerated() {
            let (zS, cache) = attention.forward(context: c, sources: z)
            let offset = (1 + source) * m
            for n in 0 ..< b { for j in 0 ..< m { s.values[n * width + offset + j] = zS.values[n * m + j] } }
            caches.append(cache)
            fused.append(zS)
        }
        let (logits, linear) = classifier.forward(s, parameters: parameters)
        return (logits, caches, fused, linear)
    }
}
