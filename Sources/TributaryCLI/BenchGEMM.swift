import ArgumentParser
import Bench
import Core
import Distributed
import LinearAlgebra

/// `tributary bench gemm`: single-precision GEMM throughput through `BLAS.gemm` (CBLAS sgemm), measured like the
/// W0 anchor (`../shared/bench/anchors/w0_peak.py`): C = A·B with A, B ~ N(0, 1) of size n×n, 1 warm-up and
/// `repeats` timed calls, GFLOP/s = 2n³ / seconds / 1e9. Under mpirun every rank multiplies its own matrices at
/// the same time and rank 0 reports each rank's median and their sum.
struct BenchGEMM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm", abstract: "Single-precision GEMM GFLOP/s (n×n×n) through OpenBLAS.")

    @Option(help: "Matrix size n (C = A·B, all n×n).")
    var size = 2048

    @Option(help: "Timed calls after one warm-up call.")
    var repeats = 5

    @Option(help: "OpenBLAS threads per rank (default: OPENBLAS_NUM_THREADS, or OpenBLAS's own default).")
    var threads: Int?

    @Option(help: "Seed of the random matrices.")
    var seed: UInt64 = 0

    func validate() throws {
        guard size > 0 else { throw ValidationError("--size must be positive, got \(size)") }
        guard repeats > 0 else { throw ValidationError("--repeats must be positive, got \(repeats)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    @OptionGroup var job: JobOptions

    func run() throws {
        job.run { comm in
            if let threads { BLASThreads.set(threads) }
            try GEMMBench(size: size, repeats: repeats, seed: seed).run(communicator: comm)
        }
    }
}
