import Core
import Distributed
import LinearAlgebra

/// The `tributary bench gemm` workload: C = A·B through `BLAS.gemm` (sgemm) with A, B ~ N(0, 1) of size n×n,
/// 1 warm-up (checked against plain dot products) and `repeats` timed calls; rank 0 logs GFLOP/s = 2n³ / s / 1e9
/// (under mpirun each rank's median and their sum).
public struct GEMMBench {
    public var size: Int
    public var repeats: Int
    public var seed: UInt64

    public init(size: Int, repeats: Int, seed: UInt64) {
        self.size = size
        self.repeats = repeats
        self.seed = seed
    }

    public func run(communicator comm: any Communicator) throws {
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

    /// Checks 16 entries of C against plain dot products, so a broken BLAS binding cannot report a fast wrong answer.
    func verifySample(_ a: Matrix<Float>, _ b: Matrix<Float>, _ c: Matrix<Float>) throws {
        var rng = SeededRandom(seed: seed &+ 1)
        for _ in 0 ..< 16 {
            let i = rng.bounded(size), j = rng.bounded(size)
            var expected = 0.0
            for p in 0 ..< size { expected += Double(a[i, p]) * Double(b[p, j]) }
            let tolerance = 1e-3 * Double(size).squareRoot() + 1e-4 * abs(expected)
            guard abs(Double(c[i, j]) - expected) <= tolerance else {
                throw BenchError.wrongResult("gemm result wrong at (\(i), \(j)): \(c[i, j]) vs \(expected)")
            }
        }
    }
}
