/// Prediction paths on a label graph and their ground truth (Label-graph dataset joining, sections 3.2.2–3.2.3).
///
/// **Prediction path** (3.2.2): P = v₀ ∘ v₁ ∘ … ∘ v_k ∘ v_⟨eop⟩, a walk along edges from the root v₀ that ends
/// with the end-of-path token ⟨eop⟩ (`LabelGraph.endOfPath`, index V in the decoder's outputs). Paths are stored
/// as node indices [v₀, …, v_k]; ⟨eop⟩ is implied after v_k.
///
/// **Ground truth of a sample (ℓ, d)** — a sample of dataset d labelled with label node ℓ:
///
///     E(ℓ, d) = {ℓ}                         when no strict descendant of ℓ is a label of another dataset
///             = the finest such labels      otherwise (ℓ is a coarse label: its fine descendant is unknown)
///     𝒫(ℓ, d) = every root → m path through ℓ, m ∈ E(ℓ, d)        ("all possible prediction paths", 3.2.2)
///     S       = the nodes on every path of 𝒫, without v₀            (the "groundtruth label nodes" of eq. 3)
///
/// "Finest" = no strict descendant is itself such a label. E(ℓ, d) for all samples also fixes where ⟨eop⟩ is
/// allowed: `endNodes[v]` is true iff v ∈ E(ℓ, d) for some label ℓ and dataset d of ℓ; the decoder stops only
/// there, so it learns to predict fine labels from coarse samples too.
///
/// **Definition 3.2 (deterministic path).** A path P(v) is deterministic if there is no other path P′(v) with
/// nodes u ∈ P(v), w ∈ P′(v), u ≠ w, u and w competing nodes (Definition 3.1, `LabelGraph.competing`).
/// **Definition 3.3 (nondeterministic path).** P(v) is nondeterministic if such a P′(v) exists. Both are
/// applied to the paths of 𝒫(ℓ, d); for a coarse label the other paths P′ are those to its other fine labels
/// (the extension the unknown fine label needs: those paths part at competing nodes, so they are nondeterministic).
///
/// In Figure 2, British Shorthair (BSH) has parents Shorthair, Solid, Tabby and Point; Hair = {Shorthair,
/// Longhair} and Color = {Solid, Tabby, Point} are Cat's groups. Animal∘Cat∘Shorthair∘BSH is deterministic (no
/// other path holds Longhair); Animal∘Cat∘Solid∘BSH is nondeterministic (Animal∘Cat∘Tabby∘BSH holds Tabby,
/// which competes with Solid); S = {Cat, BSH}.
public struct PredictionPaths: Sendable {
    public let graph: LabelGraph
    /// endNodes[v]: whether ⟨eop⟩ may follow v.
    public let endNodes: [Bool]
    /// A guard against combinatorial graphs: enumerating more paths than this for one label throws.
    public static let maximumPathsPerLabel = 4096

    public init(graph: LabelGraph) {
        self.graph = graph
        var ends = [Bool](repeating: false, count: graph.count)
        for l in graph.labelNodes {
            for d in graph.nodes[l].datasets {
                for m in Self.endNodes(graph, label: l, dataset: d) { ends[m] = true }
            }
        }
        endNodes = ends
    }

    /// E(ℓ, d).
    static func endNodes(_ graph: LabelGraph, label l: Int, dataset d: String) -> [Int] {
        let finer = graph.descendants(of: l).filter {
            graph.nodes[$0].kind == .label && graph.nodes[$0].datasets.contains { $0 != d }
        }
        if finer.isEmpty { return [l] }
        let finerSet = Set(finer)
        return finer.filter { graph.descendants(of: $0).allSatisfy { !finerSet.contains($0) } }
    }

    /// Every root → v path, [v₀, …, v], in a deterministic order (parents in edge order, depth first).
    public func paths(to v: Int) throws -> [[Int]] {
        var memo: [Int: [[Int]]] = [graph.root: [[graph.root]]]
        func walk(_ u: Int) throws -> [[Int]] {
            if let known = memo[u] { return known }
            var result: [[Int]] = []
            for p in graph.parents[u] {
                for prefix in try walk(p) { result.append(prefix + [u]) }
                if result.count > Self.maximumPathsPerLabel {
                    throw LabelGraphError.unknownLabel(id: graph.nodes[v].id, dataset: "",
                        message: "more than \(Self.maximumPathsPerLabel) root paths reach it. Fix: compress the graph.")
                }
            }
            memo[u] = result
            return result
        }
        return try walk(v)
    }

