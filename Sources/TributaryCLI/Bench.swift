import ArgumentParser

/// `tributary bench …`: figures for the foundation's hot paths, to compare with the anchors in
/// `../shared/bench` run on the same machine (see docs/benchmarks.md and launch/bench-foundation.sh).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure GEMM GFLOP/s, MPI all-reduce GB/s, HDF5 GB/s, dense descriptors, Fisher vectors, GMM EM and linear SVM training.",
        subcommands: [BenchGEMM.self, BenchAllReduce.self, BenchHDF5.self, BenchDSIFT.self, BenchFisher.self, BenchGMM.self, BenchSVM.self])
}
