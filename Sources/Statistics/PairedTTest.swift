/// The paired t-test (two-sided): do a method and a baseline, run on the same n folds or seeds, differ on average?
///
///     d_i = method_i − baseline_i                 (one difference per fold/seed; the pairing removes fold difficulty)
///     d̄ = (1/n) Σ d_i,   s_d = √(Σ (d_i − d̄)² / (n − 1))
///     t = d̄ / (s_d / √n),   ν = n − 1
///     p = P(|T_ν| ≥ |t|) = I_{ν/(ν+t²)}(ν/2, ½)     (`StudentT.twoSidedPValue`)
///
/// H0: the mean difference is 0. It assumes the d_i are independent and roughly normal; folds of one k-fold
/// split share training data, so p is somewhat optimistic (Dietterich 1998; Nadeau & Bengio 2003) — report it
/// with the Wilcoxon test and the interval, not alone.
///
/// Degenerate spreads (s_d = 0): every d_i equal to 0 gives t = 0/0; there is no evidence of a difference, and
/// p = 1, t = 0. Every d_i equal to the same c ≠ 0 gives t = ±∞ and p = 0 (the limit of the formula).
///
/// ```swift
/// let test = try PairedTTest(baseline: [1, 2, 3, 4, 5], method: [2, 4, 6, 8, 10])  // t 4.2426, p 0.01324
/// ```
public struct PairedTTest: Sendable, Equatable {
    /// n, the number of pairs.
    public let count: Int
    /// d̄.
    public let meanDifference: Double
    /// s_d.
    public let standardDeviation: Double
    /// t = d̄ / (s_d / √n).
    public let t: Double
    /// Two-sided p-value.
    public let pValue: Double

    /// ν = n − 1.
    public var degreesOfFreedom: Int { count - 1 }

    /// The test on paired values (n ≥ 2, equal lengths, finite).
    public init(baseline: [Double], method: [Double]) throws(StatisticsError) {
        try self.init(differences: pairedDifferences(baseline: baseline, method: method))
    }

    /// The test on the differences d_i = method_i − baseline_i.
    public init(differences d: [Double]) throws(StatisticsError) {
        let summary = try Summary(d, what: "paired differences")
        count = summary.count
        meanDifference = summary.mean
        standardDeviation = summary.standardDeviation
        if summary.standardDeviation == 0 {
            t = summary.mean == 0 ? 0 : (summary.mean > 0 ? .infinity : -.infinity)
            pValue = summary.mean == 0 ? 1 : 0
        } else {
            t = summary.mean / summary.standardError
            pValue = StudentT(degreesOfFreedom: Double(count - 1)).twoSidedPValue(t)
        }
    }
}

/// d_i = method_i − baseline_i, checking that the runs pair up and are finite.
func pairedDifferences(baseline: [Double], method: [Double]) throws(StatisticsError) -> [Double] {
    guard baseline.count == method.count else { throw .lengthMismatch(baseline: baseline.count, method: method.count) }
    if let bad = baseline.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(what: "baseline", index: bad) }
    if let bad = method.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(what: "method", index: bad) }
    return zip(method, baseline).map { $0 - $1 }
}
