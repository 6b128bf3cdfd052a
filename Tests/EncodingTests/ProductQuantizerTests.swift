import Core
@testable import Encoding
import LinearAlgebra
import XCTest

/// Product quantisation: the reconstruction error equals the k-means distortion (the stated bound), the fast
/// encoder equals its naive twin, decoding is the codebook lookup computed by hand.
final class ProductQuantizerTests: XCTestCase {
    /// n rows of D values: a few clusters plus noise, so k-means has something to find.
    private func rows(_ n: Int, _ dimension: Int, seed: UInt64) -> Matrix<Float> {
        var rng = SeededRandom(seed: seed)
        let centres = (0 ..< 5).map { _ in (0 ..< dimension).map { _ in Float(rng.normal()) } }
        return Matrix(rows: n, columns: dimension, values: (0 ..< n).flatMap { i in
            centres[i % 5].map { $0 + 0.2 * Float(rng.normal()) }
        })
    }

    private func meanSquaredError(_ a: Matrix<Float>, _ b: Matrix<Float>) -> Double {
        zip(a.values, b.values).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) } / Double(a.rows)
    }

    func testTrainingErrorEqualsTheKMeansDistortion() throws {
        let all = rows(500, 24, seed: 1)
        let train = all.rows(0 ..< 300), test = all.rows(300 ..< 500)  // the same five clusters
        let pq = try ProductQuantizer.fit(train, subvectorDimension: 4, centroids: 16, seed: 2)
        XCTAssertEqual(pq.subvectors, 6)
        XCTAssertEqual(pq.centroids, 16)
        XCTAssertEqual(pq.codebooks.rows, 6 * 16)
        let error = meanSquaredError(train, pq.decode(pq.encode(train), rows: train.rows))
        // ‖x − x̂‖² = Σ_s ‖x⁽ˢ⁾ − c_{s q_s}‖²: the mean over the training rows is the summed k-means objective.
        XCTAssertEqual(error, pq.distortion, accuracy: 1e-4 * pq.distortion)
        // … which is below the K = 1 quantizer's error (the total variance of the rows about their mean).
        let one = try ProductQuantizer.fit(train, subvectorDimension: 4, centroids: 1)
        XCTAssertLessThan(pq.distortion, 0.2 * one.distortion)
        XCTAssertEqual(one.distortion, meanSquaredError(train, one.decode(one.encode(train), rows: train.rows)),
                       accuracy: 1e-4 * one.distortion)
        // Unseen rows of the same distribution: about the same error (the model generalises; loose bound).
        XCTAssertLessThan(meanSquaredError(test, pq.decode(pq.encode(test), rows: test.rows)), 2 * pq.distortion)
    }

    func testAsManyCentroidsAsRowsReproduceTheTrainingRowsExactly() throws {
        let train = rows(40, 12, seed: 4)
        let pq = try ProductQuantizer.fit(train, subvectorDimension: 3)  // K = min(256, 40) = 40: one centroid a row
        XCTAssertEqual(pq.centroids, 40)
        XCTAssertEqual(pq.distortion, 0, accuracy: 1e-5)  // k-means' ‖x‖² − 2x·c + ‖c‖² leaves rounding only
        XCTAssertEqual(pq.decode(pq.encode(train), rows: 40).values, train.values)
    }

    func testEncodeEqualsTheNaiveTwin() throws {
        let pq = try ProductQuantizer.fit(rows(500, 32, seed: 5), subvectorDimension: 8, seed: 6)
        let x = rows(100, 32, seed: 7)
        XCTAssertEqual(pq.encode(x), pq.encodeNaive(x))
    }

    func testDecodeByHand() throws {
        // D = 4, d_s = 2, K = 2: codebook 0 = {(0, 0), (1, 2)}, codebook 1 = {(5, 5), (−1, 3)}.
        let books = Matrix<Float>(rows: 4, columns: 2, values: [0, 0, 1, 2, 5, 5, -1, 3])
        let pq = try ProductQuantizer(dimension: 4, codebooks: books)
        XCTAssertEqual(pq.decode([1, 0, 0, 1], rows: 2).values, [1, 2, 5, 5, 0, 0, -1, 3])
        let x = Matrix<Float>(rows: 1, columns: 4, values: [0.9, 1.8, -2, 2])
        XCTAssertEqual(pq.encode(x), [1, 1])
        XCTAssertEqual(pq.encodeNaive(x), [1, 1])
    }

    func testBadShapesAreRefusedWithTheFix() {
        let x = rows(10, 10, seed: 8)
        XCTAssertThrowsError(try ProductQuantizer.fit(x, subvectorDimension: 4)) { error in
            XCTAssertTrue("\(error)".contains("must divide the row dimension 10"), "\(error)")
        }
        XCTAssertThrowsError(try ProductQuantizer.fit(x, subvectorDimension: 5, centroids: 300))
        XCTAssertThrowsError(try ProductQuantizer(dimension: 10, codebooks: Matrix(rows: 3, columns: 4)))
    }
}
