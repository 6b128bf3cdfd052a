import Core
import Datasets
import Foundation
import Infusion
import Retrieval
import Stages
import Training

/// The parameter tables of the instance-infusion stages (Instance Infusion, Table 3 for the defaults that the
/// paper gives), declared once for `tributary <stage>` and for the runner's `stages[i].params`.
extension StageSpec {
    /// The held-out split and the training subset: `train-text` and `train-infused` share these declarations, and
    /// `train-infused` must repeat the values `train-text` used (it refuses a model trained on another split).
    static let textSplit: [ParameterSpec] = [
        ParameterSpec("fold", .string, .null, dataDefault: "the corpus's own split (20news bydate, a CSV subset column), else test_fraction",
                      reference: "Instance Infusion §4: k-fold cross-validation",
                      rule: CrossValidationFold.check,
                      "Cross-validation fold k/K (1-based k): the k-th of K stratified folds is held out"),
        ParameterSpec("test_fraction", .double, .null, dataDefault: "the corpus's own split (20news bydate, a CSV subset column), else 0.1",
                      range: 0.001 ... 0.999, "Stratified held-out fraction of each class (not with fold)"),
        ParameterSpec("train_fraction", .double, .double(1), range: 0.001 ... 1,
                      reference: "Instance Infusion, Figure 2", "Fraction of each class's training documents kept"),
        ParameterSpec("seed", .int, .int(0), "Seed of the split, the initial parameters and the shuffles"),
    ]

    /// Data-parallel training of a bi-LSTM classifier (`train-text` and `train-infused`).
    static let textTraining: [ParameterSpec] = [
        ParameterSpec("epochs", .int, .null, dataDefault: "Table 3's for the corpus: 20news 30, bbc and bbcsport 20, debian 10, csv 20",
                      range: 1 ... 1e9, reference: "Instance Infusion, Table 3", "Epochs"),
        ParameterSpec("batch_size", .int, .null,
                      dataDefault: "Table 3's for the corpus: 20news 256, bbc 32, bbcsport 16, debian 256, csv 32",
                      range: 1 ... 1e9, unit: "documents", reference: "Instance Infusion, Table 3",
                      "Global batch size: each step's documents are split over the ranks"),
        ParameterSpec("learning_rate", .double, .double(0.01), range: 0 ... 1e6, reference: "Instance Infusion, Table 3 and §4",
                      "Initial learning rate, decayed ×0.3 every 10 epochs"),
        ParameterSpec("clip_norm", .double, .double(0), range: 0 ... 1e12, "Clip the averaged gradient to this L2 norm (0: no clipping)"),
        ParameterSpec("check_every", .int, .int(0), unit: "steps",
                      "Check that all ranks hold identical parameters every N steps (0: at epoch ends only)"),
    ]

    public static let trainText = StageSpec("train-text", summary: "bi-LSTM text classifier, data-parallel, checkpointed (model.h5)",
        [
            ParameterSpec("max_length", .int, .int(300), range: 1 ... 1e9, unit: "tokens", "Tokens kept per document (longer ones are truncated)"),
            ParameterSpec("vocab_size", .int, .int(30_000), range: 2 ... 1e9, unit: "tokens",
                          "Vocabulary size V, <pad> and <unk> included (the most frequent training tokens)"),
            ParameterSpec("min_count", .int, .int(2), range: 1 ... 1e9, "Minimum training-set count for a token to enter the vocabulary"),
            ParameterSpec("embedding_size", .int, .int(300), range: 1 ... 1e9, reference: "Instance Infusion, Table 3",
                          "Word-vector size D"),
            ParameterSpec("hidden_size", .int, .int(128), range: 1 ... 1e9,
                          "Hidden size H per LSTM direction (Table 3 gives none; 128 is the size the bi-LSTM benchmark measures)"),
            ParameterSpec("context_size", .int, .int(50), range: 1 ... 1e9, reference: "Instance Infusion, Table 3",
                          "Context-vector size M, the paper's latent dim m"),
            ParameterSpec("optimizer", .string, .string("adam"), choices: TrainingOptions.Optimizer.choices, "Optimizer"),
        ] + textTraining + [.checkpointEverySteps] + textSplit + trainerSelection,
        constraints: [foldOrFraction, trainerSelectionNeedsValidation])

