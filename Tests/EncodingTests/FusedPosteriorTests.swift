import Bench
import Core
@testable import Encoding
import LinearAlgebra
import TestSupport
import XCTest

/// The posterior GEMM fused with its log-sum-exp (`PosteriorKernel+Fused.swift`, posterior_gemm.c; issue 18), on
/// every fused level this CPU supports: bit for bit against its Swift twin (`logJointChain` + `logSumExpLanes`)
/// for every shape, bit for bit against the unfused sgemm + C log-sum-exp at one OpenBLAS K panel (2D ≤ 200,
/// W1/W2's shapes included), and within a stated tolerance of the naive Double posteriors where OpenBLAS splits K;
/// the E-step over 1, 2, 3 threads and over 1, 2, 3 ranks equals the unfused per-block partials summed in block order.
final class FusedPosteriorTests: XCTestCase {
    /// A kernel of M components over D dimensions (component 1 dead: prior 0, b = −∞) and n rows [X² | X]; the
    /// last row sits far from every component, so most of its posteriors fall under the e^−64 floor.
    func inputs(rows n: Int, components m: Int, dimension dim: Int,
                seed: UInt64) -> (PosteriorKernel, [Float], Matrix<Float>, GaussianMixture) {
        let (mixture, sample) = EncodingBenchmark.syntheticMixture(components: m, dimension: dim, rows: n, seed: seed)
        var priors = mixture.priors
        if m > 2 { priors[1] = 0 }
        let total = priors.reduce(0, +)
        let model = GaussianMixture(priors: priors.map { $0 / total }, means: mixture.means, variances: mixture.variances)
        let kernel = PosteriorKernel(priors: model.priors, means: model.means, variances: model.variances)
        var x = sample
        if n > 1 { for d in 0 ..< dim { x[n - 1, d] = 9 } }
        var a = [Float](repeating: 0, count: n * 2 * dim)
        PosteriorKernel.fillSquaresAndRows(x.values, rows: n, dimension: dim, into: &a)
        return (kernel, a, x, model)
    }

    /// Qᵀ and log p of one path: the fused level `isa`, or (nil) the Swift twin.
    func run(_ kernel: PosteriorKernel, _ a: [Float], rows n: Int, isa: KernelISA?) -> ([Float], [Double], Double) {
        var q = [Float](repeating: .nan, count: kernel.components * n)
        var logP = [Double](repeating: .nan, count: n)
        var total = 0.0
        if let isa {
            XCTAssertTrue(kernel.fusedPosteriors(a: a, rows: n, into: &q, rowLogLikelihoods: &logP, isa: isa), "\(isa)")
            total = logP.reduce(0, +)
        } else {
            kernel.logJointChain(a: a, rows: n, into: &q)
            total = kernel.logSumExpLanes(&q, rows: n, rowLogLikelihoods: &logP)
        }
        return (q, logP, total)
    }

    var fusedLevels: [KernelISA] { WideKernels.fusedPosteriorLevels.filter(\.isSupported) }

    func testEveryFusedLevelMatchesTheSwiftTwinBitForBit() {
        // Strip tails (n mod 16, n mod 8), component-group tails (M mod 16), odd D, and W1's M and D.
        for (n, m, dim) in [(1, 1, 1), (7, 5, 3), (17, 17, 7), (33, 3, 1), (100, 256, 64), (515, 40, 16)] {
            let (kernel, a, _, _) = inputs(rows: n, components: m, dimension: dim, seed: UInt64(n + m))
            let (twinQ, twinLogP, twinTotal) = run(kernel, a, rows: n, isa: nil)
            // Invariant: every column of the posteriors sums to 1.
            for i in 0 ..< n {
                XCTAssertEqual((0 ..< m).reduce(0.0) { $0 + Double(twinQ[$1 * n + i]) }, 1, accuracy: 1e-5)
            }
            for isa in fusedLevels {
                let (q, logP, total) = run(kernel, a, rows: n, isa: isa)
                XCTAssertEqual(q.map(\.bitPattern), twinQ.map(\.bitPattern), "\(isa), n \(n) M \(m) D \(dim): Qᵀ")
                XCTAssertEqual(logP.map(\.bitPattern), twinLogP.map(\.bitPattern), "\(isa), n \(n) M \(m) D \(dim): log p")
                XCTAssertEqual(total.bitPattern, twinTotal.bitPattern)
            }
        }
    }

    /// At one OpenBLAS K panel (2D = 128: W1 and W2; 2D = 200) the fused path keeps the unfused path's bits, so
    /// GMMs and Fisher vectors at these shapes are unchanged by it.
    func testFusedMatchesTheUnfusedPathAtOneKPanel() {
        for (n, m, dim) in [(37, 256, 64), (2500, 256, 64), (4096, 64, 64), (300, 31, 100)] {
            let (kernel, a, _, _) = inputs(rows: n, components: m, dimension: dim, seed: 5)
            var q = [Float](repeating: .nan, count: m * n), logP = [Double](repeating: .nan, count: n)
            let unfused = kernel.posteriors(a: a, rows: n, into: &q, rowLogLikelihoods: &logP, isa: .baseline)
            for isa in fusedLevels {
                let (qf, logPf, fused) = run(kernel, a, rows: n, isa: isa)
                XCTAssertEqual(qf.map(\.bitPattern), q.map(\.bitPattern), "\(isa), n \(n) M \(m) D \(dim): Qᵀ")
                XCTAssertEqual(logPf.map(\.bitPattern), logP.map(\.bitPattern), "\(isa): log p")
                XCTAssertEqual(fused.bitPattern, unfused.bitPattern)
            }
            // `posteriors` on the active level (fused where `PosteriorKernel.fusedLevels` has it) keeps those bits.
            var qa = [Float](repeating: .nan, count: m * n), logPa = [Double](repeating: .nan, count: n)
            let active = kernel.posteriors(a: a, rows: n, into: &qa, rowLogLikelihoods: &logPa)
            XCTAssertEqual(qa.map(\.bitPattern), q.map(\.bitPattern), "\(KernelISA.active): Qᵀ")
            XCTAssertEqual(active.bitPattern, unfused.bitPattern)
        }
    }

