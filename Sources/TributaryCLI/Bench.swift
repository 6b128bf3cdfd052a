import ArgumentParser

/// `tributary bench …`: figures for the foundation's hot paths, to compare with the anchors in
/// `../shared/bench` run on the same machine (see docs/benchmarks.md and bench/bench_foundation.py).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure BLAS, MPI, HDF5, dense descriptors, Fisher vectors, GMM EM, SVM, bi-LSTM, GRU and k-NN search.",
        subcommands: [
            BenchGEMM.self, BenchAllReduce.self, BenchHDF5.self,
            BenchDSIFT.self, BenchFisher.self, BenchGMM.self,
            BenchSVM.self, BenchRowSVM.self,
            BenchBiLSTM.self, BenchGRU.self,
            BenchKNN.self,
        ])
}
