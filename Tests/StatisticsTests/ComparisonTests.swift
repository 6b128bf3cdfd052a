import Statistics
import XCTest

/// The verdict rule (wins / loses only when p_t < α and the interval excludes 0), its direction, its errors and
/// the Markdown row.
final class ComparisonTests: XCTestCase {
    let baseline: [Double] = [1, 2, 3, 4, 5], method: [Double] = [2, 4, 6, 8, 10]  // d = 1 … 5
    let mixed: [Double] = [0.5, -1.2, 2.3, 3.1, -0.4, 1.7, 2.9, 0.8]

    func testWinsLosesAndDirection() throws {
        // d = 1 … 5: p_t = 0.0132 < 0.05 and the 95 % CI [1.04, 4.96] excludes 0.
        let c = try Comparison(baseline: baseline, method: method)
        XCTAssertEqual(c.count, 5)
        XCTAssertEqual(c.verdict, .wins)
        XCTAssertEqual(c.verdict.description, "wins")
        XCTAssertEqual(try Comparison(baseline: method, method: baseline).verdict, .loses)
        // For a loss or an error rate, smaller is better: the same numbers lose.
        XCTAssertEqual(try Comparison(baseline: baseline, method: method, higherIsBetter: false).verdict, .loses)
        // Identical runs: no difference.
        let same = try Comparison(baseline: baseline, method: baseline)
        XCTAssertEqual(same.verdict, .noSignificantDifference)
        XCTAssertEqual(same.pairedT.pValue, 1)
        XCTAssertEqual(same.wilcoxon.pValue, 1)
    }

    func testBothTheTestAndTheIntervalMustAgree() throws {
        // mixed: p_t = 0.0632. At α = 0.1 the test alone would call it, but the 95 % interval
        // [−0.088, 2.513] still holds 0 → no significant difference. With a 90 % interval (level = 1 − α) it wins.
        let zeros = [Double](repeating: 0, count: mixed.count)
        XCTAssertEqual(try Comparison(baseline: zeros, method: mixed).verdict, .noSignificantDifference)
        XCTAssertEqual(try Comparison(baseline: zeros, method: mixed, alpha: 0.1).verdict, .noSignificantDifference)
        XCTAssertEqual(try Comparison(baseline: zeros, method: mixed, alpha: 0.1, level: 0.9).verdict, .wins)
    }

    func testErrors() {
        XCTAssertThrowsError(try Comparison(baseline: [96.75], method: [95.39])) { error in
            XCTAssertEqual(error as? StatisticsError, .tooFewValues(what: "baseline", count: 1, needed: 2))
        }
        XCTAssertThrowsError(try Comparison(baseline: [1, 2, 3], method: [1, 2])) {
            XCTAssertEqual($0 as? StatisticsError, .lengthMismatch(baseline: 3, method: 2))
        }
        XCTAssertThrowsError(try Comparison(baseline: [1, 2], method: [1, 2], alpha: 5)) {
            XCTAssertEqual($0 as? StatisticsError,
                           .invalidOption(name: "alpha", value: 5, requirement: "strictly between 0 and 1 (0.05 for 5 %)"))
        }
    }

    func testMarkdownRow() throws {
        // Baseline 1 … 5: x̄ 3, s √2.5 = 1.58; method 2 … 10: x̄ 6, s √10 = 3.16; d̄ +3.00 [+1.04, +4.96].
        let c = try Comparison(baseline: baseline, method: method)
        XCTAssertEqual(c.markdownHeader(),
                       "| comparison | n | baseline (mean ± std) | method (mean ± std) | difference [95 % CI] | paired t p "
                       + "| Wilcoxon p | verdict (α = 0.05) |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        XCTAssertEqual(c.markdownRow(label: "doubled | vs plain"),
                       "| doubled / vs plain | 5 | 3.00 ± 1.58 | 6.00 ± 3.16 | +3.00 [+1.04, +4.96] | 0.0132 "
                       + "| 0.0625 (exact, n = 5) | wins |")
        let loss = try Comparison(baseline: method, method: baseline, level: 0.9)
        XCTAssertTrue(loss.markdownHeader().contains("difference [90 % CI]"))
        XCTAssertTrue(loss.markdownRow(label: "x", digits: 1).contains("| -3.0 [-4.5, -1.5] |"), loss.markdownRow(label: "x"))
    }
}
