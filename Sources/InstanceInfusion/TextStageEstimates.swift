import Core
import Datasets
import Foundation
import NeuralNets
import Stages
import Storage
import Training

/// `tributary plan`'s size estimates for the text stages, from parameters and the corpus (counted, not trained
/// on). Bytes are the datasets' raw payload (float32 = 4 B, int32 = 4 B, int64 = 8 B); HDF5 metadata and string
/// datasets (ids, vocabulary, class names) are not counted. N documents and C classes of the stage's corpus;
/// the train-text sizes D, H, M and V = the vocabulary of all the corpus's documents (tokens seen `min_count`
/// times, at most `vocab_size`; the model's, built from the training documents only, is at most that):
///
///     train-text     model.h5        4·P,  P = TextClassifier(V, D, H, M, C).layout.count
///     embed          embeddings.h5   N·(4M + 4)                          embeddings (N, M) + labels (N)
///     index          index.h5 parts  R·4·L·K·M + N·(12·L + 8 + 4M)       per rank: normals (L·K, M); per row: L
///                                                                         labels (8 B) and rows (4 B), id, vector
///     query          neighbours.h5   B·k·12                              neighbours (8 B) + scores (4 B), B queries
///     train-infused  infused.h5      4·(P + ((1 + S)·M + 1)·C), S = 1    the model's P plus the infusion head
///
/// with L trees of depth K (`trees`, `max_depth`), R ranks, k = `neighbours`, and N, B the embed stages' corpora
/// (all documents: an upper bound when `subset` picks part of them).
///
/// Before `run` has written the dataset's snapshot (`out/datasets/NAME.csv`), `plan` reads no corpus: with a
/// `limit`, N = limit, C ≤ N and V ≤ `vocab_size` (upper bounds, `RunnerEstimateInput.TextBound`); only a text
/// dataset without `limit` is still built in a temporary folder and counted.
///
/// Peak memory per rank (`StageCost`: B₀ + these terms, upper bounds) and rough time. L = `max_length` (every document
/// counted at full length: an upper bound), E epochs, B the global batch (B_r = ⌈B/R⌉ per rank; Table 3's default
/// when null), N_r = ⌈N/R⌉, u = 8·H·(D + H) the bi-LSTM's gate multiply-adds per token (2 directions × 4 gates),
/// a = 2·B_r·L·(D + 12·H)·4 the batch's activations (per step and direction: gates 4H, cell, state; forward cache and
/// its gradients), c = `candidates_per_tree`. The trainers sum in order over blocks of b = 8 documents
/// (`DataParallelTrainer+Ordered`): a rank runs one block at a time, so their activations are those of
/// B_b = min(B, b) documents, a_b = 2·B_b·L·(D + 12·H)·4, and each rank holds its k_r = ⌈⌈B/b⌉/R⌉ block partials of
/// P + 2 values, their exchange copy and what it receives (≤ k_r partials), one block's copy and the sum:
/// o = 4·(P + 2)·(3·k_r + 2):
///
///     train-text     memory  16·P + 4·N·L + a_b + o      weights, grads, Adam m and v; token ids; activations; ordered sums
///                    time    E·N·L·u / (R·lstmTrainRate)
///     embed          memory  4·P + 4·N·L + 4·N·M + a/2    model; token ids; context vectors; forward only
///                    time    N·L·u / (R·lstmInferenceRate)
///     index          memory  4·N·M + 4·L_t·K·M + 12·N_r·L_t   every embedding read; normals; the rank's labels, rows
///                    time    N_r·L_t·K·M / projectionRate
///     query          memory  N_r·(4M + 12·L_t) + 4·B·M + 12·B·k   the rank's index part; queries; results
///                    time    B·L_t·c·M / candidateRate
///     train-infused  memory  16·P' + 4·N·L + 4·N·M + 8·N·k + a_b + 4·B_b·k·M + o'   P' the infused parameters; + the
///                                                 index's vectors, neighbour lists, the block's neighbours, ordered sums
///                    time    E·N·L·u / (R·lstmTrainRate) + E·N_r·L_t·c·M / candidateRate
///
/// Rates per core of AMD Zen 4: W7 (docs/benchmarks.md, bi-LSTM D 300, H 128, 1 thread, quiet machine:
/// `python3 bench/bench_modules.py --only bilstm`); the index and query rates from the 2-rank default run of
/// 2026-12-07 15:43 (`bash launch/run.sh -n 2 -- run data/pipelines/default.json`, release build, run-manifest.json
/// seconds; a loaded machine). ±×3. The corpus text itself is not counted (the snapshot CSV's size).
extension RunnerStageType {
    /// Gate multiply-adds per second per rank of bi-LSTM training: W7 train 1.099e4 tokens/s × 8·128·428.
    static let lstmTrainRate = 4.82e9
    /// The same for inference: W7 inference 3.787e4 tokens/s × 8·128·428.
    static let lstmInferenceRate = 1.66e10
    /// Row · tree · depth · M multiply-adds per second of hashing rows into the forest: index 0.076 s for
    /// 4,000 × 16 × 20 × 50 per rank in the default run.
    static let projectionRate = 8.4e8
    /// Query · tree · candidate · M per second of scoring candidates (random gathers): query 0.88 s for
    /// 8,000 × 16 × 32 × 50 in the default run.
    static let candidateRate = 2.3e8

