import Core
import LinearAlgebra
import NeuralNets

/// The baselines of the paper's experiments (section 4.1), on the same encoder vectors as `PathDecoder`:
///
///     FFN          z = MLP(e) (B, C)      ℓ = Σ_b −log softmax(z_b)[y_b]                    fine labels only
///     Label Set    z = MLP(e) (B, L)      ℓ = Σ_b Σ_j m_bj · BCE(σ(z_bj), y_bj)             Deng et al. (2014)
///     Label Set + augmented nodes: the same with L = every non-root node (label and augmented)
///     MLP(e)       = ReLU(e·W₁ + b₁)·W₂ + b₂                                               W₁ (F, M), W₂ (M, ·)
///
/// Label Set flattens a sample's ground-truth paths into a set over the L label nodes (`labelColumns`): y = 1 on
/// the label nodes every path holds (S ∩ labels), mask m = 0 on label nodes only some paths hold (for a coarse
/// sample: its unknown fine labels), y = 0 elsewhere. With `LabelSetNodes.labelsAndAugmented` the columns are
/// every node but the root, so the set also holds the augmented nodes of the paths — the information label-aug
/// trains on, minus the order (a node on only some of a label's paths is masked like an unknown fine label).
/// Pseudo labels: `PseudoLabels`. Both losses are SUMS over the
/// batch with gradients accumulated (+=), the data-parallel contract of `PathDecoder.loss`.
public struct BaselineClassifier: Sendable {
    public enum Objective: Sendable, Equatable {
        /// Softmax over `classCount` classes.
        case softmax(classCount: Int)
        /// Independent sigmoids over the graph's label nodes.
        case labelSet
    }

    /// The columns of a Label Set network.
    public enum LabelSetNodes: String, Sendable, CaseIterable {
        /// The label nodes only (the paper's Label Set).
        case labels
        /// Every node but the root: label and augmented nodes.
        case labelsAndAugmented = "labels+augmented"
    }

    public let objective: Objective
    public let labelSetNodes: LabelSetNodes
    public let graph: LabelGraph
    /// The label nodes (or, with `.labelsAndAugmented`, every non-root node), in index order: column j of a
    /// Label Set output is node labelColumns[j].
    public let labelColumns: [Int]
    public let layout: ParameterLayout
    public let hidden: Linear
    public let head: Linear

    /// F → M → C (softmax) or F → M → L (Label Set; `labelSetNodes` picks the L columns).
    public init(graph: LabelGraph, objective: Objective, featureSize: Int, hiddenSize: Int, labelSetNodes: LabelSetNodes = .labels) {
        var layout = ParameterLayout()
        labelColumns = labelSetNodes == .labels ? graph.labelNodes : graph.nodes.indices.filter { $0 != graph.root }
        self.labelSetNodes = labelSetNodes
        let outputs: Int
        switch objective {
        case let .softmax(c): outputs = c
        case .labelSet: outputs = labelColumns.count
        }
        hidden = Linear("baseline.1", inputSize: featureSize, outputSize: hiddenSize, layout: &layout)
        head = Linear("baseline.2", inputSize: hiddenSize, outputSize: outputs, layout: &layout)
        self.objective = objective
        self.graph = graph
        self.layout = layout
    }

    public func makeParameters<S: NeuralScalar>(seed: UInt64) -> Parameters<S> {
        var parameters = Parameters<S>(layout: layout)
        var rng = SeededRandom(seed: seed)
        hidden.initialize(&parameters.values, rng: &rng)
        head.initialize(&parameters.values, rng: &rng)
        return parameters
    }

    /// z (B, C or L).
    public func logits<S: NeuralScalar>(_ features: Matrix<S>, parameters: [S]) -> Matrix<S> {
        let (a, _) = hidden.forward(features, parameters: parameters)
        return head.forward(ReLU().forward(a).0, parameters: parameters).0
    }

    /// FFN: Σ_b −log p(y_b | e_b) for class indices `labels` (B); returns the loss and dFeatures.
    @_specialize(where S == Float)
    public func softmaxLoss<S: NeuralScalar>(
        _ features: Matrix<S>, labels: [Int], parameters: inout Parameters<S>
    ) -> (loss: S, dFeatures: Matrix<S>) {
        guard case .softmax = objective else { preconditionFailure("BaselineClassifier: softmaxLoss needs .softmax") }
        return withHead(features, parameters: &parameters) { z in
            let (loss, cache) = SoftmaxCrossEntropy.forward(z, targets: labels, reduction: .sum)
            return (loss, SoftmaxCrossEntropy.backward(1, cache))
        }
    }

