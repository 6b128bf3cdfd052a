import Foundation

/// The leave-one-out log-likelihood of `TagProp` and its gradients (maths in `TagProp`'s doc comment).
///
/// Neighbour lists are flattened into S = M·K_d *slots* per item: slot s = d·K_d + k holds the k-th neighbour
/// of the item under measure d, and carries the weight γ_s. Labels are binary, so with q_jw = ε + (1 − 2ε)y_jw
///
///     x_iw = Σ_s γ_s q_{n(i,s)w} = ε Σ_s γ_s + (1 − 2ε) Σ_{s : y_{n(i,s)w} = 1} γ_s
///
/// is accumulated over each neighbour's positive words only: O(N·S·(labels per image)), not O(N·S·W).
struct TagPropObjective {
    let items: Int                  // N (or Q) items being predicted
    let slots: Int                  // S
    let words: Int                  // W
    let neighbours: [Int]           // (items, S): training indices
    let positives: [[Int]]          // per training image j: the words w with y_jw = 1
    let targets: LabelMatrix?       // (items, W): t_iw, for the likelihood

    init(neighbours: [Int], slots: Int, trainingLabels: LabelMatrix, targets: LabelMatrix?) {
        self.items = slots == 0 ? 0 : neighbours.count / slots
        self.slots = slots
        self.words = trainingLabels.columns
        self.neighbours = neighbours
        self.positives = (0 ..< trainingLabels.rows).map { j in
            (0 ..< trainingLabels.columns).filter { trainingLabels[j, $0] }
        }
        self.targets = targets
    }

    /// x (items, W): the weighted neighbour predictions.
    func predictions(gamma: [Double]) -> [Double] {
        let epsilon = TagProp.epsilon
        let total = gamma.reduce(0, +)
        var x = [Double](repeating: epsilon * total, count: items * words)
        for i in 0 ..< items {
            for s in 0 ..< slots {
                let weight = (1 - 2 * epsilon) * gamma[s]
                for w in positives[neighbours[i * slots + s]] { x[i * words + w] += weight }
            }
        }
        return x
    }

    /// L = Σ_{i,w} t log σ(z) + (1 − t) log σ(−z), z = α_w x_iw + β_w (log σ evaluated stably).
    func logLikelihood(x: [Double], alpha: [Double], beta: [Double]) -> Double {
        logLikelihood(x: x, alpha: alpha, beta: beta, over: 0 ..< items)
    }

    /// The part of L from the items `range` (what `TagProp+Sharded` sums over blocks in order).
    func logLikelihood(x: [Double], alpha: [Double], beta: [Double], over range: Range<Int>) -> Double {
        guard let targets else { preconditionFailure("TagPropObjective: no targets") }
        var sum = 0.0
        for i in range {
            for w in 0 ..< words {
                let z = alpha[w] * x[i * words + w] + beta[w]
                sum += TagProp.logSigmoid(targets[i, w] ? z : -z)
            }
        }
        return sum
    }

    /// e_iw = ∂L/∂z_iw = t_iw − σ(z_iw).
    func residuals(x: [Double], alpha: [Double], beta: [Double]) -> [Double] {
        guard let targets else { preconditionFailure("TagPropObjective: no targets") }
        var e = [Double](repeating: 0, count: items * words)
        for i in 0 ..< items {
            for w in 0 ..< words {
                let z = alpha[w] * x[i * words + w] + beta[w]
                e[i * words + w] = (targets[i, w] ? 1 : 0) - TagProp.sigmoid(z)
            }
        }
        return e
    }

    /// ∂L/∂γ_s = Σ_i Σ_w e_iw α_w q_{n(i,s)w}
    ///         = Σ_i [ε Σ_w e_iw α_w + (1 − 2ε) Σ_{w ∈ pos(n(i,s))} e_iw α_w].
    func gammaGradient(x: [Double], alpha: [Double], beta: [Double]) -> [Double] {
        gammaGradient(x: x, alpha: alpha, beta: beta, over: 0 ..< items)
    }

