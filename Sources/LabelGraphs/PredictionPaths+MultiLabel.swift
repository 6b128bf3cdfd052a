/// The ground truth of a multi-label sample (a Debian package with several debtags, an arXiv paper with
/// several categories): labels ℓ₁ … ℓ_k of one dataset d.
///
///     𝒫  = 𝒫(ℓ₁, d) ∪ … ∪ 𝒫(ℓ_k, d)              every path of every label (duplicates once, label order)
///     deterministic(P ∈ 𝒫(ℓ_i, d))  per label        Definitions 3.2 / 3.3 among ℓ_i's own paths: two labels of
///                                                    one sample are both true, so a path to ℓ₁ is not made
///                                                    nondeterministic by a path to ℓ₂ through a competing node
///     S_i = S of 𝒫(ℓ_i, d);   r(P̂) = max_i |P̂ ∩ S_i| / |S_i|   (`GroundTruth.alternatives`, `reward`)
///     S   = S₁ ∩ … ∩ S_k                            (`requiredNodes`)
///
/// Teacher forcing then pools the deterministic paths of all labels (eq. 2 sums over a sample's paths; mean
/// pooling divides by their number), REINFORCE rewards a sampled path that reaches any of the labels, and
/// Label Set is positive on every S_i. With one label this is `groundTruth(label:dataset:)`.
extension PredictionPaths {
    public func groundTruth(labels: [Int], dataset: String) throws -> GroundTruth {
        precondition(!labels.isEmpty, "PredictionPaths.groundTruth(labels:): no label")
        let unique = labels.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        let single = try unique.map { try groundTruth(label: $0, dataset: dataset) }
        if single.count == 1 { return single[0] }
        var paths: [[Int]] = [], deterministic: [Bool] = []
        for truth in single {
            for (path, isDeterministic) in zip(truth.paths, truth.isDeterministic) {
                if let i = paths.firstIndex(of: path) {
                    deterministic[i] = deterministic[i] || isDeterministic
                } else {
                    paths.append(path)
                    deterministic.append(isDeterministic)
                }
            }
        }
        var common = Set(single[0].requiredNodes)
        for truth in single.dropFirst() { common.formIntersection(truth.requiredNodes) }
        var truth = GroundTruth(label: unique[0], dataset: dataset, paths: paths, isDeterministic: deterministic,
                                requiredNodes: common.sorted(), isCoarse: single.contains { $0.isCoarse })
        truth.alternatives = single.map(\.requiredNodes)
        return truth
    }
}
