import Core
import LinearAlgebra

/// The solver state of `LinearSVM.train` (see the maths there): α, ŵ = [w, w_B], Q_ii, the active set.
///
/// Data access follows VLFeat's abstraction: row i is touched only through `dot(ŵ, x̂_i)` and `ŵ += β x̂_i`,
/// implemented as CBLAS `dot`/`axpy` on the row slice of X (pointer arithmetic, no copy) plus the bias term.
struct DualCoordinateDescent<Scalar: BLASScalar> {
    let x: Matrix<Scalar>
    let y: [Scalar]                 // N labels ±1
    let options: LinearSVMOptions
    let upper: Scalar               // U: C (hinge) or ∞ (squared hinge)
    let shift: Scalar               // D_ii: 0 (hinge) or 1/(2C) (squared hinge)
    let biasFeature: Scalar         // B
    var alpha: [Scalar]             // N
    var w: [Scalar]                 // D
    var wBias: Scalar = 0           // w_B
    var diagonal: [Scalar]          // N: Q_ii = ‖x_i‖² + B²
    var iterations = 0
    var converged = false

    init(x: Matrix<Scalar>, labels: [Bool], options: LinearSVMOptions) {
        self.x = x
        self.y = labels.map { $0 ? 1 : -1 }
        self.options = options
        let squared = options.loss == .squaredHinge
        self.upper = squared ? .infinity : Scalar(options.cost)
        let shift: Scalar = squared ? Scalar(1 / (2 * options.cost)) : 0
        self.shift = shift
        self.biasFeature = Scalar(options.bias)
        self.alpha = [Scalar](repeating: 0, count: x.rows)
        self.w = [Scalar](repeating: 0, count: x.columns)
        let n = x.rows, d = x.columns, b2 = Scalar(options.bias * options.bias) + shift
        var q = [Scalar](repeating: 0, count: n)
        x.values.withUnsafeBufferPointer { px in
            for i in 0 ..< n {
                let row = px.baseAddress! + i * d
                q[i] = (d > 0 ? Scalar.dot(n: d, x: row, y: row) : 0) + b2
            }
        }
        self.diagonal = q
    }

    mutating func solve() {
        let n = x.rows, d = x.columns
        let c = upper, bf = biasFeature, shift = self.shift, threshold = LinearSVM<Scalar>.stepThreshold
        var rng = SeededRandom(seed: options.seed)
        var index = Array(0 ..< n)
        var activeSize = n
        var pgMaxOld = Scalar.infinity, pgMinOld = -Scalar.infinity
        // Locals, so the pointer scopes below do not overlap accesses to `self`.
        var alpha = self.alpha, w = self.w, wBias = self.wBias, iterations = 0, converged = false
        let y = self.y, diagonal = self.diagonal, options = self.options
        defer {
            self.alpha = alpha
            self.w = w
            self.wBias = wBias
            self.iterations = iterations
            self.converged = converged
        }
        x.values.withUnsafeBufferPointer { pxBuffer in
            let px = pxBuffer.baseAddress!
            w.withUnsafeMutableBufferPointer { pwBuffer in
                let pw = pwBuffer.baseAddress!
                while iterations < options.maxIterations {
                    var pgMaxNew = -Scalar.infinity, pgMinNew = Scalar.infinity
                    for s in 0 ..< activeSize {  // random permutation of the active set
                        let j = s + rng.bounded(activeSize - s)
                        if j != s { index.swapAt(s, j) }
                    }
                    var s = 0
                    while s < activeSize {
                        let i = index[s]
                        let row = px + i * d
                        let yi = y[i]
                        let ai = alpha[i]
                        let g = yi * ((d > 0 ? Scalar.dot(n: d, x: row, y: pw) : 0) + wBias * bf) - 1 + shift * ai
                        var pg: Scalar = 0
                        if ai == 0 {
                            if g > pgMaxOld && options.shrinking {
                                activeSize -= 1
                                index.swapAt(s, activeSize)
                                continue
                            }
                            if g < 0 { pg = g }
                        } else if ai == c {
                            if g < pgMinOld && options.shrinking {
                                activeSize -= 1
                                index.swapAt(s, activeSize)
                                continue
                            }
                            if g > 0 { pg = g }
                        } else {
                            pg = g
                        }
                        pgMaxNew = Swift.max(pgMaxNew, pg)
                        pgMinNew = Swift.min(pgMinNew, pg)
                        if abs(pg) > threshold {
                            let updated = Swift.min(Swift.max(ai - g / diagonal[i], 0), c)
                            alpha[i] = updated
                            let step = (updated - ai) * yi
                            if step != 0 {
                                if d > 0 { Scalar.axpy(n: d, alpha: step, x: row, y: pw) }
                                wBias += step * bf
                            }
                        }
                        s += 1
                    }
                    iterations += 1
                    if pgMaxNew - pgMinNew <= Scalar(options.tolerance) {
                        if activeSize == n {
                            converged = true
                            break
                        }
                        activeSize = n  // re-check every variable before stopping
                        pgMaxOld = .infinity
                        pgMinOld = -.infinity
                        continue
                    }
                    pgMaxOld = pgMaxNew <= 0 ? .infinity : pgMaxNew
                    pgMinOld = pgMinNew >= 0 ? -.infinity : pgMinNew
                }
            }
        }
    }

    /// The fitted model with both objectives (one GEMV over X for the primal losses).
    func model() -> LinearSVM<Scalar> {
        let bf = biasFeature
        let partial = LinearSVM(weights: w, bias: wBias * bf, statistics: SVMTrainingStatistics(
            iterations: 0, converged: false, dualObjective: 0, primalObjective: 0, supportVectors: 0,
            boundedSupportVectors: 0))
        let f = partial.decisionValues(x)
        var norm2 = Double(wBias) * Double(wBias)
        for v in w { norm2 += Double(v) * Double(v) }
        let squared = options.loss == .squaredHinge
        var alphaSum = 0.0, alphaSquares = 0.0, hinge = 0.0, support = 0, bounded = 0
        for i in 0 ..< x.rows {
            alphaSum += Double(alpha[i])
            alphaSquares += Double(alpha[i]) * Double(alpha[i])
            let margin = Swift.max(0, 1 - Double(y[i]) * Double(f[i]))
            hinge += squared ? margin * margin : margin
            if alpha[i] > 0 { support += 1 }
            if alpha[i] == upper { bounded += 1 }
        }
        let stats = SVMTrainingStatistics(
            iterations: iterations, converged: converged, dualObjective: alphaSum - 0.5 * norm2 - (squared ? alphaSquares / (4 * options.cost) : 0),
            primalObjective: 0.5 * norm2 + options.cost * hinge, supportVectors: support,
            boundedSupportVectors: bounded)
        return LinearSVM(weights: w, bias: wBias * bf, dualCoefficients: alpha, statistics: stats)
    }
}
