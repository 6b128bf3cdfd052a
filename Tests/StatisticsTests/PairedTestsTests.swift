@testable import Statistics
import XCTest

/// The paired t-test, the t interval and the Wilcoxon signed-rank test: hand arithmetic, scipy 1.17.1, and a
/// brute-force enumeration of the 2^n sign patterns as the Wilcoxon DP's naive twin.
final class PairedTestsTests: XCTestCase {
    /// d = method − baseline = 1, 2, 3, 4, 5.
    let baseline: [Double] = [1, 2, 3, 4, 5], method: [Double] = [2, 4, 6, 8, 10]
    /// 8 distinct differences of mixed sign.
    let mixed: [Double] = [0.5, -1.2, 2.3, 3.1, -0.4, 1.7, 2.9, 0.8]

    // MARK: - Paired t and the interval

    func testPairedTByHand() throws {
        // d̄ = 3, s_d² = (4 + 1 + 0 + 1 + 4)/4 = 2.5, SE = √(2.5/5) = √0.5, t = 3/√0.5 = 3√2 = 4.242641, ν = 4.
        // p: python3 -c 'import scipy.stats as s; print(s.ttest_rel([2,4,6,8,10],[1,2,3,4,5]).pvalue)'
        //    = 0.01323559956368269
        let test = try PairedTTest(baseline: baseline, method: method)
        XCTAssertEqual(test.count, 5)
        XCTAssertEqual(test.degreesOfFreedom, 4)
        XCTAssertEqual(test.meanDifference, 3, accuracy: 1e-15)
        XCTAssertEqual(test.standardDeviation, (2.5).squareRoot(), accuracy: 1e-14)
        XCTAssertEqual(test.t, 3 * (2.0).squareRoot(), accuracy: 1e-13)
        XCTAssertEqual(test.pValue, 0.01323559956368269, accuracy: 1e-14)
        // The sign follows method − baseline; p does not.
        let swapped = try PairedTTest(baseline: method, method: baseline)
        XCTAssertEqual(swapped.t, -test.t, accuracy: 1e-13)
        XCTAssertEqual(swapped.pValue, test.pValue, accuracy: 1e-15)
    }

    func testIntervalByHand() throws {
        // 3 ± t_{0.975,4} · √0.5 = 3 ± 2.776445 · 0.707107 = [1.036757, 4.963243]
        // (scipy: s.ttest_rel(...).confidence_interval(0.95) = (1.0367568385224428, 4.963243161477557)).
        let ci = try ConfidenceInterval.mean(of: [1, 2, 3, 4, 5])
        XCTAssertEqual(ci.level, 0.95)
        XCTAssertEqual(ci.degreesOfFreedom, 4)
        XCTAssertEqual(ci.criticalValue, 2.776445105197793, accuracy: 1e-10)
        XCTAssertEqual(ci.lower, 1.0367568385224428, accuracy: 1e-10)
        XCTAssertEqual(ci.upper, 4.963243161477557, accuracy: 1e-10)
        XCTAssertTrue(ci.excludes(0) && !ci.excludes(3))
        // A 99 % interval is wider; level must be in (0, 1).
        XCTAssertGreaterThan(try ConfidenceInterval.mean(of: [1, 2, 3, 4, 5], level: 0.99).halfWidth, ci.halfWidth)
        XCTAssertThrowsError(try ConfidenceInterval.mean(of: [1, 2], level: 95)) {
            XCTAssertTrue("\($0)".contains("confidence level = 95.0: must be strictly between 0 and 1"), "\($0)")
        }
    }

