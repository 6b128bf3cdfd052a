import Bench
import Core
@testable import Encoding
import LinearAlgebra
import TestSupport
import XCTest

/// The posterior log-sum-exp in C (`WideKernels.posteriorLogSumExp`, issue 18) on EVERY ISA level this CPU
/// supports and 1, 2, 3 threads, bit for bit against its Swift twin `PosteriorKernel.logSumExpLanes`; and GMM EM
/// and Fisher encoding with OpenBLAS at 2 threads bit for bit against 1 thread. Accuracy against the naive Double posteriors is `GaussianMixtureTests`' (which now run the C
/// path).
final class PosteriorLanesTests: XCTestCase {
    /// A kernel with M = 19 components (16 + tail lanes on the component side does not matter: lanes are columns),
    /// one of them dead (b = −∞), and Lᵀ (M, n) spread over (−60, 0) so that some columns hit the e^−64 floor.
    func inputs(columns n: Int, seed: UInt64) -> (PosteriorKernel, [Float]) {
        let (mixture, _) = EncodingBenchmark.syntheticMixture(components: 19, dimension: 3, rows: 0, seed: 5)
        var priors = mixture.priors
        priors[4] = 0
        let total = priors.reduce(0, +)
        let kernel = PosteriorKernel(priors: priors.map { $0 / total }, means: mixture.means, variances: mixture.variances)
        XCTAssertEqual(kernel.bias[4], -.infinity)
        var rng = SeededRandom(seed: seed)
        var l = (0 ..< 19 * n).map { _ in Float(rng.uniform(-60, 0)) }
        if n > 3 { l[2] = -.infinity; l[19 * n - 1] = 0 }
        return (kernel, l)
    }

    func testEveryLevelAndThreadCountMatchesTheSwiftLanesBitForBit() {
        for n in [1, 7, 16, 33, 512, 515, 1203, 2500] {
            let (kernel, l) = inputs(columns: n, seed: UInt64(n))
            var twin = l, twinLogP = [Double](repeating: .nan, count: n)
            let twinTotal = kernel.logSumExpLanes(&twin, rows: n, rowLogLikelihoods: &twinLogP)
            XCTAssertEqual(twinLogP.reduce(0, +).bitPattern, twinTotal.bitPattern, "Σ log p in sample order")
            // Invariant: every column of the posteriors sums to 1.
            for i in 0 ..< n {
                let s = (0 ..< 19).reduce(0.0) { $0 + Double(twin[$1 * n + i]) }
                XCTAssertEqual(s, 1, accuracy: 1e-5, "column \(i) of \(n)")
            }
            for isa in KernelISA.supported {
                for threads in 1 ... 3 {
                    var q = l, logP = [Double](repeating: .nan, count: n)
                    kernel.bias.withUnsafeBufferPointer { b in
                        WideKernels.posteriorLogSumExp(&q, components: 19, columns: n, bias: b.baseAddress!,
                                                       floor: PosteriorKernel.relativeLogPosteriorFloor,
                                                       rowLogLikelihoods: &logP, threads: threads, isa: isa)
                    }
                    XCTAssertEqual(q.map(\.bitPattern), twin.map(\.bitPattern), "\(isa), \(threads) thread(s), n = \(n): Qᵀ")
                    XCTAssertEqual(logP.map(\.bitPattern), twinLogP.map(\.bitPattern), "\(isa), \(threads) thread(s), n = \(n): log p")
                }
            }
        }
    }

    /// `posteriors(a:rows:into:threads:)` (GEMM + C log-sum-exp) gives the same Qᵀ and Σ log p for 1 and 3 threads.
    func testPosteriorsAreBitIdenticalAcrossThreadCounts() {
        let (n, dim) = (1203, 3)
        let (kernel, _) = inputs(columns: 1, seed: 1)
        let x = randomMatrix(rows: n, columns: dim, seed: 8)
        var a = [Float](repeating: 0, count: n * 2 * dim)
        PosteriorKernel.fillSquaresAndRows(x.values, rows: n, dimension: dim, into: &a)
        var q1 = [Float](repeating: 0, count: 19 * n), q3 = q1
        let total1 = kernel.posteriors(a: a, rows: n, into: &q1, threads: 1)
        let total3 = kernel.posteriors(a: a, rows: n, into: &q3, threads: 3)
        XCTAssertEqual(q1.map(\.bitPattern), q3.map(\.bitPattern))
        XCTAssertEqual(total1.bitPattern, total3.bitPattern)
        XCTAssertTrue(total1.isFinite)
    }

    /// EM and Fisher encoding with OpenBLAS at 2 threads (the GEMMs split; the log-sum-exp runs on
    /// `PosteriorKernel.logSumExpThreads`) against 1 thread.
    func testFitAndEncodeAreBitIdenticalWithTwoThreads() throws {
        let before = BLASThreads.count
        defer { BLASThreads.set(before) }
        let x = randomMatrix(rows: 3000, columns: 8, seed: 41)
        let options = GaussianMixture.Options(initialization: .kmeans(iterations: 2), maxIterations: 3,
                                              tolerance: -.infinity, seed: 5, blockSize: 1500)
        func run(threads: Int) throws -> (GaussianMixture, [Float]) {
            BLASThreads.set(threads)
            let gmm = try GaussianMixture.fit(MatrixRowSource(x), components: 16, options: options)
            return (gmm, FisherEncoder(mixture: gmm).encode(x.rows(0 ..< 2500)))
        }
        let (one, fvOne) = try run(threads: 1)
        let (two, fvTwo) = try run(threads: 2)
        XCTAssertEqual(two.means.values.map(\.bitPattern), one.means.values.map(\.bitPattern))
        XCTAssertEqual(two.variances.values.map(\.bitPattern), one.variances.values.map(\.bitPattern))
        XCTAssertEqual(two.priors.map(\.bitPattern), one.priors.map(\.bitPattern))
        XCTAssertEqual(two.logLikelihoodHistory.map(\.bitPattern), one.logLikelihoodHistory.map(\.bitPattern))
        XCTAssertEqual(fvTwo.map(\.bitPattern), fvOne.map(\.bitPattern))
    }
}
