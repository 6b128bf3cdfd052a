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
/// `json` — `{"model":…, "dataset":…, "accuracy":…, "path_correctness":…, "samples":[{"id","row","prediction","truth",
/// "deterministic","path"}]}`; `path_correctness` (label-aug; null for baselines) holds `PathCorrectness`'s counts
/// per kind of path (§4.4: how many decoded nondeterministic paths end at the true label).
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
        /// Label-aug: the decoded paths checked against the graph and the truths (§4.4); nil for baselines.
        public var pathCorrectness: PathCorrectness?
        /// For rank 0 to print: labels read but not used (see `PathSamples.warnings`).
        public var warnings: [String] = []
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
        let x = try model.decoderInput(samples, spec: input)
        let paths = PredictionPaths(graph: graph)
        var predictions: [Prediction] = []
        var correctness: PathCorrectness?
        switch model.method {
        case .labelAug:
            let decoder = try model.decoder()
            let decoded = decoder.decode(features: x, parameters: model.decoderParameters)
            correctness = PathCorrectness(decoded: decoded, truths: samples.labels, paths: paths)
            for (i, path) in decoded.enumerated() {
                let label = paths.label(on: path, dataset: input.dataset)
                let all = (try? paths.paths(to: path.last!)) ?? [path]
                let deterministic = all.firstIndex(of: path).map { paths.classify(all)[$0] } ?? true
                predictions.append(Prediction(id: samples.ids[i], row: samples.rows[i], path: path.map { graph.nodes[$0].id },
                                              prediction: label.map { graph.nodes[$0].id },
                                              truth: samples.labels[i].map { graph.nodes[$0].id }, deterministic: deterministic))
            }
        case .ffn, .ffnFused, .labelSet, .labelSetAugmented, .pseudoLabels:
            guard input.dataset == model.target else {
                throw PathTrainingError.invalidOption(name: "--input", reason: "a \(model.method.rawValue) model predicts labels of '\(model.target)' only, not '\(input.dataset)'")
            }
            let classes = graph.labels(in: model.target)
            let classifier = model.baseline(graph: graph)
            let predicted = model.method.isLabelSet
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
                      accuracy: labelled.isEmpty ? nil : Double(correct) / Double(labelled.count), correct: correct,
                      pathCorrectness: correctness, warnings: samples.warnings)
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
            + "\"path_correctness\": \(report.pathCorrectness?.json ?? "null"),\n"
            + "\"samples\": [\n" + samples.joined(separator: ",\n") + "\n]}\n"
    }
}

// MARK: - Multi-label evaluation

/// Multi-label decoding and F1 (Table 2 analog): each sample gets a prediction SET for the input's dataset.
///
///     label-aug   scores from `PathDecoder.decodePaths(threshold: min τ)`: label → Σ P of the decoded paths
///                 ending on it (the walk's probability of ending there); top = the greedy path's label
///     ffn         σ(z) per label (a `--multi-label` model) or the softmax; top = argmax
///     label-set   σ(z) of the dataset's label nodes; top = argmax
///     set(τ)      {ℓ : score ≥ τ} ∪ {top}                    (`MultiLabelF1.selecting`)
///
/// τ is either given (one threshold) or tuned: the τ of `thresholds` with the best micro F1 on the `tuneOn`
/// samples (a labelled validation split, never the test samples; ties → the smaller τ), then applied to the
/// input. True sets are the samples' label sets (`PathSamples.labelSets`, an `id,label` CSV per tag).
extension PathDecodeStage {
    public struct MultiLabelPrediction: Sendable, Equatable {
        public var id: String
        /// Node ids, sorted.
        public var predicted: [String]
        public var truth: [String]
    }

    public struct MultiLabelReport: Sendable {
        public var predictions: [MultiLabelPrediction]
        public var dataset: String
        public var threshold: Double
        public var f1: MultiLabelF1
        /// (τ, micro F1 on the tuning samples) for every candidate τ; empty without tuning.
        public var tuning: [(threshold: Double, micro: Double)]
        /// For rank 0 to print: labels read but not used, of the tuning and the evaluated samples.
        public var warnings: [String] = []
    }

