import Foundation

/// The Wilcoxon signed-rank test (two-sided; Wilcoxon 1945): a paired test on the ranks of the differences, which
/// does not assume they are normal.
///
///     d_i = method_i − baseline_i;  the zero differences are dropped (Wilcoxon's original treatment, scipy's
///         `zero_method="wilcox"`); n = the number left
///     R_i = the rank of |d_i| among the n, 1 … n; tied |d| share their average rank (ranks 3 and 4 → 3.5 each)
///     W+ = Σ_{d_i > 0} R_i,   W− = Σ_{d_i < 0} R_i,   W+ + W− = n(n + 1)/2
///
/// Under H0 (the d_i symmetric about 0) each of the 2^n sign patterns of the ranks is equally likely.
///
/// **Exact** (n ≤ `exactLimit` = 25): the null distribution of W+ is counted by dynamic programming over the
/// ranks, on doubled ranks 2R_i (integers even with average ranks):
///
///     N_0(s) = [s = 0],   N_k(s) = N_{k−1}(s) + N_{k−1}(s − 2R_k)       (subsets of the first k ranks summing to s)
///     p = min(1, 2 · min(P(W+ ≤ w), P(W+ ≥ w))),   P(W+ ≤ w) = Σ_{s ≤ 2w} N_n(s) / 2^n
///
/// With ties this is the exact distribution given the observed ranks (a permutation test), not the tie-free
/// table; without ties it is the classical table (n = 5, W+ = 15: p = 2/32 = 0.0625).
///
/// **Normal approximation** (n > 25), with the tie and continuity corrections:
///
///     μ = n(n + 1)/4,   σ² = n(n + 1)(2n + 1)/24 − Σ_g (t_g³ − t_g)/48      (t_g = the size of tie group g)
///     z = max(0, |W+ − μ| − ½) / σ,   p = erfc(z / √2) = 2(1 − Φ(z))
///
/// No differences left (every d_i = 0): no evidence either way, p = 1.
///
/// Numerical notes: scores given to two decimals are not exact in binary, so 97.30 − 98.65 and 93.24 − 94.59
/// differ in the 15th digit; |d| within `tolerance` of each other are tied and |d| ≤ `tolerance` are zero. The
/// paired initialiser sets tolerance = 1e-9 · max(|baseline_i|, |method_i|) (`relativeTolerance`), far below any
/// real difference of reported scores and far above the rounding error. N(s) ≤ 2^25 are exact in a Double.
///
/// ```swift
/// let w = try WilcoxonSignedRank(baseline: [1, 2, 3, 4, 5], method: [2, 4, 6, 8, 10])  // W+ 15, p 0.0625 (exact)
/// ```
public struct WilcoxonSignedRank: Sendable, Equatable {
    /// How the p-value was computed.
    public enum Method: String, Sendable, Equatable {
        case exact
        case normalApproximation = "normal approximation"
    }

    /// Up to this many non-zero differences the p-value is exact.
    public static let exactLimit = 25
    /// The paired initialiser's tie/zero tolerance, relative to the largest |input|.
    public static let relativeTolerance = 1e-9

    /// n: the non-zero differences ranked.
    public let count: Int
    /// The zero differences dropped.
    public let zeros: Int
    /// W+ (sum of the ranks of positive differences).
    public let plusRankSum: Double
    /// W−.
    public let minusRankSum: Double
    /// Two-sided p-value.
    public let pValue: Double
    public let method: Method

    /// The test on paired values (equal lengths, finite; n = 0 after dropping zeros gives p = 1).
    public init(baseline: [Double], method: [Double]) throws(StatisticsError) {
        let d = try pairedDifferences(baseline: baseline, method: method)
        let scale = (baseline + method).reduce(0) { max($0, abs($1)) }
        self.init(differences: d, tolerance: Self.relativeTolerance * scale)
    }

    /// The test on differences d_i; |d| within `tolerance` are tied, |d| ≤ `tolerance` are zero.
    public init(differences d: [Double], tolerance: Double = 0) {
        precondition(d.allSatisfy(\.isFinite) && tolerance >= 0, "WilcoxonSignedRank: non-finite differences or tolerance")
        let kept = d.filter { abs($0) > tolerance }
        zeros = d.count - kept.count
        count = kept.count
        let (ranks, tieSizes) = Self.averageRanks(kept.map(abs), tolerance: tolerance)
        var plus = 0.0
        for (x, r) in zip(kept, ranks) where x > 0 { plus += r }
        plusRankSum = plus
        minusRankSum = Double(count * (count + 1)) / 2 - plus
        if count == 0 {
            pValue = 1
            method = .exact
        } else if count <= Self.exactLimit {
            pValue = Self.exactPValue(ranks: ranks, plusRankSum: plus)
            method = .exact
        } else {
            pValue = Self.normalPValue(count: count, tieSizes: tieSizes, plusRankSum: plus)
            method = .normalApproximation
        }
    }

    /// Average ranks (1-based) of `a` and the sizes of its tie groups; a group is every value within
    /// `tolerance` of its smallest member.
    static func averageRanks(_ a: [Double], tolerance: Double) -> (ranks: [Double], tieSizes: [Int]) {
        let order = a.indices.sorted { a[$0] < a[$1] }
        var ranks = [Double](repeating: 0, count: a.count), sizes: [Int] = []
        var first = 0
        while first < order.count {
            var last = first
            while last + 1 < order.count && a[order[last + 1]] - a[order[first]] <= tolerance { last += 1 }
            let average = Double(first + last + 2) / 2  // ranks first+1 … last+1
            for k in first ... last { ranks[order[k]] = average }
            sizes.append(last - first + 1)
            first = last + 1
        }
        return (ranks, sizes)
    }

    /// 2·min(P(W+ ≤ w), P(W+ ≥ w)) under the 2^n equally likely sign patterns, by the subset-sum recurrence on
    /// doubled ranks.
    static func exactPValue(ranks: [Double], plusRankSum: Double) -> Double {
        let doubled = ranks.map { Int(($0 * 2).rounded()) }
        let total = doubled.reduce(0, +)
        var counts = [Double](repeating: 0, count: total + 1)  // N_k(s)
        counts[0] = 1
        var reach = 0
        for r in doubled {
            reach += r
            for s in stride(from: reach, through: r, by: -1) { counts[s] += counts[s - r] }
        }
        let w = Int((plusRankSum * 2).rounded())
        var atMost = 0.0, atLeast = 0.0
        for s in 0 ... total {
            if s <= w { atMost += counts[s] }
            if s >= w { atLeast += counts[s] }
        }
        let patterns = Double(1 << ranks.count)
        return min(1, 2 * min(atMost, atLeast) / patterns)
    }

    /// erfc(z/√2) with z = max(0, |W+ − μ| − ½)/σ and the tie-corrected σ.
    static func normalPValue(count n: Int, tieSizes: [Int], plusRankSum: Double) -> Double {
        let nn = Double(n)
        let mu = nn * (nn + 1) / 4
        var variance = nn * (nn + 1) * (2 * nn + 1) / 24
        for t in tieSizes where t > 1 { variance -= Double(t * t * t - t) / 48 }
        let z = max(0, abs(plusRankSum - mu) - 0.5) / variance.squareRoot()
        return min(1, erfc(z / 2.0.squareRoot()))
    }
}
