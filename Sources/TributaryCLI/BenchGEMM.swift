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

    func run() throws {
        World.run { comm in
            if let threads { BLASThreads.set(threads) }
            comm.log0("bench gemm: sgemm \(size)×\(size)×\(size), \(comm.size) rank(s) × \(BLASThreads.count) BLAS thread(s)")
            comm.log0("  BLAS: \(BLASThreads.configuration); \(BenchTiming.threadEnvironment())")
            var rng = SeededRandom(seed: seed, stream: UInt64(comm.rank))
            let a = Matrix<Float>(rows: size, columns: size, values: rng.normalFloats(size * size))
            let b = Matrix<Float>(rows: size, columns: size, values: rng.normalFloats(size * size))
            var c = Matrix<Float>(rows: size, columns: size)
            let flop = 2.0 * Double(size) * Double(size) * Double(size)
            BLAS.gemm(a, b, into: &c)  // warm-up
            try verifySample(a, b, c)
            try comm.barrier()  // Distributed: all ranks start timing together
            var rates: [Double] = []
            for _ in 0 ..< repeats {
                let t = BenchTiming.seconds { BLAS.gemm(a, b, into: &c) }
                rates.append(flop / t / 1e9)
            }
            let medians = try comm.allGather([BenchTiming.median(rates)])  // Distributed: one median per rank
            if comm.size > 1 {
                for (r, m) in medians.enumerated() { comm.log0("  rank \(r): median \(BenchTiming.format(m[0], 1)) GFLOP/s") }
                comm.log0("  all ranks together: \(BenchTiming.format(medians.map { $0[0] }.reduce(0, +), 1)) GFLOP/s")
            }
            comm.log0("  GFLOP/s: \(BenchTiming.summary(rates, digits: 1))")
            comm.log0(BenchTiming.resultLine(
                name: "tributary BLAS.gemm sgemm \(size)", metric: "GFLOP/s", unit: "GFLOP/s", values: rates,
                params: ["n": "\(size)", "threads": "\(BLASThreads.count)", "ranks": "\(comm.size)"]))
        }
    }

    /// Checks 16 entries of C against plain dot products, so a broken BLAS binding cannot report a fast wrong answer.
    private func verifySample(_ a: Matrix<Float>, _ b: Matrix<Float>, _ c: Matrix<Float>) throws {
        var rng = SeededRandom(seed: seed &+ 1)
        for _ in 0 ..< 16 {
            let i = rng.bounded(size), j = rng.bounded(size)
            var expected = 0.0
            for p in 0 ..< size { expected += Double(a[i, p]) * Double(b[p, j]) }
            let tolerance = 1e-3 * Double(size).squareRoot() + 1e-4 * abs(expected)
            guard abs(Double(c[i, j]) - expected) <= tolerance else {
                throw ValidationError("gemm result wrong at (\(i), \(j)): \(c[i, j]) vs \(expected)")
            }
        }
    }
}
