/// ROC-based measures: AUC and EER.
///
/// **ROC polyline.** Thresholds sweep the distinct scores from high to low; after each group of tied scores the
/// curve reaches (FPR, TPR) = (FP/N, TP/P). Consecutive points are joined by straight segments, so a group of
/// tied scores containing both classes is a diagonal segment (the expectation over orderings of the group).
/// It runs from (0, 0) to (1, 1).
///
/// - AUC = area under that polyline = the Mann–Whitney statistic with ties counted ½:
///   (1/(P·N)) Σ_{p, n} ([s_p > s_n] + ½[s_p = s_n]), computed from mid-ranks in O(Q log Q).
/// - EER = the error rate at the point of the polyline where FPR = FNR = 1 − TPR, found by linear interpolation
///   on the segment where h = FPR + TPR − 1 changes sign (h runs from −1 at (0,0) to +1 at (1,1)).
///
/// Both are nil when one class is absent (P = 0 or N = 0).
extension Metrics {
    /// AUC of one concept (Mann–Whitney, ties ½).
    public static func areaUnderROC<S: BinaryFloatingPoint>(scores: [S], relevant: [Bool]) -> Double? {
        precondition(scores.count == relevant.count, "areaUnderROC: \(scores.count) scores, \(relevant.count) labels")
        let positives = relevant.reduce(0) { $0 + ($1 ? 1 : 0) }
        let negatives = relevant.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        // Ascending ranks 1…Q, tied items share the mean of their ranks; U = Σ_pos rank − P(P+1)/2.
        var rankSum = 0.0, rankAbove = relevant.count  // groups come in decreasing score order
        for group in tieGroups(scores) {
            let midRank = Double(rankAbove) - Double(group.count - 1) / 2
            for i in group where relevant[i] { rankSum += midRank }
            rankAbove -= group.count
        }
        let u = rankSum - Double(positives) * Double(positives + 1) / 2
        return u / (Double(positives) * Double(negatives))
    }

    /// The ROC polyline's vertices (FPR, TPR), from (0, 0) to (1, 1), one per group of tied scores.
    public static func rocCurve<S: BinaryFloatingPoint>(scores: [S], relevant: [Bool])
        -> [(falsePositiveRate: Double, truePositiveRate: Double)] {
        let positives = Double(relevant.reduce(0) { $0 + ($1 ? 1 : 0) })
        let negatives = Double(relevant.count) - positives
        var points = [(falsePositiveRate: 0.0, truePositiveRate: 0.0)]
        var tp = 0.0, fp = 0.0
        for group in tieGroups(scores) {
            for i in group { if relevant[i] { tp += 1 } else { fp += 1 } }
            points.append((negatives > 0 ? fp / negatives : 0, positives > 0 ? tp / positives : 0))
        }
        return points
    }

    /// EER of one concept: FPR at the point of the ROC polyline where FPR = 1 − TPR.
    public static func equalErrorRate<S: BinaryFloatingPoint>(scores: [S], relevant: [Bool]) -> Double? {
        precondition(scores.count == relevant.count, "equalErrorRate: \(scores.count) scores, \(relevant.count) labels")
        let positives = relevant.reduce(0) { $0 + ($1 ? 1 : 0) }
        guard positives > 0, positives < relevant.count else { return nil }
        let curve = rocCurve(scores: scores, relevant: relevant)
        for s in 1 ..< curve.count {
            let (f0, t0) = curve[s - 1], (f1, t1) = curve[s]
            let h0 = f0 + t0 - 1, h1 = f1 + t1 - 1
            if h1 >= 0 {  // h0 < 0 ≤ h1 here: h increases along the curve and starts at −1
                let lambda = h1 > h0 ? -h0 / (h1 - h0) : 0
                return f0 + lambda * (f1 - f0)
            }
        }
        return nil  // unreachable: the curve ends at (1, 1) where h = 1
    }
}