    /// At 2D = 400 OpenBLAS splits K into panels and its last bits differ from the single chain; the fused path is
    /// still the twin's bits and within 1e-4 (posteriors, rows near the data) / 1e-5 relative (log p) of the naive
    /// Double posteriors.
    func testFusedIsCloseToTheNaiveDoublePosteriorsWhenOpenBLASSplitsK() {
        let (n, m, dim) = (40, 20, 200)
        let (kernel, a, x, model) = inputs(rows: n, components: m, dimension: dim, seed: 9)
        let (twinQ, twinLogP, _) = run(kernel, a, rows: n, isa: nil)
        let exact = model.posteriorsNaive(Matrix(rows: n, columns: dim, values: x.values.map(Double.init)))
        for isa in fusedLevels {
            let (q, logP, _) = run(kernel, a, rows: n, isa: isa)
            XCTAssertEqual(q.map(\.bitPattern), twinQ.map(\.bitPattern), "\(isa): Qᵀ against the twin")
            XCTAssertEqual(logP.map(\.bitPattern), twinLogP.map(\.bitPattern), "\(isa): log p against the twin")
            for i in 0 ..< n {
                XCTAssertEqual(logP[i], exact.logLikelihoods[i], accuracy: 1e-5 * abs(exact.logLikelihoods[i]), "row \(i)")
                // The far row's log-joints (≈ −10⁴) carry Float rounding of ≈ 1e-3 into its posteriors: log p only.
                for k in 0 ..< m where i < n - 1 {
                    XCTAssertEqual(Double(q[k * n + i]), exact.posteriors[i, k], accuracy: 1e-4, "q[\(k), \(i)]")
                }
            }
        }
    }

    /// The E-step over 1, 2, 3 threads (1 rank) and over 1, 2, 3 ranks (1 thread each; fused on this CPU's level)
    /// equals the UNFUSED per-block partials (sgemm + C log-sum-exp) summed by hand in block order, bit for bit.
    /// 7 blocks, so 2 and 3 threads end on a lone block (OpenBLAS pinned to 1 thread there too: at 2 threads its
    /// moment GEMM of this shape, 24 × 128 × K = 300, may split K and give other bits). Ranks × threads together
    /// are not run here: `ThreadedWorld`'s ranks share one process, hence one OpenBLAS thread setting, which
    /// their `InRankThreads` calls would set and restore under each other (MPI ranks are processes).
    func testEStepOverThreadsAndOverRanksEqualsTheUnfusedBlocks() throws {
        let before = BLASThreads.count
        defer { BLASThreads.set(before) }
        let (rows, dim, m, block) = (2100, 64, 24, 300)
        let x = randomMatrix(rows: rows, columns: dim, seed: 23)
        let options = GaussianMixture.Options(initialization: .random, maxIterations: 1, tolerance: -.infinity, seed: 4)
        let model = try GaussianMixture.fit(MatrixRowSource(x), components: m, options: options)
        let kernel = PosteriorKernel(priors: model.priors, means: model.means, variances: model.variances)
        var one = EMWorkspace(blockRows: block, dimension: dim, components: m)
        BLASThreads.set(1)  // the partials by hand at OpenBLAS's 1-thread bits, which every worker uses
        var byHand: [Double] = []
        for lower in stride(from: 0, to: rows, by: block) {
            let p = GaussianMixture.blockStatistics(x.rows(lower ..< Swift.min(lower + block, rows)), kernel: kernel,
                                                    workspace: &one, isa: .baseline)
            if byHand.isEmpty { byHand = [Double](repeating: 0, count: p.count) }
            for j in byHand.indices { byHand[j] += p[j] }
        }
        let reduction = OrderedReduction(blockSize: block)
        for (size, threads) in [(1, 1), (1, 2), (1, 3), (2, 1), (3, 1)] {
            BLASThreads.set(threads)
            do {
                let stats = try ThreadedWorld.run(size: size) { comm -> [Double] in
                    let owned = reduction.rows(totalRows: rows, rank: comm.rank, size: comm.size)
                    let shard = MatrixRowSource(x.rows(owned), firstRow: owned.lowerBound, totalRows: rows)
                    var workspaces = try GaussianMixture.makeWorkspaces(
                        blockRows: block, dimension: dim, components: m,
                        owning: reduction.blocks(totalRows: rows, rank: comm.rank, size: comm.size).count)
                    return try GaussianMixture.sufficientStatistics(shard, model: model, reduction: reduction,
                                                                    communicator: comm, workspaces: &workspaces)
                }[0]
                XCTAssertEqual(stats.map(\.bitPattern), byHand.map(\.bitPattern), "\(size) rank(s) × \(threads) thread(s)")
            }
        }
    }
}
