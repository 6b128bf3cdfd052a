import LinearAlgebra

/// Encoding: PCA, k-means, diagonal Gaussian mixtures fitted by EM, Fisher vectors and spatial pyramids.
///
/// Shape letters used throughout this module (declared once, here):
///
/// | letter | meaning |
/// | --- | --- |
/// | N | rows (descriptors) a model is fitted on, over all ranks |
/// | n | rows in one block or one rank's shard |
/// | D | descriptor dimension (after PCA: d, default 64) |
/// | M | mixture components / k-means clusters (the style guide's K) |
/// | T | descriptors in one image (or one pyramid region) |
///
/// All buffers are row-major `Matrix` values with samples as rows (see `LinearAlgebra.Matrix`).
///
/// **Determinism.** Every statistic that is summed over rows (PCA mean and covariance, EM sufficient statistics,
/// the log-likelihood) goes through `OrderedReduction`, so a fit is bit-identical for any number of ranks.
/// Sampling (PCA/GMM training rows, k-means++ seeding) uses `SeededRandom` on global indices, identically on
/// every rank.
public enum EncodingError: Error, CustomStringConvertible, Equatable {
    /// Too few rows for the requested model.
    case tooFewRows(what: String, rows: Int, needed: Int)
    /// A buffer's dimension disagrees with the model's.
    case dimensionMismatch(what: String, expected: Int, got: Int)
    /// A hyper-parameter outside its valid range.
    case invalidParameter(name: String, value: String, rule: String)
    /// The data contains NaN or infinity.
    case nonFinite(what: String)

    public var description: String {
        switch self {
        case let .tooFewRows(what, rows, needed):
            return "\(what): \(rows) rows, need at least \(needed); extract more descriptors or lower the model size"
        case let .dimensionMismatch(what, expected, got):
            return "\(what): dimension \(got), expected \(expected); were the descriptors projected with the same PCA?"
        case let .invalidParameter(name, value, rule):
            return "\(name) = \(value) is invalid: \(rule)"
        case let .nonFinite(what):
            return "\(what) contains NaN or infinity; check the descriptors for NaN/Inf values"
        }
    }
}
