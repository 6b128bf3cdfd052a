/// A knowledge-driven label graph joining datasets with different label sets (Label-graph dataset joining,
/// section 3.2.1 and Definition 3.1).
///
///     G(V, E):  V = {v₀} ∪ Yᵃ ∪ Yᵇ ∪ … ∪ Y^aug       one root v₀, the label nodes of every dataset, augmented nodes
///               E ⊆ V × V                            directed edges parent → child; G is acyclic
///
/// **Competing groups (Definition 3.1).** u and w are *competing nodes* when they share an ancestor and are
/// mutually exclusive in the taxonomy. Here a competing group is a set of children of one parent p
/// (`Group.parent`, `Group.members`); u and w compete iff some group holds both. A parent's children are
/// partitioned into its groups: when a graph file declares no `group` for p, all of p's children form one group
/// (a plain taxonomy: siblings exclude each other); when it declares some, every child must be in exactly one.
/// In the paper's Figure 2, Cat has two groups, Hair = {Shorthair, Longhair} and Color pattern =
/// {Solid, Tabby, Point}; Shorthair and Solid are siblings but do not compete.
///
/// **Validation** (`init(_:file:)`): unique ids; exactly one root, with no parent; label nodes carry ≥ 1 dataset;
/// edges and groups name declared nodes; no cycle (the error shows it); every node reachable from the root;
/// every leaf is a label node (a path must end at a label); group members are children of the group's parent.
///
/// Indices: nodes are numbered 0 ..< V in declaration order; `children[v]` keeps edge order.
/// Files: `LabelGraph(parsing:file:)` reads the line format of `data/label-graphs/FORMAT.md`, `text` writes it;
/// `LabelGraph(outline:…)` reads an indented taxonomy; `WordNet.labelGraph(…)` derives one from hypernyms.
public struct LabelGraph: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case root, label, augmented
    }

    public struct Node: Sendable, Equatable {
        /// The unique id used in files (no spaces).
        public var id: String
        public var kind: Kind
        /// The datasets whose label this is (label nodes only), e.g. ["fashion-mnist"].
        public var datasets: [String]
        /// A human-readable name ("T-shirt/top").
        public var name: String
        /// The source line that declared it, for error messages.
        public var line: Int?

        public init(id: String, kind: Kind, datasets: [String] = [], name: String? = nil, line: Int? = nil) {
            self.id = id
            self.kind = kind
            self.datasets = datasets
            self.name = name ?? id
            self.line = line
        }
    }

    /// An edge parent → child, by id, as written in a source.
    public struct Edge: Sendable, Equatable {
        public var parent: String
        public var child: String
        public var line: Int?
        public init(_ parent: String, _ child: String, line: Int? = nil) {
            self.parent = parent
            self.child = child
            self.line = line
        }
    }

    /// A competing group: mutually exclusive children of `parent` (node indices once validated).
    public struct Group: Sendable, Equatable {
        public var parent: Int
        public var members: [Int]
        /// Whether a `group` line declared it (false: the default group of all of `parent`'s children).
        public var declared: Bool
    }

    /// A graph as read from a source, before validation: nodes, edges and declared groups, by id.
    public struct Definition: Sendable, Equatable {
        public var nodes: [Node] = []
        public var edges: [Edge] = []
        /// (parent id, member ids, source line).
        public var groups: [(parent: String, members: [String], line: Int?)] = []
        public init() {}

        public static func == (a: Definition, b: Definition) -> Bool {
            a.nodes == b.nodes && a.edges == b.edges && a.groups.count == b.groups.count
                && zip(a.groups, b.groups).allSatisfy { $0.parent == $1.parent && $0.members == $1.members }
        }
    }

    /// The name of the source (file path) used in error messages.
    public let file: String
    /// V nodes in declaration order.
    public let nodes: [Node]
    /// v₀.
    public let root: Int
    /// children[v]: the children of v in edge order.
    public let children: [[Int]]
    /// parents[v].
    public let parents: [[Int]]
    /// Every competing group, declared or default; together they partition every parent's children.
    public let groups: [Group]
    /// groupsUnder[p]: indices into `groups` of the groups whose parent is p, in declaration order.
    public let groupsUnder: [[Int]]
    /// groupsOf[u]: indices into `groups` of the groups that contain u.
    public let groupsOf: [[Int]]
    let indexByID: [String: Int]

    /// V.
    public var count: Int { nodes.count }

    /// The index of the node with this id.
    public func index(of id: String) -> Int? { indexByID[id] }

    /// Definition 3.1: u ≠ w and some competing group contains both.
    /// O(|groupsOf[u]| · |groupsOf[w]|), a node's group count, not a group's size (a 200k-member group stays cheap).
    public func competing(_ u: Int, _ w: Int) -> Bool {
        u != w && groupsOf[u].contains { groupsOf[w].contains($0) }
    }

    /// All label nodes, in index order.
    public var labelNodes: [Int] { nodes.indices.filter { nodes[$0].kind == .label } }

    /// The label nodes of one dataset, in index order.
    public func labels(in dataset: String) -> [Int] {
        nodes.indices.filter { nodes[$0].kind == .label && nodes[$0].datasets.contains(dataset) }
    }

    /// Every dataset named by some label node, sorted.
    public var datasets: [String] { Array(Set(nodes.flatMap(\.datasets))).sorted() }

    /// The strict descendants of v (every node below it), in index order. Iterative, O(d log d + its edges) for d
    /// descendants: the cost follows the part of the graph below v, not V.
    public func descendants(of v: Int) -> [Int] {
        var work = GraphWork()
        return descendants(of: v, work: &work)
    }

    func descendants(of v: Int, work: inout GraphWork) -> [Int] {
        var seen = Set<Int>()
        var stack = children[v]
        while let u = stack.popLast() {
            work.steps += 1
            if !seen.insert(u).inserted { continue }
            stack.append(contentsOf: children[u])
        }
        return seen.sorted()
    }

    /// Whether `a` is a strict ancestor of `v`: a walk up from v's parents, stopping at a.
    public func isAncestor(_ a: Int, of v: Int) -> Bool {
        var seen = Set<Int>()
        var stack = parents[v]
        while let u = stack.popLast() {
            if u == a { return true }
            if seen.insert(u).inserted { stack.append(contentsOf: parents[u]) }
        }
        return false
    }

    /// Every node, each after all its parents (Kahn's algorithm; ties in index order, children in edge order).
    /// O(V + E), iterative. The root comes first.
    public func topologicalOrder() -> [Int] {
        var work = GraphWork()
        return Self.topologicalOrder(children: children, parents: parents, work: &work)!
    }

    /// Kahn's algorithm on `children`/`parents`; nil when a cycle leaves nodes unordered.
    static func topologicalOrder(children: [[Int]], parents: [[Int]], work: inout GraphWork) -> [Int]? {
        var waiting = parents.map(\.count)
        var order = children.indices.filter { waiting[$0] == 0 }
        order.reserveCapacity(children.count)
        var next = 0
        while next < order.count {
            let v = order[next]
            next += 1
            for c in children[v] {
                work.steps += 1
                waiting[c] -= 1
                if waiting[c] == 0 { order.append(c) }
            }
        }
        return order.count == children.count ? order : nil
    }
}

/// A count of elementary steps (an edge or node visited) that the graph algorithms add to as they go, so tests
/// can check that their work grows linearly with V + E (wall-clock times are too noisy to assert).
struct GraphWork {
    var steps = 0
}
