import LinearAlgebra

/// A linear SVM with L2 regularisation and the hinge loss, trained by dual coordinate descent with shrinking.
///
/// Reference: C.-J. Hsieh, K.-W. Chang, C.-J. Lin, S. S. Keerthi, S. Sundararajan, "A Dual Coordinate Descent
/// Method for Large-scale Linear SVM", ICML 2008 — LIBLINEAR's `-s 3` (L2-regularised L1-loss SVC, dual).
///
/// **Model.** The bias is an extra constant feature of value B (`options.bias`, LIBLINEAR `-B 1`):
/// x̂_i = [x_i, B], ŵ = [w, w_B], f(x) = w·x + b with b = w_B·B. Labels y_i ∈ {−1, +1} (`true` = +1).
///
///     primal  P(ŵ) = ½‖ŵ‖² + C Σ_i max(0, 1 − y_i ŵ·x̂_i)
///     dual    D(α) = Σ_i α_i − ½‖ŵ(α)‖²,   ŵ(α) = Σ_i α_i y_i x̂_i,   0 ≤ α_i ≤ C
///
/// (the bias is regularised, as in LIBLINEAR). With `loss: .squaredHinge` (LIBLINEAR `-s 1`, L2-loss SVC, dual)
/// the loss is C Σ_i max(0, 1 − y_i ŵ·x̂_i)², the dual gains −Σ_i α_i²/(4C) and loses the upper bound
/// (0 ≤ α_i < ∞): the solver below is the same with Q_ii ← Q_ii + 1/(2C), G ← G + α_i/(2C) and U = ∞.
/// At the optimum P(ŵ*) = D(α*), and the KKT conditions read
/// α_i = 0 ⇒ y_i f(x_i) ≥ 1, 0 < α_i < C ⇒ y_i f(x_i) = 1, α_i = C ⇒ y_i f(x_i) ≤ 1.
///
/// **Algorithm.** With Q_ii = ‖x_i‖² + B², each coordinate step maximises D over α_i alone:
///
///     G   = y_i ŵ·x̂_i − 1                               (−∂D/∂α_i; one `dot` on row i)
///     PG  = G projected onto the box (0 if α_i = 0 and G > 0, or α_i = C and G < 0)
///     α_i ← min(max(α_i − G/Q_ii, 0), C);   ŵ ← ŵ + (α_i − α_i^old) y_i x̂_i   (one `axpy`)
///
/// Every outer iteration visits the active set in a fresh random order (`SeededRandom`, `options.seed`).
/// *Shrinking*: a variable at a bound whose gradient points outside the box by more than the previous
/// iteration's extreme projected gradient (PGmax_old / PGmin_old) is removed from the active set. Stopping:
/// when PGmax − PGmin ≤ ε (`options.tolerance`, 0.1 as in LIBLINEAR) on the active set; if variables had been
/// shrunk, the whole set is re-activated and checked once more before stopping.
///
/// **Shapes.** X: (N, D) row-major; labels: N; `weights`: D; `dualCoefficients` (α): N.
///
/// **Numerical notes.** ŵ, α and G are kept in `Scalar` (Float at scale); the objectives are accumulated in
/// Double. A coordinate whose |PG| ≤ `LinearSVM.stepThreshold` is not updated (as LIBLINEAR's 1e-12). A row with
/// Q_ii = 0 (x_i = 0 and B = 0) gets α_i = C in one step (G/0 = −∞) and never changes ŵ.
///
/// ```swift
/// let svm = try LinearSVM<Float>.train(x, labels: positives)      // C = 1, B = 1, ε = 0.1
/// let scores = svm.decisionValues(testX)                           // one GEMV
/// ```
public struct LinearSVM<Scalar: BLASScalar>: Sendable {
    public typealias Options = LinearSVMOptions

    /// w: D weights (without the bias).
    public let weights: [Scalar]
    /// b = w_B·B, the offset added to w·x.
    public let bias: Scalar
    /// α: N dual coefficients (empty for models that travelled through `OneVsRest`).
    public let dualCoefficients: [Scalar]
    /// Training statistics.
    public let statistics: SVMTrainingStatistics

    /// |PG| below which a coordinate is left unchanged.
    public static var stepThreshold: Scalar { Scalar(1e-12) }