    /// (E, B, L, D, H, M, u) of the `train-text` stage `model` (Table 3's epochs and batch when null).
    static func textShape(_ model: RunnerEstimateInput) throws
        -> (epochs: Int, batch: Int, length: Int, perToken: Int, activations: Int, rowActivations: Int) {
        let p = model.parameters
        guard case let .text(source)? = model.dataset else {
            throw RunnerError.stageFailed(stage: model.stage.name, type: model.stage.type.name, reason: "no text dataset to estimate")
        }
        let (e, b, l) = (p.optionalInt("epochs") ?? source.defaultEpochs, p.optionalInt("batch_size") ?? source.defaultBatchSize, p.int("max_length"))
        let (d, h) = (p.int("embedding_size"), p.int("hidden_size"))
        return (e, b, l, 8 * h * (d + h), 2 * model.perRank(b) * l * (d + 12 * h) * 4, 2 * l * (d + 12 * h) * 4)
    }

    /// B_b = min(B, b): the documents a rank's ordered block sums train on at once.
    static func blockRows(batch: Int) -> Int { min(batch, DataParallelTrainer.standardOrderedBlockSize) }

    /// o = 4·(P + 2)·(3·k_r + 2): a rank's ordered-sum buffers for a global batch of B (see the header).
    static func orderedSumBytes(parameters p: Int, batch: Int, ranks: Int) -> Int {
        let blocks = (batch + DataParallelTrainer.standardOrderedBlockSize - 1) / DataParallelTrainer.standardOrderedBlockSize
        return 4 * (p + 2) * (3 * ((blocks + ranks - 1) / ranks) + 2)
    }

    static let costTrainText: RunnerEstimateInput.CostEstimator = { input in
        let (p, _, _) = try textModelSize(input), n = try input.corpusSize().documents
        let s = try textShape(input)
        return StageCost(terms: [.init("weights + grads + Adam m, v", 16 * p), .init("token ids", 4 * n * s.length),
                                 .init("block activations", blockRows(batch: s.batch) * s.rowActivations),
                                 .init("ordered batch sums", orderedSumBytes(parameters: p, batch: s.batch, ranks: input.ranks))],
                         seconds: Selection.trainingPasses(input.parameters) * Double(s.epochs) * Double(n * s.length)
                            * Double(s.perToken) / (Double(input.ranks) * lstmTrainRate),
                         time: "\(s.epochs) epochs × \(n) documents × ≤ \(s.length) tokens × \(s.perToken) gate MACs"
                            + Self.passesText(input.parameters))
    }

