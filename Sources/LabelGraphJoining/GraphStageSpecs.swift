import Core
import Datasets
import Foundation
import LabelGraphs
import NeuralNets
import Stages
import Training

/// The parameter tables of the label-graph steps (Label-graph dataset joining: Algorithm 1 for the loss, §4.5 and
/// Table 4 for the pooling, Figure 4 for the grid), declared once for `tributary train-paths`, `tributary decode`
/// and the runner's `train-paths` stage, which is both steps in one (`trainAndDecodePaths`):
///
///     StageSpec.trainPaths   ── tributary train-paths  ┐
///     StageSpec.decodePaths  ── tributary decode       ┴─ runner train-paths (+ its config-only plumbing: the
///                                                          graph, the two datasets and class maps, fine_fraction)
///
/// `PathTrainingStage.Configuration(p, …)` is the one mapping of the parameters to a training configuration and
/// `PathFigure.gridNodes(p, graph:)` the one meaning of `grid_nodes`.
extension StageSpec {
    /// The model and its training (Algorithm 1), shared by `tributary train-paths` and the runner.
    public static let trainPaths = StageSpec("train-paths", summary: "label-graph path decoder (label-aug, Algorithm 1) or a baseline on joined datasets (model.h5)", [
        ParameterSpec("method", .string, .string(PathMethod.labelAug.rawValue), choices: PathMethod.choices,
                      reference: "Label-graph dataset joining, Table 3",
                      "label-aug (the path decoder; with a coarse dataset joined: label-aug + fusion) or a baseline"),
        ParameterSpec("feature_sets", .strings, .null, dataDefault: "embeddings when the features file has them, else fv/orh/1x1",
                      rule: { value in
                          if case let .array(items) = value, items.isEmpty { return "a non-empty list" }
                          return nil
                      },
                      "Feature datasets of the features file, concatenated as the encoder input"),
        ParameterSpec("encoder_hidden", .int, .int(256), range: 1 ... 1e9, "M, the encoder MLP's hidden size (every method)"),
        ParameterSpec("embedding_size", .int, .int(32), range: 1 ... 1e9, "E, the decoder's node-embedding size (label-aug)"),
        ParameterSpec("hidden_size", .int, .int(128), range: 1 ... 1e9, "H, the decoder GRU's hidden size (label-aug)"),
        ParameterSpec("pooling", .string, .string(PathTrainingOptions.Pooling.mean.rawValue),
                      choices: PathTrainingOptions.Pooling.choices, reference: "Label-graph dataset joining §4.5, Table 4: mean is best",
                      "How a sample's up to N_p target paths are pooled: mean, sum, or one random path (label-aug)"),
        ParameterSpec("max_target_paths", .int, .int(4), range: 1 ... 1e9, reference: "Label-graph dataset joining §4.5",
                      "N_p, the most deterministic target paths per sample (label-aug; not with pooling random)"),
        ParameterSpec("nondeterministic", .string, .string(PathTrainingOptions.Nondeterministic.reinforce.rawValue),
                      choices: PathTrainingOptions.Nondeterministic.choices, reference: "Label-graph dataset joining, Algorithm 1: reinforce",
                      "How nondeterministic ground truth is trained: reinforce (policy gradient) or marginal (−log Σ p over each label's paths) (label-aug)"),
        ParameterSpec("reinforce_samples", .int, .int(1), range: 1 ... 1e6, reference: "Label-graph dataset joining, Algorithm 1: one",
                      "K, paths sampled per nondeterministic sample for REINFORCE (label-aug)"),
        ParameterSpec("teacher_forcing", .double, .double(1), range: 0 ... 1, reference: "Label-graph dataset joining, Algorithm 1: r_tf",
                      "r_tf, the probability that a step's deterministic paths are teacher-forced rather than free-running (label-aug)"),
        ParameterSpec("alpha", .double, .double(1), range: 0 ... 1e6, reference: "Label-graph dataset joining, Algorithm 1",
                      "α, the weight of the deterministic (teacher-forced) loss (label-aug)"),
        ParameterSpec("beta", .double, .double(1), range: 0 ... 1e6, reference: "Label-graph dataset joining, Algorithm 1",
                      "β, the weight of the REINFORCE loss of nondeterministic samples (label-aug)"),
        ParameterSpec("epochs", .int, .int(20), range: 1 ... 1e9, "Epochs"),
        ParameterSpec("batch_size", .int, .int(64), range: 1 ... 1e9, unit: "samples",
                      "Global batch size: each step's samples are split over the ranks"),
        ParameterSpec("learning_rate", .double, .double(0.001), range: 0 ... 1e6, "Adam learning rate, decayed ×0.3 every 10 epochs"),
        ParameterSpec("seed", .int, .int(0),
                      "Seed of the initial parameters, the shuffles and the samples (the runner's stage also draws its fine/coarse rows with it)"),
        ParameterSpec("multi_label", .bool, .bool(false),
                      "FFN: one sigmoid per target label on each sample's label set (multi-label) instead of a softmax (method ffn only)"),
        ParameterSpec("text_encoder", .string, .null, dataDefault: "none: the joined features are fixed inputs (a frozen encoder)",
                      reference: "Label-graph dataset joining §3: encoder and decoder trained end to end",
                      "A train-text model (HDF5) whose bi-LSTM encoder is trained jointly with the decoder, starting from its values; the joined features must be its `tributary embed` vectors (label-aug; `tributary train-paths` only, the runner's stage joins Fisher vectors)"),
        ParameterSpec("text_corpus", .string, .null, dataDefault: "required with text_encoder",
                      choices: TextCorpusSource.Kind.choices,
                      "With text_encoder: the corpus whose documents the joined features files' ids name (as given to `tributary embed`)"),
        ParameterSpec("text_data", .string, .null, dataDefault: "the corpus's default location",
                      "With text_encoder: the corpus archive, folder, CSV or saved dumpavail (as given to `tributary embed`)"),
        .checkpointEverySteps,
    ] + trainerSelection, constraints: [labelAugOnly, ffnOnly, marginalExcludes, randomPoolingExcludes, textEncoderRules,
                                        trainerSelectionNeedsValidation, selectionExcludes])

