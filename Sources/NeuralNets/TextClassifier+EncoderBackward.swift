import LinearAlgebra

/// The encoder half of `TextClassifier` as a differentiable function c = f_θ(x), for training loops that put
/// another head on the context vector (Instance Infusion's joint training, paper § 3: the infused classifier is
/// "trained jointly with the initial parameters from the pre-trained classification module"):
///
///     forward:   X = E[tokens] → H = BiLSTM(X, L) → o = meanpool(H, L) → c = ReLU(o·W_c + b_c)     (B, M)
///     backward:  given dC = ∂ℓ/∂c (B, M):
///                dCpre = dC ⊙ [c_pre > 0]                     (ReLU)
///                dW_c += oᵀ·dCpre,  db_c += Σ_b dCpre_b,  dO = dCpre·W_cᵀ
///                dH_{b,t} = dO_b / L_b  for t < L_b, 0 on padding     (mean pooling)
///                dX = BiLSTM.backward(dH)   (accumulates both directions' weights)
///                dE[token] += dX row, except the padding token
///
/// The classifier layer (W_y, b_y) is not touched: its gradients stay as they were.
///
/// **Parameter buffers.** The encoder's views are the first entries of `layout` (embedding, encoder, context);
/// `parameters` and `grads` may be LONGER than `layout.count`, so a head registered after them in a copy of
/// `layout` shares one flat buffer with the encoder (one all-reduce, one optimizer state).
///
/// ```swift
/// let (c, cache) = model.encodeForTraining(batch, parameters: theta)        // c (B, M)
/// let dC = head.backward(…)                                                  // ∂ℓ/∂c (B, M)
/// model.backwardEncoder(dC, cache, parameters: theta, into: &grads)          // += into the encoder's views
/// ```
extension TextClassifier {
    /// What `backwardEncoder` needs from the forward pass.
    public struct EncoderCache<S: NeuralScalar>: Sendable {
        let embedding: Embedding.Cache
        let encoder: BiLSTM.Cache<S>
        let pooling: MeanPooling.Cache
        let context: Linear.Cache<S>
        let activation: ReLU.Cache<S>
        /// B.
        public let count: Int
    }

    /// The context vectors c (B, M) and the cache for `backwardEncoder`. `parameters` holds at least
    /// `layout.count` values (the model's views first).
    @_specialize(where S == Float)
    public func encodeForTraining<S: NeuralScalar>(_ batch: TextBatch, parameters: [S]) -> (Matrix<S>, EncoderCache<S>) {
        precondition(parameters.count >= layout.count,
                     "TextClassifier.encodeForTraining: \(parameters.count) parameters, the layout needs \(layout.count)")
        let (x, embeddingCache) = embedding.forward(batch.tokens, parameters: parameters)
        let (h, encoderCache) = encoder.forward(x, lengths: batch.lengths, parameters: parameters)
        let (o, poolingCache) = pooling.forward(h, lengths: batch.lengths)
        let (cPre, contextCache) = context.forward(o, parameters: parameters)
        let (c, activationCache) = contextActivation.forward(cPre)
        return (c, EncoderCache(embedding: embeddingCache, encoder: encoderCache, pooling: poolingCache,
                                context: contextCache, activation: activationCache, count: batch.count))
    }

    /// Accumulates (`+=`) ∂ℓ/∂θ_encoder into `grads` given dC = ∂ℓ/∂c (B, M).
    @_specialize(where S == Float)
    public func backwardEncoder<S: NeuralScalar>(_ dC: Matrix<S>, _ cache: EncoderCache<S>, parameters: [S],
                                                 into grads: inout [S]) {
        precondition(dC.rows == cache.count && dC.columns == configuration.contextSize,
                     "TextClassifier.backwardEncoder: dC is \(dC.rows)×\(dC.columns), expected \(cache.count)×\(configuration.contextSize)")
        precondition(parameters.count >= layout.count && grads.count >= layout.count,
                     "TextClassifier.backwardEncoder: buffers shorter than the layout (\(layout.count))")
        let dCpre = contextActivation.backward(dC, cache.activation)
        let dO = context.backward(dCpre, cache.context, parameters: parameters, into: &grads)
        let dH = pooling.backward(dO, cache.pooling)
        let dX = encoder.backward(dH, cache.encoder, parameters: parameters, into: &grads)
        embedding.backward(dX, cache.embedding, into: &grads)
    }
}
