import Core
import LinearAlgebra
import NeuralNets

/// The trainer's state (`DataParallelTrainer.State`): what a checkpoint holds, and a fresh run's start.
extension DataParallelTrainer {
    /// Everything a checkpoint holds: the position in the run, the parameters and the optimizer state.
    struct State {
        var parameters: Parameters<Float>
        var adam: Adam<Float>
        /// The next epoch to run (0-based) and the next batch in it.
        var epoch = 0
        var batch = 0
        var totalSteps = 0
        /// Σ loss and Σ samples of the current epoch so far.
        var epochLoss = 0.0
        var epochSamples = 0
        var history: [EpochSummary] = []
    }

    func freshState(_ initial: Parameters<Float>) throws -> State {
        var parameters = initial
        try communicator.broadcast(&parameters.values, root: 0)  // Distributed: rank 0's initial parameters
        return State(parameters: parameters,
                     adam: Adam<Float>(parameterCount: parameters.values.count, learningRate: options.learningRate))
    }
}
