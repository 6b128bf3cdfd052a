import Core
import Datasets
import LinearAlgebra
import NeuralNets
import Storage
import Training

/// The model file `train-text` writes (`--out model.h5`) and `embed` reads.
///
/// | object | type | content |
/// | --- | --- | --- |
/// | root attributes | header | stage `train-text`, version 1; `vocabulary_size` V, `embedding_size` D, `hidden_size` H, `context_size` M, `class_count` C, `max_length`, `strip_newsgroup` (0/1), `corpus`, `parameter_count`, `ordered_block` (the documents per block of the ordered batch sums), and the training options, test metrics and split used |
/// | `parameters` | Float32 (P) | θ in `TextClassifier`'s `ParameterLayout` order |
/// | `parameter_names`, `parameter_offsets`, `parameter_shapes` | strings, Int64 (T), Int64 (T, 2) | the named tensors of `parameters` (`HDF5File.writeTensorNames`) |
/// | `vocabulary` | strings (V) | token of each id (`<pad>`, `<unk>`, …) |
/// | `classes` | strings (C) | class name of each output |
/// | `split/train_ids`, `split/test_ids` | strings | the ids of the documents the model trained on and was tested on (the `ids` of `embed`'s file) |
/// | `split/validation_ids` | strings | after `select_on validation`: the training documents held out to choose the learning rate / epochs (`Selection`; the model is retrained on all `train_ids`, these included); the candidates, their validation scores and the choice are the `selection.*` attributes |
/// | `history/mean_loss` | Float64 (E) | training loss per epoch |
/// | `history/test_accuracy`, `history/test_macro_f1` | Float64 (E) | held-out figures per epoch (absent without a test split) |
public struct TextModelFile {
    public static let stage = "train-text"
    public static let version = 1

    public var configuration: TextClassifier.Configuration
    public var parameters: [Float]
    public var vocabulary: Vocabulary
    public var classes: [String]
    public var maxLength: Int
    public var stripNewsgroup: Bool
    /// Extra root attributes (options, metrics) written as they are; on read, every non-model attribute.
    public var attributes: [String: HDF5AttributeValue]
    /// Per-epoch curves written under `history/`.
    public var history: [String: [Double]]
    /// The document ids of the training and test split (nil in a file written before they were stored).
    public var split: (train: [String], test: [String])?
    /// After `select_on validation`: the training documents held out to choose the hyper-parameters (a subset of
    /// the split's train ids; the final model is retrained on all of them, these included). Empty otherwise.
    public var validationIDs: [String] = []

    public init(configuration: TextClassifier.Configuration, parameters: [Float], vocabulary: Vocabulary,
                classes: [String], maxLength: Int, stripNewsgroup: Bool,
                attributes: [String: HDF5AttributeValue] = [:], history: [String: [Double]] = [:],
                split: (train: [String], test: [String])? = nil) {
        self.configuration = configuration
        self.parameters = parameters
        self.vocabulary = vocabulary
        self.classes = classes
        self.maxLength = maxLength
        self.stripNewsgroup = stripNewsgroup
        self.attributes = attributes
        self.history = history
        self.split = split
    }

    static let modelKeys = ["vocabulary_size", "embedding_size", "hidden_size", "context_size", "class_count",
                            "max_length", "strip_newsgroup", "parameter_count"]

