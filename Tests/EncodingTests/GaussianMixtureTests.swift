import Bench
import Core
@testable import Encoding
import LinearAlgebra
import TestSupport
import XCTest

final class GaussianMixtureTests: XCTestCase {
    /// 2-D data from a planted 3-component mixture.
    static let plantedMeans: [[Double]] = [[-4, 0], [3, 3], [2, -4]]
    static let plantedSDs: [[Double]] = [[0.5, 1.0], [0.8, 0.4], [0.6, 0.6]]
    static let plantedPriors: [Double] = [0.5, 0.3, 0.2]

    func plantedData(rows n: Int = 6000, seed: UInt64 = 21) -> Matrix<Float> {
        var rng = SeededRandom(seed: seed)
        var x = Matrix<Float>(rows: n, columns: 2)
        for i in 0 ..< n {
            let u = rng.uniform()
            let k = u < 0.5 ? 0 : (u < 0.8 ? 1 : 2)
            for d in 0 ..< 2 {
                x[i, d] = Float(Self.plantedMeans[k][d] + Self.plantedSDs[k][d] * rng.normal())
            }
        }
        return x
    }

    func testRecoversPlantedMixture() throws {
        let x = plantedData()
        let gmm = try GaussianMixture.fit(MatrixRowSource(x), components: 3,
                                          options: .init(initialization: .kmeans(iterations: 10), maxIterations: 200, seed: 2))
        for (k, truth) in Self.plantedMeans.enumerated() {
            // Match each planted component to the nearest fitted mean.
            let j = (0 ..< 3).min { a, b in
                hypot(gmm.means[a, 0] - truth[0], gmm.means[a, 1] - truth[1])
                    < hypot(gmm.means[b, 0] - truth[0], gmm.means[b, 1] - truth[1])
            }!
            XCTAssertEqual(gmm.means[j, 0], truth[0], accuracy: 0.1, "μ\(k)")
            XCTAssertEqual(gmm.means[j, 1], truth[1], accuracy: 0.1, "μ\(k)")
            XCTAssertEqual(gmm.priors[j], Self.plantedPriors[k], accuracy: 0.03, "π\(k)")
            for d in 0 ..< 2 {
                XCTAssertEqual(gmm.variances[j, d].squareRoot(), Self.plantedSDs[k][d], accuracy: 0.1, "σ\(k)")
            }
        }
        XCTAssertEqual(gmm.priors.reduce(0, +), 1, accuracy: 1e-12)
    }

    func testLogLikelihoodNeverDecreases() throws {
        for (seed, initialization) in [(UInt64(1), GaussianMixture.Initialization.random), (2, .kmeans(iterations: 2))] {
            let x = randomMatrix(rows: 2000, columns: 3, seed: seed)
            var seen: [Double] = []
            let gmm = try GaussianMixture.fit(MatrixRowSource(x), components: 8,
                                              options: .init(initialization: initialization, maxIterations: 60,
                                                             tolerance: -.infinity, seed: seed)) { seen.append($0.logLikelihood) }
            XCTAssertEqual(seen, gmm.logLikelihoodHistory)
            XCTAssertEqual(seen.count, 61)
            for t in 1 ..< seen.count {
                // Float statistics: allow rounding-level noise only.
                XCTAssertGreaterThanOrEqual(seen[t], seen[t - 1] - 1e-5 * abs(seen[t - 1]), "iteration \(t)")
            }
            XCTAssertGreaterThan(seen.last!, seen.first!)
        }
    }

    func testStopsAtTolerance() throws {
        let x = plantedData(rows: 1500)
        let gmm = try GaussianMixture.fit(MatrixRowSource(x), components: 3,
                                          options: .init(maxIterations: 500, tolerance: 1e-4))
        let h = gmm.logLikelihoodHistory
        XCTAssertLessThan(h.count, 501)
        XCTAssertLessThan((h[h.count - 1] - h[h.count - 2]) / abs(h[h.count - 2]), 1e-4)
    }