    /// The part of ∂L/∂γ from the items `range`.
    func gammaGradient(x: [Double], alpha: [Double], beta: [Double], over range: Range<Int>) -> [Double] {
        guard let targets else { preconditionFailure("TagPropObjective: no targets") }
        let epsilon = TagProp.epsilon
        var g = [Double](repeating: 0, count: slots), e = [Double](repeating: 0, count: words)  // e: item i's residuals
        for i in range {
            for w in 0 ..< words { e[w] = (targets[i, w] ? 1 : 0) - TagProp.sigmoid(alpha[w] * x[i * words + w] + beta[w]) }
            var all = 0.0
            for w in 0 ..< words { all += e[w] * alpha[w] }
            for s in 0 ..< slots {
                var positive = 0.0
                for w in positives[neighbours[i * slots + s]] { positive += e[w] * alpha[w] }
                g[s] += epsilon * all + (1 - 2 * epsilon) * positive
            }
        }
        return g
    }

    /// (∂L/∂α_w, ∂L/∂β_w) = (Σ_i e_iw x_iw, Σ_i e_iw).
    func wordGradient(x: [Double], alpha: [Double], beta: [Double]) -> (alpha: [Double], beta: [Double]) {
        let e = residuals(x: x, alpha: alpha, beta: beta)
        var ga = [Double](repeating: 0, count: words), gb = ga
        for i in 0 ..< items {
            for w in 0 ..< words {
                ga[w] += e[i * words + w] * x[i * words + w]
                gb[w] += e[i * words + w]
            }
        }
        return (ga, gb)
    }

    /// Newton's method on word w's concave log-likelihood in (α_w, β_w), with step halving so it never
    /// decreases. Returns the new (α_w, β_w).
    func fitWord(_ w: Int, x: [Double], alpha a0: Double, beta b0: Double, iterations: Int) -> (Double, Double) {
        guard let targets else { preconditionFailure("TagPropObjective: no targets") }
        func value(_ a: Double, _ b: Double) -> Double {
            var sum = 0.0
            for i in 0 ..< items {
                let z = a * x[i * words + w] + b
                sum += TagProp.logSigmoid(targets[i, w] ? z : -z)
            }
            return sum
        }
        var a = a0, b = b0, current = value(a, b)
        for _ in 0 ..< iterations {
            var ga = 0.0, gb = 0.0, haa = 0.0, hab = 0.0, hbb = 0.0
            for i in 0 ..< items {
                let xi = x[i * words + w]
                let p = TagProp.sigmoid(a * xi + b)
                let e = (targets[i, w] ? 1 : 0) - p, s = p * (1 - p)
                ga += e * xi
                gb += e
                haa += s * xi * xi
                hab += s * xi
                hbb += s
            }
            // Solve (H + λI) Δ = g, with H the negated Hessian (positive semi-definite) and a small damping λ.
            let lambda = TagProp.newtonDamping * Swift.max(1, haa + hbb)
            let det = (haa + lambda) * (hbb + lambda) - hab * hab
            guard det > 0 else { break }
            var da = ((hbb + lambda) * ga - hab * gb) / det
            var db = ((haa + lambda) * gb - hab * ga) / det
            var accepted = false
            for _ in 0 ..< 30 {
                let candidate = value(a + da, b + db)
                if candidate >= current {
                    accepted = candidate > current
                    a += da
                    b += db
                    current = candidate
                    break
                }
                da /= 2
                db /= 2
            }
            if !accepted || abs(da) + abs(db) < TagProp.newtonTolerance { break }
        }
        return (a, b)
    }
}

/// Euclidean projection of v onto the simplex {γ ≥ 0, Σγ = 1} (Duchi et al. 2008, sort-based, O(S log S)).
func projectOntoSimplex(_ v: [Double]) -> [Double] {
    let u = v.sorted(by: >)
    var cumulative = 0.0, theta = 0.0
    for (j, value) in u.enumerated() {
        cumulative += value
        let candidate = (cumulative - 1) / Double(j + 1)
        if value - candidate > 0 { theta = candidate }
    }
    return v.map { Swift.max($0 - theta, 0) }
}
