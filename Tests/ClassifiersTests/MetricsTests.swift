@testable import Classifiers
import Core
import LinearAlgebra
import TestSupport
import XCTest

final class MetricsTests: XCTestCase {
    // Shared example: scores with ties, R = 3 relevant.
    //   item:     0    1    2    3    4    5
    //   score:   0.9  0.8  0.8  0.7  0.7  0.7
    //   relevant: T    F    T    F    T    F
    let scores: [Double] = [0.9, 0.8, 0.8, 0.7, 0.7, 0.7]
    let relevant = [true, false, true, false, true, false]

    func testAveragePrecisionWithTiesHandComputed() {
        // Pessimistic (negatives first in a tie): relevant at ranks 1, 3, 6 → (1/1 + 2/3 + 3/6)/3 = 13/18.
        XCTAssertEqual(Metrics.averagePrecision(scores: scores, relevant: relevant, ties: .pessimistic)!, 13.0 / 18, accuracy: 1e-12)
        // Optimistic (relevant first): ranks 1, 2, 4 → (1 + 2/2 + 3/4)/3 = 11/12.
        XCTAssertEqual(Metrics.averagePrecision(scores: scores, relevant: relevant, ties: .optimistic)!, 11.0 / 12, accuracy: 1e-12)
        // Average over orderings: group {0.9}: 1/1 = 1. Group {0.8}: the relevant item is 2nd or 3rd with
        // probability ½ each → ½(2/2 + 2/3) = 5/6. Group {0.7}: the relevant item is at rank 4, 5 or 6 →
        // (3/4 + 3/5 + 3/6)/3 = 37/60. AP = (1 + 5/6 + 37/60)/3 = 147/180.
        XCTAssertEqual(Metrics.averagePrecision(scores: scores, relevant: relevant)!, 147.0 / 180, accuracy: 1e-12)
        // Two relevant items in one tie of three: orderings put the non-relevant item first, middle or last
        // (each 1/3): (1/2 + 2/3)/2, (1 + 2/3)/2, (1 + 1)/2 → mean (7/12 + 5/6 + 1)/3 = 29/36.
        XCTAssertEqual(Metrics.averagePrecision(scores: [1.0, 1, 1], relevant: [true, true, false])!, 29.0 / 36, accuracy: 1e-12)
        // No ties: every convention agrees. Ranking T F T F: (1 + 2/3)/2 = 5/6.
        for ties in Metrics.TieHandling.allCases {
            XCTAssertEqual(Metrics.averagePrecision(scores: [4.0, 3, 2, 1], relevant: [true, false, true, false], ties: ties)!,
                           5.0 / 6, accuracy: 1e-12)
        }
        XCTAssertNil(Metrics.averagePrecision(scores: [1.0, 2], relevant: [false, false]))
    }

    func testAverageTieConventionIsTheMeanOverAllOrderings() {
        var rng = SeededRandom(seed: 41)
        for _ in 0 ..< 20 {
            let n = 7
            let s = (0 ..< n).map { _ in Double(rng.bounded(3)) }
            var r = (0 ..< n).map { _ in rng.bounded(2) == 1 }
            if !r.contains(true) { r[0] = true }
            // Brute force: AP of every permutation that respects the score order, averaged.
            var total = 0.0, count = 0
            permutations(Array(0 ..< n)) { order in
                guard zip(order, order.dropFirst()).allSatisfy({ s[$0] >= s[$1] }) else { return }
                var hits = 0.0, sum = 0.0
                for (k, i) in order.enumerated() where r[i] { hits += 1; sum += hits / Double(k + 1) }
                total += sum / hits
                count += 1
            }
            XCTAssertEqual(Metrics.averagePrecision(scores: s, relevant: r)!, total / Double(count), accuracy: 1e-12)
        }
    }

    func permutations(_ items: [Int], _ visit: ([Int]) -> Void) {
        var a = items
        func recurse(_ k: Int) {
            if k == a.count { visit(a); return }
            for i in k ..< a.count { a.swapAt(k, i); recurse(k + 1); a.swapAt(k, i) }
        }
        recurse(0)
    }

    func testMeanAveragePrecisionSkipsConceptsWithoutPositives() {
        let s = Matrix<Float>(rowArrays: [[0.9, 0.1, 0.5], [0.1, 0.2, 0.4], [0.5, 0.3, 0.3]])
        let t = LabelMatrix([[true, false, false], [false, false, true], [true, false, false]])
        let (mean, per) = Metrics.meanAveragePrecision(scores: s, truth: t)
        // Concept 0: relevant ranked 1st and 2nd → 1. Concept 1: no positives → skipped.
        // Concept 2: ranking 0.5(F) 0.4(T) 0.3(F) → 1/2.  mAP = (1 + 1/2)/2 = 3/4.
        XCTAssertEqual(per[0]!, 1, accuracy: 1e-12)
        XCTAssertNil(per[1])
        XCTAssertEqual(per[2]!, 0.5, accuracy: 1e-12)
        XCTAssertEqual(mean, 0.75, accuracy: 1e-12)
    }

