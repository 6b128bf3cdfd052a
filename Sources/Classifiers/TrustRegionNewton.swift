import Core
import Foundation
import LinearAlgebra

/// The trust-region Newton method (TRON) of LIBLINEAR's primal solvers, for K concepts at once over row-sharded X.
///
/// References: C.-J. Lin, R. C. Weng, S. S. Keerthi, "Trust Region Newton Method for Large-Scale Logistic
/// Regression", JMLR 2008; Y. Zhuang, W.-S. Chin, Y.-C. Juan, C.-J. Lin, "Distributed Newton Methods for
/// Regularized Logistic Regression", PAKDD 2015 (rows split over machines; f, ∇f and ∇²f·v all-reduced).
///
/// **Iteration** k (for each concept separately; f, g = ∇f, H = ∇²f from `RowShardedObjective`):
///
///     s   ≈ argmin_{‖s‖ ≤ Δ} gᵀs + ½ sᵀHs                (conjugate gradients, Steihaug; see `conjugateGradient`)
///     ρ   = (f(ŵ) − f(ŵ + s)) / −(gᵀs + ½ sᵀHs)           (actual / predicted reduction)
///     ŵ  ← ŵ + s   if ρ > η₀
///     Δ  ← updated from ρ, ‖s‖ and the step α of the 1-D quadratic interpolation (η₀, η₁, η₂ = 1e-4, ¼, ¾;
///          σ₁, σ₂, σ₃ = ¼, ½, 4), with Δ₀ = ‖g₀‖ and Δ ← min(Δ, ‖s‖) after the first step
///
/// Stopping (LIBLINEAR's rule for -s 0/-s 2): ‖g‖ ≤ ε·max(min(#pos, #neg), 1)/N·‖g₀‖, ε = `tolerance`.
/// A concept also stops when f falls below −10³², or when the actual and predicted reductions are both
/// negligible (≤ 10⁻¹² |f|: no more progress is possible in floating point).
///
/// **Batching.** Each concept keeps its own Δ, CG state and stopping test; the K concepts share the passes over
/// X (each is one GEMM per column block and row block). A finished concept stays in the GEMMs with a zero
/// direction. Every decision uses only all-reduced values, identical on every rank.
struct TrustRegionNewton<Scalar: BLASScalar> {
    let objective: RowShardedObjective<Scalar>
    let tolerance: Double
    let maxIterations: Int

    static var eta0: Double { 1e-4 }
    static var eta1: Double { 0.25 }
    static var eta2: Double { 0.75 }
    static var sigma1: Double { 0.25 }
    static var sigma2: Double { 0.5 }
    static var sigma3: Double { 4 }

    /// The fitted Ŵ, the final objective values, ‖g‖, outer iterations and convergence, per concept.
    struct Result {
        var weights: ConceptWeights<Scalar>
        var values: [Double]
        var gradientNorms: [Double]
        var iterations: [Int]
        var converged: [Bool]
        var conjugateGradientSteps: Int
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func solve(dimensions: [Int]) throws -> Result {
        let k = objective.concepts, labels = objective.labels, n = labels.rows
        var w = ConceptWeights<Scalar>(dimensions: dimensions, concepts: k)
        var (f, g, curvature) = try objective.evaluate(w)
        let g0 = g.squaredNorms().map { $0.squareRoot() }
        var gnorm = g0
        var delta = g0
        var thresholds = [Double](repeating: 0, count: k)
        for c in 0 ..< k {
            var positives = 0
            for i in 0 ..< n where labels[i, c] { positives += 1 }
            thresholds[c] = tolerance * Double(Swift.max(Swift.min(positives, n - positives), 1)) / Double(n) * g0[c]
        }
        var active = (0 ..< k).map { gnorm[$0] > thresholds[$0] }
        var converged = active.map { !$0 }
        var iterations = [Int](repeating: 0, count: k)
        var cgSteps = 0
        var iteration = 1
        while iteration <= maxIterations && active.contains(true) {
            let (s, r, steps) = try conjugateGradient(g, curvature: curvature, delta: delta, active: active)
            cgSteps += steps
            var trial = w
            trial.add(s, scaledBy: active.map { $0 ? 1 : 0 })
            let gs = g.dots(s), sr = s.dots(r), snorm = s.squaredNorms().map { $0.squareRoot() }
            let (fNew, gNew, curvatureNew) = try objective.evaluate(trial)
            var accepted = [Bool](repeating: false, count: k)
            for c in 0 ..< k where active[c] {
                iterations[c] += 1
                let prered = -0.5 * (gs[c] - sr[c])
                let actred = f[c] - fNew[c]
                if iteration == 1 { delta[c] = Swift.min(delta[c], snorm[c]) }
                let curve = fNew[c] - f[c] - gs[c]
                let alpha = curve <= 0 ? Self.sigma3 : Swift.max(Self.sigma1, -0.5 * (gs[c] / curve))
                delta[c] = Self.radius(delta: delta[c], alpha: alpha, snorm: snorm[c], actred: actred, prered: prered)
                if actred > Self.eta0 * prered {
                    accepted[c] = true
                    f[c] = fNew[c]
                    gnorm[c] = gNew.column(c).weights.reduce(Double(gNew.bias[c]) * Double(gNew.bias[c])) {
                        $0 + Double($1) * Double($1)
                    }.squareRoot()
                }
                if gnorm[c] <= thresholds[c] {
                    converged[c] = true
                    active[c] = false
                } else if f[c] < -1e32
                            || (abs(actred) <= 0 && prered <= 0)
                            || (abs(actred) <= 1e-12 * abs(f[c]) && abs(prered) <= 1e-12 * abs(f[c])) {
                    active[c] = false
                }
            }
            w.copyColumns(from: trial, where: accepted)
            g.copyColumns(from: gNew, where: accepted)
            for b in curvature.keys.sorted() {  // per row block: take the new D of the accepted concepts
                var d = curvature[b]!
                let dNew = curvatureNew[b]!
                for i in 0 ..< d.rows { for c in 0 ..< k where accepted[c] { d[i, c] = dNew[i, c] } }
                curvature[b] = d
            }
            iteration += 1
        }
        return Result(weights: w, values: f, gradientNorms: gnorm, iterations: iterations, converged: converged,
                      conjugateGradientSteps: cgSteps)
    }

    /// The new trust-region radius from the agreement of the actual and predicted reductions.
    static func radius(delta: Double, alpha: Double, snorm: Double, actred: Double, prered: Double) -> Double {
        if actred < eta0 * prered { return Swift.min(Swift.max(alpha, sigma1) * snorm, sigma2 * delta) }
        if actred < eta1 * prered { return Swift.max(sigma1 * delta, Swift.min(alpha * snorm, sigma2 * delta)) }
        if actred < eta2 * prered { return Swift.max(sigma1 * delta, Swift.min(alpha * snorm, sigma3 * delta)) }
        return Swift.max(delta, Swift.min(alpha * snorm, sigma3 * delta))
    }
}
