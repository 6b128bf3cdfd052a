import Classifiers
import Foundation
import XCTest

/// Multinomial naive Bayes against hand-computed probabilities and a dense naive twin.
final class MultinomialNaiveBayesTests: XCTestCase {
    typealias Row = MultinomialNaiveBayes.Row

    /// Two classes, three terms:
    ///   class 0: d0 = (2, 1, 0), d1 = (1, 0, 0)  → T_0 = (3, 1, 0), Σ = 4
    ///   class 1: d2 = (0, 1, 3)                  → T_1 = (0, 1, 3), Σ = 4
    /// α = 1, D = 3: θ_0 = (4, 2, 1)/7, θ_1 = (1, 2, 4)/7; π = (2/3, 1/3).
    func testHandComputedParameters() throws {
        let rows = [Row(indices: [0, 1], values: [2, 1]), Row(indices: [0], values: [1]), Row(indices: [1, 2], values: [1, 3])]
        let nb = try MultinomialNaiveBayes.fit(rows: rows, labels: [0, 0, 1], classCount: 2, featureCount: 3)
        let expected = [4.0, 2, 1, 1, 2, 4].map { log($0 / 7) }
        for (a, e) in zip(nb.logLikelihoods, expected) { XCTAssertEqual(a, e, accuracy: 1e-12) }
        XCTAssertEqual(nb.logPriors[0], log(2.0 / 3), accuracy: 1e-12)
        XCTAssertEqual(nb.logPriors[1], log(1.0 / 3), accuracy: 1e-12)
        // x = (0, 0, 1): score_0 = log(2/3) + log(1/7), score_1 = log(1/3) + log(4/7) → class 1.
        let x = Row(indices: [2], values: [1])
        XCTAssertEqual(nb.scores(x)[0], log(2.0 / 3) + log(1.0 / 7), accuracy: 1e-12)
        XCTAssertEqual(nb.predict(x), 1)
        // x = (1, 0, 0): class 0.
        XCTAssertEqual(nb.predict(Row(indices: [0], values: [1])), 0)
    }

    /// Sparse scores equal a dense evaluation of the formula on random data.
    func testMatchesDenseTwin() throws {
        let (n, d, c) = (40, 12, 3)
        var dense = [[Float]](repeating: [Float](repeating: 0, count: d), count: n)
        var state: UInt64 = 12345
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        var labels: [Int] = []
        for i in 0 ..< n {
            labels.append(i % c)
            for j in 0 ..< d where next() % 3 == 0 { dense[i][j] = Float(next() % 5) }
        }
        let rows = dense.map { r in Row(indices: r.indices.filter { r[$0] != 0 }, values: r.filter { $0 != 0 }) }
        let alpha = 0.5
        let nb = try MultinomialNaiveBayes.fit(rows: rows, labels: labels, classCount: c, featureCount: d, smoothing: alpha)
        for i in 0 ..< n {
            for k in 0 ..< c {
                var totals = [Double](repeating: 0, count: d)
                for m in 0 ..< n where labels[m] == k { for j in 0 ..< d { totals[j] += Double(dense[m][j]) } }
                let sum = totals.reduce(0, +) + alpha * Double(d)
                var score = log(Double(labels.filter { $0 == k }.count) / Double(n))
                for j in 0 ..< d { score += Double(dense[i][j]) * log((totals[j] + alpha) / sum) }
                XCTAssertEqual(nb.scores(rows[i])[k], score, accuracy: 1e-9)
            }
        }
    }

    func testBadInputs() {
        XCTAssertThrowsError(try MultinomialNaiveBayes.fit(rows: [Row(indices: [0], values: [-1])], labels: [0],
                                                           classCount: 1, featureCount: 1))
        XCTAssertThrowsError(try MultinomialNaiveBayes.fit(rows: [Row(indices: [0], values: [1])], labels: [2],
                                                           classCount: 2, featureCount: 1))
    }
}
