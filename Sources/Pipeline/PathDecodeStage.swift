import Distributed
import Foundation
import LabelGraphs
import LinearAlgebra
import Storage

/// The `decode` stage: a `train-paths` model on new encoder vectors → one prediction per sample.
///
/// Label-aug models decode greedily (Algorithm 2): the path v₀ ∘ … ∘ v_k, the prediction for dataset d = its
/// last label node of d, and whether the path is deterministic among the root paths to v_k (Definitions 3.2 /
/// 3.3; the blue / green marks of the paper's Figure 4). Baselines predict a target label directly (their
/// `path` is empty). With labels in the input spec, accuracy on its dataset is reported.
///
/// Output (rank 0; the vectors are few and small, so rank 0 decodes them all and the other ranks wait):
/// `text` — one line per sample `id<TAB>prediction<TAB>deterministic|nondeterministic|-<TAB>v₀ > v₁ > …`;
/// `json` — `{"model":…, "dataset":…, "accuracy":…, "samples":[{"id","row","prediction","truth","deterministic","path"}]}`.
public struct PathDecodeStage {
    public struct Prediction: Sendable, Equatable {
        public var id: String
        public var row: Int
        /// Node ids; empty for baselines.
        public var path: [String]
        /// The predicted label (node id) of the input's dataset, nil when the path holds none.
        public var prediction: String?
        public var truth: String?
        /// nil for baselines.
        public var deterministic: Bool?

        public init(id: String, row: Int, path: [String], prediction: String?, truth: String?, deterministic: Bool?) {
            self.id = id
            self.row = row
            self.path = path
            self.prediction = prediction
            self.truth = truth
            self.deterministic = deterministic
        }
    }

    public struct Report: Sendable {
        public var predictions: [Prediction]
        public var dataset: String
        /// Over the labelled samples; nil without labels.
        public var accuracy: Double?
        public var correct: Int
    }

    public var modelPath: String
    public var input: PathDataSpec

    public init(modelPath: String, input: PathDataSpec) {
        self.modelPath = modelPath
        self.input = input
    }

    public func run() throws -> Report {
        let model = try PathModelFile.read(modelPath)
        let graph = model.graph
        let (samples, _) = try PathSamples.load([input], graph: graph, featureSets: model.featureSets)
        guard samples.features.columns == model.featureSize else {
            throw PathTrainingError.badFeatures(path: input.features,
                reason: "rows have \(samples.features.columns) values, the model \(modelPath) expects \(model.featureSize). Fix: encode with the training run's PCA/GMM (or embed model)")
        }
        let x = PathTrainingStage.standardise(samples.features, mean: model.featureMean, scale: model.featureScale)
        let paths = PredictionPaths(graph: graph)
        var predictions: [Prediction] = []
        switch model.method {
        case .labelAug:
            let decoder = try PathTrainingStage.decoder(model)
            let decoded = decoder.decode(features: x, parameters: model.parameters)
            for (i, path) in decoded.enumerated() {
                let label = paths.label(on: path, dataset: input.dataset)
                let all = (try? paths.paths(to: path.last!)) ?? [path]
                let deterministic = all.firstIndex(of: path).map { paths.classify(all)[$0] } ?? true
                predictions.append(Prediction(id: samples.ids[i], row: samples.rows[i], path: path.map { graph.nodes[$0].id },
                                              prediction: label.map { graph.nodes[$0].id },
                                              truth: samples.labels[i].map { graph.nodes[$0].id }, deterministic: deterministic))
            }
        case .ffn, .labelSet, .pseudoLabels:
            guard input.dataset == model.target else {
                throw PathTrainingError.invalidOption(name: "--input", reason: "a \(model.method.rawValue) model predicts labels of '\(model.target)' only, not '\(input.dataset)'")
            }
            let classes = graph.labels(in: model.target)
            let classifier = PathTrainingStage.baseline(model, graph: graph)
            let predicted = model.method == .labelSet
                ? classifier.predict(x, parameters: model.parameters, candidates: classes)
                : classifier.predict(x, parameters: model.parameters, candidates: Array(classes.indices)).map { classes[$0] }
            for i in 0 ..< samples.count {
                predictions.append(Prediction(id: samples.ids[i], row: samples.rows[i], path: [], prediction: graph.nodes[predicted[i]].id,
                                              truth: samples.labels[i].map { graph.nodes[$0].id }, deterministic: nil))
            }
        }
        let labelled = predictions.filter { $0.truth != nil }
        let correct = labelled.filter { $0.truth == $0.prediction }.count
        return Report(predictions: predictions, dataset: input.dataset,
                      accuracy: labelled.isEmpty ? nil : Double(correct) / Double(labelled.count), correct: correct)
    }

    /// The `text` output.
    public static func text(_ report: Report) -> String {
        report.predictions.map { p in
            let mark = p.deterministic.map { $0 ? "deterministic" : "nondeterministic" } ?? "-"
            return "\(p.id)\t\(p.prediction ?? "-")\t\(mark)\t\(p.path.joined(separator: " > "))\n"
        }.joined()
    }

    /// The `json` output.
    public static func json(_ report: Report, model: String) -> String {
        func quote(_ s: String) -> String {
            var out = "\""
            for c in s.unicodeScalars {
                switch c {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                default:
                    if c.value < 0x20 { out += "\\u" + String(repeating: "0", count: 4 - String(c.value, radix: 16).count) + String(c.value, radix: 16) } else { out.unicodeScalars.append(c) }
                }
            }
            return out + "\""
        }
        let samples = report.predictions.map { p in
            "  {\"id\": \(quote(p.id)), \"row\": \(p.row), \"prediction\": \(p.prediction.map(quote) ?? "null"), "
                + "\"truth\": \(p.truth.map(quote) ?? "null"), \"deterministic\": \(p.deterministic.map { "\($0)" } ?? "null"), "
                + "\"path\": [\(p.path.map(quote).joined(separator: ", "))]}"
        }
        return "{\"model\": \(quote(model)), \"dataset\": \(quote(report.dataset)), "
            + "\"accuracy\": \(report.accuracy.map { "\($0)" } ?? "null"), \"correct\": \(report.correct),\n"
            + "\"samples\": [\n" + samples.joined(separator: ",\n") + "\n]}\n"
    }
}
