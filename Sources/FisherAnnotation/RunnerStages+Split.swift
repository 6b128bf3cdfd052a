import Classifiers
import Core
import Stages
import Storage

/// The runner's two split stages, one rule: a stratified, seeded train/test split of single-label images into the
/// `images.csv` that `annotate`, `train-paths` and (as `fisher`'s `manifest` input) the PCA and GMM fits read.
///
/// For every class c with members m_0 … m_{n_c−1} (image order), a permutation π_c of SeededRandom(seed, stream c)
/// holds out h_c = round(n_c · test_fraction) of them: m_{π_c(0)} … m_{π_c(h_c−1)} are `test`, the rest `train`
/// (test_fraction 0.25 when neither it nor `fold` is given).
///
/// With `fold` = "k/K" (K-fold cross-validation, e.g. a config's `repeat.folds`): the classes in order, each
/// member sequence m_{π_c(0)}, m_{π_c(1)}, … is dealt round-robin to folds 0 … K−1, the count continuing across
/// classes (the next class starts where the last one stopped); fold k − 1 is `test`. Every image is in exactly one
/// test fold, fold sizes differ by at most one and a class's count per fold by at most one (the rule of
/// `CorpusSplit.kFold` for the text stages, on this stage's permutations).
///
/// - `split-images` reads the dataset's ids and labels (no image is decoded), so the split exists before any
///   Fisher vector: the leak-free order split-images → fisher (manifest) → annotate.
/// - `split` reads them from a `fisher` stage's `fv.h5` (the same ids and labels, so the same rows).
extension RunnerStageType {
    static let splitImages = RunnerStageType(
        spec: .splitImages,
        dataset: .image,
        outputs: ["images.csv"]
    ) { context in
        guard case let .images(source, selection)? = context.dataset else { preconditionFailure("checked by the config") }
        let images = try source.open(selection: selection)
        let ids = (0 ..< images.count).map { images.id(at: $0) }, labels = (0 ..< images.count).map { images.label(at: $0) }
        return try writeSplit(ids: ids, labels: labels, classes: images.classNames, source: source.description, context: context)
    }

    static let split = RunnerStageType(
        spec: .split,
        inputs: ["fv": ["fisher"]],
        outputs: ["images.csv"]
    ) { context in
        let fvPath = context.input("fv", "fv.h5")
        let fv = try HDF5File.open(path: fvPath)
        defer { try? fv.close() }
        let ids = try fv.readStrings("ids"), classes = try fv.readStrings("class_names")
        let labels = try fv.read("labels", as: Int64.self).values.map { Int($0) }
        return try writeSplit(ids: ids, labels: labels, classes: classes, source: fvPath, context: context)
    }

    /// The split of the header's rule; rank 0 writes `images.csv`.
    static func writeSplit(ids: [String], labels: [Int], classes: [String], source: String,
                           context: RunnerStageContext) throws -> RunnerStageResult {
        let p = context.parameters, seed = context.parameters.int("seed")
        let fraction = p.optionalDouble("test_fraction") ?? defaultTestFraction
        let type = context.stage.type.name
        guard fraction > 0 && fraction < 1 else {
            throw RunnerError.stageFailed(stage: context.stage.name, type: type,
                                          reason: "params.test_fraction = \(fraction) must be in (0, 1); fix the config")
        }
        var items: [AnnotationTable.Item]
        var held = "\(Int(fraction * 100)) % of each class held out"
        if let text = p.optionalString("fold") {
            let (k, folds): (Int, Int)
            do { (k, folds) = try CrossValidationFold.parse(text) } catch {
                throw ParameterError(door: p.door, name: p.door.name(ofKey: "fold"), problem: error)
            }
            items = stratifiedFolds(ids: ids, labels: labels, classes: classes, folds: folds, fold: k, seed: UInt64(seed))
            held = "fold \(text) of a stratified \(folds)-fold split held out"
        } else {
            items = stratifiedSplit(ids: ids, labels: labels, classes: classes, testFraction: fraction, seed: UInt64(seed))
        }
        let test = items.filter { $0.split == "test" }.count
        guard test > 0 && test < items.count else {
            throw RunnerError.stageFailed(stage: context.stage.name, type: type,
                                          reason: "\(source) has \(items.count) images: too few for a split with \(p.optionalString("fold").map { "fold \($0)" } ?? "test_fraction \(fraction)"); use a larger dataset limit")
        }
        if context.communicator.isRoot {  // Distributed: rank 0 writes
            try AnnotationTable(source: source, items: items).write(to: context.output("images.csv"))
        }
        try context.communicator.barrier()
        return RunnerStageResult(summary: "\(items.count - test) train, \(test) test images",
                                 report: "\(items.count - test) training and \(test) test images (\(held), seed \(seed)).")
    }

    /// The held-out fraction without `fold`, declared once (the spec's `dataDefault` says it).
    static let defaultTestFraction = 0.25

    /// The share of images a split with `p` holds out: 1/K for a fold, else test_fraction (for estimates).
    static func heldOutFraction(_ p: StageParameters) -> Double {
        if let text = p.optionalString("fold"), let (_, folds) = try? CrossValidationFold.parse(text) { return 1 / Double(folds) }
        return p.optionalDouble("test_fraction") ?? defaultTestFraction
    }

    /// The items of the header's K-fold rule (fold 0-based), in image order.
    static func stratifiedFolds(ids: [String], labels: [Int], classes: [String], folds: Int, fold: Int,
                                seed: UInt64) -> [AnnotationTable.Item] {
        var items = zip(ids, labels).map { AnnotationTable.Item(path: $0, concepts: [classes[$1]], tags: [], split: "train") }
        var position = 0
        for c in classes.indices {
            let members = items.indices.filter { labels[$0] == c }
            var rng = SeededRandom(seed: seed, stream: UInt64(c))
            for j in rng.permutation(members.count) {
                if position % folds == fold { items[members[j]].split = "test" }
                position += 1
            }
        }
        return items
    }

    /// The items of the header's rule, in image order.
    static func stratifiedSplit(ids: [String], labels: [Int], classes: [String], testFraction: Double,
                                seed: UInt64) -> [AnnotationTable.Item] {
        var items = zip(ids, labels).map { AnnotationTable.Item(path: $0, concepts: [classes[$1]], tags: [], split: "train") }
        for c in classes.indices {
            let members = items.indices.filter { labels[$0] == c }
            var rng = SeededRandom(seed: seed, stream: UInt64(c))
            let held = Int((Double(members.count) * testFraction).rounded())
            for j in rng.permutation(members.count).prefix(held) { items[members[j]].split = "test" }
        }
        return items
    }
}
