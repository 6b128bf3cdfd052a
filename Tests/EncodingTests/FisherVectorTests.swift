import Bench
@testable import Encoding
import LinearAlgebra
import TestSupport
import XCTest

final class FisherVectorTests: XCTestCase {
    /// A tiny mixture (M = 2, D = 3) with unequal priors and variances, and T = 5 descriptors near it.
    let tiny = GaussianMixture(priors: [0.35, 0.65],
                               means: Matrix(rowArrays: [[0.2, -0.4, 1.0], [-0.5, 0.3, 0.1]]),
                               variances: Matrix(rowArrays: [[0.8, 1.3, 0.5], [1.1, 0.6, 0.9]]))
    let tinyX = Matrix<Double>(rowArrays: [[0.1, -0.2, 0.9], [-0.7, 0.5, 0.3], [0.4, -1.0, 1.4],
                                           [-0.2, 0.1, -0.3], [0.9, 0.2, 0.6]])

    /// (1/T) Σ_i log p(x_i) with μ and σ (not σ²) as the free parameters, in Double.
    func meanLogLikelihood(means: [Double], sigmas: [Double]) -> Double {
        let model = GaussianMixture(priors: tiny.priors, means: Matrix(rows: 2, columns: 3, values: means),
                                    variances: Matrix(rows: 2, columns: 3, values: sigmas.map { $0 * $0 }))
        let l = model.posteriorsNaive(tinyX).logLikelihoods
        return l.reduce(0, +) / Double(l.count)
    }

    func testFisherVectorIsTheNormalisedFiniteDifferenceGradient() {
        let mu = tiny.means.values, sigma = tiny.variances.values.map { $0.squareRoot() }
        let gMu = numericalGradient(mu) { meanLogLikelihood(means: $0, sigmas: sigma) }
        let gSigma = numericalGradient(sigma) { meanLogLikelihood(means: mu, sigmas: $0) }
        // u_kd = σ_kd/√π_k · ∂ℓ/∂μ_kd,  v_kd = σ_kd/√(2π_k) · ∂ℓ/∂σ_kd.
        var expected = [Double](repeating: 0, count: 12)
        for k in 0 ..< 2 {
            for d in 0 ..< 3 {
                let j = k * 3 + d
                expected[j] = sigma[j] / tiny.priors[k].squareRoot() * gMu[j]
                expected[6 + j] = sigma[j] / (2 * tiny.priors[k]).squareRoot() * gSigma[j]
            }
        }
        let naive = FisherVector.encodeNaive(tinyX, mixture: tiny)
        XCTAssertLessThan(maxRelativeError(naive, expected), 1e-6, "naive FV vs finite differences")
        let fast = FisherEncoder(mixture: tiny).encode(Matrix(rows: 5, columns: 3, values: tinyX.values.map(Float.init)),
                                                       normalization: [])
        assertClose(fast.map(Double.init), expected, rtol: 1e-4, atol: 1e-6, label: "fast FV vs finite differences")
    }

    func w2LikeCase(t: Int = 300) -> (GaussianMixture, Matrix<Float>) {
        let (mixture, x) = EncodingBenchmark.syntheticMixture(components: 16, dimension: 8, rows: t, seed: 8)
        var priors = mixture.priors
        priors[3] *= 3  // unequal priors
        let total = priors.reduce(0, +)
        return (GaussianMixture(priors: priors.map { $0 / total }, means: mixture.means, variances: mixture.variances), x)
    }

    func testFastMatchesNaiveForEveryNormalization() {
        let (gmm, x) = w2LikeCase()
        let xd = Matrix(rows: x.rows, columns: x.columns, values: x.values.map(Double.init))
        let encoder = FisherEncoder(mixture: gmm)
        for normalization: FisherVector.Normalization in [[], .signedSquareRoot, .l2, .improved] {
            let fast = encoder.encode(x, normalization: normalization)
            let naive = FisherVector.encodeNaive(xd, mixture: gmm, normalization: normalization)
            XCTAssertEqual(fast.count, 2 * 16 * 8)
            assertClose(fast.map(Double.init), naive, rtol: 1e-3, atol: 1e-4, label: "normalization \(normalization.rawValue)")
        }
    }

    func testImprovedHasUnitNormAndTheSignsOfTheRawVector() {
        let (gmm, x) = w2LikeCase()
        let encoder = FisherEncoder(mixture: gmm)
        let raw = encoder.encode(x, normalization: [])
        let improved = encoder.encode(x, normalization: .improved)
        XCTAssertEqual(improved.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5)
        for (r, v) in zip(raw, improved) { XCTAssertEqual(r.sign, v.sign) }
        XCTAssertEqual(FisherVector.Normalization.improved, [.signedSquareRoot, .l2])
    }

    func testSignedSquareRootIsAppliedBeforeL2() {
        // [4, −9, 0]: √ first gives [2, −3, 0], norm √13; L2 first then √ would give [√(4/√97), …].
        var v: [Float] = [4, -9, 0]
        FisherVector.normalize(&v, .improved)
        let n = Float(13).squareRoot()
        assertClose(v, [2 / n, -3 / n, 0], rtol: 1e-6, atol: 1e-7, label: "power then L2")
        var w: [Float] = [4, -9, 0]
        FisherVector.normalize(&w, .signedSquareRoot)
        XCTAssertEqual(w, [2, -3, 0])
        var z: [Float] = [0, 0]
        FisherVector.normalize(&z, .improved)
        XCTAssertEqual(z, [0, 0])
    }

    func testLayoutIsMeansThenVariances() {
        // One descriptor exactly at μ_0 of a far-apart mixture: u_0 = 0, v_0 = −1/√(2π_0) (every z = 0), k = 1 ≈ 0.
        let gmm = GaussianMixture(priors: [0.5, 0.5], means: Matrix(rowArrays: [[0, 0], [50, 50]]),
                                  variances: Matrix(rows: 2, columns: 2, repeating: 1))
        let fv = FisherEncoder(mixture: gmm).encode(Matrix(rowArrays: [[0, 0]]), normalization: [])
        assertClose(fv, [0, 0, 0, 0, -1, -1, 0, 0], rtol: 1e-5, atol: 1e-6, label: "[u_0, u_1, v_0, v_1]")
    }

    func testEmptyImageGivesZeros() {
        let (gmm, _) = w2LikeCase()
        let fv = FisherEncoder(mixture: gmm).encode(Matrix(rows: 0, columns: 8))
        XCTAssertEqual(fv, [Float](repeating: 0, count: 256))
    }

    func testWorkspaceReuseGivesTheSameVectors() {
        let (gmm, x) = w2LikeCase()
        let encoder = FisherEncoder(mixture: gmm)
        var workspace = FisherEncoder.Workspace()
        let big = encoder.encode(x, workspace: &workspace)
        let small = encoder.encode(x.rows(0 ..< 10), workspace: &workspace)
        XCTAssertEqual(big, encoder.encode(x))
        XCTAssertEqual(small, encoder.encode(x.rows(0 ..< 10)))
    }
}
