import LinearAlgebra

/// Evaluation measures of ImageCLEF VCDT 2010 (paper §4.4) and of single-label classification.
///
/// **Per concept** (a ranking of the Q test items by score s_q against relevance r_q):
///
/// - AP (average precision, TREC/ImageCLEF definition): with the items sorted by decreasing score,
///   AP = (1/R) Σ_{k : r_(k)} P@k, where R is the number of relevant items and P@k the fraction of relevant
///   items among the first k. Undefined (`nil`) when R = 0.
/// - mAP: the mean of AP over the concepts with R > 0 (concepts without positives are skipped).
/// - AUC: Mann–Whitney, (1/(P·N)) Σ_{p ∈ pos, n ∈ neg} ([s_p > s_n] + ½[s_p = s_n]) — see `Metrics+ROC.swift`.
/// - EER: the equal error rate on the ROC polyline, see `Metrics+ROC.swift`.
///
/// **Ties in AP.** A ranking with tied scores has no unique order; `TieHandling` makes the choice explicit:
///
/// | case | within a group of tied scores |
/// | --- | --- |
/// | `.average` (default) | the exact expectation of AP over all orderings of the group (McSherry & Najork 2008) |
/// | `.pessimistic` | non-relevant items first |
/// | `.optimistic` | relevant items first |
///
/// `.average` has a closed form: a group of n tied items, t of them relevant, preceded by p items of which
/// R_b are relevant, contributes Σ_{i=1}^{n} (t/n) · (R_b + 1 + (i−1)(t−1)/(n−1)) / (p + i) to Σ P@k, since the
/// item at group position i is relevant with probability t/n and then, of the i−1 group items above it,
/// (i−1)(t−1)/(n−1) are relevant on average (the term is 0 when n = 1). Without ties all three agree.
///
/// **Per example** see `Metrics+Sets.swift` (F-ex, accuracy, macro-F1, confusion matrix).
public enum Metrics {
    /// How tied scores are ordered when computing AP.
    public enum TieHandling: String, Sendable, CaseIterable {
        case average, pessimistic, optimistic
    }

    /// AP of one concept: `scores[q]` ranks item q, `relevant[q]` is its ground truth; nil when no item is
    /// relevant.
    public static func averagePrecision<S: BinaryFloatingPoint>(scores: [S], relevant: [Bool],
                                                                ties: TieHandling = .average) -> Double? {
        precondition(scores.count == relevant.count, "averagePrecision: \(scores.count) scores, \(relevant.count) labels")
        let totalRelevant = relevant.reduce(0) { $0 + ($1 ? 1 : 0) }
        guard totalRelevant > 0 else { return nil }
        var sum = 0.0, before = 0, relevantBefore = 0
        for group in tieGroups(scores) {
            let n = group.count
            let t = group.reduce(0) { $0 + (relevant[$1] ? 1 : 0) }
            if t > 0 {
                switch ties {
                case .average:
                    for i in 1 ... n {
                        let above = n > 1 ? Double((i - 1) * (t - 1)) / Double(n - 1) : 0
                        sum += Double(t) / Double(n) * (Double(relevantBefore) + 1 + above) / Double(before + i)
                    }
                case .pessimistic, .optimistic:
                    let first = ties == .optimistic ? 1 : n - t + 1  // group position of the first relevant item
                    for r in 1 ... t { sum += Double(relevantBefore + r) / Double(before + first + r - 1) }
                }
            }
            before += n
            relevantBefore += t
        }
        return sum / Double(totalRelevant)
    }

    /// mAP over the K columns of `scores` (Q, K) against `truth` (Q, K); concepts with no relevant item are
    /// skipped. Returns the mean and the per-concept APs (nil for skipped concepts).
    public static func meanAveragePrecision<S: BLASScalar>(scores: Matrix<S>, truth: LabelMatrix,
                                                           ties: TieHandling = .average)
        -> (mean: Double, perConcept: [Double?]) {
        precondition(scores.rows == truth.rows && scores.columns == truth.columns,
                     "meanAveragePrecision: scores \(scores.rows)×\(scores.columns), truth \(truth.rows)×\(truth.columns)")
        let perConcept = (0 ..< scores.columns).map { k in
            averagePrecision(scores: (0 ..< scores.rows).map { scores[$0, k] }, relevant: truth.column(k), ties: ties)
        }
        let defined = perConcept.compactMap { $0 }
        return (defined.isEmpty ? 0 : defined.reduce(0, +) / Double(defined.count), perConcept)
    }

    /// The item indices grouped by equal score, groups in decreasing score order (indices ascending within).
    static func tieGroups<S: BinaryFloatingPoint>(_ scores: [S]) -> [[Int]] {
        precondition(!scores.contains { $0.isNaN }, "Metrics: a score is NaN")
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        var groups: [[Int]] = []
        for i in order {
            if let last = groups.last?.last, scores[last] == scores[i] {
                groups[groups.count - 1].append(i)
            } else {
                groups.append([i])
            }
        }
        return groups
    }
}
