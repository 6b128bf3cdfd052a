import Datasets
import Foundation
import Stages
import Storage

/// `tributary plan`'s size estimates for `split` and `annotate`, from the `fisher` stage's dataset (its ids and
/// labels are read; no image is decoded) and the parameters. N images, C classes with n_c images each, f =
/// `test_fraction`, K = C concepts (single-label data), R = the `runs`:
///
///     split     images.csv  Σ_i bytes of the CSV line (id_i, class_i, "train", class_i, "")  + the header line
///                           (every row counted as `train`, the longer word: an upper bound)
///     annotate  scores.h5   Q·K·(1 + 9·R)      truth (uint8) + per run raw and confidence (float32), decision (uint8)
///               eval.h5     R·(24·K + 48)      per run AP, EER, AUC (K float64 each) and the 6-number summary
///
///               models.h5   4·K·Σ_b (D_b + 1)  one (K, D_b) float32 weight matrix and K biases per trained block b
///
/// with Q = Σ_c round(n_c · f), the test images `split` holds out, and D_b the width of block b from the `fisher`
/// stage's parameters (`FisherPipeline.rowWidths`: regions · 2·M·d): late fusion (`svm-late-*`, `slr-late-visual`)
/// trains the six visual blocks, early fusion one block of their Σ width. The tag blocks (`*-mixed`) and TagProp's
/// γ, α, β depend on the tag vocabulary and are not counted (the line says so); nor are HDF5 metadata and string
/// datasets (ids, concepts).
extension RunnerStageType {
    /// The image collection of `input`'s own dataset (`split-images`), else of the `fisher` stage filling `fv`.
    static func fisherImages(_ input: RunnerEstimateInput) throws -> any ImageCollection {
        if case let .images(source, selection)? = input.dataset { return try source.open(selection: selection) }
        let fv = try input.input("fv")
        guard case let .images(source, selection)? = fv.dataset else {
            throw RunnerError.stageFailed(stage: input.stage.name, type: input.stage.type.name,
                                          reason: "its fv stage \(fv.stage.name) has no image dataset")
        }
        return try source.open(selection: selection)
    }

    static let estimateSplit: RunnerEstimateInput.Estimator = { input in
        let images = try fisherImages(input)
        var bytes = CSVTable.line(AnnotationTable.columns).utf8.count
        for i in 0 ..< images.count {
            let name = images.classNames[images.label(at: i)]
            bytes += CSVTable.line([images.id(at: i), name, "train", name, ""]).utf8.count
        }
        return [input.plan("images.csv", "\(images.count) rows", bytes: bytes)]
    }

    /// Q = Σ_c round(n_c · f) over the labels of `images`.
    static func heldOut(_ images: any ImageCollection, fraction: Double) -> Int {
        var perClass = [Int: Int]()
        for i in 0 ..< images.count { perClass[images.label(at: i), default: 0] += 1 }
        return perClass.values.reduce(0) { $0 + Int((Double($1) * fraction).rounded()) }
    }

    static let estimateAnnotate: RunnerEstimateInput.Estimator = { input in
        let images = try fisherImages(input)
        let fraction = heldOutFraction(try input.input("manifest").parameters)
        let q = heldOut(images, fraction: fraction), k = images.classNames.count
        let r = input.parameters.strings("runs").count
        return [input.plan("scores.h5", "\(q) test images × \(k) concepts × \(r) run(s)", bytes: q * k * (1 + 9 * r)),
                input.plan("eval.h5", "\(r) run(s) × \(k) concepts", bytes: r * (24 * k + 48)),
                try modelsPlan(input, concepts: k)]
    }

    /// models.h5: 4·K·(D_b + 1) bytes per linear block the runs train (see the type's table).
    static func modelsPlan(_ input: RunnerEstimateInput, concepts k: Int) throws -> DiskSpace.Plan {
        let fv = try input.input("fv")
        guard case let .images(source, selection)? = fv.dataset else {
            throw RunnerError.stageFailed(stage: input.stage.name, type: input.stage.type.name,
                                          reason: "its fv stage \(fv.stage.name) has no image dataset")
        }
        let widths = FisherPipeline(fv.parameters, source: source, selection: selection, directory: fv.directory).rowWidths()
        let runs = Set(input.parameters.strings("runs").compactMap(AnnotationRun.init(rawValue:)))
        var blocks: [Int] = []  // D_b of every linear block trained
        if !runs.isDisjoint(with: [.svmLateVisual, .svmLateMixed]) { blocks += widths }
        if !runs.isDisjoint(with: [.svmEarlyVisual, .svmEarlyMixed]) { blocks.append(widths.reduce(0, +)) }
        if runs.contains(.slrLateVisual) { blocks += widths }
        let bytes = blocks.reduce(0) { $0 + 4 * k * ($1 + 1) }
        let uncounted = runs.contains { $0.usesTags || $0.isTagProp } ? "; tag blocks and TagProp not counted" : ""
        return input.plan("models.h5", "\(blocks.count) linear block(s) × \(k) concepts\(uncounted)", bytes: bytes)
    }
}
