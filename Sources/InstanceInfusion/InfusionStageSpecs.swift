import Core
import Datasets
import Foundation
import Infusion
import Retrieval
import Stages
import Training

/// The parameter tables of `embed`, `index`, `query` and `train-infused`, declared once for `tributary <stage>`
/// and for the runner's `stages[i].params`, and the one mapping of each stage's parameters to its configuration
/// (`IndexConfig(p, …)`, `QueryConfig(p, …)`, `InfusedTrainingStage.Configuration(p, …)`) that both doors call.
extension StageSpec {
    public static let embed = StageSpec("embed", summary: "context vectors of every document (embeddings.h5)", [
        ParameterSpec("subset", .string, .null, dataDefault: "every document",
                      "Only the documents of this predefined subset (train or test; 20news bydate, a CSV subset column)"),
        ParameterSpec("classes", .string, .string("model"), choices: ["model", "corpus"],
                      "Label names of the rows: the model's classes (a label the model does not know is refused), or the "
                      + "corpus's own (a foreign corpus, e.g. the source embedded with the target's encoder)"),
    ])

    public static let index = StageSpec("index", summary: "an LSH Forest per rank over its shard of the embeddings (index.h5 + parts)", [
        ParameterSpec("trees", .int, .null, dataDefault: IndexMetric.defaultText(\.trees), range: 1 ... 1e9,
                      reference: IndexMetric.reference, "Trees L of the forest"),
        ParameterSpec("max_depth", .int, .int(20), range: 1 ... 64, unit: "bits", "Maximum label length K (k_m)"),
        ParameterSpec("candidates_per_tree", .int, .null, dataDefault: IndexMetric.defaultText(\.candidatesPerTree),
                      range: 1 ... 1e9, reference: IndexMetric.reference,
                      "Candidates per tree c: the forest re-ranks up to c·L points per query"),
        ParameterSpec("metric", .string, .string(IndexMetric.cosine.rawValue), choices: IndexMetric.choices,
                      "Similarity: cosine, ip (inner product) or l2"),
        ParameterSpec("seed", .int, .int(0), "Seed of the random hyperplanes (the same on every rank)"),
    ])

    /// k and self-exclusion mean the same in `query` and `train-infused`: one declaration each.
    static let retrieval: [ParameterSpec] = [
        ParameterSpec("neighbours", .int, .int(5), range: 1 ... 1e6, reference: "Instance Infusion, Table 3",
                      "Neighbours k: the nearest indexed instances retrieved per document"),
        ParameterSpec("exclude_self", .bool, .bool(false),
                      "The queries are the indexed set itself (source = target, Table 4): never return a document's own row"),
    ]

    public static let query = StageSpec("query", summary: "k nearest indexed embeddings of every query row (neighbours.h5), label agreement",
                                        retrieval)

    /// The training parameters are `train-text`'s (`textTraining`) and so is the split (`textSplit`): the split
    /// values must repeat the `train-text` run's (the stage refuses a model trained on another split).
    public static let trainInfused = StageSpec("train-infused", summary: "instance-infused bi-LSTM: retrieval + attention + penalty (infused.h5)",
        retrieval + [
            ParameterSpec("penalty", .double, .double(1e-4), range: 0 ... 1e6, reference: "Instance Infusion, Table 3",
                          "Penalty scale λ of the similarity penalty λ‖z_s − z_t‖² (0: no penalty)"),
            ParameterSpec("refresh_every", .int, .int(1), range: 1 ... 1e9, unit: "refresh units",
                          "Recompute the neighbours from the current context vectors every N epochs or steps (refresh_unit)"),
            ParameterSpec("refresh_unit", .string, .string(InfusionRefresh.epochs.rawValue), choices: InfusionRefresh.choices,
                          reference: "Instance Infusion, §3.2 (retrieval per epoch; steps is the ablation)",
                          "What refresh_every counts: epochs (every training document re-retrieved after every N-th epoch) or "
                            + "steps (the batch's documents re-encoded with the current encoder and re-retrieved before every N-th step)"),
            ParameterSpec("retrieval", .string, .string(InfusionRetrieval.lsh.rawValue), choices: InfusionRetrieval.choices,
                          reference: "Instance Infusion, §3.2 (LSH Forest; exact is the ablation of its loss)",
                          "Neighbour search over the sources: lsh (the index's LSH Forest) or exact (brute force over the same rows)"),
        ] + textTraining + [.checkpointEverySteps] + textSplit + trainerSelection,
        constraints: [foldOrFraction, trainerSelectionNeedsValidation])

    /// Instance Infusion Table 5's classical baselines on `train-text`'s split (`tributary experiment baselines`;
    /// no runner stage).
    public static let experimentBaselines = StageSpec("experiment-baselines", summary: "Table 5's classical text classifiers on one split",
        textSplit + [
            ParameterSpec("max_features", .int, .int(10_000), range: 1 ... 1e9, unit: "terms", "Terms kept (highest document frequency)"),
            ParameterSpec("trees", .int, .int(100), range: 1 ... 1e9, "Trees per random forest (seeded with seed)"),
        ], constraints: [foldOrFraction])
}

