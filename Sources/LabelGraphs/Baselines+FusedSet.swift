/// The fused training set of the FFN baseline (the paper's "FFN" column on PetFusion / FlowerFusion, Table 3):
/// an FFN has one softmax over the target dataset T's labels, so it can use another dataset's sample only when
/// that sample's label names exactly one label of T. For a sample of another dataset with label node ℓ:
///
///     fine(ℓ) = ℓ        when ℓ is itself a label of T (a label both datasets share: Flowers17 ∩ Flowers102)
///             = m        when D(ℓ) ∩ labels(T) = {m}, D(ℓ) = the strict descendants of ℓ (a coarse label
///                        with one fine label below it: the paper's "label set mapping table", e.g. the
///                        coarse `bags` → Fashion-MNIST `Bag`)
///             = nil      otherwise: the sample is dropped (its fine label is unknown among several,
///                        or ℓ is unrelated to T)
///
/// The paper (§4.1, Table 1) builds FlowerFusion this way: its FFN row on FlowerFusion adds the Flowers17 images
/// of the shared classes, while on PetFusion (no shared label) the FFN cannot use Dogs vs. Cats at all (✗).
/// Unlike `PseudoLabels`, no model is consulted: the mapping depends on the graph only.
public enum FusedLabels {
    /// fine(ℓ) for target dataset `target`, or nil to drop the sample.
    public static func fine(_ label: Int, target: String, in graph: LabelGraph) -> Int? {
        let isTargetLabel = { (v: Int) in graph.nodes[v].kind == .label && graph.nodes[v].datasets.contains(target) }
        if isTargetLabel(label) { return label }
        let below = graph.descendants(of: label).filter(isTargetLabel)
        return below.count == 1 ? below[0] : nil
    }

    /// `fine` over samples: the indices of the kept samples and their target labels (node indices), in order.
    public static func map(_ labels: [Int], target: String, in graph: LabelGraph) -> (kept: [Int], labels: [Int]) {
        var kept: [Int] = [], fineLabels: [Int] = []
        var memo: [Int: Int?] = [:]  // one descendant walk per distinct label, not per sample
        for (i, label) in labels.enumerated() {
            if memo[label] == nil { memo[label] = .some(fine(label, target: target, in: graph)) }
            if let mapped = memo[label]! {
                kept.append(i)
                fineLabels.append(mapped)
            }
        }
        return (kept, fineLabels)
    }
}
