import Core
import Datasets
import LabelGraphs
import LinearAlgebra
import NeuralNets

// What the train-paths and decode drivers share: the label-graph file, the networks a saved model describes,
// and the feature standardisation (statistics from the training rows, stored in the model, applied at decode).

extension LabelGraph {
    /// Reads a `.graph` or `.outline` file, throwing the validation error (file, line, fix); text that is not
    /// UTF-8, or a NUL, is a `TextDecodingError` (file, line, byte offset), never replaced (`StrictText`).
    public static func read(file path: String) throws -> LabelGraph {
        let fix = "pass a label graph (see data/label-graphs/FORMAT.md; `tributary graph build` writes one)"
        if let problem = FileProblem.diagnose(path: path) {  // a directory, no permission, …: say which
            throw problem == .missing ? PathTrainingError.missingFile(path: path, fix: fix)
                : PathTrainingError.unreadableFile(path: path, problem: problem)
        }
        guard let text = try StrictText.contentsOfFile(path) else { throw PathTrainingError.missingFile(path: path, fix: fix) }
        return path.hasSuffix(".outline") ? try LabelGraph(outline: text, file: path) : try LabelGraph(parsing: text, file: path)
    }
}

extension PathModelFile {
    /// The decoder of a label-aug model: F → MLP(M) → h₀ (H), node embeddings E.
    func decoder() throws -> PathDecoder {
        try PathDecoder(graph: graph, configuration: .init(featureSize: featureSize, embeddingSize: embeddingSize,
                                                      hiddenSize: hiddenSize, encoder: .mlp(hiddenSize: encoderHidden)))
    }

    /// The layout of `parameters`: the decoder's (label-aug), text ++ decoder (end-to-end), or the baseline classifier's.
    func tensorLayout() throws -> ParameterLayout {
        if let joint = try endToEnd() { return joint.layout }
        return method == .labelAug ? try decoder().layout : baseline(graph: graph).layout
    }

    /// The joint encoder + decoder of an end-to-end model, nil for a frozen-encoder one.
    func endToEnd() throws -> EndToEndPathModel? {
        guard let text = textEncoder else { return nil }
        return EndToEndPathModel(text: TextClassifier(text.configuration), decoder: try decoder(), mean: featureMean, scale: featureScale)
    }

    /// θ of the decoder (label-aug) or classifier: `parameters`, less θ_text for an end-to-end model.
    var decoderParameters: [Float] {
        guard let text = textEncoder else { return parameters }
        return Array(parameters[text.parameters.count...])
    }

    /// What the decoder or classifier reads for `samples` (loaded from `spec`, X read): x = (X − mean) ⊙ scale, or
    /// for an end-to-end model the same standardisation of the TRAINED encoder's c of each sample's document
    /// (the documents named by the features file's `ids`, from the corpus stored in the model).
    func decoderInput(_ samples: PathSamples, spec: PathDataSpec) throws -> Matrix<Float> {
        guard let joint = try endToEnd(), let text = textEncoder else {
            return PathSamples.standardise(samples.features, mean: featureMean, scale: featureScale)
        }
        let sequences = try PathTrainingStage.sequences(samples: samples, specs: [spec], encoder: text)
        var x = Matrix<Float>(rows: samples.count, columns: featureSize)
        for start in stride(from: 0, to: samples.count, by: 64) {
            let ids = Array(start ..< min(start + 64, samples.count))
            let batch = TextBatch(sequences: ids.map { sequences[$0] }, labels: ids.map { _ in 0 }, paddingToken: Vocabulary.paddingIndex)
            let rows = joint.features(batch, parameters: parameters)
            for (b, i) in ids.enumerated() { for j in 0 ..< featureSize { x[i, j] = rows[b, j] } }
        }
        return x
    }

    /// The classifier of a baseline model (F → M → C or L).
    func baseline(graph: LabelGraph) -> BaselineClassifier {
        let objective: BaselineClassifier.Objective = method.isLabelSet
            ? .labelSet : .softmax(classCount: graph.labels(in: target).count)
        return BaselineClassifier(graph: graph, objective: objective, featureSize: featureSize, hiddenSize: encoderHidden,
                                  labelSetNodes: method == .labelSetAugmented ? .labelsAndAugmented : .labels)
    }
}

extension PathMethod {
    /// Label Set (either column set): sigmoids over graph nodes, predicting the best-scoring target label node.
    public var isLabelSet: Bool { self == .labelSet || self == .labelSetAugmented }
}

extension PathSamples {
    /// Per-column mean and 1 / standard deviation (1 where a column is constant).
    static func standardisation(_ x: Matrix<Float>) -> (mean: [Float], scale: [Float]) {
        var sums = StandardisationSums(columns: x.columns)
        sums.add(x.values)
        return sums.result()
    }

    static func standardise(_ x: Matrix<Float>, mean: [Float], scale: [Float]) -> Matrix<Float> {
        var y = x
        for i in 0 ..< x.rows {
            for j in 0 ..< x.columns { y.values[i * x.columns + j] = (x.values[i * x.columns + j] - mean[j]) * scale[j] }
        }
        return y
    }
}

/// Σ_i x_ij and Σ_i x_ij² in Float64, accumulated row by row in sample order, whether X comes whole
/// (`PathSamples.standardisation`) or in chunks (`PathFeatureRows`): the same additions in the same order give
/// the same bits. mean_j = Σ x_ij / n, scale_j = 1 / √(Σ x_ij² / n − mean_j²) (1 when the variance ≤ 1e-12).
struct StandardisationSums {
    private var mean: [Double], square: [Double]
    private var rows = 0

    init(columns: Int) {
        mean = [Double](repeating: 0, count: columns)
        square = mean
    }

    /// Adds the rows of `values` (row-major, `columns` per row).
    mutating func add(_ values: [Float]) {
        let columns = mean.count
        guard columns > 0 else { return }
        for i in 0 ..< values.count / columns {
            for j in 0 ..< columns {
                let v = Double(values[i * columns + j])
                mean[j] += v
                square[j] += v * v
            }
        }
        rows += values.count / columns
    }

    func result() -> (mean: [Float], scale: [Float]) {
        let n = Double(max(1, rows))
        let scale = mean.indices.map { j -> Float in
            let variance = square[j] / n - (mean[j] / n) * (mean[j] / n)
            return variance > 1e-12 ? Float(1 / variance.squareRoot()) : 1
        }
        return (mean.map { Float($0 / n) }, scale)
    }
}
