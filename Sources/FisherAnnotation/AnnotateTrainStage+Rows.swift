import Classifiers
import Core
import LinearAlgebra
import Storage

/// How `annotate train` splits the linear classifiers (SVM, SLR) over ranks.
///
/// | layout | each rank holds | solvers |
/// | --- | --- | --- |
/// | `concepts` (small data) | every training row of every block it trains on | `OneVsRest` (dual CD, `svm_loss` hinge: LIBLINEAR `-s 3`, squared-hinge: `-s 1`), batched SLR FISTA |
/// | `rows` | only its rows (`OrderedReduction` blocks), read from `fv.h5` in chunks | `RowShardedLinear` (TRON, squared hinge only: `-s 2`), `SparseLogisticRegression.trainRowSharded` |
///
/// **Choice** (automatic, printed in the log): `concepts` reads every visual block whole (N_all rows of `fv.h5`)
/// and holds all six at once (`AnnotationData.load`), N_all × Σ_b D_b × 4 bytes, whichever runs are asked for;
/// when that exceeds `MemoryBudget.current`, `rows`. (Counting only the widest block, as before, let Flowers102
/// at the paper's size, 8,189 × 131,072 × 4 B = 4 GiB ≤ a 5.9 GiB budget, choose `concepts` and then hold 16 GiB.) There is no option: a
/// user who wants the row path on small data lowers `--memory`. Both layouts give bit-identical models for any
/// number of ranks; they differ from each other only within the solvers' tolerances (same objective).
/// TagProp runs under both: its search and fit need only each rank's own items (`TagProp.train(neighbours:rows:…)`),
/// which `rows` reads from `fv.h5` (`FisherVectorRows.concatenated`) and `concepts` slices from memory.
public enum TrainingLayout: String, Sendable, Equatable {
    case concepts, rows

    /// Rows per `OrderedReduction` block of the linear solvers for N training rows: `LinearBlockSize` (about 64
    /// blocks, 256 … 4096 rows, never a function of the rank count; part of the models' bits, recorded in
    /// `models.h5` as `linear_block_size`). Until issue 15's segmented reduction it was a constant 2048, so
    /// Flowers102's 2,040 training images were one block, trained by rank 0 alone.
    public static func blockSize(rows n: Int) -> Int { LinearBlockSize.rows(forTrainingRows: n) }
    /// Rows per read of `fv.h5` within a block: fixed (part of the models' bits).
    public static let chunkRows = 512
}

extension AnnotateTrainStage {
    /// The layout for the configured runs on `fv.h5` under `budget`, and the sentence that explains it.
    public func chooseLayout(budget: MemoryBudget = .current) throws -> (layout: TrainingLayout, reason: String) {
        let file = try openArtifact(config.fisherVectors, stage: EncodeStage.stage, version: EncodeStage.version,
                                    producer: "`tributary fisher` (or `tributary encode`)")
        defer { try? file.close() }
        let shapes = try AnnotationData.visualBlocks.map { try file.shape(of: "fv/" + $0) }
        let rows = shapes.first?.first ?? 0
        let widths = shapes.map { $0.count == 2 ? $0[1] : 0 }
        let columns = widths.reduce(0, +)  // the loader holds every visual block, late fusion or early
        let bytes = MemoryBudget.product([rows, columns, MemoryLayout<Float>.stride])
        let what = "\(rows) rows × \(columns) columns (\(MemoryBudget.format(bytes)))"
        if bytes <= budget.bytes {
            return (.concepts, "concepts split over ranks: every rank holds the training blocks, \(what), "
                        + "within the memory budget of \(budget)")
        }
        return (.rows, "rows split over ranks: the training blocks, \(what), exceed the memory budget of \(budget)")
    }

