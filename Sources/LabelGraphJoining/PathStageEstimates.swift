import Core
import LabelGraphs
import Stages
import Storage

/// `tributary plan`'s size estimate for `train-paths`, from its parameters, its graph (read: a small text file)
/// and the parameters of the `fisher` stage filling `fv` (no Fisher vector is read, none may exist yet):
///
///     model.h5   4·P + 8·F + |graph| + 8·E      parameters (P float32), feature_mean and feature_scale (F float32
///                                                each), the graph's text, history/mean_loss (E epochs, float64)
///
/// with P = the method's `ParameterLayout` count (`PathDecoder` for label-aug, `BaselineClassifier` otherwise: the
/// layout `model.h5` names its tensors by) for F inputs, and F = Σ over `feature_sets` (default `fv/orh/1x1`) of
/// regions · 2·M·d: regions of the layout (1x1 = 1, 2x2 = 4, 1x3 = 3), M the fisher stage's `components`,
/// d = min(`pca_dims`, 128) for orh and min(`pca_dims`, 96) for col (the descriptor widths, as `fv.h5`). The
/// label CSVs and decoded paths beside it (`row,label` and one line per test image) are not counted; nor are
/// HDF5 metadata and string datasets.
///
/// Peak memory per rank (`StageCost`: B₀ + these terms, upper bounds) and rough time, with N the images of the
/// stage's dataset (all counted as training rows: an upper bound), B_r = ⌈`batch_size`/R⌉, E epochs, V the graph's
/// nodes, H, E_v, H_enc the decoder's `hidden_size`, `embedding_size`, `encoder_hidden`:
///
///     memory  16·P + 3·4·N·F + 2·4·B_r·(F + 2·H_enc + V·(4H + E_v))   weights, grads, Adam m and v; the features of
///                                                                    every row as read, standardised, and copied
///                                                                    into the fine / coarse training sets; the
///                                                                    batch's activations (forward cache + gradients)
///     time    E·N·P / (R·pathsRate)
///
/// `pathsRate` (parameter · example per second per rank, forward + backward + step) is from the 2-rank default run of
/// 2026-12-07 15:43 (`bash launch/run.sh -n 2 -- run data/pipelines/default.json`, release build, run-manifest.json:
/// train-paths 50.2 s for 20 epochs of 2,083 training images, P = 361,175), a loaded machine; ±×3.
extension RunnerStageType {
    /// Parameter · example per second per rank of the path decoder's training (see the table above).
    static let pathsRate = 1.5e8

    /// The descriptor widths D of `fv.h5`'s kinds (`DescriptorKind.dimension`: 128 orientation bins, 96 colour values).
    static let descriptorWidths = ["orh": 128, "col": 96]

    /// F of `feature_sets` from the fisher stage `fv`'s parameters.
    static func featureWidth(_ sets: [String], fv: RunnerEstimateInput, stage: RunnerEstimateInput) throws -> Int {
        let m = fv.parameters.int("components"), pcaDims = fv.parameters.int("pca_dims")
        return try sets.reduce(0) { total, set in
            let parts = set.split(separator: "/").map(String.init)
            let cells = parts.count == 3 ? parts[2].split(separator: "x").compactMap { Int($0) } : []
            guard parts.count == 3, parts[0] == "fv", let d = descriptorWidths[parts[1]], cells.count == 2 else {
                throw RunnerError.stageFailed(stage: stage.stage.name, type: stage.stage.type.name,
                                              reason: "cannot estimate feature set '\(set)' (an fv/<orh|col>/<layout> dataset of a fisher stage is expected)")
            }
            return total + cells[0] * cells[1] * 2 * m * Swift.min(pcaDims, d)
        }
    }

    /// The model file `train-paths` would write, without parameters: its graph, feature width F and method.
    static func estimatedModel(_ input: RunnerEstimateInput, fv: RunnerEstimateInput) throws
        -> (model: PathModelFile, graph: LabelGraph, featureSize: Int, method: PathMethod) {
        let p = input.parameters
        let graph = try LabelGraph.read(file: p.string("graph"))
        let sets = p.isNull("feature_sets") ? ["fv/orh/1x1"] : p.strings("feature_sets")
        let f = try featureWidth(sets, fv: fv, stage: input)
        let method = PathMethod(rawValue: p.string("method")) ?? .labelAug
        let model = PathModelFile(method: method, target: p.string("fine_dataset"), graph: graph, featureSets: sets, featureSize: f,
                                  encoderHidden: p.int("encoder_hidden"), embeddingSize: p.int("embedding_size"),
                                  hiddenSize: p.int("hidden_size"), parameters: [], featureMean: [], featureScale: [], history: [])
        return (model, graph, f, method)
    }

    static let estimateTrainPaths: RunnerEstimateInput.Estimator = { input in
        let p = input.parameters, fv = try input.input("fv")
        let (model, graph, f, method) = try estimatedModel(input, fv: fv)
        let count = try model.tensorLayout().count
        let bytes = 4 * count + 8 * f + graph.text.utf8.count + 8 * p.int("epochs")
        return [input.plan("model.h5", "\(count) float32 parameters (\(method.rawValue)), F = \(f)", bytes: bytes,
                           fixes: ["a smaller encoder_hidden or hidden_size"])]
    }

    static let costTrainPaths: RunnerEstimateInput.CostEstimator = { input in
        let p = input.parameters, fv = try input.input("fv")
        guard case let .images(source, selection)? = input.dataset ?? fv.dataset else {
            throw RunnerError.stageFailed(stage: input.stage.name, type: input.stage.type.name, reason: "no image dataset to count rows of")
        }
        let n = try source.open(selection: selection).count
        let (model, graph, f, _) = try estimatedModel(input, fv: fv)
        let count = try model.tensorLayout().count, b = input.perRank(p.int("batch_size")), epochs = p.int("epochs")
        let perRow = f + 2 * p.int("encoder_hidden") + graph.count * (4 * p.int("hidden_size") + p.int("embedding_size"))
        return StageCost(terms: [.init("weights + grads + Adam m, v", 16 * count), .init("features: read, standardised, per-dataset copies", 3 * 4 * n * f),
                                 .init("batch activations", 2 * 4 * b * perRow)],
                         seconds: Selection.trainingPasses(p) * Double(epochs) * Double(n) * Double(count) / (Double(input.ranks) * pathsRate),
                         time: "\(epochs) epochs × ≤ \(n) images × P = \(count)"
                            + (Selection.trainingPasses(p) == 1 ? "" : " × \(fixed(Selection.trainingPasses(p), 1)) runs (select_on validation)"))
    }
}
