@testable import Classifiers
import LinearAlgebra
import TestSupport
import XCTest

final class FusionTests: XCTestCase {
    func testMinMaxNormalisationFitsPerConceptAndClamps() throws {
        // Column 0 spans [−2, 2]; column 1 is constant.
        let train = Matrix<Float>(rowArrays: [[-2, 3], [0, 3], [2, 3]])
        let normalizer = try MinMaxNormalizer.fit(train)
        XCTAssertEqual(normalizer.minimums, [-2, 3])
        XCTAssertEqual(normalizer.maximums, [2, 3])
        let test = Matrix<Float>(rowArrays: [[-1, 3], [1, 5], [4, 0], [-3, 3]])
        let out = try normalizer.apply(test)
        // (−1 + 2)/4 = ¼, (1 + 2)/4 = ¾, 4 → 1.5 clamped to 1, −3 → −¼ clamped to 0; constant column → ½.
        XCTAssertEqual(out.values, [0.25, 0.5, 0.75, 0.5, 1, 0.5, 0, 0.5])
        // Applied to its own training scores it spans exactly [0, 1] and keeps the order.
        XCTAssertEqual(try normalizer.apply(train).values, [0, 0.5, 0.5, 0.5, 1, 0.5])
        XCTAssertThrowsError(try normalizer.apply(Matrix<Float>(rows: 1, columns: 3)))
    }

    func testLateFusionIsTheEqualWeightMean() throws {
        let a = Matrix<Float>(rowArrays: [[1, 2], [3, 4]])
        let b = Matrix<Float>(rowArrays: [[3, 0], [-3, 8]])
        let c = Matrix<Float>(rowArrays: [[2, 1], [0, 0]])
        XCTAssertEqual(try Fusion.lateFusion([a, b, c]).values, [2, 1, 0, 4])
        XCTAssertThrowsError(try Fusion.lateFusion([a, Matrix<Float>(rows: 1, columns: 2)]))
    }

    func testEarlyFusionConcatenationIsTheSummedKernel() throws {
        let blocks = [randomMatrix(rows: 5, columns: 3, seed: 1), randomMatrix(rows: 5, columns: 4, seed: 2),
                      randomMatrix(rows: 5, columns: 2, seed: 3)]
        let joined = try Fusion.concatenate(blocks)
        XCTAssertEqual(joined.columns, 9)
        XCTAssertEqual(joined.row(1), blocks[0].row(1) + blocks[1].row(1) + blocks[2].row(1))
        // K_EF = X Xᵀ of the concatenation = Σ_f X_f X_fᵀ.
        var summed = Matrix<Float>(rows: 5, columns: 5)
        for b in blocks { BLAS.gemm(b, b, into: &summed, transposeB: true, alpha: 1, beta: 1) }
        assertClose(BLAS.matmul(joined, joined, transposeB: true), summed, rtol: 1e-5, atol: 1e-5, label: "K_EF")
        XCTAssertThrowsError(try Fusion.concatenate([blocks[0], randomMatrix(rows: 4, columns: 3, seed: 4)]))
    }

    func testBinaryDecisionThresholds() {
        let svm = Matrix<Float>(rowArrays: [[-0.5, 0, 0.1]])
        XCTAssertEqual(Fusion.decisions(svm, threshold: Fusion.svmThreshold).values, [false, true, true])
        let tagProp = Matrix<Float>(rowArrays: [[0.49, 0.5, 0.9]])
        XCTAssertEqual(Fusion.decisions(tagProp, threshold: Fusion.probabilityThreshold).values, [false, true, true])
    }

    func testTagVocabularyKeepsFrequentTagsPresentInBothSplits() throws {
        let train = [["sky", "sea", "dog"], ["sky", "sea"], ["sky", "cat", "cat"], ["sea", "car"]]
        let test = [["sky"], ["sea", "cat"], ["dog"], ["tree", "tree", "tree"]]
        // Image counts (an image counts a tag once): sky 3+1 = 4, sea 3+1 = 4, cat 1+1 = 2, dog 1+1 = 2,
        // car 1+0 (not in test), tree 0+1 (not in train).
        let vocabulary = try TagVocabulary.build(train: train, test: test, minimumCount: 2)
        XCTAssertEqual(vocabulary.tags, ["sea", "sky", "cat", "dog"])  // count desc, then byte order
        XCTAssertEqual(vocabulary.counts, [4, 4, 2, 2])
        XCTAssertEqual(try TagVocabulary.build(train: train, test: test, minimumCount: 3).tags, ["sea", "sky"])
        XCTAssertEqual(try TagVocabulary.build(train: train, test: test, minimumCount: 2, maximumSize: 3).tags,
                       ["sea", "sky", "cat"])
        XCTAssertThrowsError(try TagVocabulary.build(train: train, test: test, minimumCount: 0))
    }

    func testTagVectorsAreL2NormalisedBinaryAndSimilarityIsTheirDot() throws {
        let vocabulary = TagVocabulary(tags: ["sea", "sky", "cat", "dog"], counts: [4, 4, 2, 2])
        let t = vocabulary.encode([["sky", "sea", "unknown"], ["cat"], ["tree"], ["sky", "sky"]])
        let h = 1 / Float(2).squareRoot()
        XCTAssertEqual(t.row(0), [h, h, 0, 0])
        XCTAssertEqual(t.row(1), [0, 0, 1, 0])
        XCTAssertEqual(t.row(2), [0, 0, 0, 0], "no vocabulary tag → zero vector")
        XCTAssertEqual(t.row(3), [0, 1, 0, 0], "a repeated tag counts once")
        let s = BLAS.matmul(t, t, transposeB: true)
        XCTAssertEqual(s[0, 3], h, accuracy: 1e-6)  // shares one of two tags: 1/√2
        XCTAssertEqual(s[0, 0], 1, accuracy: 1e-6)
        XCTAssertEqual(s[1, 2], 0)
    }
}
