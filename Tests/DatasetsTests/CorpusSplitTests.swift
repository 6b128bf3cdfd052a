import Datasets
import XCTest

final class CorpusSplitTests: XCTestCase {
    /// 3 classes of sizes 10, 7, 4, interleaved.
    let labels = [0, 1, 2, 0, 1, 0, 2, 0, 1, 0, 0, 1, 2, 0, 1, 0, 2, 1, 0, 1, 0]

    // Stratified k-fold: every sample is in exactly one test fold, folds and per-class counts balanced,
    // train = complement, and the folds are a function of the seed.
    func testKFoldCoversEachSampleOnce() {
        let k = 5
        var seen = [Int](repeating: 0, count: labels.count)
        for j in 0 ..< k {
            let split = CorpusSplit.kFold(labels: labels, folds: k, fold: j, seed: 7)
            XCTAssertEqual(Set(split.train).union(split.test).count, labels.count)
            XCTAssertTrue(Set(split.train).isDisjoint(with: split.test))
            XCTAssertTrue((4 ... 5).contains(split.test.count))
            for c in 0 ..< 3 {
                let perClass = split.test.filter { labels[$0] == c }.count
                let size = labels.filter { $0 == c }.count
                XCTAssertTrue(perClass == size / k || perClass == size / k + 1, "class \(c) fold \(j): \(perClass)")
            }
            split.test.forEach { seen[$0] += 1 }
        }
        XCTAssertEqual(seen, [Int](repeating: 1, count: labels.count))
        XCTAssertEqual(CorpusSplit.kFold(labels: labels, folds: k, fold: 2, seed: 7),
                       CorpusSplit.kFold(labels: labels, folds: k, fold: 2, seed: 7))
        XCTAssertNotEqual(CorpusSplit.kFold(labels: labels, folds: k, fold: 2, seed: 7),
                          CorpusSplit.kFold(labels: labels, folds: k, fold: 2, seed: 8))
    }

    // Hold-out: per class round(f·n) in test (at least one, never all); subsample keeps a fraction per class.
    func testHoldOutAndSubsample() {
        let split = CorpusSplit.holdOut(labels: labels, testFraction: 0.3, seed: 1)
        XCTAssertEqual(split.test.filter { labels[$0] == 0 }.count, 3)
        XCTAssertEqual(split.test.filter { labels[$0] == 1 }.count, 2)
        XCTAssertEqual(split.test.filter { labels[$0] == 2 }.count, 1)
        XCTAssertEqual(split.train.count + split.test.count, labels.count)
        let half = CorpusSplit.subsample(split.train, labels: labels, fraction: 0.5, seed: 1)
        XCTAssertTrue(Set(half).isSubset(of: split.train))
        XCTAssertEqual(half.filter { labels[$0] == 0 }.count, 4)  // round(0.5 · 7)
        XCTAssertEqual(CorpusSplit.subsample(split.train, labels: labels, fraction: 1, seed: 1), split.train)
    }
}
