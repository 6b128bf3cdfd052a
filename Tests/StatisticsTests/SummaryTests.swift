import Statistics
import XCTest

/// Mean, sample standard deviation and standard error against hand arithmetic.
final class SummaryTests: XCTestCase {
    func testHandComputedSummary() throws {
        // x = 2, 4, 4, 4, 5, 5, 7, 9: x̄ = 40/8 = 5; Σ(x − x̄)² = 9+1+1+1+0+0+4+16 = 32;
        // s² = 32/7 (n − 1, not n: the population formula would give 4) → s = 2.138090; SE = s/√8 = 0.755929.
        let s = try Summary([2, 4, 4, 4, 5, 5, 7, 9])
        XCTAssertEqual(s.count, 8)
        XCTAssertEqual(s.mean, 5, accuracy: 1e-15)
        XCTAssertEqual(s.standardDeviation, (32.0 / 7).squareRoot(), accuracy: 1e-14)
        XCTAssertEqual(s.standardError, (32.0 / 7 / 8).squareRoot(), accuracy: 1e-14)
    }

    func testSmallSpreadBesideALargeMeanKeepsItsDigits() throws {
        // 1e9 + {1, 2, 3}: s = 1 exactly; Σx² − n x̄² would lose it to cancellation (x² ≈ 1e18 ≫ 2^53).
        let s = try Summary([1e9 + 1, 1e9 + 2, 1e9 + 3])
        XCTAssertEqual(s.standardDeviation, 1, accuracy: 1e-9)
    }

    func testOneValueIsAClearError() {
        XCTAssertThrowsError(try Summary([96.75], what: "baseline")) { error in
            XCTAssertEqual(error as? StatisticsError, .tooFewValues(what: "baseline", count: 1, needed: 2))
            XCTAssertTrue("\(error)".contains("baseline: 1 value, needs at least 2"), "\(error)")
        }
        XCTAssertThrowsError(try Summary([])) { XCTAssertEqual($0 as? StatisticsError, .tooFewValues(what: "values", count: 0, needed: 2)) }
    }

    func testNonFiniteValueIsNamed() {
        XCTAssertThrowsError(try Summary([1, .nan, 3], what: "method")) { error in
            XCTAssertEqual(error as? StatisticsError, .nonFinite(what: "method", index: 1))
            XCTAssertTrue("\(error)".contains("value 2 is not a finite number"), "\(error)")
        }
    }
}
