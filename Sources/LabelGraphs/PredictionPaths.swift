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
///
/// **Cost.** Every algorithm here is iterative (a 1M-deep chain cannot overflow the stack) and linear:
/// `init` is O(D · (V + E)) for D datasets (two passes over a topological order per dataset, instead of a
/// descendant search per label); `paths(to:)` counts the paths first, O(ancestors + their edges), and throws
/// `LabelGraphError.tooManyPaths` past `maximumPathsPerLabel` (a DAG can have exponentially many), then lists
/// them in O(paths · depth), the size of its answer.
public struct PredictionPaths: Sendable {
    public let graph: LabelGraph
    /// endNodes[v]: whether ⟨eop⟩ may follow v.
    public let endNodes: [Bool]
    /// A guard against combinatorial graphs: enumerating more paths than this for one label throws.
    public static let maximumPathsPerLabel = 4096
    /// finerBelow[d][v]: some strict descendant of v is a label of a dataset other than d (F_d below).
    let finerBelow: [String: [Bool]]

    public init(graph: LabelGraph) {
        var work = GraphWork()
        self.init(graph: graph, work: &work)
    }

    /// With F_d = the label nodes of some dataset ≠ d and below_d[v] = "a strict descendant of v is in F_d":
    ///
    ///     E(ℓ, d) = {ℓ}                                   when ¬below_d[ℓ]
    ///             = {m ∈ F_d strictly below ℓ : ¬below_d[m]}   otherwise
    ///
    /// (a finer label's own descendants are ℓ's too, so "finest among ℓ's" is "¬below_d"). Hence v ∈ some E(ℓ, d)
    /// iff v is a label of d with ¬below_d[v], or v ∈ F_d, ¬below_d[v] and some strict ancestor is a label of d:
    /// one backward and one forward pass over a topological order per dataset.
    init(graph: LabelGraph, work: inout GraphWork) {
        self.graph = graph
        let order = LabelGraph.topologicalOrder(children: graph.children, parents: graph.parents, work: &work)!
        var ends = [Bool](repeating: false, count: graph.count)
        var finerBelow: [String: [Bool]] = [:]
        for d in graph.datasets {
            let isFiner = graph.nodes.map { $0.kind == .label && $0.datasets.contains { $0 != d } }
            let isLabelOfD = graph.nodes.map { $0.kind == .label && $0.datasets.contains(d) }
            var below = [Bool](repeating: false, count: graph.count)
            for v in order.reversed() {
                for c in graph.children[v] {
                    work.steps += 1
                    if isFiner[c] || below[c] { below[v] = true; break }
                }
            }
            var underLabel = [Bool](repeating: false, count: graph.count)  // a strict ancestor is a label of d
            for v in order where underLabel[v] || isLabelOfD[v] {
                for c in graph.children[v] {
                    work.steps += 1
                    underLabel[c] = true
                }
            }
            for v in graph.nodes.indices where !below[v] {
                if isLabelOfD[v] || (isFiner[v] && underLabel[v]) { ends[v] = true }
            }
            finerBelow[d] = below
        }
        endNodes = ends
        self.finerBelow = finerBelow
    }

    /// E(ℓ, d), in index order; O(1) for a fine label, O(ℓ's descendants) for a coarse one.
    func endNodes(label l: Int, dataset d: String, work: inout GraphWork) -> [Int] {
        guard let below = finerBelow[d], below[l] else { return [l] }
        return graph.descendants(of: l, work: &work).filter {
            graph.nodes[$0].kind == .label && graph.nodes[$0].datasets.contains { $0 != d } && !below[$0]
        }
    }

    /// Every root → v path, [v₀, …, v], in a deterministic order (parents in edge order, depth first): the
    /// paths through v's first parent come first, and among those the order of that parent's own paths.
    ///
    /// Throws `LabelGraphError.tooManyPaths` when more than `maximumPathsPerLabel` paths reach v (counted
    /// first, so nothing is enumerated).
    public func paths(to v: Int) throws -> [[Int]] {
        var work = GraphWork()
        return try paths(to: v, work: &work)
    }

    func paths(to v: Int, work: inout GraphWork) throws -> [[Int]] {
        let limit = Self.maximumPathsPerLabel
        // 1. count[u] = number of root → u paths (capped at limit + 1), for v's ancestors: post-order, iteratively.
        var count: [Int: Int] = [graph.root: 1]
        var stack: [(node: Int, next: Int)] = [(v, 0)]
        while let top = stack.last {
            work.steps += 1
            if count[top.node] != nil { stack.removeLast(); continue }
            let parents = graph.parents[top.node]
            if top.next < parents.count {
                stack[stack.count - 1].next += 1
                if count[parents[top.next]] == nil { stack.append((parents[top.next], 0)) }
            } else {
                count[top.node] = min(limit + 1, parents.reduce(0) { min(limit + 1, $0 + count[$1]!) })
                stack.removeLast()
            }
        }
        if count[v]! > limit {
            throw LabelGraphError.tooManyPaths(file: graph.file, id: graph.nodes[v].id, limit: limit)
        }
        // 2. Depth-first up from v, parents in edge order; each time the root is reached, the walk reversed is a path.
        var result: [[Int]] = []
        result.reserveCapacity(count[v]!)
        var walk: [(node: Int, next: Int)] = [(v, 0)]
        while let top = walk.last {
            work.steps += 1
            if top.node == graph.root {
                result.append(walk.reversed().map(\.node))
                work.steps += walk.count
                walk.removeLast()
                continue
            }
            let parents = graph.parents[top.node]
            if top.next < parents.count {
                walk[walk.count - 1].next += 1
                walk.append((parents[top.next], 0))
            } else {
                walk.removeLast()
            }
        }
        return result
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
        var work = GraphWork()
        return try groundTruth(label: l, dataset: dataset, work: &work)
    }

    func groundTruth(label l: Int, dataset: String, work: inout GraphWork) throws -> GroundTruth {
        let node = graph.nodes[l]
        guard node.kind == .label, node.datasets.contains(dataset) else {
            throw LabelGraphError.unknownLabel(id: node.id, dataset: dataset,
                message: "node is \(node.kind == .label ? "a label of \(node.datasets.joined(separator: ", ")) only" : "not a label node") in \(graph.file). "
                    + "Fix: tag it `datasets=\(dataset)` or use the right dataset name.")
        }
        let ends = endNodes(label: l, dataset: dataset, work: &work)
        var paths: [[Int]] = []
        for m in ends { paths += try self.paths(to: m, work: &work).filter { $0.contains(l) } }
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
