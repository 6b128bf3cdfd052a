import Core
import Foundation

/// Exact t-SNE (van der Maaten & Hinton 2008): a 2-D map Y (n, 2) of points X (n, d) that keeps neighbours
/// together; the latent-space figure of the infusion paper (Fig. 3) is drawn with it. O(n²) time and memory per
/// iteration, meant for n ≤ 2,000.
///
///     D_ij      = ‖x_i − x_j‖²                                              (n, n)
///     p_{j|i}   = exp(−β_i D_ij) / Σ_{k≠i} exp(−β_i D_ik),  p_{i|i} = 0
///                 β_i by bisection so that H(p_{·|i}) = −Σ_j p_{j|i} ln p_{j|i} = ln(perplexity)
///     P_ij      = (p_{j|i} + p_{i|j}) / 2n                                 (symmetric, Σ P = 1)
///     w_ij      = 1 / (1 + ‖y_i − y_j‖²),   Z = Σ_{k≠l} w_kl,   Q_ij = w_ij / Z
///     C         = KL(P ‖ Q) = Σ_{i≠j} P_ij ln(P_ij / Q_ij)
///     ∂C/∂y_i   = 4 Σ_j (s P_ij − Q_ij) w_ij (y_i − y_j)      s = 1, or the exaggeration early on (`cost`)
///
/// Optimiser (the reference implementation's): Y₀ ~ N(0, 10⁻⁴) from `seed`; for t < `exaggerationIterations`
/// P is multiplied by `exaggeration` (early exaggeration, clusters form first) and momentum is 0.5, then 0.8;
/// per-coordinate gains g ← g + 0.2 where the gradient's sign differs from the last update's, else g ← 0.8 g
/// (floor 0.01); update u ← m u − η g ⊙ ∂C/∂Y; Y ← Y + u, then Y is re-centred (its mean is 0).
///
/// Everything is Double and summed in index order on one process: the same input and seed give the same bits.
/// The map is defined up to rotation, reflection and scale: only neighbourhoods are meaningful (measure them
/// with `Trustworthiness`).
public struct TSNE: Sendable, Equatable {
    public var perplexity = 30.0
    public var iterations = 1000
    public var learningRate = 200.0
    public var exaggeration = 12.0
    public var exaggerationIterations = 250
    public var seed: UInt64 = 0

    public init(perplexity: Double = 30, iterations: Int = 1000, seed: UInt64 = 0) {
        self.perplexity = perplexity
        self.iterations = iterations
        self.seed = seed
    }

    /// Y (n, 2), row-major [y_00, y_01, y_10, …], of the n rows of `x` (row-major, `dimensions` per row).
    /// Needs n > 3 · perplexity (else the bisection cannot reach the entropy): a typed error says so.
    public func embed(_ x: [Double], dimensions d: Int) throws(StatisticsError) -> [Double] {
        let n = d > 0 ? x.count / d : 0
        guard d > 0, n * d == x.count, n >= 4 else { throw .tooFewValues(what: "t-SNE points (\(x.count) values of \(d) dimensions)", count: n, needed: 4) }
        guard perplexity > 0, Double(n - 1) > 3 * perplexity else {
            throw .invalidOption(name: "t-SNE perplexity", value: perplexity,
                                 requirement: "in (0, (n − 1)/3) = (0, \(Double(n - 1) / 3)) for n = \(n) points; lower the perplexity")
        }
        let p = Self.affinities(x, dimensions: d, perplexity: perplexity)
        var rng = SeededRandom(seed: seed)
        var y = (0 ..< 2 * n).map { _ in 1e-2 * rng.normal() }
        var update = [Double](repeating: 0, count: 2 * n), gains = [Double](repeating: 1, count: 2 * n)
        for t in 0 ..< iterations {
            let scale = t < exaggerationIterations ? exaggeration : 1
            let g = Self.gradient(p, y, scale: scale)
            let momentum = t < exaggerationIterations ? 0.5 : 0.8
            for k in 0 ..< 2 * n {
                gains[k] = (g[k] > 0) != (update[k] > 0) ? gains[k] + 0.2 : max(0.01, gains[k] * 0.8)
                update[k] = momentum * update[k] - learningRate * gains[k] * g[k]
                y[k] += update[k]
            }
            for c in 0 ..< 2 {
                let mean = stride(from: c, to: 2 * n, by: 2).reduce(0) { $0 + y[$1] } / Double(n)
                for k in stride(from: c, to: 2 * n, by: 2) { y[k] -= mean }
            }
        }
        return y
    }

