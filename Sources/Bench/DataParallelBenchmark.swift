import Core
import LinearAlgebra
import NeuralNets

/// W7 (`bench/anchors/w7_bilstm.py`) trained data-parallel: the same model (V 30 000, D 300, H 128, M 50, C 20),
/// global batch B = 32 of T = 200 tokens, Adam lr 1e-3, but each of the R ranks runs forward/backward on its
/// `shard` of the batch, then the step of `DataParallelTrainer` follows: one fused all-reduce of
/// [grads ‖ loss ‖ count] and an Adam step scaled by 1/B on every rank.
///
/// Timing: 3 warm-up steps, then `repetitions` runs of `steps` steps, each started after a barrier; a run's time
/// is the slowest rank's. Figure: global tokens/s = steps·B·T / time (comparable with the 1-process W7 figure).
public enum DataParallelBenchmark {
    public struct Result: Sendable {
        public var trainTokensPerSecond: [Double]
        /// The share of a step spent in the all-reduce (median over runs, rank 0).
        public var allReduceFraction: Double
        public var parameterCount: Int
    }

    public static func bilstm(communicator comm: any Communicator, steps: Int = 10, repetitions: Int = 3,
                              batchSize: Int = 32, timeSteps: Int = 200, vocabularySize v: Int = 30_000,
                              seed: UInt64 = 0) throws -> Result {
        let model = TextClassifier(.init(vocabularySize: v, embeddingSize: 300, hiddenSize: 128,
                                         contextSize: 50, classCount: 20))
        var parameters: Parameters<Float> = model.makeParameters(seed: seed)
        try comm.broadcast(&parameters.values, root: 0)  // Distributed: rank 0's initial parameters
        var adam = Adam<Float>(parameterCount: model.layout.count, learningRate: 1e-3)
        var rng = SeededRandom(seed: seed &+ 1)  // same batches on every rank; each takes its slice
        let local = shard(count: batchSize, rank: comm.rank, size: comm.size)
        let batches = (0 ..< 8).map { _ in
            let tokens = (0 ..< batchSize * timeSteps).map { _ in rng.bounded(v) }
            let labels = (0 ..< batchSize).map { _ in rng.bounded(20) }
            return TextBatch(tokens: Array(tokens[local.lowerBound * timeSteps ..< local.upperBound * timeSteps]),
                             lengths: [Int](repeating: timeSteps, count: local.count),
                             labels: Array(labels[local]))
        }
        var next = 0
        var reduceSeconds = 0.0
        let clock = ContinuousClock()
        func step() throws {
            let batch = batches[next % 8]
            next += 1
            parameters.zeroGrads()
            let loss = model.loss(batch, parameters: &parameters)
            parameters.grads.append(loss)
            parameters.grads.append(Float(batch.count))
            let start = clock.now
            try comm.allReduce(&parameters.grads, op: .sum)  // Distributed: the fused gradient all-reduce
            reduceSeconds += start.duration(to: clock.now).inSeconds
            let count = parameters.grads.removeLast()
            _ = parameters.grads.removeLast()
            adam.step(&parameters, gradientScale: 1 / count)
        }
        for _ in 0 ..< 3 { try step() }
        var rates: [Double] = [], fractions: [Double] = []
        for _ in 0 ..< repetitions {
            try comm.barrier()  // Distributed: every rank starts the run together
            reduceSeconds = 0
            let start = clock.now
            for _ in 0 ..< steps { try step() }
            let elapsed = try comm.allReduce(start.duration(to: clock.now).inSeconds, op: .max)  // slowest rank
            rates.append(Double(steps * batchSize * timeSteps) / elapsed)
            fractions.append(reduceSeconds / elapsed)
        }
        return Result(trainTokensPerSecond: rates, allReduceFraction: fractions.sorted()[fractions.count / 2],
                      parameterCount: model.layout.count)
    }
}