    static let costEmbed: RunnerEstimateInput.CostEstimator = { input in
        let model = try input.input("model"), n = try input.corpusSize().documents
        let (p, _, _) = try textModelSize(model), s = try textShape(model), m = model.parameters.int("context_size")
        return StageCost(terms: [.init("model", 4 * p), .init("token ids", 4 * n * s.length), .init("context vectors", 4 * n * m),
                                 .init("batch activations", s.activations / 2)],
                         seconds: Double(n * s.length) * Double(s.perToken) / (Double(input.ranks) * lstmInferenceRate),
                         time: "\(n) documents × ≤ \(s.length) tokens, forward only")
    }

    static let costIndex: RunnerEstimateInput.CostEstimator = { input in
        let embed = try input.input("embeddings"), n = try embed.corpusSize().documents
        let m = try embed.input("model").parameters.int("context_size")
        let config = IndexConfig(input.parameters, embeddings: "", output: ""), (l, k) = (config.trees, config.maxDepth)
        let nr = input.perRank(n)
        return StageCost(terms: [.init("embeddings", 4 * n * m), .init("normals", 4 * l * k * m), .init("labels + rows", 12 * nr * l)],
                         seconds: Double(nr * l * k * m) / projectionRate, time: "\(nr) rows per rank × \(l) trees × depth \(k) × M = \(m)")
    }

    static let costQuery: RunnerEstimateInput.CostEstimator = { input in
        let queries = try input.input("queries"), b = try queries.corpusSize().documents
        let index = try input.input("index"), embed = try index.input("embeddings"), n = try embed.corpusSize().documents
        let m = try embed.input("model").parameters.int("context_size")
        let config = IndexConfig(index.parameters, embeddings: "", output: ""), k = QueryConfig(input.parameters, index: "", queries: "", output: "").k
        return StageCost(terms: [.init("index part", input.perRank(n) * (4 * m + 12 * config.trees)), .init("queries", 4 * b * m),
                                 .init("results", 12 * b * k)],
                         seconds: Double(b * config.trees * config.candidatesPerTree * m) / candidateRate,
                         time: "\(b) queries × \(config.trees) trees × \(config.candidatesPerTree) candidates × M = \(m)")
    }

    static let costTrainInfused: RunnerEstimateInput.CostEstimator = { input in
        let model = try input.input("model"), n = try input.corpusSize().documents
        let (p, _, c) = try textModelSize(model), s = try textShape(model), m = model.parameters.int("context_size")
        let p2 = p + ((1 + 1) * m + 1) * c
        guard case let .text(source)? = input.dataset else {
            throw RunnerError.stageFailed(stage: input.stage.name, type: input.stage.type.name, reason: "no text dataset to estimate")
        }
        let e = input.parameters.optionalInt("epochs") ?? source.defaultEpochs  // Table 3's for its own corpus
        let k = input.parameters.int("neighbours"), index = try input.input("index")
        let config = IndexConfig(index.parameters, embeddings: "", output: "")
        let batch = input.parameters.optionalInt("batch_size") ?? source.defaultBatchSize, b = blockRows(batch: batch)
        let seconds = Selection.trainingPasses(input.parameters) * Double(e) * Double(n * s.length) * Double(s.perToken) / (Double(input.ranks) * lstmTrainRate)
            + Selection.trainingPasses(input.parameters) * Double(e * input.perRank(n) * config.trees * config.candidatesPerTree * m) / candidateRate
        return StageCost(terms: [.init("weights + grads + Adam m, v", 16 * p2), .init("token ids", 4 * n * s.length),
                                 .init("index vectors", 4 * n * m), .init("neighbour lists", 8 * n * k),
                                 .init("block activations", b * s.rowActivations + 4 * b * k * m),
                                 .init("ordered batch sums", orderedSumBytes(parameters: p2, batch: batch, ranks: input.ranks))],
                         seconds: seconds, time: "\(e) epochs × \(n) documents × ≤ \(s.length) tokens, + retrieval"
                            + Self.passesText(input.parameters))
    }

