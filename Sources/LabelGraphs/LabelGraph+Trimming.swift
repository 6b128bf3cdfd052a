/// Trimming augmented nodes (the graph-size ablation of Label-graph dataset joining, section 4.5: "trimming down
/// the augmented nodes by 36 % … by 63 %").
///
///     k = round(fraction · |Y^aug|) augmented nodes a, drawn by `SeededRandom(seed)`: a seeded sample of size k
///         from the nodes with at most one competing group under them, then (if k is larger) from the rest
///     removing a:  every parent p of a gets a's children as children (p → c), keeping edge order; a's own
///                  competing groups are dissolved into the groups a belonged to: a is replaced in each group
///                  that held it by its children (a child already in that group is not repeated)
///
/// Labels, root and every root → label connection are kept (a child reachable through a stays reachable
/// through a's parents). When a child ends up in two groups of one parent (it replaced nodes of both), those
/// groups are merged: its members then all compete, the only reading under which the child is in one group.
/// Removing a node with several groups (Figure 2's Cat with Hair and Color) therefore merges them and turns
/// deterministic paths nondeterministic; that is why such nodes are trimmed last.
import Core
import LinearAlgebra

extension LabelGraph {
    /// The graph without `count` (or `fraction` of the) augmented nodes chosen by `seed`; see the file's notes.
    public func trimmingAugmented(fraction: Double, seed: UInt64) throws -> LabelGraph {
        let augmented = nodes.indices.filter { nodes[$0].kind == .augmented }
        let simple = augmented.filter { groupsUnder[$0].count <= 1 }, grouped = augmented.filter { groupsUnder[$0].count > 1 }
        let k = min(augmented.count, Int((fraction * Double(augmented.count)).rounded()))
        var rng = SeededRandom(seed: seed)
        var removed = Set(rng.sample(min(k, simple.count), from: simple.count).map { simple[$0] })
        if k > simple.count { removed.formUnion(rng.sample(k - simple.count, from: grouped.count).map { grouped[$0] }) }
        return try removing(removed)
    }

    /// The graph without the augmented nodes `removed` (indices), reconnected as in the file's notes.
    public func removing(_ removed: Set<Int>) throws -> LabelGraph {
        precondition(removed.allSatisfy { nodes[$0].kind == .augmented }, "LabelGraph.removing: only augmented nodes can be trimmed")
        // Children of v after removal: a removed child is replaced by its own (transitively expanded) children,
        // depth first in edge order, each node once. Iterative (a long chain of removed nodes cannot overflow the
        // stack) and linear in the part of the graph it walks: a removed node already expanded adds nothing new.
        func expanded(_ nodes: [Int]) -> [Int] {
            var result: [Int] = [], kept = Set<Int>(), opened = Set<Int>()
            var stack: [(children: [Int], next: Int)] = [(nodes, 0)]
            while let top = stack.last {
                guard top.next < top.children.count else { stack.removeLast(); continue }
                stack[stack.count - 1].next += 1
                let c = top.children[top.next]
                if removed.contains(c) {
                    if opened.insert(c).inserted { stack.append((children[c], 0)) }
                } else if kept.insert(c).inserted {
                    result.append(c)
                }
            }
            return result
        }
        var definition = Definition()
        for v in nodes.indices where !removed.contains(v) { definition.nodes.append(nodes[v]) }
        for v in nodes.indices where !removed.contains(v) {
            for c in expanded(children[v]) { definition.edges.append(Edge(nodes[v].id, nodes[c].id)) }
        }
        for p in nodes.indices where !removed.contains(p) {
            var merged: [[Int]] = []
            for gi in groupsUnder[p] where groups[gi].declared {
                var members = expanded(groups[gi].members)
                // Merge with every earlier group sharing a member.
                while let j = merged.firstIndex(where: { !Set($0).isDisjoint(with: members) }) {
                    let earlier = Set(merged[j])
                    members = merged[j] + members.filter { !earlier.contains($0) }
                    merged.remove(at: j)
                }
                merged.append(members)
            }
            for members in merged {
                definition.groups.append((parent: nodes[p].id, members: members.map { nodes[$0].id }, line: nil))
            }
        }
        return try LabelGraph(definition, file: file + " (trimmed)")
    }
}
