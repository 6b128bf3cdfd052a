import Foundation
import LinearAlgebra

/// FISTA for `SparseLogisticRegression` (maths in that type's doc comment). Iterates are (w, b) with the
/// matching z = X w + b kept alongside, so extrapolation costs no extra pass over X.
struct ProximalGradientSolver<Scalar: BLASScalar> {
    let x: Matrix<Scalar>
    let y: [Scalar]
    let cost: Double
    let options: SparseLogisticRegression<Scalar>.Options

    /// Cap on L doublings per iteration.
    static var maxBacktracking: Int { 60 }

    init(x: Matrix<Scalar>, labels: [Bool], options: SparseLogisticRegression<Scalar>.Options) {
        self.x = x
        self.y = labels.map { $0 ? 1 : -1 }
        self.cost = options.cost
        self.options = options
    }

    /// z = X w + b.
    func scores(_ w: [Scalar], _ b: Scalar) -> [Scalar] {
        var z = [Scalar](repeating: b, count: x.rows)
        BLAS.gemv(x, w, into: &z, alpha: 1, beta: 1)
        return z
    }

    /// g = C Σ log(1 + exp(−y_i z_i)).
    func loss(_ z: [Scalar]) -> Double {
        var sum = 0.0
        for i in z.indices {
            let u = -Double(y[i]) * Double(z[i])
            sum += Swift.max(u, 0) + log1p(exp(-abs(u)))
        }
        return cost * sum
    }

    /// (∇_w g, ∇_b g) at scores z.
    func gradient(_ z: [Scalar]) -> (w: [Scalar], b: Scalar) {
        var r = [Scalar](repeating: 0, count: z.count)
        var rb = 0.0
        for i in z.indices {
            let ri = -Double(y[i]) / (1 + exp(Double(y[i]) * Double(z[i])))
            r[i] = Scalar(ri)
            rb += ri
        }
        var gw = [Scalar](repeating: 0, count: x.columns)
        BLAS.gemv(x, r, into: &gw, transpose: true, alpha: Scalar(cost))
        return (gw, Scalar(cost * rb))
    }

    /// The largest violation of the L1 optimality conditions at (w, b), whose scores are z.
    func violation(_ w: [Scalar], _ z: [Scalar]) -> Double {
        let (gw, gb) = gradient(z)
        var worst = abs(Double(gb))
        for j in w.indices {
            let g = Double(gw[j])
            let v = w[j] > 0 ? abs(g + 1) : (w[j] < 0 ? abs(g - 1) : Swift.max(0, abs(g) - 1))
            worst = Swift.max(worst, v)
        }
        return worst
    }

    /// C/4 · λ_max(X̂ᵀX̂) by power iteration, X̂ = [X, 1].
    func lipschitzEstimate() -> Double {
        var v = [Scalar](repeating: 1, count: x.columns), vb: Scalar = 1
        var lambda = 1.0
        for _ in 0 ..< SparseLogisticRegression<Scalar>.powerIterations {
            let u = scores(v, vb)
            var av = [Scalar](repeating: 0, count: x.columns)
            BLAS.gemv(x, u, into: &av, transpose: true)
            let avb = u.reduce(Scalar(0), +)
            var norm = Double(avb) * Double(avb)
            for a in av { norm += Double(a) * Double(a) }
            norm = norm.squareRoot()
            guard norm > 0 else { break }
            lambda = norm  // ‖A v‖ with ‖v‖ = 1 after the first step
            v = av.map { Scalar(Double($0) / norm) }
            vb = Scalar(Double(avb) / norm)
        }
        return Swift.max(cost / 4 * lambda * SparseLogisticRegression<Scalar>.lipschitzSafety, 1e-12)
    }

    // Specialised for the pipeline's Float (and the tests' Double): unspecialised, every Scalar ↔ Double
    // conversion in the per-coordinate loops goes through generic witnesses (~20× slower, seen in perf).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    mutating func solve() -> SparseLogisticRegression<Scalar> {
        let d = x.columns
        var w = [Scalar](repeating: 0, count: d), b: Scalar = 0, z = scores(w, b)
        var objective = loss(z)
        var u = w, ub = b, zu = z, t = 1.0
        var lipschitz = lipschitzEstimate()
        var iterations = 0, converged = false
        var worst = violation(w, z)
        while iterations < options.maxIterations {
            if worst <= options.tolerance { converged = true; break }
            iterations += 1
            let gu = loss(zu)
            let (gw, gb) = gradient(zu)
            var wNew = w, bNew = b, zNew = z, gNew = 0.0
            // Slack for rounding in `Scalar` (z(u) is extrapolated, z(w⁺) recomputed), so a step of vanishing
            // length is always accepted; the doubling count is capped for the same reason.
            let slack = 64 * Double(Scalar.ulpOfOne) * Swift.max(1, abs(gu))
            for _ in 0 ..< ProximalGradientSolver.maxBacktracking {  // backtracking on L
                let step = 1 / lipschitz
                var distance2 = 0.0, linear = 0.0
                for j in 0 ..< d {
                    let v = Double(u[j]) - step * Double(gw[j])
                    let shrunk = v > step ? v - step : (v < -step ? v + step : 0)
                    wNew[j] = Scalar(shrunk)
                    let dj = Double(wNew[j]) - Double(u[j])
                    distance2 += dj * dj
                    linear += Double(gw[j]) * dj
                }
                bNew = Scalar(Double(ub) - step * Double(gb))
                let db = Double(bNew) - Double(ub)
                distance2 += db * db
                linear += Double(gb) * db
                zNew = scores(wNew, bNew)
                gNew = loss(zNew)
                if gNew <= gu + linear + lipschitz / 2 * distance2 + slack { break }
                lipschitz *= 2
            }
            let objectiveNew = gNew + wNew.reduce(0.0) { $0 + abs(Double($1)) }
            if objectiveNew > objective && t > 1 {  // adaptive restart: drop the momentum, retry from (w, b)
                t = 1
                u = w
                ub = b
                zu = z
                continue
            }
            let tNew = (1 + (1 + 4 * t * t).squareRoot()) / 2
            let beta = Scalar((t - 1) / tNew)
            for j in 0 ..< d { u[j] = wNew[j] + beta * (wNew[j] - w[j]) }
            ub = bNew + beta * (bNew - b)
            for i in zu.indices { zu[i] = zNew[i] + beta * (zNew[i] - z[i]) }
            w = wNew
            b = bNew
            z = zNew
            objective = objectiveNew
            t = tNew
            if iterations % SparseLogisticRegression<Scalar>.checkInterval == 0 { worst = violation(w, z) }
        }
        if !converged { worst = violation(w, z) }
        let nonZeros = w.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        let stats = SparseLogisticRegression<Scalar>.Statistics(
            iterations: iterations, converged: converged, objective: objective, optimalityViolation: worst,
            nonZeros: nonZeros, sparsity: d == 0 ? 0 : Double(d - nonZeros) / Double(d))
        return SparseLogisticRegression(weights: w, bias: b, statistics: stats)
    }
}
