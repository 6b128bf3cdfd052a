import ArgumentParser
import Bench
import Distributed
import LinearAlgebra
import NeuralNets

/// `tributary bench bilstm`: W7 (`../shared/bench/anchors/w7_bilstm.py`) through `NeuralNetsBenchmark.bilstm`:
/// train tokens/s (zero grads + forward + backward + Adam) and inference tokens/s, B 32 × T 200.
/// Under mpirun with R > 1 ranks it measures data-parallel training instead (`DataParallelBenchmark`): each rank
/// takes B/R of the global batch, then one fused all-reduce and the Adam step; the figure is global tokens/s.
/// Inference under mpirun: every rank classifies its own batches at once, and the figure is Σ over ranks (to set
/// against 1 rank × R threads, where the batch's sequences are split into blocks of 16 over the threads:
/// `TextClassifier+Inference.swift`).
/// Compare 1 rank × 1 thread, 1 rank × 2 threads (`--threads 2`) and 2 ranks × 1 thread with the anchor's
/// 1- and 2-thread figures.
struct BenchBiLSTM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bilstm", abstract: "W7 bi-LSTM classifier train/inference tokens/s (data-parallel under mpirun).")

    @Option(help: "Train steps per timed run.")
    var steps = 10
    @Option(help: "Timed runs.")
    var repeats = 3
    @Option(help: "OpenBLAS threads per rank (default: OPENBLAS_NUM_THREADS).")
    var threads: Int?

    @OptionGroup var job: JobOptions

    func run() throws {
        job.run { comm in
            if let threads { BLASThreads.set(threads) }
            try BiLSTMBench(steps: steps, repetitions: repeats).run(communicator: comm)
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
    var repeats = 3
    @Option(help: "OpenBLAS threads (default: OPENBLAS_NUM_THREADS).")
    var threads: Int?

    @OptionGroup var job: JobOptions

    func run() throws {
        job.run { comm in
            if let threads { BLASThreads.set(threads) }
            try GRUBench(steps: steps, repetitions: repeats).run(communicator: comm)
        }
    }
}
