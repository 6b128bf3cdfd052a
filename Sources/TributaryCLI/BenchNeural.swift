import ArgumentParser
import Bench
import Distributed
import LinearAlgebra
import NeuralNets

/// `tributary bench bilstm`: W7 (`../shared/bench/anchors/w7_bilstm.py`) through `NeuralNetsBenchmark.bilstm`:
/// train tokens/s (zero grads + forward + backward + Adam) and inference tokens/s, B 32 × T 200.
/// Under mpirun with R > 1 ranks it measures data-parallel training instead (`DataParallelBenchmark`): each rank
/// takes B/R of the global batch, then one fused all-reduce and the Adam step; the figure is global tokens/s.
/// Compare 1 rank × 1 thread, 1 rank × 2 threads (`--threads 2`) and 2 ranks × 1 thread with the anchor's
/// 1- and 2-thread figures.
struct BenchBiLSTM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bilstm", abstract: "W7 bi-LSTM classifier train/inference tokens/s (data-parallel under mpirun).")

    @Option(help: "Train steps per timed run.")
    var steps = 10
    @Option(help: "Timed runs.")
    var repetitions = 3
    @Option(help: "OpenBLAS threads per rank (default: OPENBLAS_NUM_THREADS).")
    var threads: Int?

    func run() throws {
        World.run { comm in
            if let threads { BLASThreads.set(threads) }
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
            }
        }
    }
}

/// `tributary bench gru`: W8 (`../shared/bench/anchors/w8_gru.py`) through `NeuralNetsBenchmark.gru`: GRU decoder
/// sequences/s, forward + backward, and with an Adam step (B 64, 6 steps, teacher forcing).
struct BenchGRU: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gru", abstract: "W8 GRU decoder sequences/s (fwd+bwd, and with Adam).")

    @Option(help: "Steps per timed run.")
    var steps = 300
    @Option(help: "Timed runs.")
    var repetitions = 3
    @Option(help: "OpenBLAS threads (default: OPENBLAS_NUM_THREADS).")
    var threads: Int?

    func run() throws {
        World.run { comm in
            if let threads { BLASThreads.set(threads) }
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
}
