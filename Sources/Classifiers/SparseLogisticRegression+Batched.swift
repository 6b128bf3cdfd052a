import Foundation
import LinearAlgebra

/// Many sparse logistic regressions on the same X at once (one per concept of a one-vs-rest problem): the
/// FISTA of `SparseLogisticRegression` (maths in that type's doc comment), with each concept's iterate a column
/// of W (D, K), so the products of all concepts are two GEMMs per iteration instead of 2K GEMVs:
///
///     Z(U) = X·U + 1·u_bᵀ      (N, K)   scores at the extrapolated points
///     G    = C·Xᵀ·R            (D, K)   gradients, R_ic = −y_ic σ(−y_ic z_ic)
///     Z(W⁺) = X·W⁺ + 1·b⁺ᵀ     (N, K)   scores at the new iterates
///
/// Every concept keeps its own step 1/L_c, momentum t_c, adaptive restart and stopping test, exactly as the
/// single-concept solver; they only share the power-iteration estimate of λ_max(X̂ᵀX̂) that starts every L_c.
/// A concept whose sufficient-decrease test fails doubles its L_c and recomputes its own column (a GEMV), so
/// backtracking never slows the others. A concept that has converged is frozen (its column keeps its value;
/// the GEMMs still carry it, which costs less than compacting W every time one converges).
///
/// Shapes: X (N, D); labels K columns of N; the result one model per concept.
extension SparseLogisticRegression {
    /// Trains one model per column of `labels` (each N values, `true` = +1) on the same X.
    public static func trainAll(_ x: Matrix<Scalar>, labels: [[Bool]], options: Options = Options()) throws
        -> [SparseLogisticRegression] {
        try validate(options, rows: x.rows, caller: "trainAll")
        for column in labels where column.count != x.rows {
            throw ClassifierError.shapeMismatch(what: "SparseLogisticRegression.trainAll: labels per row of X",
                                                expected: x.rows, got: column.count)
        }
        guard !labels.isEmpty else { return [] }
        var solver = BatchedProximalGradientSolver(x: x, labels: labels, options: options)
        return solver.solve()
    }
}

/// The state of the batched FISTA; columns are concepts.
struct BatchedProximalGradientSolver<Scalar: BLASScalar> {
    let x: Matrix<Scalar>
    /// y (N, K) in {−1, +1}.
    let y: Matrix<Scalar>
    let cost: Double
    let options: SparseLogisticRegression<Scalar>.Options
    var k: Int { y.columns }

    init(x: Matrix<Scalar>, labels: [[Bool]], options: SparseLogisticRegression<Scalar>.Options) {
        self.x = x
        var y = Matrix<Scalar>(rows: x.rows, columns: labels.count)
        for (c, column) in labels.enumerated() { for i in 0 ..< x.rows { y[i, c] = column[i] ? 1 : -1 } }
        self.y = y
        cost = options.cost
        self.options = options
    }

    /// Z = X·W + 1·bᵀ (N, K).
    func scores(_ w: Matrix<Scalar>, _ b: [Scalar]) -> Matrix<Scalar> {
        var z = Matrix<Scalar>(rows: x.rows, columns: k)
        for i in 0 ..< x.rows { for c in 0 ..< k { z[i, c] = b[c] } }
        BLAS.gemm(x, w, into: &z, alpha: 1, beta: 1)
        return z
    }

    /// g_c = C Σ_i log(1 + exp(−y_ic z_ic)) for every concept.
    func losses(_ z: Matrix<Scalar>) -> [Double] {
        var sums = [Double](repeating: 0, count: k)
        for i in 0 ..< x.rows {
            for c in 0 ..< k {
                let u = -Double(y[i, c]) * Double(z[i, c])
                sums[c] += Swift.max(u, 0) + log1p(exp(-abs(u)))
            }
        }
        return sums.map { cost * $0 }
    }

    /// (∇_W g (D, K), ∇_b g (K)) at scores Z.
    func gradients(_ z: Matrix<Scalar>) -> (w: Matrix<Scalar>, b: [Scalar]) {
        var r = Matrix<Scalar>(rows: x.rows, columns: k)
        var rb = [Double](repeating: 0, count: k)
        for i in 0 ..< x.rows {
            for c in 0 ..< k {
                let yi = Double(y[i, c])
                let ri = -yi / (1 + exp(yi * Double(z[i, c])))
                r[i, c] = Scalar(ri)
                rb[c] += ri
            }
        }
        var g = Matrix<Scalar>(rows: x.columns, columns: k)
        BLAS.gemm(x, r, into: &g, transposeA: true, alpha: Scalar(cost))
        return (g, rb.map { Scalar(cost * $0) })
    }

    /// The largest violation of the L1 optimality conditions of each concept at (W, b) with scores Z.
    func violations(_ w: Matrix<Scalar>, _ z: Matrix<Scalar>) -> [Double] {
        let (gw, gb) = gradients(z)
        var worst = gb.map { abs(Double($0)) }
        for j in 0 ..< x.columns {
            for c in 0 ..< k {
                let g = Double(gw[j, c]), wj = w[j, c]
                let v = wj > 0 ? abs(g + 1) : (wj < 0 ? abs(g - 1) : Swift.max(0, abs(g) - 1))
                worst[c] = Swift.max(worst[c], v)
            }
        }
        return worst
    }

