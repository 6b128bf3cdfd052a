import Datasets
import Foundation
import LabelGraphs
import NeuralNets
import Stages
import Storage
import Training

/// The model written by `train-paths` (rank 0, atomically) and read by `decode`.
///
/// | object | type | content |
/// | --- | --- | --- |
/// | root attributes | header | stage `train-paths`, version 1; `method`, `target` (the evaluated dataset), `feature_size` F, `encoder_hidden` M, `embedding_size` E, `hidden_size` H, `feature_sets`, `graph_file`, the training options |
/// | `graph` | strings (1) | the label graph in the `.graph` format (the model is self-contained) |
/// | `parameters` | Float32 (P) | θ of `PathDecoder` (label-aug) or `BaselineClassifier` (ffn[-fused], label-set[-aug], pseudo-labels) |
/// | `parameter_names`, `parameter_offsets`, `parameter_shapes` | strings, Int64 (T), Int64 (T, 2) | the named tensors of `parameters` (`HDF5File.writeTensorNames`) |
/// | `feature_mean`, `feature_scale` | Float32 (F) | the standardisation x ← (x − mean) · scale fitted on the training rows |
/// | `history/mean_loss` | Float64 (E) | the training curve (for pseudo-labels: the second, joined run) |
/// | `text/vocabulary` | strings (V) | end-to-end models only (`--text-encoder`): the bi-LSTM's vocabulary; root attributes `text_vocabulary_size`, `text_embedding_size`, `text_hidden_size`, `text_context_size`, `text_class_count`, `text_max_length`, `text_strip_newsgroup`, `text_corpus`, `text_data` (relative to the model file's folder), `text_debian_labels`; `parameters` is then θ_text ++ θ_dec (`EndToEndPathModel`) |
/// | `split/<part>_ids` | strings | the ids of the images in each part of the split the caller recorded (`train-paths` in a pipeline: `train` = `fine` ∪ `coarse`, `test`) |
public struct PathModelFile: Sendable {
    public static let stage = "train-paths"
    public static let version = 1

    public var method: PathMethod
    public var target: String
    public var graph: LabelGraph
    public var featureSets: [String]
    public var featureSize: Int
    public var encoderHidden: Int
    public var embeddingSize: Int
    public var hiddenSize: Int
    public var parameters: [Float]
    public var featureMean: [Float]
    public var featureScale: [Float]
    public var history: [Double]
    /// FFN: one sigmoid per label (multi-label, attribute `multi_label`) instead of a softmax.
    public var multiLabel = false
    /// End-to-end (label-aug with `--text-encoder`): the text encoder; its `parameters` are the first P_t of
    /// `parameters` (the trained values), the decoder's the rest.
    public var textEncoder: PathTextEncoder?
    /// Extra attributes (training options, data summary).
    public var attributes: [String: HDF5AttributeValue] = [:]
    /// Part name → the ids of its rows (`split/<part>_ids`); empty when the caller recorded none.
    public var split: [String: [String]] = [:]

    /// `midway` runs after the graph, parameters and their names are written, before the history and the rename (the `write`
    /// fault-injection point: a kill there must leave no model file).
    public func write(to path: String, midway: () -> Void = {}) throws {
        var parameters = attributes
        parameters["method"] = .string(method.rawValue)
        parameters["target"] = .string(target)
        parameters["feature_sets"] = .strings(featureSets)
        parameters["feature_size"] = .int(featureSize)
        parameters["encoder_hidden"] = .int(encoderHidden)
        parameters["embedding_size"] = .int(embeddingSize)
        parameters["hidden_size"] = .int(hiddenSize)
        parameters["graph_file"] = ArtifactHeader.storedPath(graph.file, in: path)
        parameters["multi_label"] = .int(multiLabel ? 1 : 0)
        if let text = textEncoder {
            let c = text.configuration
            parameters.merge(["text_vocabulary_size": .int(c.vocabularySize), "text_embedding_size": .int(c.embeddingSize),
                              "text_hidden_size": .int(c.hiddenSize), "text_context_size": .int(c.contextSize),
                              "text_class_count": .int(c.classCount), "text_max_length": .int(text.maxLength),
                              "text_strip_newsgroup": .int(text.stripNewsgroup ? 1 : 0), "text_corpus": .string(text.corpus.kind.rawValue),
                              "text_data": text.corpus.path.map { ArtifactHeader.storedPath($0, in: path) } ?? .string(""), "text_debian_labels": .string(text.corpus.debianLabels.rawValue)]) { _, new in new }
        }
        try ArtifactFile.create(path, header: ArtifactHeader(stage: Self.stage, version: Self.version, parameters: parameters)) { file in
            try file.writeStrings([graph.text], to: "graph")
            try file.write(self.parameters, shape: [self.parameters.count], to: "parameters")
            try file.writeTensorNames(try tensorLayout(), parameterCount: self.parameters.count)
            if let text = textEncoder { try file.writeStrings(text.vocabulary.tokens, to: "text/vocabulary") }
            midway()
            try file.write(featureMean, shape: [featureMean.count], to: "feature_mean")
            try file.write(featureScale, shape: [featureScale.count], to: "feature_scale")
            try file.write(series: ["mean_loss": history], under: "history")
            for part in split.keys.sorted() { try file.writeStrings(split[part]!, to: "split/\(part)_ids") }
        }
    }

