import Core
import LinearAlgebra

/// A padded batch of token sequences with class labels.
///
/// Shapes: tokens (B·T) row-major (sequence b at b·T ..< b·T + T, right-padded with the padding token),
/// lengths (B) with 1 ≤ L_b ≤ T, labels (B).
public struct TextBatch: Sendable, Equatable {
    public let tokens: [Int]
    public let lengths: [Int]
    public let labels: [Int]
    /// T.
    public let timeSteps: Int
    /// B.
    public var count: Int { lengths.count }

    public init(tokens: [Int], lengths: [Int], labels: [Int]) {
        precondition(!lengths.isEmpty && tokens.count % lengths.count == 0 && labels.count == lengths.count,
                     "TextBatch: \(tokens.count) tokens, \(lengths.count) lengths, \(labels.count) labels")
        self.tokens = tokens
        self.lengths = lengths
        self.labels = labels
        timeSteps = tokens.count / lengths.count
        checkLengths(lengths, timeSteps: timeSteps, "TextBatch")
    }

    /// Pads `sequences` on the right to T = `timeSteps` (default: the longest), truncating longer ones. An empty
    /// sequence becomes one padding token (length 1), whose embedding is the zero vector.
    public init(sequences: [[Int]], labels: [Int], paddingToken: Int = 0, timeSteps: Int? = nil) {
        let steps = max(1, timeSteps ?? sequences.map(\.count).max() ?? 1)
        var tokens = [Int](repeating: paddingToken, count: sequences.count * steps)
        var lengths = [Int]()
        for (b, sequence) in sequences.enumerated() {
            let used = sequence.prefix(steps)
            for (t, token) in used.enumerated() { tokens[b * steps + t] = token }
            lengths.append(max(1, used.count))
        }
        self.init(tokens: tokens, lengths: lengths, labels: labels)
    }
}

/// The bi-LSTM text classifier of Instance Infusion (sentence encoder, eq. 4–6, plus a softmax classifier):
///
///     X = E[tokens]                       (B·T, D)      Embedding, padding token → 0, no gradient
///     H = BiLSTM(X, L)                    (B·T, 2H)     eq. 4, masked: each direction over the real steps only
///     o_b = (1/L_b) Σ_{t<L_b} H_{b,t}     (B, 2H)       eq. 6, mean over real steps
///     c = ReLU(o·W_c + b_c)               (B, M)        eq. 5, the context vector (M = 50 in Table 3)
///     z = c·W_y + b_y                     (B, C)
///     ℓ = Σ_b −log softmax(z_b)[y_b]                    a SUM over the batch
///
/// All parameters live in one `ParameterLayout` (`embedding.E`, `encoder.fwd.*`, `encoder.bwd.*`, `context.*`,
/// `classifier.*`). The same layers at the W7 sizes (V 30 000, D 300, H 128, M 50, C 20) are the PyTorch anchor.
///
/// **Data-parallel contract.** `loss` returns the sum of the per-sample losses of the local batch and
/// accumulates the gradient of that sum into `parameters.grads`. The trainer zeroes the grads, calls `loss` on
/// each rank's slice, all-reduces `grads` (one flat buffer) and the sample count, then steps with
/// `gradientScale = 1 / globalCount` (or divides the buffer): the result is the gradient of the mean loss over
/// the global batch, identical for any number of ranks.
///
/// ```swift
/// let model = TextClassifier(.init(vocabularySize: V, embeddingSize: 300, hiddenSize: 128, contextSize: 50,
///                                  classCount: 20))
/// var parameters: Parameters<Float> = model.makeParameters(seed: 42)
/// var adam = Adam<Float>(parameterCount: parameters.values.count, learningRate: 1e-3)
/// parameters.zeroGrads()
/// let lossSum = model.loss(batch, parameters: &parameters)
/// adam.step(&parameters, gradientScale: 1 / Float(batch.count))
/// ```
public struct TextClassifier: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// V.
        public var vocabularySize: Int
        /// D.
        public var embeddingSize: Int
        /// H per direction.
        public var hiddenSize: Int
        /// M, the context-vector size (paper's latent dim m).
        public var contextSize: Int
        /// C.
        public var classCount: Int
        /// The padding token.
        public var paddingIndex: Int

        public init(vocabularySize: Int, embeddingSize: Int, hiddenSize: Int, contextSize: Int, classCount: Int,
                    paddingIndex: Int = 0) {
            self.vocabularySize = vocabularySize
            self.embeddingSize = embeddingSize
            self.hiddenSize = hiddenSize
            self.contextSize = contextSize
            self.classCount = classCount
            self.paddingIndex = paddingIndex
        }
    }

    public let configuration: Configuration
    public let layout: ParameterLayout
    public let embedding: Embedding
    public let encoder: BiLSTM
    public let pooling = MeanPooling()
    public let context: Linear
    public let contextActivation = ReLU()
    public let classifier: Linear

    public init(_ configuration: Configuration) {
        let c = configuration
        var layout = ParameterLayout()
        embedding = Embedding("embedding", vocabularySize: c.vocabularySize, embeddingSize: c.embeddingSize,
                              paddingIndex: c.paddingIndex, layout: &layout)
        encoder = BiLSTM("encoder", inputSize: c.embeddingSize, hiddenSize: c.hiddenSize, layout: &layout)
        context = Linear("context", inputSize: 2 * c.hiddenSize, outputSize: c.contextSize, layout: &layout)
        classifier = Linear("classifier", inputSize: c.contextSize, outputSize: c.classCount, layout: &layout)
        self.configuration = configuration
        self.layout = layout
    }

    /// Freshly initialised parameters (zero gradients), deterministic in `seed`.
    public func makeParameters<S: NeuralScalar>(seed: UInt64) -> Parameters<S> {
        var parameters = Parameters<S>(layout: layout)
        var rng = SeededRandom(seed: seed)
        embedding.initialize(&parameters.values, rng: &rng)
        encoder.initialize(&parameters.values, rng: &rng)
        context.initialize(&parameters.values, rng: &rng)
        classifier.initialize(&parameters.values, rng: &rng)
        return parameters
    }

    /// Σ_b −log p(y_b | x_b) over the batch; the gradient of that sum is accumulated (+=) into
    /// `parameters.grads` (zero them first). Padded tokens get no gradient and do not change the loss.
    @_specialize(where S == Float)
    public func loss<S: NeuralScalar>(_ batch: TextBatch, parameters: inout Parameters<S>) -> S {
        let values = parameters.values
        precondition(values.count == layout.count,
                     "TextClassifier: \(values.count) parameters, the layout has \(layout.count)")
        let (c, encoderCache) = encodeForTraining(batch, parameters: values)
        let (z, classifierCache) = classifier.forward(c, parameters: values)
        let (loss, lossCache) = SoftmaxCrossEntropy.forward(z, targets: batch.labels, reduction: .sum)
        let dZ = SoftmaxCrossEntropy.backward(1, lossCache)
        let dC = classifier.backward(dZ, classifierCache, parameters: values, into: &parameters.grads)
        backwardEncoder(dC, encoderCache, parameters: values, into: &parameters.grads)
        return loss
    }
}
