extension LabelGraph {
    /// Validates `definition` (see the type's documentation for the rules) and builds the graph. Throws the
    /// first violated rule as a `LabelGraphError` naming `file`, the line and the fix.
    ///
    /// Every check is iterative and O(V + E + Σ group sizes): edges are looked up in one hash set of
    /// (parent, child) pairs, never by scanning a parent's children, so a parent with 1M children validates in
    /// linear time, and no check recurses, so a 1M-deep chain cannot overflow the stack.
    public init(_ definition: Definition, file: String = "<label graph>") throws {
        var work = GraphWork()
        try self.init(definition, file: file, work: &work)
    }

    /// The validating initialiser, adding its steps to `work` (tests check they grow linearly).
    init(_ definition: Definition, file: String, work: inout GraphWork) throws {
        let nodes = definition.nodes
        var indexByID: [String: Int] = [:]
        for (i, node) in nodes.enumerated() {
            work.steps += 1
            if let first = indexByID[node.id] {
                throw LabelGraphError.duplicateNode(file: file, line: node.line, id: node.id, firstLine: nodes[first].line)
            }
            indexByID[node.id] = i
            if node.kind == .label && node.datasets.isEmpty {
                throw LabelGraphError.invalidNode(file: file, line: node.line, id: node.id,
                    message: "a label node needs the dataset(s) it belongs to. Fix: add `datasets=<name>`.")
            }
            if node.kind != .label && !node.datasets.isEmpty {
                throw LabelGraphError.invalidNode(file: file, line: node.line, id: node.id,
                    message: "only label nodes belong to datasets. Fix: make it `label` or drop `datasets=`.")
            }
        }
        let roots = nodes.indices.filter { nodes[$0].kind == .root }
        guard roots.count == 1 else { throw LabelGraphError.rootCount(file: file, roots: roots.map { nodes[$0].id }) }
        let root = roots[0]

        var children = [[Int]](repeating: [], count: nodes.count)
        var parents = [[Int]](repeating: [], count: nodes.count)
        var edgeSet = Set<Int>(minimumCapacity: definition.edges.count)  // parent · V + child
        for edge in definition.edges {
            work.steps += 1
            guard let p = indexByID[edge.parent] else {
                throw LabelGraphError.unknownNode(file: file, line: edge.line, id: edge.parent, context: "edge")
            }
            guard let c = indexByID[edge.child] else {
                throw LabelGraphError.unknownNode(file: file, line: edge.line, id: edge.child, context: "edge")
            }
            if c == root {
                throw LabelGraphError.invalidNode(file: file, line: edge.line, id: edge.child,
                    message: "the root cannot have a parent (edge from '\(edge.parent)'). Fix: remove the edge.")
            }
            if !edgeSet.insert(p * nodes.count + c).inserted {
                throw LabelGraphError.invalidNode(file: file, line: edge.line, id: edge.child,
                    message: "edge \(edge.parent) → \(edge.child) is declared twice. Fix: remove one.")
            }
            children[p].append(c)
            parents[c].append(p)
        }
        if let cycle = Self.findCycle(children, work: &work) {
            throw LabelGraphError.cycle(file: file, path: cycle.map { nodes[$0].id })
        }
        var reached = [Bool](repeating: false, count: nodes.count)
        var stack = [root]
        while let v = stack.popLast() {
            work.steps += 1
            if reached[v] { continue }
            reached[v] = true
            stack.append(contentsOf: children[v])
        }
        let unreachable = nodes.indices.filter { !reached[$0] }
        if !unreachable.isEmpty { throw LabelGraphError.unreachable(file: file, ids: unreachable.map { nodes[$0].id }) }
        for v in nodes.indices where children[v].isEmpty && nodes[v].kind != .label {
            throw LabelGraphError.invalidNode(file: file, line: nodes[v].line, id: nodes[v].id,
                message: "a \(nodes[v].kind.rawValue) node without children: no prediction path can end there. "
                    + "Fix: add children, or make it a label node.")
        }

        var groups: [Group] = []
        var groupOfEdge: [Int: [Int: Int]] = [:]  // parent → child → declared group line index
        for (parentID, memberIDs, line) in definition.groups {
            guard let p = indexByID[parentID] else {
                throw LabelGraphError.unknownNode(file: file, line: line, id: parentID, context: "group")
            }
            var members: [Int] = []
            for id in memberIDs {
                work.steps += 1
                guard let m = indexByID[id] else {
                    throw LabelGraphError.unknownNode(file: file, line: line, id: id, context: "group")
                }
                guard edgeSet.contains(p * nodes.count + m) else {
                    let actual = parents[m].map { nodes[$0].id }.joined(separator: ", ")
                    throw LabelGraphError.invalidGroup(file: file, line: line, parent: parentID,
                        message: "'\(id)' is not a child of '\(parentID)' (its parents: \(actual.isEmpty ? "none" : actual)); "
                            + "competing nodes share the group's parent. Fix: add `edge \(parentID) \(id)` or move it to a group under its parent.")
                }
                if groupOfEdge[p]?[m] != nil {
                    throw LabelGraphError.invalidGroup(file: file, line: line, parent: parentID,
                        message: "'\(id)' is in two groups under '\(parentID)'. Fix: keep it in one.")
                }
                groupOfEdge[p, default: [:]][m] = groups.count
                members.append(m)
            }
            groups.append(Group(parent: p, members: members, declared: true))
        }
        for p in nodes.indices where !children[p].isEmpty {
            work.steps += children[p].count
            if let declared = groupOfEdge[p] {
                if let missing = children[p].first(where: { declared[$0] == nil }) {
                    throw LabelGraphError.invalidGroup(file: file, line: nil, parent: nodes[p].id,
                        message: "child '\(nodes[missing].id)' is in none of its groups. "
                            + "Fix: add it to a group, or give it its own: `group \(nodes[p].id) \(nodes[missing].id)`.")
                }
            } else {
                groups.append(Group(parent: p, members: children[p], declared: false))
            }
        }
        // Keep groups ordered by parent, then declaration: the decoder's blocks follow this order (a stable
        // bucketing by parent, linear where a sort would not be).
        var byParent = [[Group]](repeating: [], count: nodes.count)
        for group in groups { byParent[group.parent].append(group) }
        groups = byParent.flatMap { $0 }
        var groupsUnder = [[Int]](repeating: [], count: nodes.count)
        var groupsOf = [[Int]](repeating: [], count: nodes.count)
        for (g, group) in groups.enumerated() {
            groupsUnder[group.parent].append(g)
            work.steps += group.members.count
            for m in group.members { groupsOf[m].append(g) }
        }
        self.file = file
        self.nodes = nodes
        self.root = root
        self.children = children
        self.parents = parents
        self.groups = groups
        self.groupsUnder = groupsUnder
        self.groupsOf = groupsOf
        self.indexByID = indexByID
    }

    /// A directed cycle as node indices (first repeated at the end), or nil. Iterative three-colour DFS.
    static func findCycle(_ children: [[Int]], work: inout GraphWork) -> [Int]? {
        let n = children.count
        var colour = [UInt8](repeating: 0, count: n)  // 0 new, 1 on the stack, 2 done
        for start in 0 ..< n where colour[start] == 0 {
            var stack: [(node: Int, next: Int)] = [(start, 0)]
            colour[start] = 1
            while let top = stack.last {
                work.steps += 1
                if top.next < children[top.node].count {
                    stack[stack.count - 1].next += 1
                    let c = children[top.node][top.next]
                    if colour[c] == 1 {
                        let from = stack.firstIndex { $0.node == c }!
                        return stack[from...].map(\.node) + [c]
                    }
                    if colour[c] == 0 {
                        colour[c] = 1
                        stack.append((c, 0))
                    }
                } else {
                    colour[top.node] = 2
                    stack.removeLast()
                }
            }
        }
        return nil
    }
}