    /// Writes the file atomically (call on rank 0 only).
    public func write(to path: String) throws {
        let c = configuration
        var header = attributes
        let model: [String: HDF5AttributeValue] = [
            "vocabulary_size": .int(c.vocabularySize), "embedding_size": .int(c.embeddingSize),
            "hidden_size": .int(c.hiddenSize), "context_size": .int(c.contextSize), "class_count": .int(c.classCount),
            "max_length": .int(maxLength), "strip_newsgroup": .int(stripNewsgroup ? 1 : 0),
            "parameter_count": .int(parameters.count),
        ]
        header.merge(model) { _, new in new }
        try ArtifactFile.create(path, header: ArtifactHeader(stage: Self.stage, version: Self.version, parameters: header)) { file in
            try file.write(parameters, shape: [parameters.count], to: "parameters")
            try file.writeTensorNames(TextClassifier(c).layout, parameterCount: parameters.count)
            try file.writeStrings(vocabulary.tokens, to: "vocabulary")
            try file.writeStrings(classes, to: "classes")
            try file.write(series: history, under: "history")
            if let split {
                try file.writeStrings(split.train, to: "split/train_ids")
                try file.writeStrings(split.test, to: "split/test_ids")
            }
            if !validationIDs.isEmpty { try file.writeStrings(validationIDs, to: "split/validation_ids") }
        }
    }

    /// Reads and checks a model file (header, parameter count against the layout, vocabulary and class counts).
    public static func read(path: String) throws -> TextModelFile {
        try ArtifactFile.read(path, stage: stage, version: version) { artifact in
            let file = artifact.file
            let configuration = TextClassifier.Configuration(
                vocabularySize: try artifact.int("vocabulary_size"), embeddingSize: try artifact.int("embedding_size"),
                hiddenSize: try artifact.int("hidden_size"), contextSize: try artifact.int("context_size"),
                classCount: try artifact.int("class_count"), paddingIndex: Vocabulary.paddingIndex)
            let count = TextClassifier(configuration).layout.count
            let parameters: [Float] = try file.read("parameters", shape: [count])
            let vocabulary = try Vocabulary(tokens: try file.readStrings("vocabulary"), source: path + ":vocabulary")
            let classes = try file.readStrings("classes")
            guard vocabulary.count == configuration.vocabularySize, classes.count == configuration.classCount else {
                throw StorageError.shapeMismatch(file: path, dataset: "vocabulary/classes",
                                                 expected: [configuration.vocabularySize, configuration.classCount],
                                                 got: [vocabulary.count, classes.count])
            }
            var model = TextModelFile(configuration: configuration, parameters: parameters, vocabulary: vocabulary,
                                 classes: classes, maxLength: try artifact.int("max_length"),
                                 stripNewsgroup: try artifact.int("strip_newsgroup") != 0,
                                 attributes: artifact.header.parameters.filter { !modelKeys.contains($0.key) },
                                 history: try artifact.series(under: "history"),
                                 split: file.isDataset("split/train_ids")
                                     ? (try file.readStrings("split/train_ids"), try file.readStrings("split/test_ids")) : nil)
            if file.isDataset("split/validation_ids") { model.validationIDs = try file.readStrings("split/validation_ids") }
            return model
        }
    }
}

/// Sharded inference for the text classifier.
public enum TextEvaluation {
    /// Predicts the documents at `indices`: rank r takes `shard(indices.count, r, R)`, sorted by length into
    /// batches of `batchSize` (less padding), and the C×C confusion matrix is all-reduced.
    public static func evaluate(_ model: TextClassifier, parameters: [Float], data: EncodedTexts, indices: [Int],
                                communicator comm: any Communicator, batchSize: Int = 64) throws -> ClassificationMetrics {
        let c = model.configuration.classCount
        var counts = [Int](repeating: 0, count: c * c)
        let local = Array(indices[shard(count: indices.count, rank: comm.rank, size: comm.size)])
            .sorted { (data.sequences[$0].count, $0) < (data.sequences[$1].count, $1) }
        for start in stride(from: 0, to: local.count, by: batchSize) {
            let slice = Array(local[start ..< min(start + batchSize, local.count)])
            let predicted = model.predict(data.batch(slice), parameters: parameters)
            for (i, p) in zip(slice, predicted) { counts[data.labels[i] * c + p] += 1 }
        }
        try comm.allReduce(&counts, op: .sum)  // Distributed: every rank gets the whole confusion matrix
        return ClassificationMetrics(confusion: (0 ..< c).map { Array(counts[$0 * c ..< ($0 + 1) * c]) })
    }
}
