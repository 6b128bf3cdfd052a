import Classifiers
import Core
import LinearAlgebra
import Stages
import Storage

/// `tributary annotate predict`: the scores of every trained run on the test items → `scores.h5`
/// (`AnnotationScores`).
///
/// The models file names its inputs (`fisher_vectors`, `annotations`); they are re-read (or the overrides in
/// the config), joined again, and must still hold every trained concept. The tag vectors use the training
/// vocabulary stored in the models file, so train and predict encode tags identically.
///
/// | run | raw score of test image q, concept k |
/// | --- | --- |
/// | late fusion (SVM, SLR) | (1/F) Σ_b f^b_k(x^b_q) over the F blocks (6 visual, + tags for mixed) |
/// | early fusion | f_k([x^1_q, …, x^F_q]) |
/// | TagProp | p(y_qk = 1) from the test image's neighbours among the training images |
///
/// With `LateFusionScores.normalized` the late-fusion ranking score averages each block's min-max normalised
/// scores instead (decisions still threshold the averaged raw scores at 0).
///
/// **Distribution.** Rows split over ranks (`AnnotatePredictStage+Rows`): each rank reads and scores only whole
/// blocks of its test rows (linear: one GEMM per block; TagProp: against the training rows, each rank holding only
/// its own and broadcasting them chunk by chunk, and reading its test rows in chunks within the memory budget,
/// `QueryChunking`), and the scores or neighbour lists are all-gathered in rank
/// (= image) order. `run` reads no visual block whole; `predict` uses the blocks `data` holds in memory, else
/// reads `fv.h5`. `scores.h5` is bit-identical for any number of ranks. Rank 0 writes `scores.h5`.
public struct AnnotatePredictStage: Sendable {
    public let config: AnnotatePredictConfig

    public init(config: AnnotatePredictConfig) {
        self.config = config
    }

    @discardableResult
    public func run(communicator comm: any Communicator, log: (String) -> Void = { _ in }) throws -> AnnotationScores {
        let models = try AnnotateModels.read(config.models)
        // Paths in models.h5's header are relative to models.h5.
        let stored = { (key: String) in models.string(key).map { ArtifactHeader.resolvedPath($0, in: config.models) } }
        guard let fv = config.fisherVectors ?? stored("fisher_vectors"),
              let annotations = config.annotations ?? stored("annotations") else {
            throw PipelineError.inconsistent(file: config.models, what: "the header names no fisher_vectors/annotations",
                                             rerun: "annotate train")
        }
        let data = try AnnotationData.load(fisherVectors: fv, annotations: annotations, concepts: models.concepts,
                                           vocabulary: models.vocabulary, visual: false)  // rows read per rank
        let scores = try predict(models, data: data, communicator: comm, log: log)
        log("annotate predict: \(scores.runs.count) run(s) on \(data.testIDs.count) test images, \(data.concepts.count) concepts")
        if comm.isRoot { try scores.write(to: config.output) }  // Distributed: rank 0 writes
        try comm.barrier()  // Distributed: nobody reads scores.h5 before it exists
        return scores
    }

    /// Scores every run recorded in `models` on the test items of `data`.
    public func predict(_ models: AnnotateModels, data: AnnotationData, communicator comm: any Communicator,
                        log: (String) -> Void = { _ in }) throws -> AnnotationScores {
        var raw: [AnnotationRun: Matrix<Float>] = [:], decisions: [AnnotationRun: LabelMatrix] = [:]
        let visual = AnnotationData.visualBlocks
        for run in models.runs {
            let scores: Matrix<Float>
            var decisionScores: Matrix<Float>? = nil
            switch run {
            case .svmLateVisual, .svmLateMixed, .slrLateVisual:
                let blocks = visual + (run == .svmLateMixed ? [AnnotationData.tagsBlock] : [])
                let scorers = run == .slrLateVisual ? models.slr : models.svm
                let each = try blocks.map { name -> Matrix<Float> in
                    guard let scorer = scorers[name] else {
                        throw AnnotateError.missingModel(file: config.models, run: run.rawValue)
                    }
                    return try linearScores(scorer, [name], data: data, communicator: comm)
                }
                let average = try Fusion.lateFusion(each)
                switch config.lateFusion {
                case .raw: scores = average
                case .normalized: scores = try Fusion.lateFusion(try each.map { try MinMaxNormalizer.fit($0).apply($0) })
                }
                decisionScores = average
            case .svmEarlyVisual, .svmEarlyMixed:
                let key = run == .svmEarlyVisual ? AnnotateModels.earlyVisual : AnnotateModels.earlyMixed
                guard let scorer = models.svm[key] else { throw AnnotateError.missingModel(file: config.models, run: run.rawValue) }
                scores = try linearScores(scorer, visual + (run.usesTags ? [AnnotationData.tagsBlock] : []), data: data,
                                          communicator: comm)
            case .tagpropVisual, .tagpropMixed:
                guard let t = models.tagProp[run] else { throw AnnotateError.missingModel(file: config.models, run: run.rawValue) }
                let lists = try t.measures.map { names in
                    try tagPropNeighbours(names, count: t.model.neighboursPerMeasure, data: data, communicator: comm,
                                          log: log)
                }
                scores = try t.model.predict(neighbours: lists, trainingLabels: data.trainLabels)
            }
            raw[run] = scores
            decisions[run] = Fusion.decisions(decisionScores ?? scores, threshold: run.threshold)
        }
        let header = ArtifactHeader(stage: AnnotationScores.stage, version: AnnotationScores.version, parameters: [
            "models": ArtifactHeader.storedPath(config.models, in: config.output),
            "fisher_vectors": ArtifactHeader.storedPath(data.fisherVectors, in: config.output),
            "annotations": ArtifactHeader.storedPath(data.annotations, in: config.output),
            "single_label": .int(data.isSingleLabel ? 1 : 0),
            "late_fusion": .string(config.lateFusion.rawValue),
        ])
        return AnnotationScores(runs: models.runs, concepts: data.concepts, ids: data.testIDs, truth: data.testLabels,
                                raw: raw, decisions: decisions, isSingleLabel: data.isSingleLabel, header: header)
    }
}
