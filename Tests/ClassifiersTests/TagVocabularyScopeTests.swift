@testable import Classifiers
import XCTest

/// The tag vocabulary counted on training images only (default) vs the paper's train + test rule, by hand.
final class TagVocabularyScopeTests: XCTestCase {
    // Train: a ×3, b ×1, c ×1 (b twice on one image counts once). Test: b ×2, d ×3.
    let train = [["a", "b", "b"], ["a"], ["a", "c"]]
    let test = [["b"], ["b"], ["d"], ["d"], ["d"]]

    func testTrainScopeCountsTrainingImagesOnly() throws {
        let v = try TagVocabulary.build(train: train, test: test, scope: .train, minimumCount: 1)
        XCTAssertEqual(v.tags, ["a", "b", "c"])
        XCTAssertEqual(v.counts, [3, 1, 1])
        let two = try TagVocabulary.build(train: train, test: test, scope: .train, minimumCount: 2)
        XCTAssertEqual(two.tags, ["a"])  // b reaches 2 only with test images; d is on test images only
        // Any test lists: the same vocabulary.
        XCTAssertEqual(try TagVocabulary.build(train: train, test: [["a", "c"], ["c"], ["c"], ["zzz"]], scope: .train, minimumCount: 2), two)
    }

    func testTrainAndTestScopeIsThePapersRule() throws {
        let v = try TagVocabulary.build(train: train, test: test, scope: .trainAndTest, minimumCount: 2)
        XCTAssertEqual(v.tags, ["b"])  // a is on no test image; d on no training image
        XCTAssertEqual(v.counts, [3])
        XCTAssertEqual(v, try TagVocabulary.build(train: train, test: test, minimumCount: 2))
    }
}
