import Classifiers
import Core
import Foundation
import LinearAlgebra
import Storage

/// `tributary annotate train`: the classifiers of the paper's runs (`AnnotationRun`) on the training items of
/// `AnnotationData`, written to `models.h5` (`AnnotateModels`).
///
/// What each run needs, trained once even when several runs share it:
///
/// | model | for runs | training |
/// | --- | --- | --- |
/// | SVM per visual block (6) | svm-late-visual, svm-late-mixed | `OneVsRest.train` (LIBLINEAR `-s 3`, C = 1, B = 1) |
/// | SVM on tags | svm-late-mixed | idem on the tag vectors |
/// | SVM on 6 (7) blocks concatenated | svm-early-visual (svm-early-mixed) | idem on the concatenation |
/// | SLR per visual block (6) | slr-late-visual | `LinearScorer.sparseLogisticRegression` |
/// | TagProp | tagprop-visual, tagprop-mixed | leave-one-out neighbours per measure, then `TagProp.train` |
///
/// **Distribution.** SVMs and SLRs: concepts split over ranks, models all-gathered (`OneVsRest`,
/// `LinearScorer`) — or, when the training blocks exceed the memory budget, rows split over ranks
/// (`TrainingLayout`, chosen automatically and printed; squared-hinge SVMs by TRON, SLR by row-sharded FISTA).
/// TagProp: each rank takes the training items of its `OrderedReduction` blocks, finds their
/// leave-one-out neighbours against every rank's items (`NearestNeighbours.leaveOneOut(shard:…)`: one chunk of
/// another rank's features at a time), keeps its own lists, and the γ/α/β fit sums over items in block order
/// (`TagProp.train(neighbours:rows:…)`; γ, α, β are replicated). Rank 0 writes `models.h5`. The models are
/// bit-identical for any number of ranks (at a fixed number of BLAS threads per rank). Under `rows` each rank
/// reads only its TagProp items from `fv.h5` (`FisherVectorRows.concatenated`, chunk by chunk), the same values the in-memory path
/// slices, so both layouts give the same TagProp model bit for bit.
///
/// **TagProp's K.** The paper's K = 1000 needs K_d = ⌈K/M⌉ ≤ N − 1 neighbours per measure; a larger K is
/// lowered to M·(N − 1) (reported in the log; the stored γ has the effective (M, K_d) shape).
public struct AnnotateTrainStage: Sendable {
    public let config: AnnotateTrainConfig

    public init(config: AnnotateTrainConfig) {
        self.config = config
    }

    /// Loads the data, trains on every rank, and writes the models on rank 0.
    @discardableResult
    public func run(communicator comm: any Communicator, log: (String) -> Void = { _ in }) throws -> AnnotateModels {
        // A file that cannot be read fails in `load` below, with its own message and in its order (images.csv first).
        let layout = (try? chooseLayout()).map { choice in
            log("annotate train: linear classifiers with \(choice.reason)")
            return choice.layout
        } ?? .concepts
        if layout == .rows { try checkRowLayout() }
        let data = try AnnotationData.load(fisherVectors: config.fisherVectors, annotations: config.annotations,
                                           concepts: config.concepts, tagVocabulary: config.tagVocabulary,
                                           minimumTagCount: config.minimumTagCount,
                                           maximumTags: config.maximumTags, visual: layout == .concepts)
        log("annotate train: \(data.trainIDs.count) training / \(data.testIDs.count) test images, "
            + "\(data.concepts.count) concepts, \(data.vocabulary.tags.count) tags in the vocabulary")
        if !data.skippedConcepts.isEmpty {
            log("annotate train: skipped \(data.skippedConcepts.count) concept(s) without a positive training image: "
                + data.skippedConcepts.joined(separator: ", "))
        }
        if config.selection != nil && layout == .rows {
            throw AnnotateError.rowLayoutUnsupported(what: "select_on validation", fix: "use select_on none with one cost")
        }
        let (chosen, outcomes, validationIDs) = try select(data, communicator: comm, log: log)
        var models = try AnnotateTrainStage(config: chosen).train(data, communicator: comm, log: log, layout: layout)
        models.validationIDs = validationIDs  // the rows the costs were chosen on, for readers of models.h5
        if let selection = config.selection {  // the candidates, their validation mAP and the choice, in the header
            models.header.parameters["select_on"] = .string("validation")
            models.header.parameters["validation_fraction"] = .double(selection.validationFraction)
            models.header.parameters["validation_seed"] = .int(Int(truncatingIfNeeded: selection.seed))
            for o in outcomes {
                models.header.parameters[o.parameter + "_candidates"] = .doubles(o.candidates)
                models.header.parameters[o.parameter + "_validation_map"] = .doubles(o.scores)
            }
        }
        if comm.isRoot { try models.write(to: config.output) }  // Distributed: rank 0 writes
        try comm.barrier()  // Distributed: nobody reads models.h5 before it exists
        return models
    }

