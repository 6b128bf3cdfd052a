import Core
@testable import Encoding
import LinearAlgebra
import TestSupport
import XCTest

/// The FV moment fills in C (`WideKernels.squaresAndRows`, `WideKernels.rowSums`, issue 18) on EVERY ISA level
/// this CPU supports: bit for bit against their Swift twins in `PosteriorKernel`, and against naive Double sums.
final class MomentKernelsTests: XCTestCase {
    /// [X² | X] for D = 1 … 37 (every tail length of 16, 8 and 4 lanes), 5 rows.
    func testSquaresAndRowsMatchTheSwiftLoopOnEveryLevel() {
        for dim in 1 ... 37 {
            let x = randomMatrix(rows: 5, columns: dim, seed: UInt64(dim))
            var twin = [Float](repeating: .nan, count: 5 * 2 * dim)
            PosteriorKernel.fillSquaresAndRowsLoop(x.values, rows: 5, dimension: dim, into: &twin)
            XCTAssertEqual(twin[2 * dim + dim], x[1, 0], "row 1 starts with X² then X")
            XCTAssertEqual(twin[2 * dim], x[1, 0] * x[1, 0])
            for isa in KernelISA.supported {
                var a = [Float](repeating: .nan, count: 5 * 2 * dim)
                WideKernels.squaresAndRows(x.values, rows: 5, dimension: dim, into: &a, isa: isa)
                XCTAssertEqual(a.map(\.bitPattern), twin.map(\.bitPattern), "\(isa), D = \(dim)")
            }
        }
    }

    /// S0 over column ranges with every start offset and tail length, on values of mixed magnitude (so that a
    /// different order of additions changes the bits): every level equals the Swift lanes bit for bit, and the
    /// Double sum to Float rounding.
    func testRowSumsMatchTheSwiftLanesOnEveryLevel() {
        let m = 5, ld = 83
        var rng = SeededRandom(seed: 9)
        let q = (0 ..< m * ld).map { i in Float(rng.uniform(0, 1)) * (i % 3 == 0 ? 1e4 : 1e-3) }
        let mixture = mixture(components: m)
        let kernel = PosteriorKernel(priors: mixture.priors, means: mixture.means, variances: mixture.variances)
        for columns in [0 ..< 0, 0 ..< 7, 0 ..< 8, 0 ..< 83, 3 ..< 83, 5 ..< 40, 11 ..< 12, 17 ..< 66] {
            var twin = [Float](repeating: .nan, count: m)
            kernel.zerothMomentsLanes(q, leadingDimension: ld, columns: columns, into: &twin)
            for k in 0 ..< m {
                let exact = columns.reduce(0.0) { $0 + Double(q[k * ld + $1]) }
                XCTAssertEqual(Double(twin[k]), exact, accuracy: 1e-6 * Swift.max(1, exact), "row \(k), \(columns)")
            }
            for isa in KernelISA.supported {
                var sums = [Float](repeating: .nan, count: m)
                WideKernels.rowSums(q, rows: m, leadingDimension: ld, columns: columns, into: &sums, isa: isa)
                XCTAssertEqual(sums.map(\.bitPattern), twin.map(\.bitPattern), "\(isa), columns \(columns)")
            }
        }
    }

    /// Any M-component mixture: `zerothMoments` reads only M from the kernel.
    private func mixture(components m: Int) -> GaussianMixture {
        GaussianMixture(priors: [Double](repeating: 1 / Double(m), count: m),
                        means: Matrix(rows: m, columns: 2, values: (0 ..< 2 * m).map { Double($0) }),
                        variances: Matrix(rows: m, columns: 2, repeating: 1))
    }
}