    /// Every root → ℓ path of every label node ℓ, labels in index order.
    public func allLabelPaths() throws -> [(label: Int, paths: [[Int]])] {
        try graph.labelNodes.map { ($0, try paths(to: $0)) }
    }

    /// Definitions 3.2 / 3.3 on a set of paths: `result[i]` is true iff paths[i] is deterministic.
    public func classify(_ paths: [[Int]]) -> [Bool] {
        paths.indices.map { i in
            !paths.indices.contains { j in
                j != i && paths[i].contains { u in paths[j].contains { w in graph.competing(u, w) } }
            }
        }
    }

    /// The ground truth of a sample of `dataset` labelled with node id `label`.
    public func groundTruth(label: String, dataset: String) throws -> GroundTruth {
        guard let l = graph.index(of: label) else {
            throw LabelGraphError.unknownLabel(id: label, dataset: dataset,
                message: "no such node in \(graph.file). Fix: add it to the graph or map the class name to a node id.")
        }
        return try groundTruth(label: l, dataset: dataset)
    }

    /// The ground truth of a sample of `dataset` labelled with node `l`.
    public func groundTruth(label l: Int, dataset: String) throws -> GroundTruth {
        let node = graph.nodes[l]
        guard node.kind == .label, node.datasets.contains(dataset) else {
            throw LabelGraphError.unknownLabel(id: node.id, dataset: dataset,
                message: "node is \(node.kind == .label ? "a label of \(node.datasets.joined(separator: ", ")) only" : "not a label node") in \(graph.file). "
                    + "Fix: tag it `datasets=\(dataset)` or use the right dataset name.")
        }
        let ends = Self.endNodes(graph, label: l, dataset: dataset)
        var paths: [[Int]] = []
        for m in ends { paths += try self.paths(to: m).filter { $0.contains(l) } }
        var common = Set(paths[0])
        for p in paths.dropFirst() { common.formIntersection(p) }
        common.remove(graph.root)
        return GroundTruth(label: l, dataset: dataset, paths: paths, isDeterministic: classify(paths),
                           requiredNodes: common.sorted(), isCoarse: ends != [l])
    }
}

/// The ground truth of one sample label (see `PredictionPaths`).
public struct GroundTruth: Sendable, Equatable {
    /// ℓ.
    public var label: Int
    /// d.
    public var dataset: String
    /// 𝒫(ℓ, d): root → end paths, ⟨eop⟩ implied at the end of each.
    public var paths: [[Int]]
    /// isDeterministic[i]: Definition 3.2 holds for paths[i] (else 3.3).
    public var isDeterministic: [Bool]
    /// S of eq. 3, sorted node indices.
    public var requiredNodes: [Int]
    /// Whether ℓ is a coarse label whose paths continue to unknown fine labels.
    public var isCoarse: Bool
    /// A multi-label sample (`groundTruth(labels:dataset:)`): S of each of its labels; empty for one label.
    /// The reward is then the best over them, and `requiredNodes` is their intersection.
    public var alternatives: [[Int]] = []

    public var deterministicPaths: [[Int]] { paths.indices.filter { isDeterministic[$0] }.map { paths[$0] } }
    public var nondeterministicPaths: [[Int]] { paths.indices.filter { !isDeterministic[$0] }.map { paths[$0] } }
    /// Whether the sample is trained by REINFORCE (it has a nondeterministic path).
    public var hasNondeterministicPaths: Bool { isDeterministic.contains(false) }

    public init(label: Int, dataset: String, paths: [[Int]], isDeterministic: [Bool], requiredNodes: [Int], isCoarse: Bool) {
        self.label = label
        self.dataset = dataset
        self.paths = paths
        self.isDeterministic = isDeterministic
        self.requiredNodes = requiredNodes
        self.isCoarse = isCoarse
    }

    /// Eq. 3: r(P̂) = |P̂ ∩ S| / |S| for a generated path P̂ (1 when S is empty); for a multi-label sample
    /// max_i |P̂ ∩ S_i| / |S_i| over its labels' S_i (`alternatives`): a path is as good as the label it reaches.
    public func reward(_ path: [Int]) -> Double {
        func score(_ required: [Int]) -> Double {
            if required.isEmpty { return 1 }
            return Double(required.filter { path.contains($0) }.count) / Double(required.count)
        }
        return alternatives.isEmpty ? score(requiredNodes) : alternatives.map(score).max()!
    }
}

extension LabelGraph {
    /// ⟨eop⟩'s index in the decoder's V + 1 outputs: V.
    public var endOfPath: Int { count }
}