    /// Trains every model the configured runs need; under `.rows`, `data` need not hold the visual blocks.
    public func train(_ data: AnnotationData, communicator comm: any Communicator,
                      log: (String) -> Void = { _ in }, layout: TrainingLayout = .concepts) throws -> AnnotateModels {
        let runs = Set(config.runs)
        if layout == .rows { try checkRowLayout() }
        let fileRows = layout == .rows ? try trainingFileRows(data) : []
        var models = AnnotateModels(concepts: data.concepts, skippedConcepts: data.skippedConcepts,
                                    vocabulary: data.vocabulary, header: header(data, layout: layout))
        models.trainIDs = data.trainIDs  // the split the models saw, for readers of models.h5
        models.testIDs = data.testIDs
        let clock = ContinuousClock()
        func timed(_ what: String, _ body: () throws -> Void) rethrows {
            let start = clock.now
            try body()
            let d = start.duration(to: clock.now)
            let seconds = d.inSeconds
            log("annotate train: \(what) in \(String(format: "%.1f", seconds)) s")
        }
        var groupFacts: [String] = []  // "<blocks>: K concepts in N groups of ≤ G", for models.h5
        func svm(_ names: [String]) throws -> LinearScorer {
            if layout == .rows {
                let key = names.joined(separator: "+")
                let (scorer, groups) = try rowShardedSVM(try rowSources(names, data: data, fileRows: fileRows),
                                                         labels: data.trainLabels, communicator: comm,
                                                         log: { log("annotate train: \(key): \($0)") })
                groupFacts.append("\(key): \(groups.layout)")
                return scorer
            }
            return LinearScorer(try OneVsRest<Float>.train(try data.features(names), labels: data.trainLabels,
                                                           options: config.svm, communicator: comm))
        }
        let visual = AnnotationData.visualBlocks
        if !runs.isDisjoint(with: [.svmLateVisual, .svmLateMixed]) {
            for name in visual { try timed("SVM \(name)") { models.svm[name] = try svm([name]) } }
        }
        if runs.contains(.svmLateMixed) {
            try timed("SVM tags") { models.svm[AnnotationData.tagsBlock] = try svm([AnnotationData.tagsBlock]) }
        }
        if runs.contains(.svmEarlyVisual) {
            try timed("SVM early fusion visual") { models.svm[AnnotateModels.earlyVisual] = try svm(visual) }
        }
        if runs.contains(.svmEarlyMixed) {
            try timed("SVM early fusion visual+tags") {
                models.svm[AnnotateModels.earlyMixed] = try svm(visual + [AnnotationData.tagsBlock])
            }
        }
        if !groupFacts.isEmpty { models.header.parameters["svm_concept_groups"] = .strings(groupFacts) }
        if runs.contains(.slrLateVisual) {
            for name in visual {
                try timed("SLR \(name)") {
                    models.slr[name] = layout == .rows
                        ? try rowShardedSLR(try rowSources([name], data: data, fileRows: fileRows), labels: data.trainLabels,
                                            communicator: comm)
                        : try LinearScorer.sparseLogisticRegression(try data.features([name]), labels: data.trainLabels,
                                                                   options: config.slr, communicator: comm)
                }
            }
        }
        var cache: [String: Neighbours] = [:]  // lookup only, never iterated
        let reduction = TagProp.itemBlocks, n = data.trainIDs.count
        let mine = reduction.rows(totalRows: n, rank: comm.rank, size: comm.size)  // this rank's TagProp items
        for run in [AnnotationRun.tagpropVisual, .tagpropMixed] where runs.contains(run) {
            let measures = Self.measures(run, layouts: config.tagPropLayouts)
            let options = effectiveTagPropOptions(measures: measures.count, items: data.trainIDs.count)
            let kd = TagProp.neighboursPerMeasure(total: options.neighbours, measures: measures.count)
            try timed("TagProp \(run.rawValue) (\(measures.count) measures, K = \(options.neighbours))") {
                let lists = try measures.map { names in
                    let key = names.joined(separator: "+") + "@\(kd)"
                    if let hit = cache[key] { return hit }
                    let shard = layout == .rows
                        ? try FisherVectorRows.concatenated(try rowSources(names, data: data, fileRows: fileRows), rows: mine,
                                                           reserving: "this rank's \(mine.count) TagProp training rows",
                                                           input: config.fisherVectors)
                        : try Fusion.concatenate(names.map { data.train[$0]!.rows(mine) })
                    let found = try NearestNeighbours.leaveOneOut(shard: shard, rows: mine, totalRows: n, count: kd,
                                                                  reduction: reduction, communicator: comm)
                    cache[key] = found
                    return found
                }
                let model = try TagProp.train(neighbours: lists, rows: mine, labels: data.trainLabels, options: options,
                                              reduction: reduction, communicator: comm)
                models.tagProp[run] = AnnotateModels.TagPropModel(model: model, measures: measures)
            }
        }
        return models
    }

