import Foundation

/// A confusion matrix for the report: counts and row-normalised rates, drawn by gnuplot as a heat map of the
/// rates with each cell's count written in it.
///
/// With C classes, `counts` is C×C, `counts[t][p]` = the number of test items of true class t predicted as p
/// (rows: truth, columns: prediction). The row-normalised matrix is
///
///     R[t][p] = counts[t][p] / Σ_q counts[t][q]        (a row with no items stays all zero)
///
/// so the diagonal R[t][t] is the recall of class t. Files written beside the PNG (`<base>` = the PNG's path
/// without `.png`): `<base>.dat` (the counts, a header row of class names, one row per true class),
/// `<base>-normalised.dat` (R, same layout, 4 decimals), `<base>-cells.dat` (the cells gnuplot draws:
/// `p  t  R[t][p]  counts[t][p]`, one scan line per true class) and `<base>.gp` (the script).
public enum ConfusionFigure {
    /// R of `counts` (see the type's doc).
    public static func rowNormalised(_ counts: [[Int]]) -> [[Double]] {
        counts.map { row in
            let total = row.reduce(0, +)
            return row.map { total == 0 ? 0 : Double($0) / Double(total) }
        }
    }

    /// Writes the data files, the script and (with gnuplot) `png`; returns the report's Markdown: the figure
    /// link (`link` is `png` relative to the report) or a note saying why it is missing.
    public static func write(counts: [[Int]], classes: [String], png: String, link: String, title: String) throws -> String {
        let c = counts.count
        precondition(c > 0 && counts.allSatisfy { $0.count == c }, "ConfusionFigure: \(c) rows that are not C×C counts")
        let names = (0 ..< c).map { $0 < classes.count ? classes[$0] : "\($0)" }
        let base = png.hasSuffix(".png") ? String(png.dropLast(4)) : png
        let rates = rowNormalised(counts)
        let header = "true\\predicted\t" + names.map { $0.replacingOccurrences(of: "\t", with: " ") }.joined(separator: "\t")
        func table(_ cell: (Int, Int) -> String) -> String {
            header + "\n" + (0 ..< c).map { t in
                names[t].replacingOccurrences(of: "\t", with: " ") + "\t" + (0 ..< c).map { cell(t, $0) }.joined(separator: "\t")
            }.joined(separator: "\n") + "\n"
        }
        try ShardedOutput.makeDirectory(containing: png)
        try table { "\(counts[$0][$1])" }.write(toFile: base + ".dat", atomically: true, encoding: .utf8)
        try table { String(format: "%.4f", rates[$0][$1]) }.write(toFile: base + "-normalised.dat", atomically: true, encoding: .utf8)
        let cells = (0 ..< c).map { t in
            (0 ..< c).map { p in String(format: "%d\t%d\t%.4f\t%d", p, t, rates[t][p], counts[t][p]) }.joined(separator: "\n")
        }.joined(separator: "\n\n") + "\n"
        try cells.write(toFile: base + "-cells.dat", atomically: true, encoding: .utf8)
        let tics = names.enumerated().map { "\"\(RunnerPlot.quoted($1))\" \($0)" }.joined(separator: ", ")
        let side = min(2400, max(520, 34 * c + 240))
        let script = """
            set terminal pngcairo size \(side + 120),\(side)
            set output '\(png)'
            set termoption noenhanced
            set title "\(RunnerPlot.quoted(title))\\n(colour: fraction of the true class; number: count)"
            set xlabel "predicted class"
            set ylabel "true class"
            set xtics (\(tics)) rotate by 45 right font ",9"
            set ytics (\(tics)) font ",9"
            set xrange [-0.5:\(c) - 0.5]
            set yrange [\(c) - 0.5:-0.5]
            set cbrange [0:1]
            set cblabel "row-normalised rate"
            set palette defined (0 "#ffffff", 1 "#08306b")
            set size ratio -1
            unset key
            plot '\(base)-cells.dat' using 1:2:3 with image, \\
                 '' using 1:2:(sprintf("%d", $4)):($3 > 0.5 ? 0xffffff : 0x000000) with labels tc rgb variable font ",\(c > 20 ? 6 : 9)"

            """
        try script.write(toFile: base + ".gp", atomically: true, encoding: .utf8)
        return RunnerPlot.render(script: base + ".gp", png: png)
            ? "![\(title)](\(link))\n"
            : "(confusion matrix not drawn: gnuplot missing or failed; data in `\(link.dropLast(4)).dat`, script `.gp` beside it)\n"
    }
}
