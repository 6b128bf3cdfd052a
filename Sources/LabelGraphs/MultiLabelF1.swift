/// F1 of multi-label predictions (prediction sets Ŷ_n against true sets Y_n, n = 1 … N), the measure of the
/// paper's Table 2:
///
///     micro  P = Σ|Ŷ_n ∩ Y_n| / Σ|Ŷ_n|    R = Σ|Ŷ_n ∩ Y_n| / Σ|Y_n|    F1 = 2PR / (P + R)   (0 when P + R = 0)
///     sample F1 = (1/N) Σ_n 2|Ŷ_n ∩ Y_n| / (|Ŷ_n| + |Y_n|)          (a sample with both sets empty scores 1)
///     macro  F1 = mean over the labels ℓ that occur in some Y_n or Ŷ_n of the per-label F1 (tp, fp, fn of ℓ)
///
/// `selecting(scores:top:threshold:)` turns scores into a set: every label with score ≥ τ, plus `top` (the
/// model's single best label), so no prediction set is empty.
public struct MultiLabelF1: Sendable, Equatable {
    public var truePositives = 0
    public var predicted = 0
    public var actual = 0
    public var sampleF1Sum = 0.0
    public var samples = 0
    var perLabel: [Int: (tp: Int, predicted: Int, actual: Int)] = [:]

    public init() {}

    public init(predictions: [Set<Int>], truths: [Set<Int>]) {
        precondition(predictions.count == truths.count, "MultiLabelF1: \(predictions.count) predictions, \(truths.count) truths")
        for (p, t) in zip(predictions, truths) { add(prediction: p, truth: t) }
    }

    public mutating func add(prediction: Set<Int>, truth: Set<Int>) {
        let hit = prediction.intersection(truth).count
        truePositives += hit
        predicted += prediction.count
        actual += truth.count
        sampleF1Sum += prediction.isEmpty && truth.isEmpty ? 1 : 2 * Double(hit) / Double(prediction.count + truth.count)
        samples += 1
        for l in prediction { perLabel[l, default: (0, 0, 0)].predicted += 1 }
        for l in truth { perLabel[l, default: (0, 0, 0)].actual += 1 }
        for l in prediction.intersection(truth) { perLabel[l, default: (0, 0, 0)].tp += 1 }
    }

    public var microPrecision: Double { predicted == 0 ? 0 : Double(truePositives) / Double(predicted) }
    public var microRecall: Double { actual == 0 ? 0 : Double(truePositives) / Double(actual) }
    public var micro: Double {
        let p = microPrecision, r = microRecall
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }
    public var sampleAveraged: Double { samples == 0 ? 0 : sampleF1Sum / Double(samples) }
    public var macro: Double {
        guard !perLabel.isEmpty else { return 0 }
        let total = perLabel.values.map { c in
            c.predicted + c.actual == 0 ? 0 : 2 * Double(c.tp) / Double(c.predicted + c.actual)
        }.reduce(0, +)
        return total / Double(perLabel.count)
    }

    public static func == (a: MultiLabelF1, b: MultiLabelF1) -> Bool {
        a.truePositives == b.truePositives && a.predicted == b.predicted && a.actual == b.actual
            && a.sampleF1Sum == b.sampleF1Sum && a.samples == b.samples
    }

    /// {ℓ : score(ℓ) ≥ τ} ∪ {top}.
    public static func selecting(scores: [Int: Double], top: Int?, threshold: Double) -> Set<Int> {
        var set = Set(scores.filter { $0.value >= threshold }.keys)
        if let top { set.insert(top) }
        return set
    }
}