    /// The similarity measures of a TagProp run: per descriptor kind (layouts summed) or per (kind, layout),
    /// plus the tag similarity for the mixed run.
    public static func measures(_ run: AnnotationRun, layouts: TagPropLayouts) -> [[String]] {
        let visual = AnnotationData.visualBlocks
        var measures: [[String]]
        switch layouts {
        case .summed: measures = ["orh", "col"].map { kind in visual.filter { $0.hasPrefix(kind + "/") } }
        case .separate: measures = visual.map { [$0] }
        }
        if run.usesTags { measures.append([AnnotationData.tagsBlock]) }
        return measures
    }

    /// The TagProp options with K lowered to M·(N − 1) when the training set is too small for ⌈K/M⌉.
    func effectiveTagPropOptions(measures m: Int, items n: Int) -> TagProp.Options {
        var options = config.tagProp
        options.neighbours = Swift.min(options.neighbours, m * Swift.max(1, n - 1))
        return options
    }

    func header(_ data: AnnotationData, layout: TrainingLayout) -> ArtifactHeader {
        var header = ArtifactHeader(stage: AnnotateModels.stage, version: AnnotateModels.version, parameters: [
            "fisher_vectors": ArtifactHeader.storedPath(config.fisherVectors, in: config.output),
            "annotations": ArtifactHeader.storedPath(config.annotations, in: config.output),
            "runs": .strings(config.runs.map(\.rawValue)), "svm_cost": .double(config.svm.cost),
            "svm_bias": .double(config.svm.bias), "svm_loss": .string(config.svm.loss.rawValue),
            "linear_layout": .string(layout.rawValue), "slr_cost": .double(config.slr.cost),
            "tagprop_neighbours": .int(config.tagProp.neighbours),
            "tagprop_layouts": .string(config.tagPropLayouts.rawValue), "min_tag_count": .int(config.minimumTagCount),
            "tag_vocabulary": .string(config.tagVocabulary.rawValue),
            "train_items": .int(data.trainIDs.count), "test_items": .int(data.testIDs.count),
        ])
        if layout == .rows {  // the rows per ordered-reduction block of TRON and FISTA: part of the models' bits
            header.parameters["linear_block_size"] = .int(TrainingLayout.blockSize(rows: data.trainIDs.count))
        }
        return header
    }
}
