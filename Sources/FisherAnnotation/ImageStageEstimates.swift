import Core
import Datasets
import Features
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
///
/// Peak memory per rank (`StageCost`: B₀ + these terms, upper bounds) and rough time, with N_r = ⌈N/R⌉ the images of
/// the busiest rank, H×W the size of image 0 (decoded once; every image assumed that size), T = Σ_s cols_s·rows_s its
/// descriptors (`DenseGrid.levels`), D = 128 + 96 the descriptor widths, d = d_orh + d_col (each min(`pca_dims`, D_k)),
/// C = `chunk_size`, S = `sample_size`, I = `iterations`, F = Σ_l F_l, N_t = N − Q the training images, D_w the
/// widest trained block:
///
///     split     memory  N·64 + 2·|images.csv|                      image list + the CSV built in memory
///               time    N / splitRowRate
///     fisher    memory  N·64 + N_f·H·W + H·W·(12 + 44)             image list, the decoded idx file (Fashion-MNIST:
///                        + max(C·T·(D + 8)·4,                       all N_f images of the split), one image's planes;
///                              S·D·4 + 2·D²·8 + b,                  extract chunk | PCA sample + covariance |
///                              S·(d + 2M)·4 + b,                    GMM sample + posteriors (b = N_r·T·128·4: a
///                                                                   rank's ORH rows read to pick its sampled ones) |
///                              C·T·(D + d + 2M)·4 + C·F·4)          encode chunk + its Fisher-vector rows
///               time    N_r·(imageOverhead + H·W·S_c/extractPixelRate) + I·S·M·d/(R·gmmRate) + N_r·T·M·d/fisherEncodeRate
///     annotate  memory  min(N·(F + D_w + D_l)·4, budget)          every visual block of every image (train + test),
///                        + |models.h5| + 8·Q·K·runs                the widest trained block built once more (early
///                                                                 fusion's concatenation), one block's read buffer
///                                                                 (D_l the widest of the six); over the budget the
///                                                                 rows are split over ranks; weights; raw +
///                                                                 confidence scores
///               time    N_t·Σ_b D_b·K / (R·svmRate)
///
/// (S_c = the grid's scales.) The rates, per core of AMD Zen 4: W1–W3 from docs/benchmarks.md (quiet machine); the
/// per-image overhead, the SVM and split rates from the 2-rank default run of 2026-12-07 15:43 (`bash launch/run.sh
/// -n 2 -- run data/pipelines/default.json`, release build; its run-manifest.json seconds and fashion-fv/metrics.jsonl
/// steps), a loaded machine. ±×3.
extension RunnerStageType {
    /// T·M·d multiply-adds per second of FV encoding: W2, 77.2 images/s at T 2,500, M 256, d 64 (1 thread).
    static let fisherEncodeRate = 3.16e9
    /// S·M·d per second per EM iteration: W1, 1.38 s per iteration at N 256,000, M 256, D 64 (1 thread).
    static let gmmRate = 3.04e9
    /// Pixels × scales per second of dense ORH + COL extraction: W3, 62.3 images/s at 500×375, 5 scales.
    static let extractPixelRate = 5.84e7
    /// Seconds per image per rank beyond the arithmetic (decode, descriptor and FV rows through HDF5): extract +
    /// encode 2.64 + 3.23 s for 1,500 images per rank (28×28) in the default run.
    static let imageOverhead = 3.9e-3
    /// N_t·D_b·K per second per rank of the linear SVMs (all dual-CD passes, training + prediction): 13.6 s for
    /// 2,250 × 32,768 × 10 on 2 ranks in the default run.
    static let svmRate = 2.7e7
    /// Rows per second of `split` / `split-images`: 0.047 s for 3,000 rows in the default run.
    static let splitRowRate = 6.4e4

    static let costSplit: RunnerEstimateInput.CostEstimator = { input in
        let n = try fisherImages(input).count, csv = try estimateSplit(input).reduce(0) { $0 + $1.bytes }
        return StageCost(terms: [.init("image list", n * 64), .init("images.csv in memory", 2 * csv)],
                         seconds: Double(n) / splitRowRate, time: "\(n) rows at \(Int(splitRowRate)) rows/s")
    }

