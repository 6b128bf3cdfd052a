extension WordNet {
    /// A label graph over `classes` from their WordNet hypernyms:
    ///
    ///  1. each class name c → its first noun sense s_c (`senses(of:)`; an error names a class WordNet lacks);
    ///  2. V = every synset on every hypernym path from some s_c up to a top synset (`entity`), E = hypernym → hyponym:
    ///     the union of the paths (a DAG: a synset may have several hypernyms, e.g. dog → {canine, domestic animal});
    ///  3. s_c becomes the label node of class c (id `LabelGraph.outlineID(c)`, dataset `dataset`), the other
    ///     synsets augmented nodes (id = first word, `-` for `_`; `-<offset>` appended when two synsets share it);
    ///     several tops get an artificial root `root`;
    ///  4. compression: an augmented node with exactly one parent and one child is spliced out (parent → child),
    ///     until none is left; then while the root has a single augmented child, that child becomes the root.
    ///
    /// Siblings are left in one default competing group per parent (a taxonomy's siblings exclude each other);
    /// edit the written `.graph` to split them. Ordering is deterministic: nodes in discovery order from the classes.
    public func labelGraph(classes: [String], dataset: String) throws -> LabelGraph {
        var order: [Int] = []              // synset offsets in discovery order
        var hypernymsOf: [Int: [Int]] = [:]
        var names: [Int: String] = [:]
        var classOf: [Int: String] = [:]
        for name in classes {
            guard let sense = senses(of: name).first else {
                throw LabelGraphError.wordNet(file: dataFile,
                    message: "class '\(name)' has no noun in WordNet (looked up '\(Self.lemma(name))'). Fix: use a WordNet lemma for it, or build the graph from a taxonomy outline.")
            }
            if let other = classOf[sense] {
                throw LabelGraphError.wordNet(file: dataFile,
                    message: "classes '\(other)' and '\(name)' have the same first sense (synset \(sense)). Fix: rename one.")
            }
            classOf[sense] = name
            var queue = [sense]
            while let s = queue.popLast() {
                if hypernymsOf[s] != nil { continue }
                let synset = try synset(at: s)
                hypernymsOf[s] = synset.hypernyms
                names[s] = synset.words.first ?? String(s)
                order.append(s)
                queue.append(contentsOf: synset.hypernyms.reversed())
            }
        }
        var idOf: [Int: String] = [:]
        var used = Set<String>()
        for s in order {
            var id = classOf[s].map(LabelGraph.outlineID) ?? names[s]!.lowercased().replacingOccurrences(of: "_", with: "-")
            if used.contains(id) { id += "-\(s)" }
            used.insert(id)
            idOf[s] = id
        }
        // Parent/children as offsets; -1 is an artificial root.
        var children: [Int: [Int]] = [:]
        var parents: [Int: [Int]] = [:]
        for s in order {
            for h in hypernymsOf[s]! where !(children[h]?.contains(s) ?? false) {
                children[h, default: []].append(s)
                parents[s, default: []].append(h)
            }
        }
        let tops = order.filter { (parents[$0] ?? []).isEmpty }
        var root = tops[0]
        if tops.count > 1 {
            root = -1
            idOf[-1] = used.contains("root") ? "root-label-graph" : "root"
            children[-1] = tops
            for t in tops { parents[t] = [-1] }
        }
        var alive = Set(order + (root == -1 ? [-1] : []))
        var changed = true
        while changed {
            changed = false
            for s in order where alive.contains(s) && s != root && classOf[s] == nil {
                guard let p = parents[s], p.count == 1, let c = children[s], c.count == 1 else { continue }
                let (parent, child) = (p[0], c[0])
                children[parent]!.removeAll { $0 == s }
                parents[child]!.removeAll { $0 == s }
                if !children[parent]!.contains(child) {
                    children[parent]!.append(child)
                    parents[child]!.append(parent)
                }
                alive.remove(s)
                changed = true
            }
        }
        while let c = children[root], c.count == 1, classOf[c[0]] == nil {
            alive.remove(root)
            root = c[0]
            parents[root] = []
        }
        var definition = LabelGraph.Definition()
        for s in [root] + order where alive.contains(s) && (s != root || definition.nodes.isEmpty) {
            let kind: LabelGraph.Kind = s == root ? .root : (classOf[s] != nil ? .label : .augmented)
            let name = classOf[s] ?? (s == -1 ? "root" : names[s]!.replacingOccurrences(of: "_", with: " "))
            definition.nodes.append(LabelGraph.Node(id: idOf[s]!, kind: kind, datasets: kind == .label ? [dataset] : [],
                                                    name: name))
            for c in children[s] ?? [] where alive.contains(c) { definition.edges.append(LabelGraph.Edge(idOf[s]!, idOf[c]!)) }
        }
        return try LabelGraph(definition, file: "WordNet(\(dataFile))")
    }
}
