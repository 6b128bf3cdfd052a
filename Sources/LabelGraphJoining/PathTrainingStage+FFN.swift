import Core
import LabelGraphs
import LinearAlgebra
import NeuralNets
import Training

extension PathTrainingStage {
    /// Softmax over the target labels, on the given rows (label node → class index by `graph.labels(in: target)`).
    func trainFFN(_ model: PathModelFile, x: PathFeatureRows, rows: [Int], labels: [Int], graph: LabelGraph,
                  trainer: DataParallelTrainer, resume: Bool, log: (EpochSummary, Parameters<Float>) throws -> Void,
                  progress: ProgressReporter) throws -> DataParallelTrainer.Result {
        let classes = graph.labels(in: configuration.target)
        let classOf = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let targets = labels.map { classOf[$0]! }
        let classifier = model.baseline(graph: graph)
        let (evaluate, shouldStop) = try epochHooks(model, featureSets: model.featureSets)
        return try trainer.train(initial: classifier.makeParameters(seed: configuration.seed), sampleCount: rows.count, resume: resume,
                                 lossSum: { batch, parameters in
            classifier.softmaxLoss(x.matrix(batch.map { rows[$0] }), labels: batch.map { targets[$0] }, parameters: &parameters).loss
        }, evaluate: evaluate, onEpoch: log, onBatch: progress.tick, shouldStop: shouldStop, prepareEpoch: { _, batch in try x.keep(batch.map { rows[$0] }) })
    }
}

extension PathTrainingStage {
    /// The split a run without a recorded one (`train-paths` from the command line) writes: `train` = the ids of
    /// every sample it trains on, in sample order, and `train.<dataset>` = those of each joined dataset.
    static func trainingParts(_ samples: PathSamples) -> [String: [String]] {
        var parts = ["train": samples.ids]
        for (i, dataset) in samples.datasets.enumerated() { parts["train.\(dataset)", default: []].append(samples.ids[i]) }
        return parts
    }
}
