import LinearAlgebra

/// # Classifiers
///
/// The annotation models of the Fisher-vector / TagProp paper (Mensink et al., ImageCLEF 2010, §3–4):
///
/// | file | what |
/// | --- | --- |
/// | `LinearSVM.swift` | L2-regularised hinge-loss SVM, dual coordinate descent with shrinking (LIBLINEAR `-s 3`) |
/// | `OneVsRest.swift` | one SVM per concept, concepts split over ranks, models all-gathered |
/// | `SparseLogisticRegression.swift` | L1-regularised logistic regression (FISTA), the paper's SLR run |
/// | `Fusion.swift` | min-max score normalisation, late fusion (score average), early fusion (block concat) |
/// | `TagVocabulary.swift` | the tag modality: frequent-tag vocabulary, L2-normalised binary vectors |
/// | `NearestNeighbours.swift` | top-K by dot-product similarity for a slice of queries (GEMM + naive twin) |
/// | `TagProp*.swift` | rank-based, word-specific TagProp (Guillaumin et al. 2009) |
/// | `Metrics*.swift` | AP, mAP, AUC, EER, F-ex, accuracy, macro-F1, confusion matrix |
///
/// **Shape letters** (declared once for the module): N samples (training rows), Q queries (test rows or a
/// slice of them), D feature dimension, K concepts (labels, words W in TagProp), M similarity measures,
/// V tag-vocabulary size. TagProp's neighbour count is spelled out (`neighbours`). All matrices are row-major
/// `Matrix` values with samples as rows.
///
/// **Data abstraction** (VLFeat `svm.c`): the solvers touch training rows only through ⟨w, x_i⟩ and
/// w ← w + β·x_i (CBLAS `dot`/`axpy` on row slices, no copies), or through whole-matrix GEMV/GEMM.
///
/// This module imports neither MPI nor HDF5: distribution goes through `Communicator`.
public enum ClassifiersModule {}

/// w·x_q + b for every row of X (Q, D), one GEMV: the decision values of the linear models (`LinearSVM`,
/// `SparseLogisticRegression`).
func linearDecisionValues<Scalar: BLASScalar>(_ x: Matrix<Scalar>, weights: [Scalar], bias: Scalar) -> [Scalar] {
    precondition(x.columns == weights.count, "decisionValues: X has \(x.columns) columns, w has \(weights.count)")
    var values = [Scalar](repeating: bias, count: x.rows)
    BLAS.gemv(x, weights, into: &values, alpha: 1, beta: 1)
    return values
}

/// An N×K binary label matrix (sample i has concept k when `self[i, k]`), row-major.
public struct LabelMatrix: Sendable, Equatable {
    /// N, the number of samples.
    public let rows: Int
    /// K, the number of concepts.
    public let columns: Int
    /// N·K flags, row-major.
    public var values: [Bool]

    /// An N×K matrix over row-major flags (`values.count == rows * columns`).
    public init(rows: Int, columns: Int, values: [Bool]) {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns,
                     "LabelMatrix: \(values.count) flags for \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// Rows of flags, one array per sample (all of the same length).
    public init(_ rowArrays: [[Bool]]) {
        let k = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == k }, "LabelMatrix: rows of different lengths")
        self.init(rows: rowArrays.count, columns: k, values: rowArrays.flatMap { $0 })
    }

    /// From ±1 (or 0/1) integer labels, row-major N×K: positive when > 0 (the anchors' `.i32` files).
    public init<I: BinaryInteger>(rows: Int, columns: Int, signs: [I]) {
        self.init(rows: rows, columns: columns, values: signs.map { $0 > 0 })
    }

    public subscript(row: Int, column: Int) -> Bool {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// Column k: the N labels of concept k.
    public func column(_ k: Int) -> [Bool] { (0 ..< rows).map { values[$0 * columns + k] } }

    /// Row i: the K labels of sample i.
    public func row(_ i: Int) -> [Bool] { Array(values[(i * columns) ..< ((i + 1) * columns)]) }
}

/// Errors raised for bad input to the classifiers. Messages state the violated rule, the values, and a fix.
public enum ClassifierError: Error, CustomStringConvertible, Equatable {
    /// A training set with no rows.
    case emptyTrainingSet(what: String)
    /// Two inputs whose sizes must agree do not.
    case shapeMismatch(what: String, expected: Int, got: Int)
    /// An option outside its valid range.
    case invalidOption(name: String, value: String, requirement: String)

    public var description: String {
        switch self {
        case let .emptyTrainingSet(what):
            return "\(what): the training set has no rows; check the split or the shard given to this rank"
        case let .shapeMismatch(what, expected, got):
            return "\(what): expected \(expected), got \(got); the inputs must describe the same samples/features"
        case let .invalidOption(name, value, requirement):
            return "option \(name) = \(value) is invalid: it must be \(requirement)"
        }
    }
}

extension ClassifierError {
    /// The checks every L2-regularised linear classifier makes on its options: C finite and > 0, the bias feature
    /// B finite and ≥ 0, the stopping tolerance > 0.
    static func checkLinear(cost: Double, bias: Double, tolerance: Double) throws {
        guard cost > 0, cost.isFinite else {
            throw ClassifierError.invalidOption(name: "cost", value: "\(cost)", requirement: "finite and > 0")
        }
        guard bias >= 0, bias.isFinite else {
            throw ClassifierError.invalidOption(name: "bias", value: "\(bias)", requirement: "finite and ≥ 0")
        }
        guard tolerance > 0 else {
            throw ClassifierError.invalidOption(name: "tolerance", value: "\(tolerance)", requirement: "> 0")
        }
    }
}
