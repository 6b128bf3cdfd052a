import Foundation
import LabelGraphs
import Stages

/// A drawing of the label graph with the decoded paths on it (gnuplot), for the `train-paths` report.
///
/// Layout (layered, root on top; positions computed here, not by gnuplot, and tested):
///
///     depth(root) = 0,  depth(v) = 1 + max_{u ∈ parents(v)} depth(u)      (longest path: every edge points down)
///     layer d ordered by the barycentre  mean_{u ∈ parents(v)} x(u)  (ties: node order of the file)
///     x(v) = position in its layer − (|layer| − 1) / 2
///
/// Edge use: for decoded paths P (node ids from the root), use(u → v) = #{(p, i) : p_i = u, p_{i+1} = v}.
/// Files beside the PNG (`<base>` = its path without `.png`): `<base>-nodes.dat` (`x  depth  kind  "id"`, kind
/// 0 root, 1 augmented, 2 label; in node order) and `<base>-edges.dat` (`x_u  depth_u  Δx  Δdepth  use`, one line
/// per edge, parents in node order, children in the file's order), and `<base>.gp`. Graphs of more than
/// `maximumNodes` nodes are not drawn (the report says so).
public enum LabelGraphFigure {
    public static let maximumNodes = 150

    /// (x, depth) of every node, in node order.
    public static func layout(_ graph: LabelGraph) -> [(x: Double, depth: Int)] {
        var depth = [Int?](repeating: nil, count: graph.count)
        func depthOf(_ v: Int) -> Int {
            if let d = depth[v] { return d }
            let d = graph.parents[v].isEmpty ? 0 : 1 + graph.parents[v].map(depthOf).max()!
            depth[v] = d
            return d
        }
        let depths = (0 ..< graph.count).map(depthOf)
        var x = [Double](repeating: 0, count: graph.count)
        for d in 0 ... (depths.max() ?? 0) {
            let layer = (0 ..< graph.count).filter { depths[$0] == d }
            let centre = layer.map { v in graph.parents[v].isEmpty ? 0 : graph.parents[v].map { x[$0] }.reduce(0, +) / Double(graph.parents[v].count) }
            let order = layer.indices.sorted { centre[$0] != centre[$1] ? centre[$0] < centre[$1] : layer[$0] < layer[$1] }
            for (position, i) in order.enumerated() { x[layer[i]] = Double(position) - Double(layer.count - 1) / 2 }
        }
        return (0 ..< graph.count).map { (x[$0], depths[$0]) }
    }

    /// use(u → v) of `paths` (node ids), keyed by (u, v) node indices; steps that are not edges are ignored.
    public static func edgeUse(_ paths: [[String]], graph: LabelGraph) -> [[Int]: Int] {
        var use: [[Int]: Int] = [:]
        for path in paths {
            let nodes = path.compactMap { graph.index(of: $0) }
            for (u, v) in zip(nodes, nodes.dropFirst()) where graph.children[u].contains(v) { use[[u, v], default: 0] += 1 }
        }
        return use
    }

    /// Writes the data, the script and (with gnuplot) `png`; returns the report Markdown (figure link or a note).
    public static func write(_ graph: LabelGraph, paths: [[String]], png: String, link: String) throws -> String {
        guard graph.count <= maximumNodes else {
            return "\n(The label graph has \(graph.count) nodes, more than \(maximumNodes): not drawn.)\n"
        }
        let base = png.hasSuffix(".png") ? String(png.dropLast(4)) : png
        let positions = layout(graph), use = edgeUse(paths, graph: graph)
        let nodes = graph.nodes.enumerated().map { v, node in
            let kind = v == graph.root ? 0 : node.kind == .label ? 2 : 1
            return String(format: "%.2f\t%d\t%d\t\"%@\"", positions[v].x, positions[v].depth, kind, RunnerPlot.quoted(node.id))
        }
        var edges: [String] = []
        for u in 0 ..< graph.count {
            for v in graph.children[u] {
                edges.append(String(format: "%.2f\t%d\t%.2f\t%d\t%d", positions[u].x, positions[u].depth,
                                    positions[v].x - positions[u].x, positions[v].depth - positions[u].depth, use[[u, v]] ?? 0))
            }
        }
        try ShardedOutput.makeDirectory(containing: png)
        try (nodes.joined(separator: "\n") + "\n").write(toFile: base + "-nodes.dat", atomically: true, encoding: .utf8)
        try (edges.joined(separator: "\n") + "\n").write(toFile: base + "-edges.dat", atomically: true, encoding: .utf8)
        let depth = positions.map(\.depth).max() ?? 0
        let widest = Dictionary(grouping: positions, by: \.depth).values.map(\.count).max() ?? 1
        let script = """
            set terminal pngcairo size \(min(2400, max(700, 120 * widest + 120))),\(min(2400, 110 * (depth + 1) + 160))
            set output '\(png)'
            set termoption noenhanced
            set title "Label graph (\(graph.count) nodes) with the \(paths.filter { !$0.isEmpty }.count) decoded test paths\\n(orange edges, number: test paths through the edge; nodes: root black, augmented purple, label green)"
            unset border; unset xtics; unset ytics; unset key
            set offsets 0.6, 0.6, 0.4, 0.4
            set yrange [\(depth) + 0.5:-0.5]
            set style fill solid
            set style textbox opaque noborder
            plot '\(base)-edges.dat' using 1:2:3:4 with vectors nohead lc rgb "#bbbbbb" lw 1, \\
                 '' using 1:2:3:($5 > 0 ? $4 : 1/0) with vectors nohead lc rgb "#d95f02" lw 3, \\
                 '' using ($1 + $3 / 2):($2 + $4 / 2):($5 > 0 ? sprintf("%d", $5) : "") with labels boxed font ",8" tc rgb "#d95f02", \\
                 '\(base)-nodes.dat' using 1:2:($3 == 2 ? 0x1b9e77 : ($3 == 1 ? 0x7570b3 : 0x000000)) with points pt 7 ps 1.6 lc rgb variable, \\
                 '' using 1:2:4 with labels offset 0,1 font ",8"

            """
        try script.write(toFile: base + ".gp", atomically: true, encoding: .utf8)
        return RunnerPlot.render(script: base + ".gp", png: png)
            ? "\n![label graph with the decoded paths](\(link))\n"
            : "\n(label graph not drawn: gnuplot missing or failed; data in `\(link.dropLast(4))-nodes.dat`, `-edges.dat`)\n"
    }
}