    /// Column c of W as an array, and its scores X·w + b (one GEMV): the backtracking path of one concept.
    func columnScores(_ w: Matrix<Scalar>, _ b: Scalar, column c: Int) -> [Scalar] {
        var v = [Scalar](repeating: 0, count: x.columns)
        for j in 0 ..< x.columns { v[j] = w[j, c] }
        var z = [Scalar](repeating: b, count: x.rows)
        BLAS.gemv(x, v, into: &z, alpha: 1, beta: 1)
        return z
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    mutating func solve() -> [SparseLogisticRegression<Scalar>] {
        let d = x.columns, n = x.rows
        let single = ProximalGradientSolver(x: x, labels: [Bool](repeating: true, count: n), options: options)
        var lipschitz = [Double](repeating: single.lipschitzEstimate(), count: k)  // shared by every concept
        var w = Matrix<Scalar>(rows: d, columns: k), b = [Scalar](repeating: 0, count: k)
        var z = scores(w, b)
        var objective = losses(z)
        var u = w, ub = b, zu = z
        var t = [Double](repeating: 1, count: k)
        var active = [Bool](repeating: true, count: k)
        var iterations = [Int](repeating: 0, count: k)
        var worst = violations(w, z)
        for c in 0 ..< k where worst[c] <= options.tolerance { active[c] = false }
        var iteration = 0
        while iteration < options.maxIterations && active.contains(true) {
            iteration += 1
            let gu = losses(zu)
            let (gw, gb) = gradients(zu)
            var wNew = w, bNew = b
            var distance2 = [Double](repeating: 0, count: k), linear = [Double](repeating: 0, count: k)
            // The proximal step of every active concept with its own L_c.
            func step(_ c: Int) {
                let s = 1 / lipschitz[c]
                distance2[c] = 0
                linear[c] = 0
                for j in 0 ..< d {
                    let v = Double(u[j, c]) - s * Double(gw[j, c])
                    wNew[j, c] = Scalar(v > s ? v - s : (v < -s ? v + s : 0))
                    let dj = Double(wNew[j, c]) - Double(u[j, c])
                    distance2[c] += dj * dj
                    linear[c] += Double(gw[j, c]) * dj
                }
                bNew[c] = Scalar(Double(ub[c]) - s * Double(gb[c]))
                let db = Double(bNew[c]) - Double(ub[c])
                distance2[c] += db * db
                linear[c] += Double(gb[c]) * db
            }
            for c in 0 ..< k where active[c] { step(c) }
            var zNew = scores(wNew, bNew)
            var gNew = losses(zNew)
            // Backtracking, per concept: double L_c and recompute that concept's column until g decreases enough.
            for c in 0 ..< k where active[c] {
                let slack = 64 * Double(Scalar.ulpOfOne) * Swift.max(1, abs(gu[c]))
                var tries = 0
                while gNew[c] > gu[c] + linear[c] + lipschitz[c] / 2 * distance2[c] + slack
                        && tries < ProximalGradientSolver<Scalar>.maxBacktracking {
                    lipschitz[c] *= 2
                    tries += 1
                    step(c)
                    let zc = columnScores(wNew, bNew[c], column: c)
                    var g = 0.0
                    for i in 0 ..< n {
                        zNew[i, c] = zc[i]
                        let v = -Double(y[i, c]) * Double(zc[i])
                        g += Swift.max(v, 0) + log1p(exp(-abs(v)))
                    }
                    gNew[c] = cost * g
                }
            }
            for c in 0 ..< k where active[c] {
                iterations[c] += 1
                var l1 = 0.0
                for j in 0 ..< d { l1 += abs(Double(wNew[j, c])) }
                let objectiveNew = gNew[c] + l1
                if objectiveNew > objective[c] && t[c] > 1 {  // adaptive restart: drop the momentum, retry
                    t[c] = 1
                    for j in 0 ..< d { u[j, c] = w[j, c] }
                    ub[c] = b[c]
                    for i in 0 ..< n { zu[i, c] = z[i, c] }
                    continue
                }
                let tNew = (1 + (1 + 4 * t[c] * t[c]).squareRoot()) / 2
                let beta = Scalar((t[c] - 1) / tNew)
                for j in 0 ..< d {
                    u[j, c] = wNew[j, c] + beta * (wNew[j, c] - w[j, c])
                    w[j, c] = wNew[j, c]
                }
                ub[c] = bNew[c] + beta * (bNew[c] - b[c])
                b[c] = bNew[c]
                for i in 0 ..< n {
                    zu[i, c] = zNew[i, c] + beta * (zNew[i, c] - z[i, c])
                    z[i, c] = zNew[i, c]
                }
                objective[c] = objectiveNew
                t[c] = tNew
            }
            if iteration % SparseLogisticRegression<Scalar>.checkInterval == 0 {
                let v = violations(w, z)
                for c in 0 ..< k where active[c] {
                    worst[c] = v[c]
                    if v[c] <= options.tolerance { active[c] = false }
                }
            }
        }
        let final = violations(w, z)
        return (0 ..< k).map { c in
            let weights = (0 ..< d).map { w[$0, c] }
            let nonZeros = weights.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
            let stats = SparseLogisticRegression<Scalar>.Statistics(
                iterations: iterations[c], converged: !active[c], objective: objective[c],
                optimalityViolation: active[c] ? final[c] : worst[c], nonZeros: nonZeros,
                sparsity: d == 0 ? 0 : Double(d - nonZeros) / Double(d))
            return SparseLogisticRegression(weights: weights, bias: b[c], statistics: stats)
        }
    }
}