    /// Throws unless every configured run can train under `rows`.
    func checkRowLayout() throws {
        let runs = Set(config.runs)
        if config.svm.loss == .hinge && !runs.isDisjoint(with: [.svmLateVisual, .svmLateMixed, .svmEarlyVisual, .svmEarlyMixed]) {
            throw AnnotateError.rowLayoutUnsupported(
                what: "the SVM runs with svm_loss hinge (LIBLINEAR -s 3, dual coordinate descent, needs every row on each rank)",
                fix: "set svm_loss squared-hinge (trained by TRON with the rows split over ranks)")
        }
    }

    /// The training rows of `names` as row sources: visual blocks read from `fv.h5`, the tag block from memory.
    func rowSources(_ names: [String], data: AnnotationData, fileRows: [Int]) throws -> [any RowSource<Float>] {
        try names.map { name -> any RowSource<Float> in
            if name == AnnotationData.tagsBlock { return InMemoryRows(data.train[name]!) }
            return try FisherVectorRows(path: data.fisherVectors, block: name, fileRows: fileRows)
        }
    }

    /// The `fv.h5` row of every training item, in training order.
    func trainingFileRows(_ data: AnnotationData) throws -> [Int] {
        let file = try HDF5File.open(path: data.fisherVectors)
        defer { try? file.close() }
        var row: [String: Int] = [:]  // lookup only, never iterated
        for (i, id) in try file.readStrings("ids").enumerated() { row[id] = i }
        return data.trainIDs.map { row[$0]! }
    }

    /// K squared-hinge SVMs by TRON with rows split over ranks (LIBLINEAR `-s 2`, ε = 0.01, C and B of `config.svm`),
    /// in the concept groups that fit `MemoryBudget.current` (`ConceptGroups`; rows cached in what the state leaves).
    /// `log` gets the group choice and TRON's work on this rank: Newton iterations, CG steps, passes, reads and the
    /// split of its seconds.
    func rowShardedSVM(_ sources: [any RowSource<Float>], labels: LabelMatrix, communicator: any Communicator,
                       log: (String) -> Void = { _ in }) throws -> (scorer: LinearScorer, groups: ConceptGroups) {
        var options = RowShardedLinear<Float>.Options(
            loss: .squaredHinge, cost: config.svm.cost, bias: config.svm.bias,
            blockSize: TrainingLayout.blockSize(rows: labels.rows), chunkRows: TrainingLayout.chunkRows)
        let groups = try RowShardedLinear<Float>.conceptGroups(sources, labels: labels, options: options,
                                                               size: communicator.size)
        options.conceptsPerGroup = groups.groupSize
        options.cacheBytes = groups.cacheBytes
        log(groups.summary)
        let model = try RowShardedLinear<Float>.train(sources, labels: labels, options: options, communicator: communicator)
        let work = model.work, f = { String(format: "%.1f", $0) }
        log("TRON \(model.statistics.map(\.iterations).max() ?? 0) Newton iterations (max over concepts), "
            + "\(model.conjugateGradientSteps) CG steps, \(work.passes) passes over the rows; rank 0: \(work.reads) reads "
            + "(\(MemoryBudget.format(work.bytesRead))), seconds read \(f(work.readSeconds)) / products "
            + "\(f(work.productSeconds)) / ordered sums \(f(work.reductionSeconds))")
        return (LinearScorer(model.oneVsRest), groups)
    }

    /// K SLRs by the row-sharded FISTA (options of `config.slr`).
    func rowShardedSLR(_ sources: [any RowSource<Float>], labels: LabelMatrix, communicator: any Communicator) throws
        -> LinearScorer {
        let models = try SparseLogisticRegression<Float>.trainRowSharded(
            sources, labels: labels, options: config.slr, blockSize: TrainingLayout.blockSize(rows: labels.rows),
            chunkRows: TrainingLayout.chunkRows, cacheBytes: MemoryBudget.current.bytes, communicator: communicator)
        return LinearScorer(weights: Matrix(rowArrays: models.map(\.weights)), biases: models.map(\.bias))
    }
}
