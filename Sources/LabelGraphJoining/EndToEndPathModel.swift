import Core
import Datasets
import LabelGraphs
import LinearAlgebra
import NeuralNets
import Stages

/// A `train-text` model's bi-LSTM encoder as `train-paths`'s trainable input (`text_encoder`): the values
/// `tributary train-paths --text-encoder MODEL.h5` reads from the model file, plus the corpus its documents'
/// texts come from (the joined features file's `ids` name the documents).
public struct PathTextEncoder: Sendable {
    public var configuration: TextClassifier.Configuration
    /// θ_text, `TextClassifier(configuration).layout` (classifier head included; it gets no gradient).
    public var parameters: [Float]
    public var vocabulary: Vocabulary
    public var maxLength: Int
    public var stripNewsgroup: Bool
    /// The corpus whose document ids the joined features files' `ids` are (`tributary embed --corpus … --data …`).
    public var corpus: TextCorpusSource

    public init(configuration: TextClassifier.Configuration, parameters: [Float], vocabulary: Vocabulary, maxLength: Int,
                stripNewsgroup: Bool, corpus: TextCorpusSource) {
        self.configuration = configuration
        self.parameters = parameters
        self.vocabulary = vocabulary
        self.maxLength = maxLength
        self.stripNewsgroup = stripNewsgroup
        self.corpus = corpus
    }

    /// The token ids of `text` (the tokenizer and vocabulary of the model, truncated to its L_max).
    public func tokens(_ text: String) -> [Int] {
        vocabulary.encode(TextTokenizer(stripNewsgroupArtifacts: stripNewsgroup).tokens(text), maxLength: maxLength)
    }
}

/// Label-graph joining with the text encoder trained jointly with the path decoder (Label-graph dataset joining
/// §3: the encoder and the GRU decoder are trained end to end). One flat parameter buffer θ = θ_text ++ θ_dec:
///
///     c   = ReLU(meanpool(BiLSTM(E[tokens], L))·W_c + b_c)     (B, M)   `TextClassifier.encodeForTraining`
///     x   = (c − μ) ⊙ s                                        (B, M)   μ, s: the standardisation of the joined
///                                                                       features file (the initial encoder's c), fixed
///     ℓ   = PathDecoder.loss(x)  (α·L_d + β·L_nd, Algorithm 1)          its MLP, GRU, output layer: θ_dec
///     ∂ℓ/∂x = PathLoss.dFeatures                               (B, M)
///     ∂ℓ/∂c = ∂ℓ/∂x ⊙ s                                        (B, M)   → `TextClassifier.backwardEncoder` → θ_text
///
/// Layout: the text model's views renamed `text.<name>` at offsets 0 ..< P_t (`TextClassifier`'s order), then the
/// decoder's views renamed `decoder.<name>` at P_t ..< P_t + P_d. The train-text classifier head stays in θ_text
/// (unused: zero gradient, so Adam leaves it unchanged) so that θ_text is a whole `TextClassifier` buffer.
///
/// At initialisation x equals the frozen pipeline's input (`embed` wrote the initial c, standardised the same
/// way), so `--text-encoder` changes only what training may move.
///
/// Shapes: B samples, T ≤ L_max tokens, M context size (= F of the decoder), P_t, P_d parameter counts.
public struct EndToEndPathModel: Sendable {
    public let text: TextClassifier
    public let decoder: PathDecoder
    /// μ and s (M each).
    public let mean: [Float]
    public let scale: [Float]
    /// text.* then decoder.*.
    public let layout: ParameterLayout

    public init(text: TextClassifier, decoder: PathDecoder, mean: [Float], scale: [Float]) {
        precondition(decoder.configuration.featureSize == text.configuration.contextSize
                     && mean.count == text.configuration.contextSize && scale.count == mean.count,
                     "EndToEndPathModel: the decoder's F (\(decoder.configuration.featureSize)) and the standardisation (\(mean.count)) must be the text model's M (\(text.configuration.contextSize))")
        self.text = text
        self.decoder = decoder
        self.mean = mean
        self.scale = scale
        var layout = ParameterLayout()
        for view in text.layout.views { _ = layout.register("text." + view.name, rows: view.rows, columns: view.columns) }
        for view in decoder.layout.views { _ = layout.register("decoder." + view.name, rows: view.rows, columns: view.columns) }
        self.layout = layout
    }

    /// P_t: where θ_dec starts.
    public var decoderOffset: Int { text.layout.count }

    /// θ = θ_text (the train-text model's values) ++ θ_dec (`decoder.makeParameters(seed:)`).
    public func makeParameters<S: NeuralScalar>(text values: [S], seed: UInt64) -> Parameters<S> {
        precondition(values.count == text.layout.count, "EndToEndPathModel: \(values.count) text parameters, the layout has \(text.layout.count)")
        var parameters = Parameters<S>(layout: layout)
        let decoderValues: Parameters<S> = decoder.makeParameters(seed: seed)
        parameters.values = values + decoderValues.values
        return parameters
    }

    /// x (B, M): the standardised context vectors the decoder reads (inference, no caches).
    public func features<S: NeuralScalar>(_ batch: TextBatch, parameters: [S]) -> Matrix<S> {
        standardise(text.encode(batch, parameters: Array(parameters[0 ..< decoderOffset])))
    }

    func standardise<S: NeuralScalar>(_ c: Matrix<S>) -> Matrix<S> {
        var x = c
        for i in 0 ..< c.rows {
            for j in 0 ..< c.columns { x[i, j] = (c[i, j] - S(mean[j])) * S(scale[j]) }
        }
        return x
    }

    /// Algorithm 1 through encoder and decoder: the SUM over the batch of α·L_d + β·L_nd, its gradient
    /// accumulated (+=) into `parameters.grads` (θ_text and θ_dec); `rng` / `sampleStreams` as in
    /// `PathDecoder.loss`. The returned `dFeatures` is ∂ℓ/∂c (B, M), what reached the encoder.
    @_specialize(where S == Float)
    public func loss<S: NeuralScalar>(
        _ batch: TextBatch, truths: [GroundTruth], options: PathTrainingOptions, baseline: Double,
        parameters: inout Parameters<S>, rng: inout SeededRandom, sampleStreams: [SeededRandom]? = nil
    ) -> PathLoss<S> {
        precondition(parameters.values.count == layout.count, "EndToEndPathModel: \(parameters.values.count) parameters, the layout has \(layout.count)")
        let p = decoderOffset
        let (c, cache) = text.encodeForTraining(batch, parameters: parameters.values)
        var decoderParameters = Parameters<S>(layout: decoder.layout)
        decoderParameters.values = Array(parameters.values[p...])
        decoderParameters.grads = Array(parameters.grads[p...])
        var result = decoder.loss(PathBatch(features: standardise(c), truths: truths), options: options, baseline: baseline,
                                  parameters: &decoderParameters, rng: &rng, sampleStreams: sampleStreams)
        parameters.grads.replaceSubrange(p..., with: decoderParameters.grads)
        var dC = result.dFeatures
        for i in 0 ..< dC.rows {
            for j in 0 ..< dC.columns { dC[i, j] *= S(scale[j]) }
        }
        text.backwardEncoder(dC, cache, parameters: parameters.values, into: &parameters.grads)
        result.dFeatures = dC
        return result
    }
}