    func testGemmPosteriorsMatchNaive() throws {
        // Row counts: a lone row, one SIMD group, a tail of 5, and several 512-sample blocks with a ragged tail.
        for rows in [1, 8, 77, 1100] {
            let x = randomMatrix(rows: rows, columns: 5, seed: 31)
            let (mixture, _) = EncodingBenchmark.syntheticMixture(components: 7, dimension: 5, rows: 0, seed: 3)
            var priors = mixture.priors
            priors[0] = 0.4; priors[1] = 0.01  // unequal priors
            let total = priors.reduce(0, +)
            let gmm = GaussianMixture(priors: priors.map { $0 / total }, means: mixture.means, variances: mixture.variances)
            let xd = Matrix(rows: x.rows, columns: x.columns, values: x.values.map(Double.init))
            let naive = gmm.posteriorsNaive(xd)
            assertClose(gmm.posteriors(x).values.map(Double.init), naive.posteriors.values, rtol: 1e-4, atol: 1e-5,
                        label: "q, \(rows) rows")
            assertClose(gmm.logLikelihoods(x), naive.logLikelihoods, rtol: 1e-5, atol: 1e-4, label: "log p, \(rows) rows")
            // Rows sum to 1.
            let q = gmm.posteriors(x)
            for i in 0 ..< q.rows { XCTAssertEqual(q.row(i).reduce(0, +), 1, accuracy: 1e-5) }
        }
    }

    /// The EM block statistics (sample-major E-step: S0, S1, S2 and Σ log p) against sums of the naive Double
    /// posteriors; M = 7 (scalar tail only) and M = 19 (two SIMD groups + a tail), ragged row counts.
    func testBlockStatisticsMatchNaive() throws {
        for (rows, m) in [(1, 7), (77, 7), (300, 19)] {
            let dim = 5
            let x = randomMatrix(rows: rows, columns: dim, seed: 41)
            let (mixture, _) = EncodingBenchmark.syntheticMixture(components: m, dimension: dim, rows: 0, seed: 5)
            var priors = mixture.priors
            priors[0] *= 8; priors[m - 1] *= 0.05
            let total = priors.reduce(0, +)
            let gmm = GaussianMixture(priors: priors.map { $0 / total }, means: mixture.means, variances: mixture.variances)
            let kernel = PosteriorKernel(priors: gmm.priors, means: gmm.means, variances: gmm.variances)
            var workspace = EMWorkspace(blockRows: rows, dimension: dim, components: m)
            let stats = GaussianMixture.blockStatistics(x, kernel: kernel, workspace: &workspace)
            let xd = Matrix(rows: x.rows, columns: x.columns, values: x.values.map(Double.init))
            let naive = gmm.posteriorsNaive(xd)
            var expected = [Double](repeating: 0, count: m + 2 * m * dim + 1)
            for i in 0 ..< rows {
                for k in 0 ..< m {
                    let q = naive.posteriors[i, k]
                    expected[k] += q
                    for d in 0 ..< dim {
                        expected[m + k * dim + d] += q * xd[i, d]
                        expected[m + m * dim + k * dim + d] += q * xd[i, d] * xd[i, d]
                    }
                }
            }
            expected[expected.count - 1] = naive.logLikelihoods.reduce(0, +)
            assertClose(stats, expected, rtol: 1e-4, atol: 1e-4, label: "S0 | S1 | S2 | Σ log p, \(rows) rows, M = \(m)")
            XCTAssertEqual(stats[0 ..< m].reduce(0, +), Double(rows), accuracy: 1e-3 * Double(rows), "Σ S0 = n")
        }
    }

    func testFarAwayRowsDoNotUnderflow() {
        let gmm = GaussianMixture(priors: [0.5, 0.5], means: Matrix(rowArrays: [[0.0], [1.0]]),
                                  variances: Matrix(rowArrays: [[0.01], [0.01]]))
        let q = gmm.posteriors(Matrix(rowArrays: [[60]]))
        XCTAssertEqual(q.values, [0, 1])
        XCTAssertTrue(gmm.logLikelihoods(Matrix(rowArrays: [[60]]))[0].isFinite)
    }

