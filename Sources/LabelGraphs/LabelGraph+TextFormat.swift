import Foundation

/// The `.graph` text format (full reference: `data/label-graphs/FORMAT.md`). One statement per line; `#` starts a
/// comment; ids are runs of non-space characters without `"` or `#`; names are double-quoted (`\"` and `\\`
/// escape):
///
///     node <id> root|label|augmented [datasets=<d1>,<d2>,…] ["display name"]
///     edge <parent> <child> [<child> …]           one edge parent → child per child
///     group <parent> <member> <member> …          a competing group (Definition 3.1) of parent's children
///
/// Statements may come in any order (an edge may precede its nodes' declarations).
extension LabelGraph {
    /// Parses and validates a `.graph` text. `file` names the source in error messages.
    public init(parsing text: String, file: String = "<label graph>") throws {
        try self.init(Self.parseDefinition(text, file: file), file: file)
    }

    /// Parses a `.graph` text into an unvalidated definition; syntax errors carry the line number.
    public static func parseDefinition(_ text: String, file: String = "<label graph>") throws -> Definition {
        var definition = Definition()
        for (i, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = i + 1
            let tokens = try tokenize(String(rawLine), file: file, line: line)
            guard let keyword = tokens.first else { continue }
            func fail(_ message: String) -> LabelGraphError { .syntax(file: file, line: line, message: message) }
            let words = tokens.dropFirst()
            switch keyword.text {
            case "node":
                guard words.count >= 2, !words[words.startIndex].quoted else {
                    throw fail("`node` needs an id and a kind: `node <id> root|label|augmented [datasets=a,b] [\"name\"]`")
                }
                let id = words[words.startIndex].text
                guard let kind = Kind(rawValue: words[words.startIndex + 1].text) else {
                    throw fail("unknown node kind '\(words[words.startIndex + 1].text)' for '\(id)'; use root, label or augmented")
                }
                var node = Node(id: id, kind: kind, line: line)
                for word in words.dropFirst(2) {
                    if word.quoted {
                        node.name = word.text
                    } else if word.text.hasPrefix("datasets=") {
                        node.datasets = word.text.dropFirst("datasets=".count).split(separator: ",").map(String.init)
                        if node.datasets.isEmpty { throw fail("`datasets=` lists no dataset for '\(id)'") }
                    } else {
                        throw fail("unexpected '\(word.text)' in node '\(id)'; expected `datasets=a,b` or a quoted name")
                    }
                }
                definition.nodes.append(node)
            case "edge":
                guard words.count >= 2, words.allSatisfy({ !$0.quoted }) else {
                    throw fail("`edge` needs a parent and at least one child: `edge <parent> <child> …`")
                }
                for child in words.dropFirst() {
                    definition.edges.append(Edge(words[words.startIndex].text, child.text, line: line))
                }
            case "group":
                guard words.count >= 2, words.allSatisfy({ !$0.quoted }) else {
                    throw fail("`group` needs a parent and its members: `group <parent> <member> <member> …`")
                }
                definition.groups.append((words[words.startIndex].text, words.dropFirst().map(\.text), line))
            default:
                throw fail("unknown statement '\(keyword.text)'; a line starts with node, edge, group or #")
            }
        }
        return definition
    }

    /// The graph in the `.graph` format: nodes, then edges (one line per parent), then declared groups.
    /// `LabelGraph(parsing: graph.text)` gives back an equal graph (up to source line numbers).
    public var text: String {
        func quote(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var lines = ["# label graph: \(count) nodes, \(labelNodes.count) labels, datasets \(datasets.joined(separator: ", "))"]
        for node in nodes {
            var line = "node \(node.id) \(node.kind.rawValue)"
            if !node.datasets.isEmpty { line += " datasets=" + node.datasets.joined(separator: ",") }
            if node.name != node.id { line += " " + quote(node.name) }
            lines.append(line)
        }
        for v in nodes.indices where !children[v].isEmpty {
            lines.append("edge \(nodes[v].id) " + children[v].map { nodes[$0].id }.joined(separator: " "))
        }
        for group in groups where group.declared {
            lines.append("group \(nodes[group.parent].id) " + group.members.map { nodes[$0].id }.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    struct Token {
        var text: String
        var quoted: Bool
    }

    /// Splits a line into words and quoted strings, dropping a `#` comment.
    static func tokenize(_ line: String, file: String, line number: Int) throws -> [Token] {
        var tokens: [Token] = []
        var chars = Array(line)[...]
        while let c = chars.first {
            if c == " " || c == "\t" || c == "\r" {
                chars = chars.dropFirst()
            } else if c == "#" {
                break
            } else if c == "\"" {
                var text = ""
                chars = chars.dropFirst()
                var closed = false
                while let d = chars.popFirst() {
                    if d == "\\", let e = chars.popFirst() {
                        text.append(e)
                    } else if d == "\"" {
                        closed = true
                        break
                    } else {
                        text.append(d)
                    }
                }
                if !closed { throw LabelGraphError.syntax(file: file, line: number, message: "unterminated quoted name; close it with \"") }
                tokens.append(Token(text: text, quoted: true))
            } else {
                var text = ""
                while let d = chars.first, d != " ", d != "\t", d != "\r", d != "#" {
                    if d == "\"" {
                        throw LabelGraphError.syntax(file: file, line: number, message: "a quote inside '\(text)'; put a space before the quoted name")
                    }
                    text.append(d)
                    chars = chars.dropFirst()
                }
                tokens.append(Token(text: text, quoted: false))
            }
        }
        return tokens
    }
}
