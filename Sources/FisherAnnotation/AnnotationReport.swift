import Foundation
import Stages

/// `tributary report`: the evaluation of the annotation runs as a Markdown table laid out like Table 2 of
/// Mensink et al. (2010) — one row per run: name, modality (V / V&T), fusion, mAP, EER, AUC, F-ex, all in %,
/// plus accuracy and macro-F1 for single-label data — and a per-concept AP bar plot (gnuplot PNG, clustered
/// bars: one cluster per concept, one bar per run).
///
/// The plot is drawn by the `gnuplot` executable found on `PATH` (`gnuplot-nox`), with the `pngcairo`
/// terminal, falling back to `png`. Without gnuplot the table is still produced and `plot` returns a note
/// saying the plot was skipped. The data and script are kept beside the PNG (`.dat`, `.gp`) for re-plotting.
public enum AnnotationReport {
    /// The Markdown table.
    public static func markdown(_ evaluation: AnnotationEvaluation) -> String {
        let single = evaluation.isSingleLabel
        var header = ["Run", "Modality", "Fusion", "mAP", "EER", "AUC", "F-ex"]
        if single { header += ["Accuracy", "Macro-F1"] }
        var lines = ["| " + header.joined(separator: " | ") + " |",
                     "|" + header.enumerated().map { $0.offset < 3 ? " --- |" : " ---: |" }.joined()]
        for r in evaluation.runs {
            var cells = ["\(r.run.title) (`\(r.run.rawValue)`)", r.run.modality, r.run.fusion]
            cells += [r.meanAveragePrecision, r.meanEqualErrorRate, r.meanAreaUnderROC, r.exampleFMeasure].map(percent)
            if single { cells += [r.accuracy, r.macroF1].map(percent) }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `x` as a percentage with one decimal ("45.5"), or "–" for NaN.
    public static func percent(_ x: Double) -> String {
        x.isNaN ? "–" : String(format: "%.1f", 100 * x)
    }

    /// Writes `<png>.dat`, `<png>.gp` and, with gnuplot, the PNG. Returns a one-line note of what happened.
    public static func plot(_ evaluation: AnnotationEvaluation, png: String) throws -> String {
        let base = png.hasSuffix(".png") ? String(png.dropLast(4)) : png
        let dat = base + ".dat", script = base + ".gp"
        var rows = "concept\t" + evaluation.runs.map(\.run.rawValue).joined(separator: "\t") + "\n"
        for (k, concept) in evaluation.concepts.enumerated() {
            let values = evaluation.runs.map { r in r.averagePrecision[k].isNaN ? "NaN" : String(format: "%.4f", r.averagePrecision[k]) }
            rows += concept.replacingOccurrences(of: "\t", with: " ") + "\t" + values.joined(separator: "\t") + "\n"
        }
        try ShardedOutput.makeDirectory(containing: png)
        try rows.write(toFile: dat, atomically: true, encoding: .utf8)
        // Horizontal bars: one row of bars per concept (names readable at any count), the AP axis starting just
        // below the smallest AP so that differences between runs show, each bar labelled with its value. The
        // bars' positions are written out (`<png>-bars.dat`: one block per run of `y  AP`), not computed by gnuplot.
        let defined = evaluation.runs.flatMap(\.averagePrecision).filter { !$0.isNaN }
        let low = max(0, ((defined.min() ?? 0) * 10).rounded(.down) / 10 - 0.05)
        let k = evaluation.concepts.count, r = max(1, evaluation.runs.count)
        let bar = 0.8 / Double(r)  // each run's bar height within a concept's unit row
        let bars = base + "-bars.dat"
        var blocks: [String] = []
        for (i, run) in evaluation.runs.enumerated() {
            let offset = (Double(i) - Double(r - 1) / 2) * bar
            blocks.append(run.averagePrecision.enumerated().map { c, ap in
                String(format: "%.4f\t%@", Double(c) + offset, ap.isNaN ? "NaN" : String(format: "%.4f", ap))
            }.joined(separator: "\n"))
        }
        try (blocks.joined(separator: "\n\n\n") + "\n").write(toFile: bars, atomically: true, encoding: .utf8)
        let tics = evaluation.concepts.enumerated().map { c, name in
            "\"\(name.replacingOccurrences(of: "\"", with: "'").replacingOccurrences(of: "\\", with: "/"))\" \(c)"
        }.joined(separator: ", ")
        let titles = evaluation.runs.map(\.run.rawValue)
        let height = min(8000, max(360, Int(22 * Double(k) * max(1, Double(r) / 1.5)) + 140))
        func program(_ terminal: String) -> String {
            """
            set terminal \(terminal) size 900,\(height)
            set output '\(png)'
            set datafile missing "NaN"
            set style fill solid 0.85 border -1
            set ytics (\(tics)) nomirror font ",9"
            set yrange [\(k) - 0.5:-0.5]
            set xrange [\(String(format: "%.2f", low)):1.06]
            set xlabel "average precision (axis from \(String(format: "%.2f", low)), not 0)"
            set grid xtics
            set key outside top center horizontal
            set title "Per-concept AP (\(k) concepts, \(r) run(s))"
            titles = "\(titles.joined(separator: " "))"
            plot for [i=0:\(r - 1)] '\(bars)' index i using (($2 + \(low)) / 2):1:(\(low)):2:($1 - \(bar / 2)):($1 + \(bar / 2)) \\
                 with boxxyerror title word(titles, i + 1), \\
                 for [i=0:\(r - 1)] '\(bars)' index i using 2:1:(sprintf(" %.3f", $2)) with labels left font ",7" notitle

            """
        }
        try program("pngcairo").write(toFile: script, atomically: true, encoding: .utf8)
        guard let gnuplot = RunnerPlot.executable("gnuplot") else {
            return "gnuplot not found on PATH: skipped \(png) (install gnuplot-nox; data in \(dat), script in \(script))"
        }
        for terminal in ["pngcairo", "png"] {
            try program(terminal).write(toFile: script, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: gnuplot)
            process.arguments = [script]
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            if process.terminationStatus == 0, FileManager.default.fileExists(atPath: png) {
                return "wrote \(png) (gnuplot, \(terminal) terminal)"
            }
        }
        return "gnuplot failed: no plot written; run `gnuplot \(script)` to see why"
    }

}