    func testVarianceFloorOnDegenerateData() throws {
        let x = Matrix<Float>(rows: 100, columns: 3, repeating: 2.5)
        for initialization in [GaussianMixture.Initialization.kmeans(iterations: 5), .random] {
            let gmm = try GaussianMixture.fit(MatrixRowSource(x), components: 4,
                                              options: .init(initialization: initialization, maxIterations: 5))
            // Zero data variance: the floor is the absolute minimum (Float statistics may leave a hair above it).
            XCTAssertTrue(gmm.variances.values.allSatisfy { $0 >= GaussianMixture.minimumVariance && $0 < 1e-4 },
                          "\(gmm.variances.values)")
            XCTAssertTrue(gmm.means.values.allSatisfy(\.isFinite))
            XCTAssertTrue(gmm.priors.allSatisfy(\.isFinite))
            XCTAssertTrue(gmm.logLikelihoodHistory.allSatisfy(\.isFinite))
            XCTAssertEqual(gmm.priors.reduce(0, +), 1, accuracy: 1e-9)
            let fv = FisherEncoder(mixture: gmm).encode(x.rows(0 ..< 10))
            XCTAssertTrue(fv.allSatisfy(\.isFinite))
        }
    }

    func testDeadComponentsAreReseededBySplitting() {
        var priors = [0.0, 0.7, 0.3]
        var means = Matrix<Double>(rowArrays: [[9, 9], [1, 2], [5, 5]])
        var variances = Matrix<Double>(rowArrays: [[1, 1], [4, 1], [1, 1]])
        GaussianMixture.reseed([0], priors: &priors, means: &means, variances: &variances)
        XCTAssertEqual(priors, [0.35, 0.35, 0.3])
        XCTAssertEqual(means.values, [2, 2, 0, 2, 5, 5])  // split along d* = 0 (σ² = 4), ±½σ = ±1
        XCTAssertEqual(variances.row(0), variances.row(1))
    }

    func testFitIsBitIdenticalForAnyRankCount() throws {
        let x = randomMatrix(rows: 700, columns: 3, seed: 41)
        let options = GaussianMixture.Options(initialization: .kmeans(iterations: 3), maxIterations: 4, tolerance: -.infinity,
                                              seed: 5, blockSize: 64)
        let reduction = OrderedReduction(blockSize: 64)
        let single = try GaussianMixture.fit(MatrixRowSource(x), components: 4, options: options)
        for size in [2, 3] {
            let multi = try ThreadedWorld.run(size: size) { comm -> GaussianMixture in
                let owned = reduction.rows(totalRows: x.rows, rank: comm.rank, size: comm.size)
                let shard = MatrixRowSource(x.rows(owned), firstRow: owned.lowerBound, totalRows: x.rows)
                return try GaussianMixture.fit(shard, components: 4, options: options, communicator: comm)
            }[0]
            XCTAssertEqual(multi.means.values.map(\.bitPattern), single.means.values.map(\.bitPattern), "\(size) ranks")
            XCTAssertEqual(multi.variances.values.map(\.bitPattern), single.variances.values.map(\.bitPattern))
            XCTAssertEqual(multi.logLikelihoodHistory.map(\.bitPattern), single.logLikelihoodHistory.map(\.bitPattern))
        }
    }

    func testCustomInitializationStartsFromTheGivenModel() throws {
        let x = plantedData(rows: 600)
        let start = GaussianMixture(priors: [1.0 / 3, 1.0 / 3, 1.0 / 3], means: Matrix(rowArrays: [[-4, 0], [3, 3], [2, -4]]),
                                    variances: Matrix(rows: 3, columns: 2, repeating: 1))
        let gmm = try GaussianMixture.fit(MatrixRowSource(x), components: 3,
                                          options: .init(initialization: .custom(start), maxIterations: 0))
        XCTAssertEqual(gmm, GaussianMixture(priors: start.priors, means: start.means, variances: start.variances,
                                            logLikelihoodHistory: gmm.logLikelihoodHistory))
        XCTAssertThrowsError(try GaussianMixture.fit(MatrixRowSource(x), components: 2,
                                                     options: .init(initialization: .custom(start))))
    }

    func testFastExpAccuracy() {
        for i in 0 ..< 2000 {
            let x = -90 + Float(i) * 0.05
            let exact = Float(exp(Double(x)))
            if x < fastExpLowerLimit { XCTAssertEqual(fastExp(x), 0); continue }
            XCTAssertEqual(fastExp(x), exact, accuracy: exact * 4e-7, "x = \(x)")
        }
        XCTAssertEqual(fastExp(-.infinity), 0)
        XCTAssertEqual(fastExp(0), 1)
    }
}
