/// Everything that can be wrong with a label graph, its source file, or a lookup into it. Every message names
/// the file (and line, where there is one), states the violated rule with the offending ids, and says how to fix it.
public enum LabelGraphError: Error, CustomStringConvertible, Equatable {
    /// A line that does not parse (unknown keyword, missing field, unterminated quote, bad indentation).
    case syntax(file: String, line: Int, message: String)
    /// Two `node` lines (or outline entries with different attributes) declare the same id.
    case duplicateNode(file: String, line: Int?, id: String, firstLine: Int?)
    /// An edge or group names an id that no `node` line declares.
    case unknownNode(file: String, line: Int?, id: String, context: String)
    /// The graph needs exactly one node of kind `root`.
    case rootCount(file: String, roots: [String])
    /// A directed cycle, given as the ids along it with the first repeated at the end.
    case cycle(file: String, path: [String])
    /// Nodes that no path from the root reaches.
    case unreachable(file: String, ids: [String])
    /// A structural rule on one node or edge (root with a parent, label without dataset, augmented leaf, …).
    case invalidNode(file: String, line: Int?, id: String, message: String)
    /// A group member that is not a child of the group's parent, or a child left out of its parent's groups.
    case invalidGroup(file: String, line: Int?, parent: String, message: String)
    /// A lookup of a sample label that the graph does not have.
    case unknownLabel(id: String, dataset: String, message: String)
    /// More than `limit` root → label paths reach node `id` (their number can grow exponentially with depth).
    case tooManyPaths(file: String, id: String, limit: Int)
    /// A WordNet database that is missing, malformed, or lacks a class name.
    case wordNet(file: String, message: String)
    /// A model configuration that cannot work with this graph (sizes, encoder kind).
    case invalidConfiguration(message: String)

    public var description: String {
        func at(_ file: String, _ line: Int?) -> String { line.map { "\(file):\($0)" } ?? file }
        switch self {
        case let .syntax(file, line, message):
            return "\(file):\(line): \(message)"
        case let .duplicateNode(file, line, id, firstLine):
            let first = firstLine.map { " (first declared at line \($0))" } ?? ""
            return "\(at(file, line)): node '\(id)' is declared twice\(first). Fix: give one of them another id."
        case let .unknownNode(file, line, id, context):
            return "\(at(file, line)): \(context) names unknown node '\(id)'. Fix: declare it with a `node \(id) …` line or correct the spelling."
        case let .rootCount(file, roots):
            let found = roots.isEmpty ? "none" : roots.map { "'\($0)'" }.joined(separator: ", ")
            return "\(file): a label graph needs exactly one node of kind `root`, found \(found). Fix: mark exactly one node `root`."
        case let .cycle(file, path):
            return "\(file): the edges form a cycle \(path.joined(separator: " → ")). Fix: remove one of these edges; a label graph is acyclic."
        case let .unreachable(file, ids):
            return "\(file): no path from the root reaches \(ids.map { "'\($0)'" }.joined(separator: ", ")). Fix: add an edge from a reachable node to each."
        case let .invalidNode(file, line, id, message):
            return "\(at(file, line)): node '\(id)': \(message)"
        case let .invalidGroup(file, line, parent, message):
            return "\(at(file, line)): group under '\(parent)': \(message)"
        case let .unknownLabel(id, dataset, message):
            return "label '\(id)' of dataset '\(dataset)': \(message)"
        case let .tooManyPaths(file, id, limit):
            return "\(file): more than \(limit) root → label paths reach node '\(id)' (paths multiply at every node "
                + "with several parents). Fix: give the nodes above it fewer parents, or splice out augmented nodes "
                + "(`tributary graph build --from \(file) --trim-augmented F`)."
        case let .wordNet(file, message):
            return "\(file): \(message)"
        case let .invalidConfiguration(message):
            return "PathDecoder configuration: \(message)"
        }
    }
}
