import Core
import Datasets
import Distributed
import LinearAlgebra
import NeuralNets
import Stages
import Storage

/// The `embed` stage: a trained `train-text` model's context vectors c (eq. 5) for every document of a corpus:
/// the source memory that instance infusion retrieves from.
///
/// Distributed: the N documents are sharded over the ranks (`shard`); each rank encodes its shard in
/// length-sorted batches, the rows are gathered to rank 0 in rank order (so the file is the same for any rank
/// count), and rank 0 writes the file atomically.
///
/// | object | type | content |
/// | --- | --- | --- |
/// | root attributes | header | stage `embed`, version 1; `model` (path), `corpus`, `context_size` M, `count` N, `subset` |
/// | `embeddings` | Float32 (N, M) | c = ReLU(o·W_c + b_c) of each document, in corpus order |
/// | `labels` | Int32 (N) | class index into `classes` |
/// | `ids` | strings (N) | document ids (archive paths, CSV lines, package names) |
/// | `classes` | strings (C) | the model's classes; with `classes corpus` the corpus's own (e.g. a source corpus embedded with the target's encoder) |
/// | `split` | strings (N) | `train` / `test` / `unused`: the row's part in the model's split (absent for a model file that does not store it) |
///
/// Any `train-text` model embeds any corpus (its vocabulary maps unseen words to the unknown token): the source
/// memory of instance infusion can come from the source's own bi-LSTM (the paper) or from the target model's
/// encoder (the ablation: `embed` with the target's `train-text` stage as `model`, experiments/infusion-sweeps.sh).
///
/// The context vector c is the M-dim (M = 50) representation the paper indexes with LSH; the pooled bi-LSTM
/// state o (2H) is internal to `TextClassifier` and not written.
public struct TextEmbeddingStage {
    public static let stage = "embed"
    public static let version = 1

    public var modelPath: String
    public var source: TextCorpusSource
    /// Only documents of this predefined subset ("train" / "test"); nil = all.
    public var subset: String?
    /// Label the rows with the corpus's own classes (a foreign corpus) instead of the model's (`classes corpus`).
    public var corpusClasses: Bool
    public var outputPath: String
    public var batchSize = 64

    public init(modelPath: String, source: TextCorpusSource, subset: String? = nil, corpusClasses: Bool = false,
                outputPath: String) {
        self.modelPath = modelPath
        self.source = source
        self.subset = subset
        self.corpusClasses = corpusClasses
        self.outputPath = outputPath
    }

    /// Each row's part in the model's split: `train`, `test`, or `unused` (held out of training by
    /// `train_fraction`, or not in the corpus the model was trained on).
    static func splitColumn(ids: [String], split: (train: [String], test: [String])) -> [String] {
        let train = Set(split.train), test = Set(split.test)
        return ids.map { train.contains($0) ? "train" : test.contains($0) ? "test" : "unused" }
    }

    /// Returns N (on every rank).
    @discardableResult
    public func run(communicator comm: any Communicator) throws -> Int {
        let file = try TextModelFile.read(path: modelPath)
        var corpus = try source.load()
        if let subset {
            corpus.documents = corpus.indices(inSubset: subset).map { corpus.documents[$0] }
            guard !corpus.documents.isEmpty else { throw CorpusError.noDocuments(path: "\(corpus.source) [\(subset)]", dropped: 0) }
        }
        // The model's classes (a label it does not know is refused: a typo must not relabel the corpus silently),
        // or, asked for, the corpus's own: a source corpus embedded with another dataset's encoder (the target's,
        // for the ablation of where source vectors come from) keeps its labels.
        let classes = corpusClasses ? corpus.classNames : file.classes
        let labels = try corpus.labelIndices(classes: classes)
        let data = EncodedTexts.encode(corpus, labels: labels, vocabulary: file.vocabulary,
                                       tokenizer: TextTokenizer(stripNewsgroupArtifacts: file.stripNewsgroup),
                                       maxLength: file.maxLength)
        let model = TextClassifier(file.configuration)
        let m = file.configuration.contextSize
        let local = Array(shard(count: data.count, rank: comm.rank, size: comm.size))
        var rows = [Float](repeating: 0, count: local.count * m)
        let order = local.sorted { (data.sequences[$0].count, $0) < (data.sequences[$1].count, $1) }
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let slice = Array(order[start ..< min(start + batchSize, order.count)])
            let c = model.encode(data.batch(slice), parameters: file.parameters)
            for (b, i) in slice.enumerated() {
                let row = (i - (local.first ?? 0)) * m
                for j in 0 ..< m { rows[row + j] = c[b, j] }
            }
        }
        comm.log0("embed: \(data.count) documents of \(corpus.source) → \(m)-dim context vectors, \(comm.size) rank(s)")
        let gathered = try comm.gather(rows, root: 0)  // Distributed: rank order = corpus order
        if comm.isRoot, let gathered {
            let embeddings = gathered.flatMap { $0 }
            let header = ArtifactHeader(stage: Self.stage, version: Self.version, parameters: [
                "model": ArtifactHeader.storedPath(modelPath, in: outputPath),
                "corpus": ArtifactHeader.storedPath(corpus.source, in: outputPath), "context_size": .int(m),
                "count": .int(data.count), "subset": .string(subset ?? "all"),
            ])
            try ArtifactFile.create(outputPath, header: header) { out in
                try out.write(embeddings, shape: [data.count, m], to: "embeddings")
                try out.write(labels.map { Int32($0) }, shape: [data.count], to: "labels")
                try out.writeStrings(data.ids, to: "ids")
                try out.writeStrings(classes, to: "classes")
                if let split = file.split { try out.writeStrings(Self.splitColumn(ids: data.ids, split: split), to: "split") }
            }
            comm.log0("wrote \(outputPath)")
        }
        return data.count
    }
}