    func testPairedTAndIntervalAgainstScipy() throws {
        // python3 -c 'import scipy.stats as s; r=s.ttest_rel(d,[0]*8); print(r.statistic, r.pvalue,
        //   r.confidence_interval(0.95))' with d = mixed
        let test = try PairedTTest(differences: mixed)
        XCTAssertEqual(test.t, 2.2052778481756303, accuracy: 1e-12)
        XCTAssertEqual(test.pValue, 0.06323645349664149, accuracy: 1e-13)
        let ci = try ConfidenceInterval.mean(of: mixed)
        XCTAssertEqual(ci.lower, -0.08761141563324304, accuracy: 1e-11)
        XCTAssertEqual(ci.upper, 2.512611415633243, accuracy: 1e-11)
    }

    func testDegenerateSpreads() throws {
        // All differences 0: t = 0/0 → no evidence, p = 1. All equal to c ≠ 0: t = ±∞, p = 0.
        let zero = try PairedTTest(baseline: [95, 96, 97], method: [95, 96, 97])
        XCTAssertEqual(zero.t, 0)
        XCTAssertEqual(zero.pValue, 1)
        let constant = try PairedTTest(differences: [-1, -1, -1])
        XCTAssertEqual(constant.t, -.infinity)
        XCTAssertEqual(constant.pValue, 0)
    }

    func testPairingErrors() {
        XCTAssertThrowsError(try PairedTTest(baseline: [1, 2, 3], method: [1, 2])) {
            XCTAssertEqual($0 as? StatisticsError, .lengthMismatch(baseline: 3, method: 2))
        }
        XCTAssertThrowsError(try PairedTTest(baseline: [1], method: [2])) {
            XCTAssertEqual($0 as? StatisticsError, .tooFewValues(what: "paired differences", count: 1, needed: 2))
        }
        XCTAssertThrowsError(try PairedTTest(baseline: [1, .infinity], method: [2, 3])) {
            XCTAssertEqual($0 as? StatisticsError, .nonFinite(what: "baseline", index: 1))
        }
    }

    // MARK: - Wilcoxon signed-rank

    func testWilcoxonByHand() throws {
        // d = 1 … 5, all positive: W+ = 1+2+3+4+5 = 15 = the maximum; only 1 of the 2^5 = 32 sign patterns
        // reaches it, so P(W+ ≥ 15) = 1/32 and the two-sided p = 2/32 = 0.0625 (the smallest p n = 5 can give).
        let w = try WilcoxonSignedRank(baseline: baseline, method: method)
        XCTAssertEqual(w.count, 5)
        XCTAssertEqual(w.plusRankSum, 15)
        XCTAssertEqual(w.minusRankSum, 0)
        XCTAssertEqual(w.method, .exact)
        XCTAssertEqual(w.pValue, 0.0625)
        // mixed: |d| ranks 0.4→1, 0.5→2, 0.8→3, 1.2→4, 1.7→5, 2.3→6, 2.9→7, 3.1→8; W− = 4 + 1 = 5, W+ = 31.
        // Subsets of {1 … 8} with sum ≤ 5: {}, {1}, {2}, {3}, {1,2}, {4}, {1,3}, {5}, {1,4}, {2,3} = 10, so
        // p = 2 · 10/256 = 0.078125 (scipy: s.wilcoxon(mixed, method="exact").pvalue = 0.078125).
        let m = WilcoxonSignedRank(differences: mixed)
        XCTAssertEqual(m.plusRankSum, 31)
        XCTAssertEqual(m.minusRankSum, 5)
        XCTAssertEqual(m.pValue, 0.078125)
    }

    func testWilcoxonExactAgainstScipy() {
        // python3 -c 'import scipy.stats as s; print(s.wilcoxon([0.3,-1.1,2.4,-0.7,3.9,1.6,-2.8,4.4,0.9,-5.2,6.1,1.3],
        //   method="exact"))' → statistic 25 (= W−), p 0.30126953125; W+ = 78 − 25 = 53.
        let w = WilcoxonSignedRank(differences: [0.3, -1.1, 2.4, -0.7, 3.9, 1.6, -2.8, 4.4, 0.9, -5.2, 6.1, 1.3])
        XCTAssertEqual(w.plusRankSum, 53)
        XCTAssertEqual(w.pValue, 0.30126953125, accuracy: 1e-15)
        // n = 25, the largest exact n: d_i = (i mod 7) − 2 + 0.01 i, i = 1 … 25 (distinct, non-zero);
        // s.wilcoxon(d, method="exact").pvalue = 0.00963503122329712.
        let d25 = (1 ... 25).map { Double($0 % 7 - 2) + Double($0) * 0.01 }
        let e = WilcoxonSignedRank(differences: d25)
        XCTAssertEqual(e.method, .exact)
        XCTAssertEqual(e.pValue, 0.00963503122329712, accuracy: 1e-15)
    }

