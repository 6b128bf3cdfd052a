import Core
import Statistics
import XCTest

final class TSNETests: XCTestCase {
    /// n points of `clusters` well-separated Gaussian clusters in d dimensions (centres 20 apart, spread 1).
    func clusters(_ clusters: Int, perCluster: Int, dimensions d: Int, seed: UInt64) -> (x: [Double], label: [Int]) {
        var rng = SeededRandom(seed: seed)
        let centres = (0 ..< clusters).map { _ in (0 ..< d).map { _ in 20 * rng.normal() } }
        var x: [Double] = [], label: [Int] = []
        for i in 0 ..< clusters * perCluster {
            let c = i % clusters
            x += centres[c].map { $0 + rng.normal() }
            label.append(c)
        }
        return (x, label)
    }

    /// The gradient is the derivative of the cost it descends (central differences), with and without early
    /// exaggeration.
    func testGradientMatchesFiniteDifferences() throws {
        let (x, _) = clusters(3, perCluster: 4, dimensions: 5, seed: 1)
        let p = TSNE.affinities(x, dimensions: 5, perplexity: 3)
        var rng = SeededRandom(seed: 2)
        let y = (0 ..< 24).map { _ in rng.normal() }
        for scale in [1.0, 12.0] {
            let g = TSNE.gradient(p, y, scale: scale)
            for k in 0 ..< y.count {
                var plus = y, minus = y
                plus[k] += 1e-6
                minus[k] -= 1e-6
                let numeric = (TSNE.cost(p, plus, scale: scale) - TSNE.cost(p, minus, scale: scale)) / 2e-6
                XCTAssertEqual(g[k], numeric, accuracy: 1e-6 * max(1, abs(numeric)), "∂C/∂y[\(k)], scale \(scale)")
            }
        }
    }

    /// Each conditional row reaches the target entropy ln(perplexity); P is symmetric and sums to 1.
    func testAffinitiesAreCalibratedAndSymmetric() {
        let (x, _) = clusters(2, perCluster: 15, dimensions: 4, seed: 3)
        let n = 30, perplexity = 5.0
        let p = TSNE.affinities(x, dimensions: 4, perplexity: perplexity)
        XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-12)
        for i in 0 ..< n {
            XCTAssertEqual(p[i * n + i], 0)
            for j in 0 ..< n { XCTAssertEqual(p[i * n + j], p[j * n + i], accuracy: 1e-15) }
        }
        let conditional = TSNE.conditionalAffinities(x, dimensions: 4, perplexity: perplexity)
        for i in 0 ..< n {
            let row = (0 ..< n).map { conditional[i * n + $0] }
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-12)
            let entropy = row.reduce(0) { $1 > 0 ? $0 - $1 * log($1) : $0 }
            XCTAssertEqual(entropy, log(perplexity), accuracy: 1e-8, "row \(i)")
            for j in 0 ..< n where j != i {
                XCTAssertEqual(p[i * n + j], (conditional[i * n + j] + conditional[j * n + i]) / Double(2 * n), accuracy: 1e-15)
            }
        }
    }

    /// Three clusters 20σ apart in 10-D: the 2-D map keeps every point's neighbours inside its cluster
    /// (trustworthiness near 1, nearest map neighbour always of the same cluster), and the same seed gives the
    /// same bits.
    func testWellSeparatedClustersStaySeparated() throws {
        let (x, label) = clusters(3, perCluster: 25, dimensions: 10, seed: 4)
        let tsne = TSNE(perplexity: 10, iterations: 500, seed: 5)
        let y = try tsne.embed(x, dimensions: 10)
        XCTAssertEqual(y.count, 150)
        XCTAssertEqual(y, try tsne.embed(x, dimensions: 10), "deterministic for a seed")
        let t = Trustworthiness.score(input: x, dimensions: 10, map: y, mapDimensions: 2, k: 5)
        XCTAssertGreaterThan(t, 0.95)
        for i in 0 ..< 75 {
            var best = -1, bestD = Double.infinity
            for j in 0 ..< 75 where j != i {
                let d = pow(y[2 * i] - y[2 * j], 2) + pow(y[2 * i + 1] - y[2 * j + 1], 2)
                if d < bestD { (best, bestD) = (j, d) }
            }
            XCTAssertEqual(label[best], label[i], "point \(i)")
        }
        // A map that scrambles the points scores far lower: the measure can fail.
        var rng = SeededRandom(seed: 6)
        let scrambled = (0 ..< 150).map { _ in rng.normal() }
        XCTAssertLessThan(Trustworthiness.score(input: x, dimensions: 10, map: scrambled, mapDimensions: 2, k: 5), 0.7)
    }

    /// Trustworthiness by hand: 6 points on a line, mapped with points 0 and 5 swapped.
    func testTrustworthinessByHand() {
        let x: [Double] = [0, 1, 2, 3, 4, 5]
        XCTAssertEqual(Trustworthiness.score(input: x, dimensions: 1, map: x, mapDimensions: 1, k: 2), 1)
        XCTAssertEqual(Trustworthiness.neighbourAgreement(input: x, dimensions: 1, map: x, mapDimensions: 1, k: 2), 1)
        // Map y = [5, 1, 2, 3, 4, 0] (points 0 and 5 swapped), k = 1, ties by index. Map neighbour of 0 (at 5) is 4:
        // input rank r(0,4) = 4, penalty 3; of 1 is 2 (tie with 5): r(1,2) = 2 (after 0), penalty 1; of 2 is 1 and of
        // 3 is 2, their input neighbours; of 4 is 0 (tie with 3): r(4,0) = 5, penalty 4; of 5 is 1: r(5,1) = 4,
        // penalty 3. Σ = 11, T = 1 − 2 / (6·1·(12 − 3 − 1)) · 11 = 1 − 22/48.
        let y: [Double] = [5, 1, 2, 3, 4, 0]
        XCTAssertEqual(Trustworthiness.score(input: x, dimensions: 1, map: y, mapDimensions: 1, k: 1), 1 - 22.0 / 48, accuracy: 1e-12)
    }

    func testTooFewPointsForThePerplexityIsATypedError() {
        XCTAssertThrowsError(try TSNE(perplexity: 30).embed([Double](repeating: 0, count: 40), dimensions: 2)) { error in
            XCTAssertTrue("\(error)".contains("perplexity"), "\(error)")
        }
    }
}
