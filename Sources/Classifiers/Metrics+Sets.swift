/// Per-example and single-label measures.
///
/// - F-ex (example-based F-measure, ImageCLEF 2010 "per photo"): for example q with predicted label set P_q
///   and true set T_q, F_q = 2|P_q ∩ T_q| / (|P_q| + |T_q|); F-ex = mean_q F_q. Empty sets: both empty ⇒ F_q = 1
///   (a correct "no label"); exactly one empty ⇒ F_q = 0 (the formula already gives 0).
/// - Accuracy: the fraction of items whose prediction equals the truth (0 for no items).
/// - Macro-F1 over C classes: per class c, F1_c = 2TP_c / (2TP_c + FP_c + FN_c), averaged over the classes that
///   occur in the truth or in the predictions (a class absent from both has no defined F1 and is skipped).
/// - Confusion matrix: C×C counts, row = true class, column = predicted class.
extension Metrics {
    /// F-ex of predicted vs true label sets (Q, K).
    public static func exampleFMeasure(predicted: LabelMatrix, truth: LabelMatrix) -> Double {
        precondition(predicted.rows == truth.rows && predicted.columns == truth.columns,
                     "exampleFMeasure: predicted \(predicted.rows)×\(predicted.columns), "
                        + "truth \(truth.rows)×\(truth.columns)")
        guard truth.rows > 0 else { return 0 }
        var sum = 0.0
        for q in 0 ..< truth.rows {
            var both = 0, p = 0, t = 0
            for k in 0 ..< truth.columns {
                let a = predicted[q, k], b = truth[q, k]
                if a { p += 1 }
                if b { t += 1 }
                if a && b { both += 1 }
            }
            sum += p + t == 0 ? 1 : 2 * Double(both) / Double(p + t)
        }
        return sum / Double(truth.rows)
    }

    /// The fraction of positions where `predicted` equals `truth`.
    public static func accuracy<T: Equatable>(predicted: [T], truth: [T]) -> Double {
        precondition(predicted.count == truth.count, "accuracy: \(predicted.count) predictions, \(truth.count) labels")
        guard !truth.isEmpty else { return 0 }
        return Double(zip(predicted, truth).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }) / Double(truth.count)
    }

    /// counts[t][p]: items of true class t predicted as p, for classes 0 ..< classes.
    public static func confusionMatrix(predicted: [Int], truth: [Int], classes: Int) -> [[Int]] {
        precondition(predicted.count == truth.count,
                     "confusionMatrix: \(predicted.count) predictions, \(truth.count) labels")
        var counts = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (p, t) in zip(predicted, truth) {
            precondition((0 ..< classes).contains(p) && (0 ..< classes).contains(t),
                         "confusionMatrix: class index outside 0..<\(classes)")
            counts[t][p] += 1
        }
        return counts
    }

    /// Macro-F1 over the classes present in the truth or the predictions.
    public static func macroF1(predicted: [Int], truth: [Int], classes: Int) -> Double {
        let counts = confusionMatrix(predicted: predicted, truth: truth, classes: classes)
        var sum = 0.0, present = 0
        for c in 0 ..< classes {
            let tp = counts[c][c]
            let fn = counts[c].reduce(0, +) - tp
            let fp = (0 ..< classes).reduce(0) { $0 + counts[$1][c] } - tp
            guard tp + fn + fp > 0 else { continue }
            sum += 2 * Double(tp) / Double(2 * tp + fp + fn)
            present += 1
        }
        return present == 0 ? 0 : sum / Double(present)
    }
}
