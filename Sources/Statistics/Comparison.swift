/// A method against a baseline over n paired runs (the same folds or seeds): the numbers a reviewer needs before
/// reading "method beats baseline".
///
///     d_i = method_i − baseline_i
///     difference = d̄ with its two-sided `level` interval d̄ ± t_{1−(1−level)/2, n−1} · s_d/√n   (`ConfidenceInterval`)
///     p_t = the paired t-test's two-sided p       (`PairedTTest`)
///     p_W = the Wilcoxon signed-rank test's p     (`WilcoxonSignedRank`)
///
///     verdict = wins                         if p_t < α, the interval excludes 0 and d̄ is in the better direction
///               loses                        if p_t < α, the interval excludes 0 and d̄ is in the worse direction
///               no significant difference    otherwise
///
/// With level = 1 − α the two conditions agree (the t interval excludes 0 exactly when p_t < α); asking for both
/// keeps the verdict honest when a caller picks a level and an α that do not match. The Wilcoxon p is reported
/// beside, not voted: with n ≤ 5 pairs it cannot fall below 0.0625, whatever the data.
///
/// ```swift
/// let c = try Comparison(baseline: baselineAccuracy, method: infusedAccuracy)   // α 0.05, 95 %
/// print(c.verdict)                                                              // "no significant difference"
/// ```
public struct Comparison: Sendable, Equatable {
    /// What the verdict says.
    public enum Verdict: String, Sendable, Equatable, CustomStringConvertible {
        case wins
        case loses
        case noSignificantDifference = "no significant difference"
        public var description: String { rawValue }
    }

    /// The default significance level, declared once: α = 0.05.
    public static let defaultAlpha = 0.05

    /// n, the number of pairs.
    public var count: Int { difference.count }
    /// The baseline's n values.
    public let baseline: Summary
    /// The method's n values.
    public let method: Summary
    /// d_i = method_i − baseline_i.
    public let difference: Summary
    /// The interval for d̄.
    public let interval: ConfidenceInterval
    public let pairedT: PairedTTest
    public let wilcoxon: WilcoxonSignedRank
    /// α.
    public let alpha: Double
    /// Whether larger scores are better (accuracy, F1) or smaller (loss, error, seconds).
    public let higherIsBetter: Bool
    public let verdict: Verdict

    /// Compares paired runs (n ≥ 2, equal lengths, finite) at `alpha` with a `level` interval.
    public init(baseline: [Double], method: [Double], alpha: Double = defaultAlpha,
                level: Double = ConfidenceInterval.defaultLevel, higherIsBetter: Bool = true) throws(StatisticsError) {
        guard alpha > 0 && alpha < 1 else {
            throw .invalidOption(name: "alpha", value: alpha, requirement: "strictly between 0 and 1 (0.05 for 5 %)")
        }
        let d = try pairedDifferences(baseline: baseline, method: method)
        self.baseline = try Summary(baseline, what: "baseline")
        self.method = try Summary(method, what: "method")
        difference = try Summary(d, what: "paired differences")
        interval = try ConfidenceInterval.mean(of: difference, level: level)
        pairedT = try PairedTTest(differences: d)
        wilcoxon = try WilcoxonSignedRank(baseline: baseline, method: method)
        self.alpha = alpha
        self.higherIsBetter = higherIsBetter
        if pairedT.pValue < alpha && interval.excludes(0) {
            verdict = (difference.mean > 0) == higherIsBetter ? .wins : .loses
        } else {
            verdict = .noSignificantDifference
        }
    }
}
