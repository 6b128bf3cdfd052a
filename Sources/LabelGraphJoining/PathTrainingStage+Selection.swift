import Core
import Distributed
import LabelGraphs
import LinearAlgebra
import NeuralNets
import Stages
import Training

/// `train-paths --select-on validation`: the shared mechanism (`Selection`) on the joined samples.
///
///     R = the target dataset's samples ──ValidationHoldout(strata: their label nodes)──▶ V ⊂ R
///     trial η:  train on every joined sample except V (standardisation fitted on those too), and after each epoch
///               score a_V = #{i ∈ V : ŷ_i = y_i} / |V|   (`PathModelFile.accuracy`, what `decode` reports)
///     final:    train on all joined samples with the chosen (η, epochs); model.h5 records the candidates, their
///               scores and `split/validation_ids`
///
/// ŷ_i is the label the greedy path passes in the sample's dataset (label-aug) or the classifier's argmax over the
/// target labels (baselines). Only samples of the fine (target) dataset are held out: it is the dataset `decode`
/// evaluates, and the baselines predict its labels only. Every rank scores V itself (no collective; the same bits
/// in, the same score out). Not with pseudo-labels (two trainings) or an end-to-end text encoder: refused by the spec.
extension PathTrainingStage {
    /// A selection trial's extras: the validation samples scored after every epoch and the stopping rule.
    struct Trial {
        var validation: PathSamples
        var stop: ([Double]) -> Bool
    }

    /// The selection criterion: accuracy on the validation samples of the target dataset.
    static let criterion = "validation_accuracy"

    /// Runs `selection` on `samples` (every joined sample), then the final training with the chosen values.
    func select(_ selection: Selection, samples: PathSamples, featureSets: [String], graph: LabelGraph,
                communicator comm: any Communicator, progress: ProgressReporter) throws -> Report {
        let cfg = configuration
        let target = samples.datasets.indices.filter { samples.datasets[$0] == cfg.target }
        let (validation, outcome) = try selection.run(
            stage: "train-paths", train: target, strata: target.map { samples.labels[$0] ?? 0 },
            learningRate: cfg.training.learningRate, epochs: cfg.training.epochs, criterion: Self.criterion,
            trials: cfg.training.checkpointDirectory.map {
                SelectionTrials(folder: $0, resume: cfg.resume, communicator: comm, settings: cfg.training.checkedAttributes
                    .merging(settings(samples: samples.count, featureSets: featureSets)) { a, _ in a })
            },
            log: { comm.log0($0) }
        ) { _, validation, rate, stop in
            let held = Set(validation)
            var trial = cfg
            trial.training = cfg.training.selectionTrial(learningRate: rate)
            (trial.outputPath, trial.resume, trial.selection) = (nil, false, nil)
            var stage = PathTrainingStage(trial)
            stage.trial = Trial(validation: samples.subset(validation), stop: stop)
            let fit = samples.subset(samples.datasets.indices.filter { !held.contains($0) })
            let report = try stage.train(fit, featureSets: featureSets, graph: graph, communicator: comm, progress: .silent())
            return report.history.map { $0.metrics[Self.criterion] ?? 0 }
        }
        var final = configuration
        (final.training.learningRate, final.training.epochs, final.selection) = (outcome.learningRate, outcome.epochs, nil)
        final.resume = try SelectionTrials.finalRunResumes(cfg.resume, communicator: comm) {
            cfg.training.checkpointDirectory.map(Self.hasCheckpoint(in:)) ?? false
        }
        var stage = PathTrainingStage(final)
        stage.selected = (selection, outcome, validation.map { samples.ids[$0] })
        var report = try stage.train(samples, featureSets: featureSets, graph: graph, communicator: comm, progress: progress)
        report.selection = outcome
        return report
    }

    /// The trainer's `evaluate` and `shouldStop` for a run of `model` (its standardisation): a trial's validation
    /// score and stopping rule; nothing for a plain run.
    func epochHooks(_ model: PathModelFile, featureSets: [String]) throws
        -> (evaluate: (EpochSummary, Parameters<Float>) throws -> [String: Double], shouldStop: ([EpochSummary]) -> Bool) {
        guard let trial else { return ({ _, _ in [:] }, { _ in false }) }
        let rows = PathFeatureRows(samples: trial.validation, specs: configuration.specs, featureSets: featureSets)
        rows.standardise(mean: model.featureMean, scale: model.featureScale)  // the fit rows' statistics
        let all = Array(0 ..< trial.validation.count)
        try rows.keep(all)
        let x = rows.matrix(all), labels = trial.validation.labels, datasets = trial.validation.datasets
        return ({ _, parameters in
                    [Self.criterion: try model.accuracy(x, labels: labels, datasets: datasets, parameters: parameters.values)]
                },
                { history in trial.stop(history.map { $0.metrics[Self.criterion] ?? 0 }) })
    }
}

extension PathModelFile {
    /// The fraction of the samples whose label is predicted (as `decode` scores them): x (N, F) standardised,
    /// `labels` and `datasets` (N), θ = `parameters` (a frozen-encoder model's).
    func accuracy(_ x: Matrix<Float>, labels: [Int?], datasets: [String], parameters: [Float]) throws -> Double {
        let predicted: [Int?]
        switch method {
        case .labelAug:
            let paths = PredictionPaths(graph: graph)
            predicted = try decoder().decode(features: x, parameters: parameters).enumerated().map { i, path in
                paths.label(on: path, dataset: datasets[i])
            }
        case .ffn, .ffnFused, .labelSet, .labelSetAugmented, .pseudoLabels:
            let classes = graph.labels(in: target)
            let classifier = baseline(graph: graph)
            predicted = method.isLabelSet ? classifier.predict(x, parameters: parameters, candidates: classes)
                : classifier.predict(x, parameters: parameters, candidates: Array(classes.indices)).map { classes[$0] }
        }
        let correct = zip(predicted, labels).filter { $0 != nil && $0 == $1 }.count
        return Double(correct) / Double(max(1, labels.count))
    }
}

extension PathSamples {
    /// The samples `indices` (in that order): labels, provenance and ids; X's rows too when they were read.
    func subset(_ indices: [Int]) -> PathSamples {
        var s = self
        if features.rows == count {
            s.features = Matrix(rows: indices.count, columns: features.columns, values: indices.flatMap { features.row($0) })
        }
        s.datasets = indices.map { datasets[$0] }
        s.labels = indices.map { labels[$0] }
        if labelSets.count == count { s.labelSets = indices.map { labelSets[$0] } }
        s.rows = indices.map { rows[$0] }
        s.specIndex = indices.map { specIndex[$0] }
        s.ids = indices.map { ids[$0] }
        return s
    }
}