    /// `fold` and `test_fraction` both choose the held-out split: at most one may be given.
    static let foldOrFraction: Constraint = { p in
        p.isNull("fold") || p.isNull("test_fraction") ? nil : p.inconsistent("test_fraction", "cannot be given with fold; pass one of them")
    }
}

/// How `fold` and `test_fraction` choose the split (the one parser of `k/K`).
public enum TextSplitChoice {
    /// `"k/K"` → (k − 1, K) (`CrossValidationFold`, shared with the image split stages).
    public static func parseFold(_ text: String) throws(ParameterError.Problem) -> (fold: Int, of: Int) {
        try CrossValidationFold.parse(text)
    }

    /// The split `p` asks for on `source`: fold, held-out fraction, or the corpus's own split when it has one
    /// (20 Newsgroups bydate; a CSV with a `subset` column), else 10 % held out.
    public static func split(_ p: StageParameters, source: TextCorpusSource) throws -> TextTrainingStage.Split {
        if let fold = p.optionalString("fold") {
            do {
                let (k, folds) = try parseFold(fold)
                return .fold(k, of: folds)
            } catch {
                throw ParameterError(door: p.door, name: p.door.name(ofKey: "fold"), problem: error)
            }
        }
        if let fraction = p.optionalDouble("test_fraction") { return .testFraction(fraction) }
        switch source.kind {
        case .twentyNewsgroups: return .predefined
        case .csv: return try source.load().hasPredefinedSplit ? .predefined : .testFraction(0.1)
        default: return .testFraction(0.1)
        }
    }
}

extension TrainingOptions {
    /// The training options `p` (a spec with `textTraining`'s parameters) asks for on `source`: epochs and batch
    /// size default to Table 3's for the corpus; a spec without `optimizer` (`train-infused`) trains with Adam.
    public init(_ p: StageParameters, source: TextCorpusSource, checkpointDirectory: String?) {
        self.init(epochs: p.optionalInt("epochs") ?? source.defaultEpochs,
                  batchSize: p.optionalInt("batch_size") ?? source.defaultBatchSize,
                  learningRate: p.double("learning_rate"),
                  optimizer: TrainingOptions.Optimizer(rawValue: p.string("optimizer")) ?? .adam,
                  clipNorm: p.double("clip_norm") > 0 ? p.double("clip_norm") : nil, seed: UInt64(p.int("seed")),
                  consistencyCheckEvery: p.int("check_every"), checkpointDirectory: checkpointDirectory,
                  checkpointEverySteps: p.int("checkpoint_every_steps"))
    }
}

extension TextTrainingStage.Configuration {
    /// The configuration of `train-text`'s parameters `p` on `source`, the same from either front door.
    public init(_ p: StageParameters, source: TextCorpusSource, checkpointDirectory: String?, outputPath: String?) throws {
        self.init(source: source, split: try TextSplitChoice.split(p, source: source),
                  training: TrainingOptions(p, source: source, checkpointDirectory: checkpointDirectory))
        trainFraction = p.double("train_fraction")
        seed = UInt64(p.int("seed"))
        embeddingSize = p.int("embedding_size")
        hiddenSize = p.int("hidden_size")
        contextSize = p.int("context_size")
        maxLength = p.int("max_length")
        vocabularySize = p.int("vocab_size")
        minimumCount = p.int("min_count")
        selection = Selection(p)
        self.outputPath = outputPath
    }
}

extension TrainingOptions.Optimizer: ParameterChoice {}