/// How `train-infused` finds the k nearest source instances (`retrieval`): the index's LSH Forest
/// (`ShardedForest.search`) or brute force over the rows that forest holds (`ShardedExactSearch`).
public enum InfusionRetrieval: String, Sendable, CaseIterable, ParameterChoice {
    case lsh, exact
}

/// When `train-infused` recomputes the neighbour ids (`refresh_unit`, with `refresh_every` = N): after every
/// N-th epoch for every training document (the paper's schedule), or before every N-th step for the documents of
/// that step's batch, from the encoder the step starts with (`InfusedTrainingStage+Refresh`).
public enum InfusionRefresh: String, Sendable, CaseIterable, ParameterChoice {
    case epochs, steps
}

/// The similarity of an `index` stage (`metric`): the names both doors accept.
public enum IndexMetric: String, Sendable, CaseIterable, ParameterChoice {
    case cosine, ip, l2

    public var metric: Metric {
        switch self {
        case .cosine: .cosine
        case .ip: .innerProduct
        case .l2: .l2
        }
    }

    /// The forest's default settings for this metric (`LSHForest.Parameters.defaults(for:)`: the one source of
    /// the metric-dependent `trees` and `candidates_per_tree`).
    public var defaults: LSHForest.Parameters { LSHForest.Parameters.defaults(for: metric) }

    static let reference = "chosen for recall@5 on the k-NN benchmark, docs/benchmarks.md"

    /// "64; 128 for metric ip": the default of `field` per metric, as the help prints it.
    static func defaultText(_ field: KeyPath<LSHForest.Parameters, Int>) -> String {
        let cosine = IndexMetric.cosine.defaults[keyPath: field]
        let others = allCases.filter { $0.defaults[keyPath: field] != cosine }
        return "\(cosine)" + others.map { "; \($0.defaults[keyPath: field]) for metric \($0.rawValue)" }.joined()
    }
}

extension TextEmbeddingStage {
    /// The `embed` stage of `p` (`StageSpec.embed`), the same from either front door.
    public init(_ p: StageParameters, modelPath: String, source: TextCorpusSource, outputPath: String) {
        self.init(modelPath: modelPath, source: source, subset: p.optionalString("subset"),
                  corpusClasses: p.string("classes") == "corpus", outputPath: outputPath)
    }
}

extension IndexConfig {
    /// The `index` stage of `p` (`StageSpec.index`): `trees` and `candidates_per_tree` default to the metric's.
    public init(_ p: StageParameters, embeddings: String, output: String) {
        let metric = IndexMetric(rawValue: p.string("metric")) ?? .cosine
        self.init(embeddings: embeddings, output: output, trees: p.optionalInt("trees") ?? metric.defaults.trees,
                  maxDepth: p.int("max_depth"),
                  candidatesPerTree: p.optionalInt("candidates_per_tree") ?? metric.defaults.candidatesPerTree,
                  metric: metric.rawValue, seed: UInt64(p.int("seed")))
    }
}

extension QueryConfig {
    /// The `query` stage of `p` (`StageSpec.query`).
    public init(_ p: StageParameters, index: String, queries: String, output: String) {
        self.init(index: index, queries: queries, output: output, k: p.int("neighbours"), excludeSelf: p.bool("exclude_self"))
    }
}

extension InfusedTrainingStage.Configuration {
    /// The `train-infused` stage of `p` (`StageSpec.trainInfused`) on `source`, the same from either front door:
    /// the split and training options are read exactly as `train-text` reads them.
    public init(_ p: StageParameters, modelPath: String, source: TextCorpusSource, indexes: [String], outputPath: String?,
                checkpointDirectory: String? = nil) throws {
        self.init(modelPath: modelPath, source: source, split: try TextSplitChoice.split(p, source: source), indexes: indexes,
                  training: TrainingOptions(p, source: source, checkpointDirectory: checkpointDirectory))
        trainFraction = p.double("train_fraction")
        seed = UInt64(p.int("seed"))
        neighbours = p.int("neighbours")
        penaltyScale = p.double("penalty")
        refreshEvery = p.int("refresh_every")
        refreshUnit = InfusionRefresh(rawValue: p.string("refresh_unit")) ?? .epochs
        excludeSelf = p.bool("exclude_self")
        retrieval = InfusionRetrieval(rawValue: p.string("retrieval")) ?? .lsh
        selection = Selection(p)
        self.outputPath = outputPath
    }
}

extension ExperimentBaselines.Configuration {
    /// The baselines of `p` (`StageSpec.experimentBaselines`) on `source`: the split is read as `train-text` reads it.
    public init(_ p: StageParameters, source: TextCorpusSource) throws {
        self.init(source: source, split: try TextSplitChoice.split(p, source: source))
        seed = UInt64(p.int("seed"))
        trainFraction = p.double("train_fraction")
        maximumFeatures = p.int("max_features")
        trees = p.int("trees")
    }
}
