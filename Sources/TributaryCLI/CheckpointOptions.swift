import ArgumentParser
import Foundation
import InstanceInfusion
import Stages
import Training

/// The checkpoint options of the data-parallel training commands (`train-text`, `train-infused`, `train-paths`):
/// one group, since the checkpoint is the one `DataParallelTrainer` writes for all three. `checkpoint_every_steps`
/// is a stage parameter (`ParameterSpec.checkpointEverySteps`); the folder, `--resume` and the hidden
/// `--stop-after-steps` are plumbing.
struct CheckpointOptions: ParsableArguments {
    @Option(help: ArgumentHelp(ParameterSpec.checkpointEverySteps.helpText))
    var checkpointEverySteps = StageSpec.trainText.default("checkpoint_every_steps", as: Int.self)
    @Option(help: "Folder for checkpoint.h5 (rank 0 writes it at every epoch end).")
    var checkpoint: String?
    @Flag(help: "Continue from --checkpoint (same options and rank count required).")
    var resume = false
    @Option(help: ArgumentHelp("Stop after N steps, having checkpointed (simulates an interruption).", visibility: .hidden))
    var stopAfterSteps: Int?

    static let plumbing = ["checkpoint", "resume", "stop_after_steps"]

    func validate() throws {
        if resume && checkpoint == nil { throw ValidationError("--resume needs --checkpoint DIR") }
        if checkpointEverySteps > 0 && checkpoint == nil { throw ValidationError("--checkpoint-every-steps needs --checkpoint DIR") }
    }

    /// Creates the folder (every rank: it is the same path) and sets the interruption on `training`.
    func prepare(_ training: inout TrainingOptions) throws {
        if let checkpoint { try makeFolder(checkpoint) }
        training.stopAfterSteps = stopAfterSteps
    }
}
