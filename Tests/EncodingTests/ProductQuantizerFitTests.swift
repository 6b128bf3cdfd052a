import Core
@testable import Encoding
import LinearAlgebra
import TestSupport
import XCTest

/// The PQ fit split over ranks and cut in batches gives the serial loop's codebooks and distortion bit for bit,
/// on 1, 2 and 3 threaded ranks, with share and batch boundaries falling inside the S codebooks.
final class ProductQuantizerFitTests: XCTestCase {
    /// n rows of D values around five centres, so k-means has clusters to find (as in `ProductQuantizerTests`).
    private func rows(_ n: Int, _ dimension: Int, seed: UInt64) -> Matrix<Float> {
        var rng = SeededRandom(seed: seed)
        let centres = (0 ..< 5).map { _ in (0 ..< dimension).map { _ in Float(rng.normal()) } }
        return Matrix(rows: n, columns: dimension, values: (0 ..< n).flatMap { i in
            centres[i % 5].map { $0 + 0.3 * Float(rng.normal()) }
        })
    }

    /// S = 150 codebooks (> 2 batches of 64, not a multiple of 2 or 3 ranks' shares): every rank of every world
    /// returns the naive loop's quantizer, bit for bit.
    func testSplitOverOneToThreeRanksEqualsTheSerialLoop() throws {
        let x = rows(60, 150 * 2, seed: 11)
        let naive = try ProductQuantizer.fitNaive(x, subvectorDimension: 2, centroids: 16, iterations: 8, seed: 3)
        XCTAssertEqual(naive.subvectors, 150)
        XCTAssertGreaterThan(naive.distortion, 0)
        for size in 1 ... 3 {
            let fitted = try ThreadedWorld.run(size: size) { comm in
                try ProductQuantizer.fit(x, subvectorDimension: 2, centroids: 16, iterations: 8, seed: 3, communicator: comm)
            }
            for (rank, q) in fitted.enumerated() {
                XCTAssertEqual(q.codebooks.values.map(\.bitPattern), naive.codebooks.values.map(\.bitPattern), "\(size) ranks, rank \(rank)")
                XCTAssertEqual(q.distortion.bitPattern, naive.distortion.bitPattern, "\(size) ranks, rank \(rank)")
            }
        }
        // The single-process entry point is the same function.
        XCTAssertEqual(try ProductQuantizer.fit(x, subvectorDimension: 2, centroids: 16, iterations: 8, seed: 3), naive)
    }

    /// Codebook s is a k-means of columns s·d_s ..< (s+1)·d_s alone: refitting one of them by hand gives its rows.
    func testEachCodebookIsTheKMeansOfItsOwnColumns() throws {
        let x = rows(40, 6 * 3, seed: 12)
        let q = try ProductQuantizer.fit(x, subvectorDimension: 3, centroids: 8, iterations: 10, seed: 5)
        for s in [0, 4] {
            let columns = Matrix(rows: 40, columns: 3, values: (0 ..< 40).flatMap { i in (0 ..< 3).map { x[i, 3 * s + $0] } })
            let means = try KMeans.fit(columns, clusters: 8, iterations: 10, seed: 5 + UInt64(s))
            XCTAssertEqual(q.codebook(s), means.centers, "codebook \(s)")
        }
    }

    /// The batch cut is the strided copy: every sub-vector of a 3-codebook range by hand.
    func testCutEqualsTheStridedColumns() {
        let x = Matrix<Float>(rows: 2, columns: 8, values: (0 ..< 16).map(Float.init))
        let parts = ProductQuantizer.cut(x, subvectors: 1 ..< 4, subvectorDimension: 2)
        XCTAssertEqual(parts.map(\.values), [[2, 3, 10, 11], [4, 5, 12, 13], [6, 7, 14, 15]])
        XCTAssertEqual(parts[1], ProductQuantizer.columns(x, 4, 2))
    }

    /// More ranks than codebooks: the empty shares gather to nothing, the result is unchanged.
    func testMoreRanksThanCodebooks() throws {
        let x = rows(30, 4, seed: 13)
        let naive = try ProductQuantizer.fitNaive(x, subvectorDimension: 2, centroids: 4, seed: 1)
        let fitted = try ThreadedWorld.run(size: 3) { comm in
            try ProductQuantizer.fit(x, subvectorDimension: 2, centroids: 4, seed: 1, communicator: comm)
        }
        XCTAssertEqual(fitted, [naive, naive, naive])
    }
}
