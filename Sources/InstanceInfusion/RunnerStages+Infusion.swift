import Core
import Foundation
import LinearAlgebra
import Stages
import Training

/// The instance-infusion stage of the runner: `train-infused` — the bi-LSTM of a `train-text` stage joined with
/// the k nearest source instances retrieved from an `index` stage's per-rank LSH Forests (attention over them,
/// similarity penalty λ), data-parallel, starting exactly at the pre-trained classifier. The index loads on any rank
/// count (re-sharded); the stage is rank-dependent because its gradient sums are associated by the rank count.
/// The split parameters must repeat
/// the `train-text` stage's: the stage refuses a model whose split differs (no test document can leak into
/// training). Checkpointed into the stage's `checkpoint/` folder: an interrupted stage resumes from it.
extension RunnerStageType {
    static let infusionStages: [RunnerStageType] = [trainInfused.estimating(estimateTrainInfused).costing(costTrainInfused)]  // TextStageEstimates

    static let trainInfused = RunnerStageType(
        spec: .trainInfused,
        version: 2,  // 2: infused.h5 holds split/train_ids and split/test_ids
        dataset: .text,
        inputs: ["model": ["train-text"], "index": ["index"]],
        outputs: ["infused.h5"], rankDependent: true
    ) { context in
        guard case let .text(source)? = context.dataset else { preconditionFailure("checked by the config") }
        let p = context.parameters
        let checkpoints = context.output("checkpoint")
        try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)
        var configuration = try InfusedTrainingStage.Configuration(
            p, modelPath: context.input("model", "model.h5"), source: source, indexes: [context.input("index", "index.h5")],
            outputPath: context.output("infused.h5"), checkpointDirectory: checkpoints)
        // Resume after failure: a checkpoint (or a selection's recorded trials) in this stage's folder is from an
        // interrupted run with the same key.
        configuration.resume = FileManager.default.fileExists(atPath: checkpoints + "/" + DataParallelTrainer.checkpointFileName)
            || SelectionTrials.exists(in: checkpoints)
        if configuration.resume { context.log("train-infused: resuming from \(checkpoints)") }
        let report = try InfusedTrainingStage(configuration).run(communicator: context.communicator, progress: context.progress)
        var table = "| epoch | mean loss | of which λ‖z_s − z_t‖² |\n| ---: | ---: | ---: |\n"
        for (e, penalty) in zip(report.history, report.penaltyHistory) {
            table += "| \(e.epoch + 1) | \(fixed(e.meanLoss, 5)) | \(fixed(penalty, 5)) |\n"
        }
        var text = "\(report.trainCount) training and \(report.testCount) held-out documents, k = \(p.int("neighbours")), "
            + "λ = \(p.double("penalty"))\(p.bool("exclude_self") ? ", a document's own row never retrieved" : "").\n\n" + table
        var summary = "final loss \(fixed(report.history.last?.meanLoss ?? .nan, 5))"
        var metrics: [String: Double] = [:]  // aggregated by a config's repeat block
        if let before = report.initialTest, let after = report.test {
            metrics = ["accuracy": 100 * after.accuracy, "macro_f1": after.macroF1,
                       "accuracy_before": 100 * before.accuracy, "macro_f1_before": before.macroF1]
            text += "\nHeld-out accuracy: the pre-trained bi-LSTM (= the infused model before training) "
                + "\(fixed(100 * before.accuracy, 2)) %, after joint training **\(fixed(100 * after.accuracy, 2)) %** "
                + "(macro-F1 \(fixed(before.macroF1, 4)) → \(fixed(after.macroF1, 4))).\n"
            summary += ", test accuracy \(fixed(100 * before.accuracy, 2)) → \(fixed(100 * after.accuracy, 2)) %"
            if context.communicator.isRoot {
                text += try TextFigures.confusion(after, model: context.input("model", "model.h5"), directory: context.directory,
                                                  file: "confusion.png", relative: context.relative,
                                                  title: "\(context.stage.name): held-out confusion matrix after joint training")
            }
        }
        return RunnerStageResult(summary: summary, report: text, metrics: metrics)
    }
}
