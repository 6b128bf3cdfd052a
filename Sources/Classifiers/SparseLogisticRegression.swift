import Foundation
import LinearAlgebra

/// Sparse logistic regression: logistic loss with an L1 (Laplacian) prior, the paper's SLR late-fusion run
/// (Krishnapuram et al. 2005), trained by FISTA with backtracking and adaptive restart.
///
/// References: A. Beck, M. Teboulle, "A Fast Iterative Shrinkage-Thresholding Algorithm for Linear Inverse
/// Problems", SIAM J. Imaging Sciences 2009; B. O'Donoghue, E. Candès, "Adaptive Restart for Accelerated
/// Gradient Schemes", 2015.
///
/// **Model.** y_i ∈ {−1, +1} (`true` = +1), z_i = w·x_i + b, p(y = +1 | x) = σ(w·x + b), and
///
///     F(w, b) = ‖w‖₁ + g(w, b),   g(w, b) = C Σ_i log(1 + exp(−y_i z_i))     (b is not penalised)
///     ∇_w g = C Xᵀ r,  ∇_b g = C Σ_i r_i,   r_i = −y_i σ(−y_i z_i)
///
/// **Algorithm.** With a step 1/L (L ≥ the local Lipschitz constant of ∇g, started from C/4·λ_max(X̂ᵀX̂),
/// X̂ = [X, 1], by power iteration, and doubled by backtracking until
/// g(u⁺) ≤ g(u) + ∇g·(u⁺ − u) + L/2‖u⁺ − u‖²):
///
///     w⁺ = S_{1/L}(u_w − ∇_w g(u)/L),  b⁺ = u_b − ∇_b g(u)/L,   S_τ(v) = sign(v) max(|v| − τ, 0)
///     t⁺ = (1 + √(1 + 4t²))/2,   u ← (w⁺, b⁺) + ((t − 1)/t⁺)((w⁺, b⁺) − (w, b))
///
/// and the momentum is reset (t = 1, u = current iterate) whenever F would increase. Since z is linear in
/// (w, b), z(u) is extrapolated like u, so each iteration costs one GEMV (X w⁺) and one transposed GEMV (Xᵀ r).
///
/// **Optimality** (subgradient conditions of the L1 prior), checked every `checkInterval` iterations:
/// w_j ≠ 0 ⇒ ∇_j g = −sign(w_j); w_j = 0 ⇒ |∇_j g| ≤ 1; ∇_b g = 0. The violation is the largest deviation;
/// training stops when it is ≤ `tolerance` (absolute, in units of the prior's weight 1).
///
/// **Shapes.** X: (N, D) row-major; labels: N; `weights`: D.
///
/// **Numerical notes.** log(1 + e^u) is evaluated as max(u, 0) + log1p(e^−|u|); objectives accumulate in
/// Double; the power iteration runs `powerIterations` steps and its estimate is multiplied by
/// `lipschitzSafety` (backtracking corrects an underestimate).
public struct SparseLogisticRegression<Scalar: BLASScalar>: Sendable {
    /// w: D weights (sparse: many exact zeros).
    public let weights: [Scalar]
    /// b, the unpenalised offset.
    public let bias: Scalar
    /// What training did.
    public let statistics: Statistics

    public static var powerIterations: Int { 30 }
    public static var lipschitzSafety: Double { 1.05 }
    public static var checkInterval: Int { 10 }

    public struct Options: Sendable, Equatable {
        /// C > 0: the weight of the data term; smaller C ⇒ sparser w.
        public var cost: Double
        /// Stop when the subgradient-optimality violation is ≤ this.
        public var tolerance: Double
        public var maxIterations: Int

        public init(cost: Double = 1, tolerance: Double = 1e-3, maxIterations: Int = 5000) {
            self.cost = cost
            self.tolerance = tolerance
            self.maxIterations = maxIterations
        }
    }

    public struct Statistics: Sendable, Equatable {
        public var iterations: Int
        public var converged: Bool
        /// F(w, b) at the returned model.
        public var objective: Double
        /// The largest violation of the optimality conditions at the returned model.
        public var optimalityViolation: Double
        /// The number of w_j ≠ 0.
        public var nonZeros: Int
        /// The fraction of w_j = 0.
        public var sparsity: Double
    }

    public init(weights: [Scalar], bias: Scalar, statistics: Statistics) {
        self.weights = weights
        self.bias = bias
        self.statistics = statistics
    }

    /// z = X w + b for every row of X (Q, D): one GEMV (raw scores, the fusion input).
    public func decisionValues(_ x: Matrix<Scalar>) -> [Scalar] {
        linearDecisionValues(x, weights: weights, bias: bias)
    }

    /// p(y = +1 | x_q) = σ(z_q).
    public func probabilities(_ x: Matrix<Scalar>) -> [Scalar] {
        decisionValues(x).map { Scalar(1 / (1 + exp(-Double($0)))) }
    }

    /// Throws unless C is finite and positive, the iteration cap positive and X has rows.
    static func validate(_ options: Options, rows: Int, caller: String) throws {
        guard options.cost > 0, options.cost.isFinite else {
            throw ClassifierError.invalidOption(name: "cost", value: "\(options.cost)", requirement: "finite and > 0")
        }
        guard options.maxIterations > 0 else {
            throw ClassifierError.invalidOption(name: "maxIterations", value: "\(options.maxIterations)",
                                                requirement: "> 0")
        }
        guard rows > 0 else { throw ClassifierError.emptyTrainingSet(what: "SparseLogisticRegression.\(caller)") }
    }

    /// Trains on X (N, D) with `labels[i]` = true for y_i = +1.
    public static func train(_ x: Matrix<Scalar>, labels: [Bool], options: Options = Options()) throws
        -> SparseLogisticRegression {
        try validate(options, rows: x.rows, caller: "train")
        guard labels.count == x.rows else {
            throw ClassifierError.shapeMismatch(what: "SparseLogisticRegression.train: labels per row of X",
                                                expected: x.rows, got: labels.count)
        }
        var solver = ProximalGradientSolver(x: x, labels: labels, options: options)
        return solver.solve()
    }
}