    /// " × 2.6 runs (select_on validation)" when the stage selects (`Selection.trainingPasses`), else "".
    static func passesText(_ p: StageParameters) -> String {
        let passes = Selection.trainingPasses(p)
        return passes == 1 ? "" : " × \(fixed(passes, 1)) runs (select_on validation)"
    }

    /// (P, V, C) of the `train-text` stage `input`: V is the vocabulary built from ALL its corpus's documents
    /// (tokens seen `min_count` times, capped at `vocab_size`) — an upper bound of the one built from the
    /// training documents, a subset; C its corpus's classes.
    static func textModelSize(_ input: RunnerEstimateInput) throws -> (parameters: Int, vocabulary: Int, classes: Int) {
        let p = input.parameters, v: Int, c: Int
        if input.textBound != nil {  // no snapshot yet: V ≤ vocab_size, C ≤ N (nothing read)
            (v, c) = (p.int("vocab_size"), try input.corpusSize().classes)
        } else {
            let (corpus, source) = try input.corpus()
            let key = "vocabulary \(source.kind) \(source.path ?? "") \(p.int("min_count")) \(p.int("vocab_size"))"
            v = try input.cache.value(key) {
                Vocabulary.build(documents: corpus.documents.map { source.tokenizer.tokens($0.text) },
                                 minimumCount: p.int("min_count"), maximumSize: p.int("vocab_size")).count
            }
            c = corpus.classNames.count
        }
        let model = TextClassifier(.init(vocabularySize: v, embeddingSize: p.int("embedding_size"), hiddenSize: p.int("hidden_size"),
                                         contextSize: p.int("context_size"), classCount: c))
        return (model.layout.count, v, c)
    }

    static let estimateTrainText: RunnerEstimateInput.Estimator = { input in
        let (count, v, c) = try textModelSize(input)
        let classes = input.textBound == nil ? "C = \(c)" : "C ≤ N = \(c): bounds from the dataset's limit, no snapshot yet"
        return [input.plan("model.h5", "\(count) float32 parameters, V ≤ \(v), \(classes)",
                           bytes: 4 * count, fixes: ["a smaller vocab_size or embedding_size"])]
    }

    static let estimateEmbed: RunnerEstimateInput.Estimator = { input in
        let n = try input.corpusSize().documents
        let m = try input.input("model").parameters.int("context_size")
        return [input.plan("embeddings.h5", "\(n) × \(m) float32", bytes: n * (4 * m + 4))]
    }

    static let estimateIndex: RunnerEstimateInput.Estimator = { input in
        let embed = try input.input("embeddings")
        let n = try embed.corpusSize().documents
        let m = try embed.input("model").parameters.int("context_size")
        let config = IndexConfig(input.parameters, embeddings: "", output: "")
        let (l, k, r) = (config.trees, config.maxDepth, input.ranks)
        return [input.plan("index.h5 + \(r) part(s)", "\(n) rows, L = \(l) trees, depth \(k)",
                           bytes: r * 4 * l * k * m + n * (12 * l + 8 + 4 * m), fixes: ["fewer trees"])]
    }

    static let estimateQuery: RunnerEstimateInput.Estimator = { input in
        let b = try input.input("queries").corpusSize().documents
        let k = QueryConfig(input.parameters, index: "", queries: "", output: "").k
        return [input.plan("neighbours.h5", "\(b) queries × k = \(k)", bytes: b * k * 12)]
    }

    static let estimateTrainInfused: RunnerEstimateInput.Estimator = { input in
        let model = try input.input("model")
        let (p, _, c) = try textModelSize(model)
        let count = p + ((1 + 1) * model.parameters.int("context_size") + 1) * c
        return [input.plan("infused.h5", "\(count) float32 parameters", bytes: 4 * count)]
    }
}