    public static func read(_ path: String) throws -> PathModelFile {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PathTrainingError.missingFile(path: path, fix: "train a model with `tributary train-paths … --out \(path)`")
        }
        return try ArtifactFile.read(path, stage: stage, version: version) { artifact in
            let file = artifact.file, header = artifact.header
            func int(_ name: String) throws -> Int {
                guard case let .int(v)? = header.parameters[name] else {
                    throw PathTrainingError.badModel(path: path, reason: "attribute `\(name)` is missing; re-run `tributary train-paths`")
                }
                return v
            }
            guard case let .string(m)? = header.parameters["method"], let method = PathMethod(rawValue: m),
                  case let .string(target)? = header.parameters["target"] else {
                throw PathTrainingError.badModel(path: path, reason: "`method` / `target` attributes are missing or unknown; re-run `tributary train-paths`")
            }
            var featureSets: [String] = []
            switch header.parameters["feature_sets"] {
            case let .strings(s)?: featureSets = s
            case let .string(s)?: featureSets = [s]
            default: break
            }
            let graph = try LabelGraph(parsing: try file.readStrings("graph").first ?? "", file: path + ":graph")
            var model = PathModelFile(
                method: method, target: target, graph: graph, featureSets: featureSets, featureSize: try int("feature_size"),
                encoderHidden: try int("encoder_hidden"), embeddingSize: try int("embedding_size"),
                hiddenSize: try int("hidden_size"), parameters: try file.read("parameters", as: Float.self).values,
                featureMean: try file.read("feature_mean", as: Float.self).values,
                featureScale: try file.read("feature_scale", as: Float.self).values,
                history: try artifact.series(under: "history")["mean_loss"] ?? [], attributes: header.parameters)
            if case let .int(flag)? = header.parameters["multi_label"] { model.multiLabel = flag != 0 }
            if file.isDataset("text/vocabulary") {
                func string(_ name: String) throws -> String {
                    guard case let .string(v)? = header.parameters[name] else {
                        throw PathTrainingError.badModel(path: path, reason: "attribute `\(name)` is missing; re-run `tributary train-paths`")
                    }
                    return v
                }
                let configuration = TextClassifier.Configuration(
                    vocabularySize: try int("text_vocabulary_size"), embeddingSize: try int("text_embedding_size"),
                    hiddenSize: try int("text_hidden_size"), contextSize: try int("text_context_size"),
                    classCount: try int("text_class_count"), paddingIndex: Vocabulary.paddingIndex)
                let textCount = TextClassifier(configuration).layout.count
                guard let kind = TextCorpusSource.Kind(rawValue: try string("text_corpus")),
                      let labels = DebianPackages.Labels(rawValue: try string("text_debian_labels")), textCount <= model.parameters.count else {
                    throw PathTrainingError.badModel(path: path, reason: "its text encoder attributes do not match its parameters; re-run `tributary train-paths`")
                }
                let data = try string("text_data")
                model.textEncoder = PathTextEncoder(
                    configuration: configuration, parameters: Array(model.parameters[0 ..< textCount]),
                    vocabulary: try Vocabulary(tokens: try file.readStrings("text/vocabulary"), source: path + ":text/vocabulary"),
                    maxLength: try int("text_max_length"), stripNewsgroup: try int("text_strip_newsgroup") != 0,
                    corpus: TextCorpusSource(kind: kind, path: data.isEmpty ? nil : ArtifactHeader.resolvedPath(data, in: path), debianLabels: labels))
            }
            if file.contains("split") {
                for name in try file.children(of: "split") where name.hasSuffix("_ids") {
                    model.split[String(name.dropLast(4))] = try file.readStrings("split/\(name)")
                }
            }
            return model
        }
    }
}
