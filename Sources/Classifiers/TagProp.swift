import Foundation
import LinearAlgebra

/// TagProp: a weighted nearest-neighbour annotation model with rank-based weights over several similarity
/// measures and word-specific logistic discriminants (paper §3).
///
/// Reference: M. Guillaumin, T. Mensink, J. Verbeek, C. Schmid, "TagProp: Discriminative Metric Learning in
/// Nearest Neighbor Models for Image Auto-Annotation", ICCV 2009; Verbeek et al., MIR 2010 (rank-based, MIR Flickr).
///
/// **Model.** For image i and word w (y_jw ∈ {0, 1} the training labels of image j):
///
///     q_jw  = 1 − ε if y_jw = 1, else ε                                  (paper eq. 6, ε = `epsilon` = 1e-5)
///     x_iw  = Σ_{d=1}^{M} Σ_{k=1}^{K_d} γ_dk q_{n_d(i,k) w}                 (eqs. 5, 9)
///     p(y_iw = 1) = σ(α_w x_iw + β_w)                                    (eq. 8)
///
/// where n_d(i, k) is the k-th nearest training image of i under similarity measure d and K_d = ⌈K/M⌉
/// (K = `neighbours`, 1000 in the paper; an image may appear under several measures). The rank weights obey
/// γ_dk ≥ 0 and Σ_{d,k} γ_dk = 1 (so Σ_j π_ij = 1).
///
/// **Training** maximises the leave-one-out log-likelihood over the N training images (each image excluded from
/// its own neighbours, π_ii = 0: pass neighbour lists from `NearestNeighbours.leaveOneOut`)
///
///     L(γ, α, β) = Σ_{i,w} [t_iw log σ(z_iw) + (1 − t_iw) log σ(−z_iw)],   z_iw = α_w x_iw + β_w
///     ∂L/∂γ_dk = Σ_{i,w} (t_iw − σ(z_iw)) α_w q_{n_d(i,k) w}
///     ∂L/∂α_w = Σ_i (t_iw − σ(z_iw)) x_iw,   ∂L/∂β_w = Σ_i (t_iw − σ(z_iw))
///
/// alternating (`alternations` rounds, ~3 in the paper): (1) per word, Newton on the concave L in (α_w, β_w)
/// for fixed γ; (2) `gammaIterations` steps of projected gradient ascent on γ over the simplex, with an
/// Armijo backtracking step (so L never decreases). Start: γ uniform, α_w = 1, β_w = 0.
///
/// **Shapes.** training labels: (N, W); neighbours: M lists of (N, ≥ K_d) (training) or (Q, ≥ K_d) (queries);
/// `gamma`: (M, K_d) row-major; `alpha`, `beta`: W; `predict`: (Q, W) probabilities.
///
/// **Numerical notes.** log σ(z) = −log(1 + e^{−z}) is evaluated stably, so training uses the exact L and its
/// exact gradients; reported probabilities are clamped to [ε, 1 − ε] (never exactly 0 or 1). Newton steps use a
/// relative damping `newtonDamping` and stop below `newtonTolerance`.
public struct TagProp: Sendable {
    /// M, the number of similarity measures.
    public let measures: Int
    /// K_d = ⌈K/M⌉, neighbours used per measure.
    public let neighboursPerMeasure: Int
    /// γ: (M, K_d) rank weights, γ ≥ 0, Σγ = 1.
    public let gamma: [Double]
    /// α_w, W word-specific slopes.
    public let alpha: [Double]
    /// β_w, W word-specific offsets.
    public let beta: [Double]
    /// L after the initial fit and after each half-step (Newton on (α, β), then γ), non-decreasing.
    public let logLikelihoodHistory: [Double]

    public static var epsilon: Double { 1e-5 }
    public static var newtonDamping: Double { 1e-9 }
    public static var newtonTolerance: Double { 1e-10 }
    /// Armijo sufficient-increase constant of the γ line search.
    public static var armijo: Double { 1e-4 }

    public struct Options: Sendable, Equatable {
        /// K, the total number of neighbours (split as ⌈K/M⌉ per measure).
        public var neighbours: Int
        /// Rounds of (α, β)-then-γ optimisation.
        public var alternations: Int
        /// Projected-gradient steps on γ per round.
        public var gammaIterations: Int
        /// Newton iterations per word per round.
        public var newtonIterations: Int