    /// See the extension's documentation. `thresholds` non-empty, each in (0, 1].
    public func runMultiLabel(thresholds: [Double], tuneOn: PathDataSpec? = nil) throws -> MultiLabelReport {
        guard !thresholds.isEmpty, thresholds.allSatisfy({ $0 > 0 && $0 <= 1 }) else {
            throw PathTrainingError.invalidOption(name: "--thresholds", reason: "\(thresholds) must be non-empty, each in (0, 1]")
        }
        let model = try PathModelFile.read(modelPath)
        let minimum = thresholds.min()!
        var tuning: [(threshold: Double, micro: Double)] = []
        var threshold = thresholds[0]
        var warnings: [String] = []
        if let tuneOn {
            let (tuneSamples, scored, truths) = try multiLabelScores(model, spec: tuneOn, minimumThreshold: minimum)
            warnings += tuneSamples.warnings
            for tau in thresholds.sorted() {
                let sets = scored.map { MultiLabelF1.selecting(scores: $0.scores, top: $0.top, threshold: tau) }
                tuning.append((tau, MultiLabelF1(predictions: sets, truths: truths).micro))
            }
            threshold = tuning.max { $0.micro < $1.micro || ($0.micro == $1.micro && $0.threshold > $1.threshold) }!.threshold
        } else if thresholds.count > 1 {
            throw PathTrainingError.invalidOption(name: "--thresholds", reason: "several thresholds need --tune-on SPEC (a validation split) to choose one")
        }
        let (samples, scored, truths) = try multiLabelScores(model, spec: input, minimumThreshold: minimum)
        let sets = scored.map { MultiLabelF1.selecting(scores: $0.scores, top: $0.top, threshold: threshold) }
        let ids = { (set: Set<Int>) in set.map { model.graph.nodes[$0].id }.sorted() }
        let predictions = samples.ids.indices.map { MultiLabelPrediction(id: samples.ids[$0], predicted: ids(sets[$0]), truth: ids(truths[$0])) }
        return MultiLabelReport(predictions: predictions, dataset: input.dataset, threshold: threshold,
                                f1: MultiLabelF1(predictions: sets, truths: truths), tuning: tuning,
                                warnings: warnings + samples.warnings)
    }

    /// Per sample of `spec`: label scores and top label (node indices), and its true label set.
    func multiLabelScores(_ model: PathModelFile, spec: PathDataSpec, minimumThreshold: Double) throws
        -> (PathSamples, [(scores: [Int: Double], top: Int?)], [Set<Int>]) {
        let graph = model.graph
        guard spec.labels != nil else {
            throw PathTrainingError.invalidOption(name: "--input", reason: "multi-label F1 needs labels=FILE.csv in \(spec)")
        }
        let (samples, _) = try PathSamples.load([spec], graph: graph, featureSets: model.featureSets)
        guard samples.features.columns == model.featureSize else {
            throw PathTrainingError.badFeatures(path: spec.features,
                reason: "rows have \(samples.features.columns) values, the model \(modelPath) expects \(model.featureSize). Fix: use the training run's encoder")
        }
        let x = try model.decoderInput(samples, spec: spec)
        let truths = samples.labelSets.map { Set($0) }
        let paths = PredictionPaths(graph: graph)
        switch model.method {
        case .labelAug:
            let decoder = try model.decoder()
            let decoded = decoder.decodePaths(features: x, parameters: model.decoderParameters, threshold: minimumThreshold)
            return (samples, decoded.map { paths.labelScores($0, dataset: spec.dataset) }, truths)
        case .ffn, .ffnFused, .labelSet, .labelSetAugmented, .pseudoLabels:
            guard spec.dataset == model.target else {
                throw PathTrainingError.invalidOption(name: "--input", reason: "a \(model.method.rawValue) model predicts labels of '\(model.target)' only, not '\(spec.dataset)'")
            }
            let classes = graph.labels(in: model.target)
            let classifier = model.baseline(graph: graph)
            let z = classifier.scores(x, parameters: model.parameters, sigmoid: model.multiLabel || model.method.isLabelSet)
            let columns = model.method.isLabelSet ? classes.map { classifier.labelColumns.firstIndex(of: $0)! } : Array(classes.indices)
            let scored = (0 ..< z.rows).map { b -> (scores: [Int: Double], top: Int?) in
                var scores: [Int: Double] = [:]
                for (c, column) in columns.enumerated() { scores[classes[c]] = Double(z[b, column]) }
                let top = columns.indices.max { z[b, columns[$0]] < z[b, columns[$1]] }.map { classes[$0] }
                return (scores, top)
            }
            return (samples, scored, truths)
        }
    }

    /// One line per sample: `id<TAB>predicted ids (comma-separated)<TAB>true ids`.
    public static func text(_ report: MultiLabelReport) -> String {
        report.predictions.map { "\($0.id)\t\($0.predicted.joined(separator: ","))\t\($0.truth.joined(separator: ","))\n" }.joined()
    }
}
