import Datasets
import Foundation
import NeuralNets
import Stages
import Storage

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
extension RunnerStageType {
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