    /// Greedy decoding's figure (Figure 4 analog), shared by `tributary decode` and the runner.
    public static let decodePaths = StageSpec("decode", summary: "greedy decoding (Algorithm 2) of a label-aug model or a baseline's predictions", [
        ParameterSpec("grid_nodes", .strings, .null, dataDefault: "every augmented node of the graph; [] none",
                      reference: "Label-graph dataset joining, Figure 4",
                      "Figure rows: node ids; a row shows test images whose decoded path passes through its node"),
        ParameterSpec("grid_per_row", .int, .int(8), range: 1 ... 1000, unit: "images", "Images per figure row"),
    ])

    /// The runner's `train-paths`: both steps' parameters (its config-only plumbing is added by the stage type).
    public static let trainAndDecodePaths = StageSpec("train-paths", summary: "label-graph path decoder (label-aug) on Fisher vectors, fine + coarse datasets joined; decodes the test rows (model.h5, paths.json)",
                                                      combining: [trainPaths, decodePaths], constraints: [gridNeedsPaths, noTextEncoderInRunner])

    /// A parameter given a value other than its default (a value equal to the default is the same as none).
    public static func given(_ p: StageParameters, _ key: String) -> Bool {
        (p.values[key] ?? .null) != p.spec[key].defaultValue
    }

    /// The text encoder trains through the path decoder only; its corpus options need it, and it needs a corpus.
    static let textEncoderRules: Constraint = { p in
        if p.isNull("text_encoder") {
            for key in ["text_corpus", "text_data"] where !p.isNull(key) {
                return p.inconsistent(key, "needs \(p.door.name(ofKey: "text_encoder")) (the train-text model it tokenises for); leave it out")
            }
            return nil
        }
        if p.string("method") != PathMethod.labelAug.rawValue {
            return p.inconsistent("text_encoder", "applies to \(p.door.name(ofKey: "method")) label-aug only (the end-to-end encoder feeds the path decoder); leave it out")
        }
        if p.isNull("text_corpus") {
            return p.inconsistent("text_encoder", "needs \(p.door.name(ofKey: "text_corpus")) (and \(p.door.name(ofKey: "text_data")) unless the default location): the documents the joined ids name")
        }
        return nil
    }

    /// Selection trains one model per trial on the fixed features: not the two trainings of pseudo-labels, not an
    /// end-to-end text encoder (its trials would need the corpus re-encoded per trial; not built).
    static let selectionExcludes: Constraint = { p in
        guard p.string("select_on") == "validation" else { return nil }
        if p.string("method") == PathMethod.pseudoLabels.rawValue {
            return p.inconsistent("select_on", "is not available with \(p.door.name(ofKey: "method")) pseudo-labels (it trains twice); "
                + "use select_on none, or another method")
        }
        if !p.isNull("text_encoder") {
            return p.inconsistent("select_on", "is not available with \(p.door.name(ofKey: "text_encoder")) (end-to-end training); "
                + "use select_on none, or the frozen encoder")
        }
        return nil
    }

    /// The runner's stage joins Fisher vectors of images: there is no text to encode.
    static let noTextEncoderInRunner: Constraint = { p in
        for key in ["text_encoder", "text_corpus", "text_data"] where !p.isNull(key) {
            return p.inconsistent(key, "is not available in the runner's train-paths stage (it joins Fisher vectors of images, there is no text); "
                + "use `tributary train-paths --text-encoder` on `tributary embed` files, or leave it out")
        }
        return nil
    }

    /// The decoder's options do nothing for a baseline.
    static let labelAugOnly: Constraint = { p in
        let method = p.string("method")
        guard method != PathMethod.labelAug.rawValue else { return nil }
        for key in ["embedding_size", "hidden_size", "pooling", "max_target_paths", "nondeterministic", "reinforce_samples",
                    "teacher_forcing", "alpha", "beta"] where given(p, key) {
            return p.inconsistent(key, "applies to \(p.door.name(ofKey: "method")) label-aug only, not \(method); leave it out")
        }
        return nil
    }

