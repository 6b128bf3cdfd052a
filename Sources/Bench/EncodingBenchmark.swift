import Core
import Encoding
import LinearAlgebra

/// Timing helpers behind `tributary bench fisher|gmm` (workloads W2 and W1 of `bench/ANCHORS.md`).
///
/// Synthetic data: a "generating" mixture with means ~ N(0, 0.5²), per-dimension standard deviations
/// ~ U(0.5, 1.5) and equal priors (the W1/W2 recipe), and rows drawn from it, all from `seed`.
public enum EncodingBenchmark {
    /// A W1/W2-like mixture (M, D) and N rows drawn from it.
    public static func syntheticMixture(components m: Int, dimension dim: Int, rows n: Int,
                                        seed: UInt64) -> (mixture: GaussianMixture, rows: Matrix<Float>) {
        var rng = SeededRandom(seed: seed)
        var means = Matrix<Double>(rows: m, columns: dim)
        var variances = Matrix<Double>(rows: m, columns: dim)
        for k in 0 ..< m {
            for d in 0 ..< dim {
                means[k, d] = 0.5 * rng.normal()
                let sd = rng.uniform(0.5, 1.5)
                variances[k, d] = sd * sd
            }
        }
        var x = Matrix<Float>(rows: n, columns: dim)
        for i in 0 ..< n {
            let k = rng.bounded(m)
            for d in 0 ..< dim { x[i, d] = Float(means[k, d] + variances[k, d].squareRoot() * rng.normal()) }
        }
        let mixture = GaussianMixture(priors: [Double](repeating: 1 / Double(m), count: m), means: means, variances: variances)
        return (mixture, x)
    }

    /// One FV timing run.
    public struct FisherResult: Sendable {
        public let images: Int
        public let descriptorsPerImage: Int
        public let seconds: Double
        public var imagesPerSecond: Double { Double(images) / seconds }
        /// 8·T·D·M flops per image (the two GEMMs), the W2 "effective GFLOP/s" convention.
        public let flopsPerImage: Double
        public var gigaflopsPerSecond: Double { flopsPerImage * imagesPerSecond / 1e9 }
    }

    /// Encodes `images` synthetic images of T descriptors with the improved FV, shared over this rank's threads
    /// (`FisherEncoder.encode(_:workspaces:)`, `BLASThreads.count` workers), after one warm-up image per worker,
    /// and reports images/s (W2: D = 64, M = 256, T = 2500).
    public static func fisher(dimension dim: Int = 64, components m: Int = 256, descriptorsPerImage t: Int = 2500,
                              images: Int = 50, seed: UInt64 = 103) throws -> FisherResult {
        let (mixture, rows) = syntheticMixture(components: m, dimension: dim, rows: t * Swift.min(images, 20), seed: seed)
        let encoder = FisherEncoder(mixture: mixture)
        var workspaces: [FisherEncoder.Workspace] = []
        let distinct = rows.rows / t
        let batches = (0 ..< distinct).map { rows.rows($0 * t ..< ($0 + 1) * t) }
        let warmUp = InRankThreads.workers(items: images)
        var sink: Float = try encoder.encode((0 ..< warmUp).map { batches[$0 % distinct] }, workspaces: &workspaces)
            .reduce(0) { $0 + $1[0] }
        let clock = ContinuousClock()
        let start = clock.now
        let fvs = try encoder.encode((0 ..< images).map { batches[$0 % distinct] }, workspaces: &workspaces)
        let elapsed = start.duration(to: clock.now).inSeconds
        for (i, fv) in fvs.enumerated() { sink += fv[i % 7] }
        precondition(sink.isFinite, "benchmark produced a non-finite FV")
        return FisherResult(images: images, descriptorsPerImage: t, seconds: elapsed,
                            flopsPerImage: 8 * Double(t) * Double(dim) * Double(m))
    }

    /// One GMM timing run.
    public struct MixtureResult: Sendable {
        /// Seconds of each iteration (M-step + E-step), iteration 1 onwards.
        public let secondsPerIteration: [Double]
        public let finalLogLikelihood: Double
        public var medianSecondsPerIteration: Double {
            let s = secondsPerIteration.sorted()
            return s.isEmpty ? 0 : s[s.count / 2]
        }
    }

    /// Runs `iterations` EM iterations (no early stop) on N synthetic rows from a W1-like mixture, started from
    /// W1's initialisation recipe (means = M distinct rows, variances = data variance, priors 1/M).
    public static func gaussianMixture(rows n: Int = 256_000, dimension dim: Int = 64, components m: Int = 256,
                                       iterations: Int = 10, seed: UInt64 = 101,
                                       progress: (GaussianMixture.Progress) -> Void = { _ in }) throws -> MixtureResult {
        let (_, x) = syntheticMixture(components: m, dimension: dim, rows: n, seed: seed)
        var times: [Double] = []
        var last = 0.0
        let options = GaussianMixture.Options(initialization: .random, maxIterations: iterations, tolerance: -.infinity,
                                              seed: seed)
        _ = try GaussianMixture.fit(MatrixRowSource(x), components: m, options: options) { p in
            if p.iteration > 0 { times.append(p.seconds) }
            last = p.logLikelihood
            progress(p)
        }
        return MixtureResult(secondsPerIteration: times, finalLogLikelihood: last)
    }
}

extension EncodingBenchmark {
    /// The machine's sgemm rate in GFLOP/s on square n×n×n products (W0's "peak", measured in the same run so
    /// that FV figures can be reported as a fraction of it on a shared machine).
    public static func sgemmGigaflops(size n: Int = 1024, repetitions: Int = 5) -> Double {
        let a = Matrix<Float>(rows: n, columns: n, repeating: 0.5)
        let b = Matrix<Float>(rows: n, columns: n, repeating: 0.25)
        var c = Matrix<Float>(rows: n, columns: n)
        BLAS.gemm(a, b, into: &c)
        let clock = ContinuousClock()
        var best = Double.infinity
        for _ in 0 ..< repetitions {
            let start = clock.now
            BLAS.gemm(a, b, into: &c)
            best = Swift.min(best, start.duration(to: clock.now).inSeconds)
        }
        return 2 * Double(n) * Double(n) * Double(n) / best / 1e9
    }
}
