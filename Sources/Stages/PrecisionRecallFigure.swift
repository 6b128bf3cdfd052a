import Foundation

/// Precision–recall curves for the report, one per run, drawn by gnuplot.
///
/// For one run, N scored items s_i with relevance r_i ∈ {0, 1} and P = Σ r_i > 0: sort by s descending and
/// take each distinct score τ (ties form one step) as a threshold; with TP(τ) = #{i : s_i ≥ τ, r_i = 1} and
/// n(τ) = #{i : s_i ≥ τ},
///
///     recall(τ) = TP(τ) / P,    precision(τ) = TP(τ) / n(τ)
///
/// giving one point per distinct score, recall non-decreasing. (The annotation stage pools all Q×K
/// (image, concept) pairs of a run's per-concept min-max confidences: the micro-averaged curve.)
///
/// Files beside the PNG (`<base>` = the PNG's path without `.png`): `<base>.dat` — one gnuplot block per run
/// (blocks separated by two blank lines, in the order of `runs`), each line `recall  precision  threshold` —
/// and `<base>.gp`.
public enum PrecisionRecallFigure {
    public struct Point: Sendable, Equatable {
        public var recall: Double
        public var precision: Double
        public var threshold: Double
    }

    /// The curve of `scores` against `relevant` (same length); empty when nothing is relevant.
    public static func curve(scores: [Double], relevant: [Bool]) -> [Point] {
        precondition(scores.count == relevant.count, "PrecisionRecallFigure: \(scores.count) scores, \(relevant.count) flags")
        let positives = relevant.filter { $0 }.count
        guard positives > 0 else { return [] }
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        var points: [Point] = [], tp = 0, j = 0
        while j < order.count {
            let tau = scores[order[j]]
            while j < order.count && scores[order[j]] == tau {
                if relevant[order[j]] { tp += 1 }
                j += 1
            }
            points.append(Point(recall: Double(tp) / Double(positives), precision: Double(tp) / Double(j), threshold: tau))
        }
        return points
    }

    /// Writes the data, the script and (with gnuplot) `png` for `runs` (name, curve); returns the report's
    /// Markdown: the figure link (`link` is `png` relative to the report) or a note saying why it is missing.
    public static func write(runs: [(name: String, curve: [Point])], png: String, link: String, title: String) throws -> String {
        let base = png.hasSuffix(".png") ? String(png.dropLast(4)) : png
        let blocks = runs.map { run in
            run.curve.map { String(format: "%.6f\t%.6f\t%.6g", $0.recall, $0.precision, $0.threshold) }.joined(separator: "\n")
        }
        try ShardedOutput.makeDirectory(containing: png)
        try (blocks.joined(separator: "\n\n\n") + "\n").write(toFile: base + ".dat", atomically: true, encoding: .utf8)
        let titles = runs.map { RunnerPlot.quoted($0.name).replacingOccurrences(of: " ", with: "_") }.joined(separator: " ")
        let script = """
            set terminal pngcairo size 720,520
            set output '\(png)'
            set termoption noenhanced
            set title "\(RunnerPlot.quoted(title))"
            set xlabel "recall"
            set ylabel "precision"
            set xrange [0:1]
            set yrange [0:1.02]
            set grid
            set key inside top right box opaque
            titles = "\(titles)"
            plot for [i=0:\(max(0, runs.count - 1))] '\(base).dat' index i using 1:2 with lines lw 2 title word(titles, i + 1)

            """
        try script.write(toFile: base + ".gp", atomically: true, encoding: .utf8)
        return RunnerPlot.render(script: base + ".gp", png: png)
            ? "![\(title)](\(link))\n"
            : "(precision–recall curves not drawn: gnuplot missing or failed; data in `\(link.dropLast(4)).dat`)\n"
    }
}
