import Foundation
@testable import Statistics
import XCTest

/// The regularized incomplete beta function and Student's t (CDF, two-sided p, quantile) against closed forms,
/// printed tables and scipy 1.17.1.
final class DistributionTests: XCTestCase {
    // MARK: - I_x(a, b)

    func testIncompleteBetaClosedForms() {
        // Integer a, b: I_x(a, b) = Σ_{j=a}^{a+b−1} C(n, j) x^j (1 − x)^{n−j}, n = a + b − 1.
        // a = 2, b = 3, x = 0.4, n = 4: 6·0.4²·0.6² + 4·0.4³·0.6 + 0.4⁴ = 0.3456 + 0.1536 + 0.0256 = 0.5248.
        XCTAssertEqual(IncompleteBeta.regularized(a: 2, b: 3, x: 0.4), 0.5248, accuracy: 1e-14)
        // a = b = ½: the arcsine law, I_x = (2/π) asin(√x).
        for x in [0.001, 0.1, 0.5, 0.77, 0.999] {
            XCTAssertEqual(IncompleteBeta.regularized(a: 0.5, b: 0.5, x: x), 2 / Double.pi * asin(x.squareRoot()),
                           accuracy: 1e-13, "x = \(x)")
        }
        // a = 1: I_x(1, b) = 1 − (1 − x)^b.  b = 1: I_x(a, 1) = x^a.
        XCTAssertEqual(IncompleteBeta.regularized(a: 1, b: 3.5, x: 0.3), 1 - pow(0.7, 3.5), accuracy: 1e-14)
        XCTAssertEqual(IncompleteBeta.regularized(a: 4.25, b: 1, x: 0.9), pow(0.9, 4.25), accuracy: 1e-14)
        // The ends, and the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) across the switch point (a+1)/(a+b+2).
        XCTAssertEqual(IncompleteBeta.regularized(a: 3, b: 2, x: 0), 0)
        XCTAssertEqual(IncompleteBeta.regularized(a: 3, b: 2, x: 1), 1)
        for x in [0.2, 0.57, 0.58, 0.9] {
            XCTAssertEqual(IncompleteBeta.regularized(a: 3, b: 2, x: x), 1 - IncompleteBeta.regularized(a: 2, b: 3, x: 1 - x),
                           accuracy: 1e-14)
        }
    }

    func testIncompleteBetaAgainstScipy() {
        // python3 -c 'import scipy.special as s; print([s.betainc(a,b,x) for a,b,x in
        //   [(10,2,0.9),(4.5,0.5,0.8),(30,40,0.45)]])'   (scipy 1.17.1)
        XCTAssertEqual(IncompleteBeta.regularized(a: 10, b: 2, x: 0.9), 0.6973568802000002, accuracy: 1e-13)
        XCTAssertEqual(IncompleteBeta.regularized(a: 4.5, b: 0.5, x: 0.8), 0.16785065605707505, accuracy: 1e-13)
        XCTAssertEqual(IncompleteBeta.regularized(a: 30, b: 40, x: 0.45), 0.6447480085585666, accuracy: 1e-12)
    }

    // MARK: - Student's t

    func testTQuantilesAgainstTheTable() {
        // Printed two-sided 95 % critical values (any t table, 6 decimals).
        let table: [(Double, Double)] = [(1, 12.706205), (2, 4.302653), (5, 2.570582), (9, 2.262157), (29, 2.045230),
                                         (100, 1.983972)]
        for (nu, t) in table {
            XCTAssertEqual(StudentT(degreesOfFreedom: nu).quantile(0.975), t, accuracy: 5e-7, "t_{0.975, \(nu)}")
        }
        XCTAssertEqual(StudentT(degreesOfFreedom: 9).quantile(0.995), 3.249836, accuracy: 5e-7)  // 99 %, ν = 9
    }

    func testTQuantilesAgainstScipy() {
        // python3 -c 'import scipy.stats as s; print([s.t.ppf(p,v) for p,v in
        //   [(0.975,9),(0.975,29),(0.95,4),(0.9,2.5),(0.975,1e4)]])'   (scipy 1.17.1)
        let cases: [(p: Double, nu: Double, t: Double)] = [
            (0.975, 9, 2.262157162798205), (0.975, 29, 2.045229642132703), (0.95, 4, 2.1318467863266495),
            (0.9, 2.5, 1.7302509288071766), (0.975, 1e4, 1.960201239890626),
        ]
        for c in cases {
            let t = StudentT(degreesOfFreedom: c.nu).quantile(c.p)
            XCTAssertEqual(t, c.t, accuracy: 1e-10 * c.t, "t_{\(c.p), \(c.nu)}")
            XCTAssertEqual(StudentT(degreesOfFreedom: c.nu).quantile(1 - c.p), -t, accuracy: 1e-12, "symmetry")
        }
        XCTAssertEqual(StudentT(degreesOfFreedom: 7).quantile(0.5), 0)
    }

    func testTClosedForms() {
        // ν = 1 is Cauchy: F(t) = ½ + atan(t)/π, so F⁻¹(0.975) = tan(0.475π) = 12.7062047….
        XCTAssertEqual(StudentT(degreesOfFreedom: 1).cdf(0.3), 0.5 + atan(0.3) / Double.pi, accuracy: 1e-14)
        XCTAssertEqual(StudentT(degreesOfFreedom: 1).quantile(0.975), tan(0.475 * Double.pi), accuracy: 1e-9)
        // ν = 2: F(t) = ½ + t / (2√(2 + t²)), F⁻¹(p) = (2p − 1)/√(2p(1 − p)); p = 0.975: 0.95/√0.04875 = 4.3026527….
        XCTAssertEqual(StudentT(degreesOfFreedom: 2).cdf(10), 0.5 + 10 / (2 * (102.0).squareRoot()), accuracy: 1e-14)
        XCTAssertEqual(StudentT(degreesOfFreedom: 2).quantile(0.975), 0.95 / (0.04875).squareRoot(), accuracy: 1e-11)
    }

    func testTCDFAndPValuesAgainstScipy() {
        // python3 -c 'import scipy.stats as s; print(s.t.cdf(2.0,3), s.t.cdf(-1.5,7))'   (scipy 1.17.1)
        XCTAssertEqual(StudentT(degreesOfFreedom: 3).cdf(2.0), 0.9303370157205785, accuracy: 1e-14)
        XCTAssertEqual(StudentT(degreesOfFreedom: 7).cdf(-1.5), 0.088649243494985, accuracy: 1e-14)
        // The two-sided p of the 97.5 % quantile is 5 %; of t = 0 it is 1; of ±∞ it is 0.
        let t9 = StudentT(degreesOfFreedom: 9)
        XCTAssertEqual(t9.twoSidedPValue(2.262157162798205), 0.05, accuracy: 1e-13)
        XCTAssertEqual(t9.twoSidedPValue(-2.262157162798205), 0.05, accuracy: 1e-13)
        XCTAssertEqual(t9.twoSidedPValue(0), 1)
        XCTAssertEqual(t9.twoSidedPValue(.infinity), 0)
        // Far tails keep relative precision (no 1 − F cancellation): python3 -c 'import scipy.stats as s;
        // print(2*s.t.sf(40,9))' = 1.8982998449339822e-11.
        XCTAssertEqual(t9.twoSidedPValue(40), 1.8982998449339822e-11, accuracy: 1e-12 * 1.9e-11)
    }
}
