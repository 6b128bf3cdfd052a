import Core
import Foundation
import LinearAlgebra
import Stages
import Training

/// The instance-infusion stage of the runner: `train-infused` — the bi-LSTM of a `train-text` stage joined with
/// the k nearest source instances retrieved from an `index` stage's per-rank LSH Forests (attention over them,
/// similarity penalty λ), data-parallel, starting exactly at the pre-trained classifier. The index must be built
/// on the same rank count (one forest per rank), so the stage is rank-dependent. The split parameters must repeat
/// the `train-text` stage's: the stage refuses a model whose split differs (no test document can leak into
/// training).
extension RunnerStageType {
    static let infusionStages: [RunnerStageType] = [trainInfused]

    static let trainInfused = RunnerStageType(
        name: "train-infused", summary: "instance-infused bi-LSTM: retrieval + attention + penalty (infused.h5)",
        dataset: .text,
        inputs: ["model": ["train-text"], "index": ["index"]],
        parameters: [
            "epochs": RunnerParameter(.int, .int(3), range: 1 ... 1e9, "epochs of joint training"),
            "batch_size": RunnerParameter(.int, .int(32), range: 1 ... 1e9, "GLOBAL batch size"),
            "learning_rate": RunnerParameter(.double, .double(0.001), range: 0 ... 1e6, "initial learning rate (Adam)"),
            "neighbours": RunnerParameter(.int, .int(5), range: 1 ... 1e6, "k retrieved source instances (paper: 5)"),
            "penalty": RunnerParameter(.double, .double(1e-4), range: 0 ... 1e6, "λ of the similarity penalty (0: none)"),
            "refresh_every": RunnerParameter(.int, .int(1), range: 1 ... 1e9, "re-retrieve neighbours every N epochs"),
            "exclude_self": RunnerParameter(.bool, .bool(false), "source = target corpus: never retrieve a document's own row"),
            "test_fraction": RunnerParameter(.double, .double(0.1), range: 0.001 ... 0.999, "as in the train-text stage"),
            "train_fraction": RunnerParameter(.double, .double(1), range: 0.001 ... 1, "as in the train-text stage"),
            "seed": RunnerParameter(.int, .int(0), "as in the train-text stage"),
        ],
        outputs: ["infused.h5"], rankDependent: true
    ) { context in
        guard case let .text(source)? = context.dataset else { preconditionFailure("checked by the config") }
        let p = context.parameters
        let training = TrainingOptions(epochs: max(1, p.int("epochs")), batchSize: max(1, p.int("batch_size")),
                                       learningRate: p.double("learning_rate"), optimizer: .adam, clipNorm: nil,
                                       seed: UInt64(p.int("seed")), checkpointDirectory: nil, checkpointEverySteps: 0)
        var configuration = InfusedTrainingStage.Configuration(
            modelPath: context.input("model", "model.h5"), source: source, split: .testFraction(p.double("test_fraction")),
            indexes: [context.input("index", "index.h5")], training: training)
        configuration.trainFraction = p.double("train_fraction")
        configuration.seed = UInt64(p.int("seed"))
        configuration.neighbours = p.int("neighbours")
        configuration.penaltyScale = p.double("penalty")
        configuration.refreshEvery = p.int("refresh_every")
        configuration.excludeSelf = p.bool("exclude_self")
        configuration.outputPath = context.output("infused.h5")
        let report = try InfusedTrainingStage(configuration).run(communicator: context.communicator)
        var table = "| epoch | mean loss | of which λ‖z_s − z_t‖² |\n| ---: | ---: | ---: |\n"
        for (e, penalty) in zip(report.history, report.penaltyHistory) {
            table += "| \(e.epoch + 1) | \(fixed(e.meanLoss, 5)) | \(fixed(penalty, 5)) |\n"
        }
        var text = "\(report.trainCount) training and \(report.testCount) held-out documents, k = \(p.int("neighbours")), "
            + "λ = \(p.double("penalty"))\(p.bool("exclude_self") ? ", a document's own row never retrieved" : "").\n\n" + table
        var summary = "final loss \(fixed(report.history.last?.meanLoss ?? .nan, 5))"
        if let before = report.initialTest, let after = report.test {
            text += "\nHeld-out accuracy: the pre-trained bi-LSTM (= the infused model before training) "
                + "\(fixed(100 * before.accuracy, 2)) %, after joint training **\(fixed(100 * after.accuracy, 2)) %** "
                + "(macro-F1 \(fixed(before.macroF1, 4)) → \(fixed(after.macroF1, 4))).\n"
            summary += ", test accuracy \(fixed(100 * before.accuracy, 2)) → \(fixed(100 * after.accuracy, 2)) %"
        }
        return RunnerStageResult(summary: summary, report: text)
    }
}
