import Core
import LinearAlgebra
@testable import Retrieval
import TestSupport
import XCTest

final class HashingTests: XCTestCase {
    func testNormalsComeFromSeedPlusTreeIndex() throws {
        let h = try RandomHyperplanes(dimension: 5, trees: 3, bits: 4, seed: 40)
        for t in 0 ..< 3 {
            var rng = SeededRandom(seed: 40 + UInt64(t))
            XCTAssertEqual(Array(h.normals.values[t * 20 ..< (t + 1) * 20]), rng.normalFloats(20), "tree \(t)")
        }
        XCTAssertEqual(h, try RandomHyperplanes(dimension: 5, trees: 3, bits: 4, seed: 40))
        XCTAssertNotEqual(h, try RandomHyperplanes(dimension: 5, trees: 3, bits: 4, seed: 41))
    }

    /// Bit j of tree t is sign(w_{t,j}·x) at position 63 − j, computed here in Double by plain loops.
    func testLabelsAreTheSignBitsOfThePlainProjections() throws {
        let (l, kBits, d) = (4, 13, 7)
        let h = try RandomHyperplanes(dimension: d, trees: l, bits: kBits, seed: 3)
        let x = randomMatrix(rows: 50, columns: d, seed: 4)
        let labels = try h.labels(x)
        for i in 0 ..< x.rows {
            for t in 0 ..< l {
                var expected: UInt64 = 0
                for j in 0 ..< kBits {
                    var p = 0.0
                    for c in 0 ..< d { p += Double(h.normals[t * kBits + j, c]) * Double(x[i, c]) }
                    if p > 0 { expected |= 1 << UInt64(63 - j) }
                }
                XCTAssertEqual(labels[i * l + t], expected, "row \(i) tree \(t)")
            }
        }
    }

    /// A point exactly on a hyperplane (w·x = 0 in exact arithmetic) gets bit 0 whether it is hashed alone
    /// (OpenBLAS may route one row to gemv) or inside a large block: the rounding guard decides.
    func testPointsOnAHyperplaneHashTheSameAloneAndInABatch() throws {
        let h = try RandomHyperplanes(dimension: 6, trees: 2, bits: 8, seed: 5)
        var rows = randomMatrix(rows: 300, columns: 6, seed: 6)
        let w = h.normals.row(0)
        for i in 0 ..< 3 {
            // x = w_perp: (w1, −w0, 0, …) scaled, so w·x = w0·w1 − w1·w0 = 0 exactly.
            for c in 0 ..< 6 { rows[i, c] = 0 }
            rows[i, 0] = w[1] * Float(i + 1)
            rows[i, 1] = -w[0] * Float(i + 1)
        }
        let batch = try h.labels(rows)
        for i in 0 ..< 3 {
            let alone = try h.labels(rows.rows(i ..< i + 1))
            XCTAssertEqual(Array(batch[i * 2 ..< i * 2 + 2]), alone)
            XCTAssertEqual(alone[0] >> 63, 0, "w_0·x = 0 hashes to bit 0")
        }
    }

    /// P[bit agrees] = 1 − θ/π: a point and a small perturbation share long prefixes far more often than two
    /// random points. Observed mean prefix lengths (24 bits, 20 trees): ~ 17 vs ~ 1.
    func testNearbyPointsShareLongerPrefixesThanRandomPairs() throws {
        let (l, kBits, d, n) = (20, 24, 16, 200)
        let h = try RandomHyperplanes(dimension: d, trees: l, bits: kBits, seed: 8)
        let x = randomMatrix(rows: n, columns: d, seed: 9)
        let noise = randomMatrix(rows: n, columns: d, seed: 10)
        var near = x
        for i in near.values.indices { near.values[i] += 0.02 * noise.values[i] }
        let a = try h.labels(x), b = try h.labels(near)
        func lcp(_ u: UInt64, _ v: UInt64) -> Int { Swift.min(kBits, (u ^ v).leadingZeroBitCount) }
        var nearSum = 0, randomSum = 0, nearLonger = 0
        for i in 0 ..< n {
            for t in 0 ..< l {
                let ln = lcp(a[i * l + t], b[i * l + t])
                let lr = lcp(a[i * l + t], a[((i + 1) % n) * l + t])
                nearSum += ln
                randomSum += lr
                if ln > lr { nearLonger += 1 }
            }
        }
        let (meanNear, meanRandom) = (Double(nearSum) / Double(n * l), Double(randomSum) / Double(n * l))
        XCTAssertGreaterThan(meanNear, 10, "mean shared prefix of perturbed pairs")
        XCTAssertLessThan(meanRandom, 3, "mean shared prefix of random pairs")
        XCTAssertGreaterThan(Double(nearLonger) / Double(n * l), 0.9)
    }

    func testInvalidShapesThrow() {
        XCTAssertThrowsError(try RandomHyperplanes(dimension: 4, trees: 1, bits: 65, seed: 0)) {
            XCTAssertEqual($0 as? RetrievalError,
                           .invalidParameter(name: "maxDepth", value: "65",
                                             rule: "must be in 1…64 (labels are UInt64)"))
        }
        XCTAssertThrowsError(try RandomHyperplanes(dimension: 4, trees: 0, bits: 8, seed: 0))
        XCTAssertThrowsError(try RandomHyperplanes(normals: Matrix(rows: 5, columns: 4), trees: 2, bits: 3))
    }
}
