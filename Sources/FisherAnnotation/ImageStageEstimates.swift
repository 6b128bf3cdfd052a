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
/// with Q = Σ_c round(n_c · f), the test images `split` holds out. `models.h5` (weights per run and block) is not
/// estimated; its line says so. HDF5 metadata and string datasets are not counted.
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
                input.plan("models.h5", "not estimated: its size depends on each run's blocks", bytes: 0)]
    }
}
