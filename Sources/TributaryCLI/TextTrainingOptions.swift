import ArgumentParser
import InstanceInfusion
import Stages

/// The options `train-text` and `train-infused` share, from the same spec declarations
/// (`StageSpec.textTraining`, `StageSpec.textSplit`): the training loop and the held-out split. `SpecCommand`
/// reads them through the group, so each command still validates them against its own spec.
struct TextTrainingLoopOptions: ParsableArguments {
    static let spec = StageSpec.trainText

    @Option(help: ArgumentHelp(spec.help("epochs"))) var epochs: Int?
    @Option(help: ArgumentHelp(spec.help("batch_size"))) var batchSize: Int?
    @Option(help: ArgumentHelp(spec.help("learning_rate"))) var learningRate = spec.default("learning_rate", as: Double.self)
    @Option(help: ArgumentHelp(spec.help("clip_norm"))) var clipNorm = spec.default("clip_norm", as: Double.self)
    @Option(help: ArgumentHelp(spec.help("check_every"))) var checkEvery = spec.default("check_every", as: Int.self)
}

/// The split options: which documents are held out, and the seed of the split and the training.
struct TextSplitOptions: ParsableArguments {
    static let spec = StageSpec.trainText

    @Option(help: ArgumentHelp(spec.help("seed"))) var seed = spec.default("seed", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("fold"))) var fold: String?
    @Option(help: ArgumentHelp(spec.help("test_fraction"))) var testFraction: Double?
    @Option(help: ArgumentHelp(spec.help("train_fraction"))) var trainFraction = spec.default("train_fraction", as: Double.self)
}

/// The selection options every trainer shares (`train-text`, `train-infused`, `train-paths`), from the one
/// declaration of their keys (`StageSpec.trainerSelection`).
struct TrainerSelectionOptions: ParsableArguments {
    static let spec = StageSpec.trainText

    @Option(help: ArgumentHelp(spec.help("select_on"))) var selectOn = spec.default("select_on", as: String.self)
    @Option(help: ArgumentHelp(spec.help("validation_fraction")))
    var validationFraction = spec.default("validation_fraction", as: Double.self)
    @Option(help: ArgumentHelp(spec.help("validation_seed"))) var validationSeed = spec.default("validation_seed", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("learning_rates"))) var learningRates: NumberList?
    @Option(help: ArgumentHelp(spec.help("early_stopping_patience"))) var earlyStoppingPatience: Int?
}