    public init(weights: [Scalar], bias: Scalar, dualCoefficients: [Scalar] = [], statistics: SVMTrainingStatistics) {
        self.weights = weights
        self.bias = bias
        self.dualCoefficients = dualCoefficients
        self.statistics = statistics
    }

    /// f(x_q) = w·x_q + b for every row of X (Q, D): one GEMV.
    public func decisionValues(_ x: Matrix<Scalar>) -> [Scalar] {
        linearDecisionValues(x, weights: weights, bias: bias)
    }

    /// Trains on X (N, D) with `labels[i]` = true for y_i = +1.
    public static func train(_ x: Matrix<Scalar>, labels: [Bool], options: Options = Options()) throws -> LinearSVM {
        try options.validate()
        guard x.rows > 0 else { throw ClassifierError.emptyTrainingSet(what: "LinearSVM.train") }
        guard labels.count == x.rows else {
            throw ClassifierError.shapeMismatch(what: "LinearSVM.train: labels per row of X", expected: x.rows,
                                                got: labels.count)
        }
        var solver = DualCoordinateDescent<Scalar>(x: x, labels: labels, options: options)
        solver.solve()
        return solver.model()
    }
}

/// Options of `LinearSVM.train` (LIBLINEAR `-s 3` semantics and defaults).
public struct LinearSVMOptions: Sendable, Equatable {
    /// C > 0, the upper bound of every α_i (LIBLINEAR `-c`).
    public var cost: Double
    /// B ≥ 0, the value of the constant bias feature (LIBLINEAR `-B`); 0 trains without a bias.
    public var bias: Double
    /// ε > 0 on the projected-gradient gap PGmax − PGmin (LIBLINEAR `-e`, default 0.1).
    public var tolerance: Double
    /// Cap on outer iterations (passes over the active set); LIBLINEAR uses 1000.
    public var maxIterations: Int
    /// Whether bounded variables are shrunk from the active set.
    public var shrinking: Bool
    /// Seed of the per-iteration permutations.
    public var seed: UInt64
    /// Hinge (`-s 3`, the default) or squared hinge (`-s 1`).
    public var loss: SVMLoss

    public init(cost: Double = 1, bias: Double = 1, tolerance: Double = 0.1, maxIterations: Int = 1000,
                shrinking: Bool = true, seed: UInt64 = 1, loss: SVMLoss = .hinge) {
        self.loss = loss
        self.cost = cost
        self.bias = bias
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.shrinking = shrinking
        self.seed = seed
    }

    func validate() throws {
        try ClassifierError.checkLinear(cost: cost, bias: bias, tolerance: tolerance)
        guard maxIterations > 0 else {
            throw ClassifierError.invalidOption(name: "maxIterations", value: "\(maxIterations)", requirement: "> 0")
        }
    }
}

/// The loss of a linear SVM: max(0, 1 − yf) (LIBLINEAR `-s 3`) or max(0, 1 − yf)² (`-s 1`, `-s 2`).
public enum SVMLoss: String, Sendable, Equatable, CaseIterable {
    case hinge
    case squaredHinge = "squared-hinge"
}

/// What `LinearSVM.train` did.
public struct SVMTrainingStatistics: Sendable, Equatable {
    /// Outer iterations run.
    public var iterations: Int
    /// False when `maxIterations` stopped the solver before PGmax − PGmin ≤ ε.
    public var converged: Bool
    /// D(α) = Σα_i − ½‖ŵ‖² [− Σα_i²/(4C) for the squared hinge] (a lower bound of the primal optimum).
    public var dualObjective: Double
    /// P(ŵ) = ½‖ŵ‖² + C Σ loss(y_i ŵ·x̂_i) (an upper bound); P − D is the duality gap.
    public var primalObjective: Double
    /// Rows with α_i > 0.
    public var supportVectors: Int
    /// Rows with α_i = C.
    public var boundedSupportVectors: Int

    public init(iterations: Int, converged: Bool, dualObjective: Double, primalObjective: Double,
                supportVectors: Int, boundedSupportVectors: Int) {
        self.iterations = iterations
        self.converged = converged
        self.dualObjective = dualObjective
        self.primalObjective = primalObjective
        self.supportVectors = supportVectors
        self.boundedSupportVectors = boundedSupportVectors
    }
}