    func testAUCWithTiesHandComputed() {
        // Positives {0.9, 0.8, 0.7}, negatives {0.8, 0.7, 0.7}. Pairs won (ties ½):
        // 0.9: 3;  0.8: ½ + 2 = 2.5;  0.7: 0 + ½ + ½ = 1.  AUC = 6.5/9.
        XCTAssertEqual(Metrics.areaUnderROC(scores: scores, relevant: relevant)!, 6.5 / 9, accuracy: 1e-12)
        XCTAssertEqual(Metrics.areaUnderROC(scores: [1.0, 1, 1, 1], relevant: [true, false, true, false])!, 0.5)
        XCTAssertEqual(Metrics.areaUnderROC(scores: [3.0, 2, 1], relevant: [true, true, false])!, 1)
        XCTAssertNil(Metrics.areaUnderROC(scores: [1.0, 2], relevant: [true, true]))
        // Against a brute-force pair count on random tied scores.
        var rng = SeededRandom(seed: 42)
        let s = (0 ..< 40).map { _ in Double(rng.bounded(5)) }
        let r = (0 ..< 40).map { _ in rng.bounded(3) == 0 }
        var won = 0.0, pairs = 0.0
        for p in 0 ..< 40 where r[p] {
            for n in 0 ..< 40 where !r[n] { won += s[p] > s[n] ? 1 : (s[p] == s[n] ? 0.5 : 0); pairs += 1 }
        }
        XCTAssertEqual(Metrics.areaUnderROC(scores: s, relevant: r)!, won / pairs, accuracy: 1e-12)
    }

    func testEqualErrorRateHandComputed() {
        // Shared example (P = N = 3): ROC vertices (0,0), (0,1/3) after 0.9, (1/3,2/3) after the 0.8 tie,
        // (1,1). h = FPR + TPR − 1 is −1, −2/3, 0, 1: the crossing is the vertex (1/3, 2/3) → EER = 1/3.
        XCTAssertEqual(Metrics.equalErrorRate(scores: scores, relevant: relevant)!, 1.0 / 3, accuracy: 1e-12)
        // Scores 3, 2, 2, 1 with relevance T, T, F, F: vertices (0,0), (0,½), (½,1), (1,1); h = −1, −½, ½:
        // the crossing is halfway along the tie's diagonal segment → (¼, ¾), EER = ¼.
        XCTAssertEqual(Metrics.equalErrorRate(scores: [3.0, 2, 2, 1], relevant: [true, true, false, false])!, 0.25, accuracy: 1e-12)
        // Perfect ranking → 0; reversed → 1; all tied → ½.
        XCTAssertEqual(Metrics.equalErrorRate(scores: [2.0, 1], relevant: [true, false])!, 0, accuracy: 1e-12)
        XCTAssertEqual(Metrics.equalErrorRate(scores: [1.0, 2], relevant: [true, false])!, 1, accuracy: 1e-12)
        XCTAssertEqual(Metrics.equalErrorRate(scores: [1.0, 1, 1], relevant: [true, false, false])!, 0.5, accuracy: 1e-12)
        XCTAssertNil(Metrics.equalErrorRate(scores: [1.0], relevant: [true]))
    }

    func testExampleFMeasureHandComputed() {
        let truth = LabelMatrix([[true, true, false], [false, false, false], [false, false, false], [true, false, false]])
        let predicted = LabelMatrix([[true, false, true], [false, false, false], [false, true, false], [true, false, false]])
        // Row 0: |P∩T| = 1, |P| = 2, |T| = 2 → 2/4 = ½.  Row 1: both empty → 1.
        // Row 2: T empty, P = {1} → 0.  Row 3: identical → 1.  F-ex = (½ + 1 + 0 + 1)/4 = 5/8.
        XCTAssertEqual(Metrics.exampleFMeasure(predicted: predicted, truth: truth), 0.625, accuracy: 1e-12)
    }

    func testAccuracyMacroF1AndConfusion() {
        let truth = [0, 0, 1, 1, 2, 2]
        let predicted = [0, 1, 1, 1, 0, 2]
        // counts[t][p]: row 0 = [1, 1, 0], row 1 = [0, 2, 0], row 2 = [1, 0, 1]; class 3 never occurs.
        XCTAssertEqual(Metrics.confusionMatrix(predicted: predicted, truth: truth, classes: 4),
                       [[1, 1, 0, 0], [0, 2, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]])
        XCTAssertEqual(Metrics.accuracy(predicted: predicted, truth: truth), 4.0 / 6, accuracy: 1e-12)
        // F1: class 0: TP 1, FP 1, FN 1 → 2/4; class 1: TP 2, FP 1, FN 0 → 4/5; class 2: TP 1, FP 0, FN 1 → 2/3;
        // class 3 skipped. Macro-F1 = (1/2 + 4/5 + 2/3)/3 = 59/90.
        XCTAssertEqual(Metrics.macroF1(predicted: predicted, truth: truth, classes: 4), 59.0 / 90, accuracy: 1e-12)
    }
}