    func testWilcoxonNormalApproximationAgainstScipy() {
        // n = 26 (one past the exact limit), the same formula: s.wilcoxon(d, method="approx", correction=True)
        // → p 0.0065760546776229 (the exact p would be 0.005133); W+ = 283, μ = 26·27/4 = 175.5.
        let d26 = (1 ... 26).map { Double($0 % 7 - 2) + Double($0) * 0.01 }
        let w = WilcoxonSignedRank(differences: d26)
        XCTAssertEqual(w.method, .normalApproximation)
        XCTAssertEqual(w.plusRankSum, 283)
        XCTAssertEqual(w.pValue, 0.0065760546776229, accuracy: 1e-13)
        // n = 30 with 2 zeros and heavy ties (halves): d_i = ((7i mod 11) − 4)/2, i = 0 … 29;
        // s.wilcoxon(d, zero_method="wilcox", correction=True, method="approx") → statistic 129 (= W−),
        // p 0.0929306323974395; 28 non-zero, W+ = 406 − 129 = 277. Without the tie term in σ² p would be
        // 0.0942, without the continuity correction 0.0907.
        let d30 = (0 ..< 30).map { Double(($0 * 7) % 11 - 4) / 2 }
        let t = WilcoxonSignedRank(differences: d30)
        XCTAssertEqual(t.zeros, 2)
        XCTAssertEqual(t.count, 28)
        XCTAssertEqual(t.plusRankSum, 277)
        XCTAssertEqual(t.method, .normalApproximation)
        XCTAssertEqual(t.pValue, 0.0929306323974395, accuracy: 1e-13)
    }

    func testTiesShareAverageRanksAndTheExactDistributionMatchesEnumeration() {
        // d = 1, −2, 2, 3, −3, 3, 4: |d| ranks 1 → 1; 2, 2 → (2+3)/2 = 2.5; 3, 3, 3 → (4+5+6)/3 = 5; 4 → 7.
        // W+ = 1 + 2.5 + 5 + 5 + 7 = 20.5, W− = 2.5 + 5 = 7.5 (sum 28 = 7·8/2).
        let d: [Double] = [1, -2, 2, 3, -3, 3, 4]
        let (ranks, sizes) = WilcoxonSignedRank.averageRanks(d.map(abs), tolerance: 0)
        XCTAssertEqual(ranks, [1, 2.5, 2.5, 5, 5, 5, 7])
        XCTAssertEqual(sizes, [1, 2, 3, 1])
        let w = WilcoxonSignedRank(differences: d)
        XCTAssertEqual(w.plusRankSum, 20.5)
        XCTAssertEqual(w.minusRankSum, 7.5)
        // Enumerating all 128 sign patterns of these ranks (python: itertools.product) gives p = 0.328125.
        XCTAssertEqual(w.pValue, 0.328125, accuracy: 1e-15)
        XCTAssertEqual(w.pValue, bruteForceP(d), accuracy: 1e-15)
        // The DP against enumeration on many small tied samples.
        for seed in 0 ..< 40 {
            let n = 1 + seed % 12
            let sample = (0 ..< n).map { Double(((seed + 3) * ($0 + 5) * 7) % 9 - 4) }
            XCTAssertEqual(WilcoxonSignedRank(differences: sample).pValue, bruteForceP(sample), accuracy: 1e-14,
                           "sample \(sample)")
        }
    }