        public init(neighbours: Int = 1000, alternations: Int = 3, gammaIterations: Int = 20, newtonIterations: Int = 25) {
            self.neighbours = neighbours
            self.alternations = alternations
            self.gammaIterations = gammaIterations
            self.newtonIterations = newtonIterations
        }
    }

    public init(measures: Int, neighboursPerMeasure: Int, gamma: [Double], alpha: [Double], beta: [Double],
                logLikelihoodHistory: [Double] = []) {
        precondition(gamma.count == measures * neighboursPerMeasure && alpha.count == beta.count,
                     "TagProp: γ has \(gamma.count) values for \(measures)×\(neighboursPerMeasure); "
                        + "\(alpha.count) α, \(beta.count) β")
        self.measures = measures
        self.neighboursPerMeasure = neighboursPerMeasure
        self.gamma = gamma
        self.alpha = alpha
        self.beta = beta
        self.logLikelihoodHistory = logLikelihoodHistory
    }

    /// K_d = ⌈K/M⌉.
    public static func neighboursPerMeasure(total k: Int, measures m: Int) -> Int { (k + m - 1) / m }

    /// Trains on the leave-one-out neighbour lists of the N training images (one `Neighbours` per measure) and
    /// their labels (N, W).
    public static func train(neighbours: [Neighbours], labels: LabelMatrix, options: Options = Options()) throws -> TagProp {
        guard labels.rows > 0 else { throw ClassifierError.emptyTrainingSet(what: "TagProp.train") }
        guard options.alternations >= 1, options.gammaIterations >= 0, options.newtonIterations >= 1 else {
            throw ClassifierError.invalidOption(name: "alternations/gammaIterations/newtonIterations",
                                                value: [options.alternations, options.gammaIterations,
                                                        options.newtonIterations].map(String.init).joined(separator: "/"),
                                                requirement: "≥ 1 / ≥ 0 / ≥ 1")
        }
        let kd = try checkedNeighboursPerMeasure(neighbours, items: labels.rows, total: options.neighbours,
                                                 trainingItems: labels.rows)
        let slots = neighbours.count * kd
        let objective = TagPropObjective(neighbours: flatten(neighbours, perMeasure: kd), slots: slots,
                                         trainingLabels: labels, targets: labels)
        var gamma = [Double](repeating: 1 / Double(slots), count: slots)
        var alpha = [Double](repeating: 1, count: labels.columns), beta = [Double](repeating: 0, count: labels.columns)
        var x = objective.predictions(gamma: gamma)
        var history = [objective.logLikelihood(x: x, alpha: alpha, beta: beta)]
        for _ in 0 ..< options.alternations {
            for w in 0 ..< labels.columns {
                (alpha[w], beta[w]) = objective.fitWord(w, x: x, alpha: alpha[w], beta: beta[w],
                                                        iterations: options.newtonIterations)
            }
            var current = objective.logLikelihood(x: x, alpha: alpha, beta: beta)
            history.append(current)
            Self.ascendGamma(&gamma, x: &x, current: &current, iterations: options.gammaIterations,
                                 predictions: objective.predictions(gamma:),
                                 value: { objective.logLikelihood(x: $0, alpha: alpha, beta: beta) },
                                 gradient: { objective.gammaGradient(x: $0, alpha: alpha, beta: beta) })
            history.append(current)
        }
        return TagProp(measures: neighbours.count, neighboursPerMeasure: kd, gamma: gamma, alpha: alpha, beta: beta,
                       logLikelihoodHistory: history)
    }

    /// p(y_qw = 1) for Q query images given their neighbours among the N training images (one `Neighbours` per
    /// measure, in training order, at least K_d each) and the training labels (N, W). Clamped to [ε, 1 − ε].
    public func predict(neighbours: [Neighbours], trainingLabels: LabelMatrix) throws -> Matrix<Float> {
        guard neighbours.count == measures else {
            throw ClassifierError.shapeMismatch(what: "TagProp.predict: similarity measures", expected: measures,
                                                got: neighbours.count)
        }
        guard trainingLabels.columns == alpha.count else {
            throw ClassifierError.shapeMismatch(what: "TagProp.predict: words", expected: alpha.count,
                                                got: trainingLabels.columns)
        }
        let q = neighbours.first?.queries ?? 0
        _ = try Self.checkedNeighboursPerMeasure(neighbours, items: q, total: measures * neighboursPerMeasure,
                                                 trainingItems: trainingLabels.rows)
        let objective = TagPropObjective(neighbours: Self.flatten(neighbours, perMeasure: neighboursPerMeasure),
                                         slots: measures * neighboursPerMeasure, trainingLabels: trainingLabels,
                                         targets: nil)
        let x = objective.predictions(gamma: gamma)
        let words = alpha.count, eps = Self.epsilon
        var p = Matrix<Float>(rows: q, columns: words)
        for i in 0 ..< q {
            for w in 0 ..< words {
                p[i, w] = Float(Swift.min(Swift.max(Self.sigmoid(alpha[w] * x[i * words + w] + beta[w]), eps), 1 - eps))
            }
        }
        return p
    }

