import Core
import Distributed
import LinearAlgebra

/// The `tributary bench bilstm` workload (W7): bi-LSTM classifier train/inference tokens/s on one rank, or
/// data-parallel training (`DataParallelBenchmark`) under mpirun with R > 1 ranks.
public struct BiLSTMBench {
    public var steps: Int
    public var repetitions: Int

    public init(steps: Int, repetitions: Int) {
        self.steps = steps
        self.repetitions = repetitions
    }

    public func run(communicator comm: any Communicator) throws {
        let params = ["ranks": "\(comm.size)", "threads": "\(BLASThreads.count)", "B": "32", "T": "200",
                      "V": "30000", "D": "300", "H": "128"]
        comm.log0("bench bilstm (W7): \(comm.size) rank(s) × \(BLASThreads.count) BLAS thread(s); "
            + BenchTiming.threadEnvironment())
        if comm.size == 1 {
            let r = NeuralNetsBenchmark.bilstm(steps: steps, repetitions: repetitions)
            comm.log0("  train tokens/s: \(BenchTiming.summary(r.trainTokensPerSecond, digits: 0))")
            comm.log0("  inference tokens/s: \(BenchTiming.summary(r.inferenceTokensPerSecond, digits: 0))")
            comm.log0(BenchTiming.resultLine(name: "tributary bilstm train", metric: "train", unit: "tokens/s",
                                             values: r.trainTokensPerSecond, params: params))
            comm.log0(BenchTiming.resultLine(name: "tributary bilstm inference", metric: "inference",
                                             unit: "tokens/s", values: r.inferenceTokensPerSecond, params: params))
        } else {
            let r = try DataParallelBenchmark.bilstm(communicator: comm, steps: steps, repetitions: repetitions)
            comm.log0("  data-parallel train tokens/s (global): \(BenchTiming.summary(r.trainTokensPerSecond, digits: 0)); "
                + "all-reduce \(BenchTiming.format(100 * r.allReduceFraction, 1)) % of the time")
            comm.log0(BenchTiming.resultLine(name: "tributary bilstm train data-parallel", metric: "train",
                                             unit: "tokens/s", values: r.trainTokensPerSecond, params: params))
            // Inference needs no exchange: every rank classifies its own batches at the same time (a barrier
            // before each repetition); the figure is Σ over ranks, to set against 1 rank × R threads.
            let mine = try NeuralNetsBenchmark.bilstmInference(steps: steps, repetitions: repetitions) {
                try comm.barrier()  // Distributed: ranks time the same interval
            }
            let all = try comm.allGather(mine)  // Distributed: per-rank rates, rank order
            let total = (0 ..< repetitions).map { i in all.reduce(0) { $0 + $1[i] } }
            comm.log0("  inference tokens/s (Σ ranks, each rank its own batches): "
                + BenchTiming.summary(total, digits: 0))
            comm.log0(BenchTiming.resultLine(name: "tributary bilstm inference ranks", metric: "inference",
                                             unit: "tokens/s", values: total, params: params))
        }
    }
}

/// The `tributary bench gru` workload (W8): GRU decoder sequences/s (forward + backward, and with Adam).
public struct GRUBench {
    public var steps: Int
    public var repetitions: Int

    public init(steps: Int, repetitions: Int) {
        self.steps = steps
        self.repetitions = repetitions
    }

    public func run(communicator comm: any Communicator) throws {
        comm.log0("bench gru (W8): \(BLASThreads.count) BLAS thread(s); " + BenchTiming.threadEnvironment())
        let r = NeuralNetsBenchmark.gru(steps: steps, repetitions: repetitions)
        let params = ["threads": "\(BLASThreads.count)", "B": "64", "steps": "6", "H": "256"]
        comm.log0("  fwd+bwd sequences/s: \(BenchTiming.summary(r.forwardBackwardSequencesPerSecond, digits: 0))")
        comm.log0("  fwd+bwd+Adam sequences/s: \(BenchTiming.summary(r.withAdamSequencesPerSecond, digits: 0))")
        comm.log0(BenchTiming.resultLine(name: "tributary gru fwd+bwd", metric: "fwd+bwd", unit: "sequences/s",
                                         values: r.forwardBackwardSequencesPerSecond, params: params))
        comm.log0(BenchTiming.resultLine(name: "tributary gru fwd+bwd+adam", metric: "fwd+bwd+adam",
                                         unit: "sequences/s", values: r.withAdamSequencesPerSecond, params: params))
    }
}
