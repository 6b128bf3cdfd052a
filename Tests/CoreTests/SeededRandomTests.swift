import Core
import XCTest

final class SeededRandomTests: XCTestCase {
    func testSameSeedSameStreamAndPinnedValues() {
        var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42)
        let xs = (0 ..< 100).map { _ in a.next() }
        XCTAssertEqual(xs, (0 ..< 100).map { _ in b.next() })
        // Pinned: a change to the generator or its seeding changes every seeded result in Tributary.
        var c = SeededRandom(seed: 42)
        XCTAssertEqual(c.next(), pinnedFirstDraw)
        XCTAssertNotEqual(SeededRandom(seed: 42, stream: 1).state, SeededRandom(seed: 42).state)
        XCTAssertNotEqual(SeededRandom(seed: 43).state, SeededRandom(seed: 42).state)
    }

    /// SplitMix64(42) → xoshiro256** first output, pinned; cross-checked with an independent Python transcription
    /// of the reference algorithm (Vigna's xoshiro256starstar.c and splitmix64.c).
    private let pinnedFirstDraw: UInt64 = 1_546_998_764_402_558_742

    func testStateRoundTrip() {
        var a = SeededRandom(seed: 7)
        for _ in 0 ..< 10 { _ = a.next() }
        var b = SeededRandom(state: a.state)
        XCTAssertEqual((0 ..< 10).map { _ in a.next() }, (0 ..< 10).map { _ in b.next() })
    }

    func testUniformAndNormalMoments() {
        var rng = SeededRandom(seed: 1)
        let n = 200_000
        let u = (0 ..< n).map { _ in rng.uniform() }
        XCTAssertTrue(u.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(u.reduce(0, +) / Double(n), 0.5, accuracy: 0.005)
        let z = (0 ..< n).map { _ in rng.normal() }
        let mean = z.reduce(0, +) / Double(n)
        let variance = z.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.02)
        let f = rng.uniformFloats(1000)
        XCTAssertTrue(f.allSatisfy { $0 >= 0 && $0 < 1 })
    }

    func testBoundedIsUnbiased() {
        var rng = SeededRandom(seed: 3)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0 ..< 70_000 { counts[rng.bounded(7)] += 1 }
        for c in counts { XCTAssertEqual(Double(c), 10_000, accuracy: 400) }  // ~4σ
    }

    func testPermutationIsAPermutation() {
        var rng = SeededRandom(seed: 11)
        for n in [0, 1, 2, 10, 1000] {
            let p = rng.permutation(n)
            XCTAssertEqual(p.sorted(), Array(0 ..< n))
        }
        var r1 = SeededRandom(seed: 5), r2 = SeededRandom(seed: 5)
        XCTAssertEqual(r1.permutation(50), r2.permutation(50))
    }

    func testSampleWithoutReplacement() {
        var rng = SeededRandom(seed: 12)
        for (k, n) in [(0, 5), (5, 5), (3, 10), (100, 1_000_000_000)] {
            let s = rng.sample(k, from: n)
            XCTAssertEqual(s.count, k)
            XCTAssertEqual(Set(s).count, k, "distinct")
            XCTAssertEqual(s, s.sorted())
            XCTAssertTrue(s.allSatisfy { $0 >= 0 && $0 < n })
        }
        // Every item equally likely: 3 of 6, 60k draws → each index chosen ~30k times.
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0 ..< 60_000 { for i in rng.sample(3, from: 6) { counts[i] += 1 } }
        for c in counts { XCTAssertEqual(Double(c), 30_000, accuracy: 600) }
    }
}