    func testZeroDifferencesAreDropped() {
        // 0, 0, 1, 2, 3, 4, 5: the zeros go (Wilcoxon's original), leaving the n = 5 case above: p = 0.0625.
        let w = WilcoxonSignedRank(differences: [0, 0, 1, 2, 3, 4, 5])
        XCTAssertEqual(w.zeros, 2)
        XCTAssertEqual(w.count, 5)
        XCTAssertEqual(w.plusRankSum, 15)
        XCTAssertEqual(w.pValue, 0.0625)
        // Every difference zero: nothing to rank, no evidence, p = 1.
        let none = WilcoxonSignedRank(differences: [0, 0, 0])
        XCTAssertEqual(none.count, 0)
        XCTAssertEqual(none.pValue, 1)
    }

    func testScoresGivenToTwoDecimalsTieAsPrinted() throws {
        // BBC Sport ← BBC, folds 1–10 (docs/results.md): baseline vs instance-infused. In binary 97.26 − 98.63 and
        // 94.52 − 95.89 differ in the 14th digit (−1.3699999999999903, −1.3700000000000045), so a tolerance-free
        // ranking breaks the printed tie (ours with tolerance 0: p = 0.0703125, the enumeration of those ranks).
        // scipy's s.wilcoxon(infused, baseline, method="exact").pvalue = 0.078125 = 2·10/256 is the tie-free
        // table's p for W = 5, n = 8, which ignores every tie. The paired initialiser ties them: d (without the two
        // zeros) = −1.35, 2.71, −4.06, −4.06, −1.35, −2.74, −1.37, −1.37; ranks 1.35 ×2 → 1.5, 1.37 ×2 → 3.5,
        // 2.71 → 5, 2.74 → 6, 4.06 ×2 → 7.5; W+ = 5 (the one positive); enumerating the 256 sign patterns of
        // these ranks: p = 22/256 = 0.0859375.
        let baseline = [98.65, 94.59, 98.65, 97.30, 95.95, 94.59, 94.59, 98.63, 98.63, 95.89]
        let infused = [97.30, 97.30, 94.59, 97.30, 91.89, 93.24, 94.59, 95.89, 97.26, 94.52]
        let raw = zip(infused, baseline).map { $0 - $1 }
        XCTAssertNotEqual(raw[8], raw[9])
        XCTAssertEqual(WilcoxonSignedRank(differences: raw).pValue, 0.0703125, accuracy: 1e-15)
        XCTAssertEqual(WilcoxonSignedRank(differences: raw).pValue, bruteForceP(raw), accuracy: 1e-15)
        let w = try WilcoxonSignedRank(baseline: baseline, method: infused)
        XCTAssertEqual(w.zeros, 2)
        XCTAssertEqual(w.count, 8)
        XCTAssertEqual(w.plusRankSum, 5)
        XCTAssertEqual(w.pValue, 0.0859375, accuracy: 1e-15)
    }

    /// The naive twin: 2·min(P(W+ ≤ w), P(W+ ≥ w)) by enumerating every sign pattern of the average ranks.
    private func bruteForceP(_ d: [Double]) -> Double {
        let kept = d.filter { $0 != 0 }
        guard !kept.isEmpty else { return 1 }
        let ranks = WilcoxonSignedRank.averageRanks(kept.map(abs), tolerance: 0).ranks
        var w = 0.0
        for (x, r) in zip(kept, ranks) where x > 0 { w += r }
        var atMost = 0, atLeast = 0
        for pattern in 0 ..< (1 << kept.count) {
            var s = 0.0
            for k in kept.indices where pattern & (1 << k) != 0 { s += ranks[k] }
            if s <= w + 1e-9 { atMost += 1 }
            if s >= w - 1e-9 { atLeast += 1 }
        }
        return min(1, 2 * Double(min(atMost, atLeast)) / Double(1 << kept.count))
    }
}