    /// P (n, n) row-major: the perplexity-calibrated, symmetrised input affinities.
    public static func affinities(_ x: [Double], dimensions d: Int, perplexity: Double) -> [Double] {
        let n = x.count / d
        let conditional = conditionalAffinities(x, dimensions: d, perplexity: perplexity)
        var p = [Double](repeating: 0, count: n * n)
        for i in 0 ..< n {
            for j in 0 ..< n where i != j { p[i * n + j] = (conditional[i * n + j] + conditional[j * n + i]) / Double(2 * n) }
        }
        return p
    }

    /// p_{j|i} (n, n) row-major, each row's β_i found by bisection (≤ 200 halvings, |H − ln perplexity| < 1e-10).
    public static func conditionalAffinities(_ x: [Double], dimensions d: Int, perplexity: Double) -> [Double] {
        let n = x.count / d
        var dist = [Double](repeating: 0, count: n * n)
        for i in 0 ..< n {
            for j in i + 1 ..< n {
                var s = 0.0
                for c in 0 ..< d { let v = x[i * d + c] - x[j * d + c]; s += v * v }
                dist[i * n + j] = s
                dist[j * n + i] = s
            }
        }
        var conditional = [Double](repeating: 0, count: n * n)
        let target = log(perplexity)
        for i in 0 ..< n {
            var (low, high, beta) = (0.0, Double.infinity, 1.0)
            var row = [Double](repeating: 0, count: n)
            for _ in 0 ..< 200 {
                let (r, entropy) = conditionalRow(dist, i: i, n: n, beta: beta)
                row = r
                if abs(entropy - target) < 1e-10 { break }
                if entropy > target { low = beta; beta = high.isFinite ? (beta + high) / 2 : beta * 2 }
                else { high = beta; beta = (beta + low) / 2 }
            }
            for j in 0 ..< n { conditional[i * n + j] = row[j] }
        }
        return conditional
    }

    /// p_{·|i} for one β and its entropy (distances shifted by their minimum: the ratio is unchanged, no underflow).
    static func conditionalRow(_ dist: [Double], i: Int, n: Int, beta: Double) -> (row: [Double], entropy: Double) {
        var minimum = Double.infinity
        for j in 0 ..< n where j != i { minimum = min(minimum, dist[i * n + j]) }
        var row = [Double](repeating: 0, count: n)
        var total = 0.0
        for j in 0 ..< n where j != i {
            row[j] = exp(-beta * (dist[i * n + j] - minimum))
            total += row[j]
        }
        var entropy = 0.0
        for j in 0 ..< n where j != i {
            row[j] /= total
            if row[j] > 0 { entropy -= row[j] * log(row[j]) }
        }
        return (row, entropy)
    }

    /// C_s = Σ_{i≠j} sP_ij ln(sP_ij) − Σ_{i≠j} sP_ij ln w_ij + ln Z for Y (n, 2), s = `scale`: KL(P ‖ Q) at s = 1
    /// (Σ P = 1); during early exaggeration (s > 1) it is the cost whose gradient `gradient` is (only the
    /// attraction is scaled, not the normaliser: the reference implementation's update).
    public static func cost(_ p: [Double], _ y: [Double], scale: Double = 1) -> Double {
        let n = y.count / 2
        let w = kernel(y)
        var c = log(w.reduce(0, +))
        for k in 0 ..< n * n where p[k] > 0 { c += scale * p[k] * (log(scale * p[k]) - log(w[k])) }
        return c
    }

    /// ∂C_s/∂Y (n, 2) = 4 Σ_j (sP_ij − Q_ij) w_ij (y_i − y_j).
    public static func gradient(_ p: [Double], _ y: [Double], scale: Double = 1) -> [Double] {
        let n = y.count / 2
        let w = kernel(y)
        let z = w.reduce(0, +)
        var g = [Double](repeating: 0, count: 2 * n)
        for i in 0 ..< n {
            for j in 0 ..< n where j != i {
                let f = 4 * (scale * p[i * n + j] - w[i * n + j] / z) * w[i * n + j]
                g[2 * i] += f * (y[2 * i] - y[2 * j])
                g[2 * i + 1] += f * (y[2 * i + 1] - y[2 * j + 1])
            }
        }
        return g
    }

    /// w_ij = 1 / (1 + ‖y_i − y_j‖²), w_ii = 0.
    static func kernel(_ y: [Double]) -> [Double] {
        let n = y.count / 2
        var w = [Double](repeating: 0, count: n * n)
        for i in 0 ..< n {
            for j in 0 ..< n where j != i {
                let a = y[2 * i] - y[2 * j], b = y[2 * i + 1] - y[2 * j + 1]
                w[i * n + j] = 1 / (1 + a * a + b * b)
            }
        }
        return w
    }
}