    static func checkedNeighboursPerMeasure(_ lists: [Neighbours], items: Int, total: Int,
                                            trainingItems: Int) throws -> Int {
        guard !lists.isEmpty else {
            throw ClassifierError.invalidOption(name: "neighbours", value: "[]",
                                                requirement: "at least one similarity measure")
        }
        guard total >= lists.count else {
            throw ClassifierError.invalidOption(name: "neighbours", value: "\(total)",
                                                requirement: "≥ the number of measures (\(lists.count))")
        }
        let kd = neighboursPerMeasure(total: total, measures: lists.count)
        for list in lists {
            guard list.queries == items else {
                throw ClassifierError.shapeMismatch(what: "TagProp: neighbour lists per image", expected: items,
                                                    got: list.queries)
            }
            guard list.count >= kd else {
                throw ClassifierError.invalidOption(name: "neighbours", value: "\(list.count) per measure",
                                                    requirement: "≥ ⌈K/M⌉ = \(kd); search more neighbours")
            }
            guard list.indices.allSatisfy({ (0 ..< trainingItems).contains($0) }) else {
                throw ClassifierError.shapeMismatch(what: "TagProp: neighbour indices must be training rows; training rows",
                                                    expected: trainingItems, got: (list.indices.max() ?? 0) + 1)
            }
        }
        return kd
    }

    /// (items, M·K_d) slots: measure d's first K_d neighbours at columns d·K_d ..< (d+1)·K_d.
    static func flatten(_ lists: [Neighbours], perMeasure kd: Int) -> [Int] {
        let items = lists.first?.queries ?? 0
        var out = [Int](repeating: 0, count: items * lists.count * kd)
        for i in 0 ..< items {
            for (d, list) in lists.enumerated() {
                for k in 0 ..< kd { out[(i * lists.count + d) * kd + k] = list.indices[i * list.count + k] }
            }
        }
        return out
    }

    static func sigmoid(_ z: Double) -> Double { z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z)) }

    /// log σ(z) = −log(1 + e^{−z}), stable for large |z|.
    static func logSigmoid(_ z: Double) -> Double { z >= 0 ? -log1p(exp(-z)) : z - log1p(exp(z)) }
}

extension TagProp {
    /// The γ step of one alternation (α, β fixed): projected gradient ascent on the simplex, ℓ(γ) up by Armijo
    /// backtracking along the projection arc (up to 40 halvings), the first step of length ~1/‖∇ℓ‖, doubled
    /// after each accepted step; stops early when no step increases ℓ. `value(x)` is ℓ and `gradient(x)` is
    /// ∂ℓ/∂γ at the predictions x; the single-process and the sharded fit pass their own (summed) versions.
    static func ascendGamma(_ gamma: inout [Double], x: inout [Double], current: inout Double, iterations: Int,
                            predictions: ([Double]) -> [Double], value: ([Double]) throws -> Double,
                            gradient: ([Double]) throws -> [Double]) rethrows {
        var step = 0.0  // set from the first gradient: a move of length ~1
        for _ in 0 ..< iterations {
            let g = try gradient(x)
            let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { break }
            if step == 0 { step = 1 / norm }
            var moved = false
            for _ in 0 ..< 40 {  // Armijo backtracking along the projection arc
                let candidate = projectOntoSimplex(zip(gamma, g).map { $0 + step * $1 })
                let xc = predictions(candidate)
                let v = try value(xc)
                let increase = zip(candidate, zip(gamma, g)).reduce(0.0) { $0 + ($1.0 - $1.1.0) * $1.1.1 }
                if v >= current + armijo * increase && v >= current {
                    moved = v > current
                    gamma = candidate
                    x = xc
                    current = v
                    step *= 2
                    break
                }
                step /= 2
            }
            if !moved { break }
        }
    }
}