    static let costFisher: RunnerEstimateInput.CostEstimator = { input in
        guard case let .images(source, selection)? = input.dataset else {
            throw RunnerError.stageFailed(stage: input.stage.name, type: input.stage.type.name, reason: "no image dataset to estimate")
        }
        let pipeline = FisherPipeline(input.parameters, source: source, selection: selection, directory: input.directory)
        let images = try source.open(selection: selection), n = images.count, nr = input.perRank(n)
        guard n > 0 else {
            throw RunnerError.stageFailed(stage: input.stage.name, type: input.stage.type.name,
                                          reason: "its dataset \(source.description) selects no image; check its path, split and limit")
        }
        let first = try images.image(at: 0), (h, w) = (first.height, first.width)
        let grid = try pipeline.extract.grid()
        let t = grid.levels(width: w, height: h).reduce(0) { $0 + $1.count }
        let dk = DescriptorKind.allCases.map { Swift.min(pipeline.pca.dimensions, $0.dimension) }
        let dd = DescriptorKind.allCases.reduce(0) { $0 + $1.dimension }, d = dk.reduce(0, +)
        let (c, s, m, iters) = (pipeline.encode.batchSize, pipeline.pca.sampleSize, pipeline.gmm.components, pipeline.gmm.maxIterations)
        let f = pipeline.rowWidths().reduce(0, +)
        var idx = 0
        if case .fashionMNIST = source { idx = try source.open().count * h * w }
        let block = nr * t * DescriptorKind.orh.dimension * 4  // the rank's rows of the widest kind, read to pick the sample
        let steps = [("extract chunk", c * t * (dd + 8) * 4), ("PCA sample + covariance + rows read", s * dd * 4 + 2 * dd * dd * 8 + block),
                     ("GMM sample + posteriors + rows read", s * (d + 2 * m) * 4 + block), ("encode chunk + FV rows", c * t * (dd + d + 2 * m) * 4 + c * f * 4)]
        let peak = steps.max { $0.1 < $1.1 }!
        let seconds = Double(nr) * (imageOverhead + Double(h * w * grid.scales) / extractPixelRate)
            + Double(iters) * Double(s) * Double(m * d) / (Double(input.ranks) * gmmRate)
            + Double(nr) * Double(t * m * d) / fisherEncodeRate
        return StageCost(terms: [.init("image list", n * 64), .init("decoded image file", idx),
                                 .init("one image", h * w * (12 + ImagePlanes.workingBytesPerPixel)), .init(peak.0, peak.1)],
                         seconds: seconds,
                         time: "\(nr) images per rank (\(w)×\(h), T = \(t)), \(iters) EM iterations on \(s) descriptors, M = \(m), d = \(d)")
    }

    static let costAnnotate: RunnerEstimateInput.CostEstimator = { input in
        let images = try fisherImages(input), n = images.count, k = images.classNames.count
        let q = heldOut(images, fraction: heldOutFraction(try input.input("manifest").parameters))
        let blocks = try trainedBlocks(input), widths = try visualWidths(input)
        let (f, widest, largest) = (widths.reduce(0, +), blocks.max() ?? 0, widths.max() ?? 0)
        let runs = input.parameters.strings("runs").count
        let models = try modelsPlan(input, concepts: k).bytes
        let units = Double(n - q) * Double(blocks.reduce(0, +)) * Double(k)
        let vectors = Swift.min(n * (f + widest + largest) * 4, MemoryBudget.current.bytes)
        return StageCost(terms: [.init("Fisher vectors: all blocks + widest trained block + a read buffer", vectors),
                                 .init("models", models), .init("scores", 8 * q * k * runs)],
                         seconds: units / (Double(input.ranks) * svmRate),
                         time: "\(n - q) training images × Σ D_b = \(blocks.reduce(0, +)) × \(k) concepts")
    }

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
        let blocks = try trainedBlocks(input)
        let runs = Set(input.parameters.strings("runs").compactMap(AnnotationRun.init(rawValue:)))
        let bytes = blocks.reduce(0) { $0 + 4 * k * ($1 + 1) }
        let uncounted = runs.contains { $0.usesTags || $0.isTagProp } ? "; tag blocks and TagProp not counted" : ""
        return input.plan("models.h5", "\(blocks.count) linear block(s) × \(k) concepts\(uncounted)", bytes: bytes)
    }

    /// D_b of every linear block the runs train: late fusion the six visual blocks, early fusion one of their Σ width.
    static func trainedBlocks(_ input: RunnerEstimateInput) throws -> [Int] {
        let widths = try visualWidths(input)
        let runs = Set(input.parameters.strings("runs").compactMap(AnnotationRun.init(rawValue:)))
        var blocks: [Int] = []
        if !runs.isDisjoint(with: [.svmLateVisual, .svmLateMixed]) { blocks += widths }
        if !runs.isDisjoint(with: [.svmEarlyVisual, .svmEarlyMixed]) { blocks.append(widths.reduce(0, +)) }
        if runs.contains(.slrLateVisual) { blocks += widths }
        return blocks
    }

    /// F_l of the six visual blocks of the `fisher` stage filling `fv` (`FisherPipeline.rowWidths`).
    static func visualWidths(_ input: RunnerEstimateInput) throws -> [Int] {
        let fv = try input.input("fv")
        guard case let .images(source, selection)? = fv.dataset else {
            throw RunnerError.stageFailed(stage: input.stage.name, type: input.stage.type.name,
                                          reason: "its fv stage \(fv.stage.name) has no image dataset")
        }
        return FisherPipeline(fv.parameters, source: source, selection: selection, directory: fv.directory).rowWidths()
    }
}