    /// Label Set: Σ_b Σ_j m_bj · (−y_bj log σ(z_bj) − (1 − y_bj) log(1 − σ(z_bj))); returns the loss and dFeatures.
    @_specialize(where S == Float)
    public func labelSetLoss<S: NeuralScalar>(
        _ features: Matrix<S>, truths: [GroundTruth], parameters: inout Parameters<S>
    ) -> (loss: S, dFeatures: Matrix<S>) {
        guard objective == .labelSet else { preconditionFailure("BaselineClassifier: labelSetLoss needs .labelSet") }
        return withHead(features, parameters: &parameters) { z in
            var loss: S = 0
            var dZ = Matrix<S>(rows: z.rows, columns: z.columns)
            for (b, truth) in truths.enumerated() {
                let (y, m) = labelSetTargets(truth)
                for j in 0 ..< z.columns where m[j] {
                    // BCE from logits: softplus(z) − y·z, with softplus(z) = max(z, 0) + log(1 + e^{−|z|}).
                    let v = z[b, j], target: S = y[j] ? 1 : 0
                    loss += max(v, 0) + S.log(1 + S.exp(-abs(v))) - target * v
                    dZ[b, j] = sigmoid(v) - target
                }
            }
            return (loss, dZ)
        }
    }

    /// (y, m) over `labelColumns` for one sample (see the type's documentation).
    public func labelSetTargets(_ truth: GroundTruth) -> (positive: [Bool], mask: [Bool]) {
        // A multi-label sample is positive on the required nodes of each of its labels.
        let onSome = Set(truth.paths.joined())
        let onAll = truth.alternatives.isEmpty ? Set(truth.requiredNodes) : Set(truth.alternatives.joined())
        return (labelColumns.map { onAll.contains($0) }, labelColumns.map { onAll.contains($0) || !onSome.contains($0) })
    }

    /// The prediction among `candidates` (node indices for Label Set, class indices for softmax): argmax z.
    public func predict<S: NeuralScalar>(_ features: Matrix<S>, parameters: [S], candidates: [Int]) -> [Int] {
        let z = logits(features, parameters: parameters)
        let columns = objective == .labelSet ? candidates.map { labelColumns.firstIndex(of: $0)! } : candidates
        return (0 ..< z.rows).map { b in
            let best = columns.indices.max { z[b, columns[$0]] < z[b, columns[$1]] }!
            return candidates[best]
        }
    }

    /// Forward through the MLP, `lossAndGradient(z)`, backward; returns (loss, dFeatures).
    func withHead<S: NeuralScalar>(
        _ features: Matrix<S>, parameters: inout Parameters<S>, _ lossAndGradient: (Matrix<S>) -> (S, Matrix<S>)
    ) -> (loss: S, dFeatures: Matrix<S>) {
        let values = parameters.values
        let (a, hiddenCache) = hidden.forward(features, parameters: values)
        let (r, reluCache) = ReLU().forward(a)
        let (z, headCache) = head.forward(r, parameters: values)
        let (loss, dZ) = lossAndGradient(z)
        let dR = head.backward(dZ, headCache, parameters: values, into: &parameters.grads)
        let dA = ReLU().backward(dR, reluCache)
        return (loss, hidden.backward(dA, hiddenCache, parameters: values, into: &parameters.grads))
    }
}

/// Supervised pseudo labels (section 4.1, after Lee 2013): a fine model relabels each coarse sample; the
/// sample is kept with the predicted fine label when that label lies below its coarse label in the graph or IS
/// its label (a label both datasets share, as in Flowers102 + Flowers17), and dropped when the prediction
/// contradicts the coarse label.
public enum PseudoLabels {
    /// The fine node to train on, or nil to drop the sample.
    public static func relabel(coarse: Int, predictedFine: Int, in graph: LabelGraph) -> Int? {
        coarse == predictedFine || graph.isAncestor(coarse, of: predictedFine) ? predictedFine : nil
    }

    /// `relabel` over a dataset: the indices of the kept samples and their fine labels.
    public static func relabel(coarse: [Int], predictedFine: [Int], in graph: LabelGraph) -> (kept: [Int], labels: [Int]) {
        precondition(coarse.count == predictedFine.count, "PseudoLabels: \(coarse.count) coarse labels, \(predictedFine.count) predictions")
        var kept: [Int] = [], labels: [Int] = []
        for i in coarse.indices {
            if let fine = relabel(coarse: coarse[i], predictedFine: predictedFine[i], in: graph) {
                kept.append(i)
                labels.append(fine)
            }
        }
        return (kept, labels)
    }
}