    /// Label-aug and label-set train on each sample's label set whatever `multi_label` says.
    static let ffnOnly: Constraint = { p in
        guard p.bool("multi_label"), p.string("method") != PathMethod.ffn.rawValue else { return nil }
        return p.inconsistent("multi_label", "applies to \(p.door.name(ofKey: "method")) ffn only (\(p.string("method")) trains on "
            + "each sample's label set anyway); leave it out")
    }

    /// The marginal likelihood is teacher-forced over every path of each label: no sampling, pooling or N_p.
    static let marginalExcludes: Constraint = { p in
        guard p.string("nondeterministic") == PathTrainingOptions.Nondeterministic.marginalLikelihood.rawValue else { return nil }
        for key in ["pooling", "max_target_paths", "teacher_forcing", "reinforce_samples", "beta"] where given(p, key) {
            return p.inconsistent(key, "does not apply with \(p.door.name(ofKey: "nondeterministic")) marginal (it is teacher-forced "
                + "over every path of each label, nothing is sampled); leave it out")
        }
        return nil
    }

    /// Random pooling trains one drawn path per sample: N_p does not apply.
    static let randomPoolingExcludes: Constraint = { p in
        guard p.string("pooling") == PathTrainingOptions.Pooling.random.rawValue, given(p, "max_target_paths") else { return nil }
        return p.inconsistent("max_target_paths", "does not apply with \(p.door.name(ofKey: "pooling")) random (one path is drawn "
            + "per sample); leave it out")
    }

    /// Baselines decode no paths: the figure has nothing to show.
    static let gridNeedsPaths: Constraint = { p in
        let method = p.string("method")
        guard method != PathMethod.labelAug.rawValue else { return nil }
        for key in ["grid_nodes", "grid_per_row"] where given(p, key) {
            return p.inconsistent(key, "needs \(p.door.name(ofKey: "method")) label-aug (a \(method) model decodes no paths); leave it out")
        }
        return nil
    }
}

extension PathMethod: ParameterChoice {}

extension TextCorpusSource.Kind: ParameterChoice {}

extension PathTrainingOptions.Nondeterministic: ParameterChoice {}

extension PathTrainingOptions.Pooling: ParameterChoice {
    public init?(rawValue: String) {
        switch rawValue {
        case "mean": self = .mean
        case "sum": self = .sum
        case "random": self = .random
        default: return nil
        }
    }

    public var rawValue: String {
        switch self {
        case .mean: "mean"
        case .sum: "sum"
        case .random: "random"
        }
    }

    public static var allCases: [Self] { [.mean, .sum, .random] }
}

extension PathTrainingStage.Configuration {
    /// The configuration of `train-paths`'s parameters `p` (a spec with `StageSpec.trainPaths`'s keys) on the joined
    /// `specs`, the same from either front door.
    public init(_ p: StageParameters, graphPath: String, specs: [PathDataSpec], target: String, outputPath: String?,
                checkpointDirectory: String? = nil) {
        let seed = UInt64(p.int("seed"))
        self.init(graphPath: graphPath, specs: specs, target: target,
                  method: PathMethod(rawValue: p.string("method")) ?? .labelAug,
                  training: TrainingOptions(epochs: p.int("epochs"), batchSize: p.int("batch_size"),
                                            learningRate: p.double("learning_rate"), seed: seed,
                                            checkpointDirectory: checkpointDirectory,
                                            checkpointEverySteps: p.int("checkpoint_every_steps")))
        featureSets = p.isNull("feature_sets") ? nil : p.strings("feature_sets")
        encoderHidden = p.int("encoder_hidden")
        embeddingSize = p.int("embedding_size")
        hiddenSize = p.int("hidden_size")
        pathOptions = PathTrainingOptions(
            alpha: p.double("alpha"), beta: p.double("beta"), teacherForcingRate: p.double("teacher_forcing"),
            maxTargetPaths: p.int("max_target_paths"), pooling: PathTrainingOptions.Pooling(rawValue: p.string("pooling")) ?? .mean,
            reinforceSamples: p.int("reinforce_samples"),
            nondeterministic: PathTrainingOptions.Nondeterministic(rawValue: p.string("nondeterministic")) ?? .reinforce)
        self.seed = seed
        self.outputPath = outputPath
        multiLabel = p.bool("multi_label")
        selection = Selection(p)
    }
}

extension PathFigure {
    /// The figure's rows that `p` (a spec with `StageSpec.decodePaths`'s keys) asks for on `graph`: the given
    /// `grid_nodes`, or every augmented node when none are given.
    public static func gridNodes(_ p: StageParameters, graph: LabelGraph) -> [String] {
        p.isNull("grid_nodes") ? graph.nodes.filter { $0.kind == .augmented }.map(\.id) : p.strings("grid_nodes")
    }
}
