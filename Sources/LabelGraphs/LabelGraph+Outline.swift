import Foundation

/// Reading a hand-written taxonomy: an indented outline, one node per line, a deeper indentation = a child of the
/// line above (full reference in `data/label-graphs/FORMAT.md`):
///
///     # pets.outline                          comment lines start with #
///     Animal                                  the single unindented line is the root
///       Cat @dogs-vs-cats                     @d1,d2 = a label node of these datasets (else augmented)
///         Shorthair [hair]                    [tag] = competing group `tag` under the parent
///           British Shorthair @pets
///         Solid color [color]
///           British Shorthair                 the same name again = one more parent for the same node
///
/// Ids are the names lowercased with runs of spaces turned into `-` ("British Shorthair" → `british-shorthair`).
/// Under a parent whose children carry no `[tag]`, all children compete (one default group); when some do,
/// each tag is a group and the untagged children form one more. Indentation is spaces only, as in Python: a
/// line must line up with one of the lines above it or be deeper than the previous line.
extension LabelGraph {
    /// Parses and validates an outline. `file` names the source in error messages.
    public init(outline text: String, file: String = "<outline>") throws {
        try self.init(Self.parseOutline(text, file: file), file: file)
    }

    /// The id an outline derives from a name: lowercased, whitespace runs → `-`.
    public static func outlineID(_ name: String) -> String {
        name.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: "-")
    }

    static func parseOutline(_ text: String, file: String) throws -> Definition {
        var definition = Definition()
        var nodeIndex: [String: Int] = [:]
        var stack: [(indent: Int, id: String)] = []
        var tags: [String: [(child: String, tag: String?)]] = [:]  // parent id → children with their tags
        var parentOrder: [String] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = i + 1
            var line = Substring(raw)
            if let hash = line.range(of: " #") { line = line[..<hash.lowerBound] }
            if line.hasSuffix("\r") { line = line.dropLast() }
            let indent = line.prefix { $0 == " " }.count
            var body = line.dropFirst(indent)
            while body.last == " " { body = body.dropLast() }
            if body.isEmpty || body.hasPrefix("#") { continue }
            func fail(_ message: String) -> LabelGraphError { .syntax(file: file, line: lineNumber, message: message) }
            if body.hasPrefix("\t") { throw fail("indent with spaces, not tabs") }
            var tag: String?
            if body.hasSuffix("]"), let open = body.lastIndex(of: "[") {
                tag = String(body[body.index(after: open) ..< body.index(before: body.endIndex)])
                body = body[..<open]
                while body.last == " " { body = body.dropLast() }
                if tag!.isEmpty { throw fail("empty group tag `[]`; write `[name]` or drop it") }
            }
            var datasets: [String] = []
            if let at = body.lastIndex(of: "@"), at == body.startIndex || body[body.index(before: at)] == " " {
                datasets = body[body.index(after: at)...].split(separator: ",").map(String.init)
                if datasets.isEmpty { throw fail("`@` lists no dataset; write `@name` or `@a,b`") }
                body = body[..<at]
                while body.last == " " { body = body.dropLast() }
            }
            let name = String(body)
            guard !name.isEmpty else { throw fail("a line needs a node name before its `@datasets` / `[tag]`") }
            let id = outlineID(name)

            var dedented = false
            while let top = stack.last, top.indent > indent {
                stack.removeLast()
                dedented = true
            }
            if let top = stack.last, top.indent == indent {
                stack.removeLast()
            } else if dedented {
                throw fail("indentation \(indent) lines up with no line above (open levels: \(stack.map(\.indent)))")
            }
            if let existing = nodeIndex[id] {
                let first = definition.nodes[existing]
                if !datasets.isEmpty && first.datasets != datasets && !first.datasets.isEmpty {
                    throw LabelGraphError.duplicateNode(file: file, line: lineNumber, id: id, firstLine: first.line)
                }
                if !datasets.isEmpty {
                    definition.nodes[existing].datasets = datasets
                    definition.nodes[existing].kind = .label
                }
            } else {
                if stack.isEmpty && !definition.nodes.isEmpty {
                    throw fail("a second unindented line '\(name)': an outline has exactly one root. Fix: indent it under the root.")
                }
                let kind: Kind = stack.isEmpty ? .root : (datasets.isEmpty ? .augmented : .label)
                if kind == .root && !datasets.isEmpty { throw fail("the root line cannot carry `@datasets`") }
                nodeIndex[id] = definition.nodes.count
                definition.nodes.append(Node(id: id, kind: kind, datasets: datasets, name: name, line: lineNumber))
            }
            if let parent = stack.last {
                definition.edges.append(Edge(parent.id, id, line: lineNumber))
                if tags[parent.id] == nil { parentOrder.append(parent.id) }
                tags[parent.id, default: []].append((id, tag))
            } else if tag != nil {
                throw fail("the root cannot be in a group")
            }
            stack.append((indent, id))
        }
        for parent in parentOrder {
            let children = tags[parent]!
            if children.allSatisfy({ $0.tag == nil }) { continue }
            // One group per tag (untagged children: one more), in order of first appearance; linear in children.
            var order: [String?] = [], members: [String?: [String]] = [:]
            for c in children {
                if members[c.tag] == nil { order.append(c.tag) }
                members[c.tag, default: []].append(c.child)
            }
            for t in order { definition.groups.append((parent, members[t]!, nil)) }
        }
        return definition
    }
}
