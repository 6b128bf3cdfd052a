/// What `train-paths` trains (the rows of the paper's Table 3).
public enum PathMethod: String, Sendable, CaseIterable {
    /// The GRU path decoder on the label graph (Algorithm 1): "label-aug"; with a coarse dataset joined, "+ fusion".
    case labelAug = "label-aug"
    /// Softmax over the target dataset's labels, trained on the target dataset's samples only.
    case ffn
    /// Multi-label sigmoid over every label node on the ground-truth paths (Deng et al. 2014).
    case labelSet = "label-set"
    /// Label Set over the label AND augmented nodes on the ground-truth paths: label-aug's information, no order.
    case labelSetAugmented = "label-set-aug"
    /// FFN on the fused set: the target dataset's samples plus the other datasets' samples whose label names
    /// exactly one target label (`FusedLabels`); the rest are dropped.
    case ffnFused = "ffn-fused"
    /// FFN on the target dataset → relabel the other datasets' samples → drop contradictions → FFN on the union.
    case pseudoLabels = "pseudo-labels"
}
