import Foundation

/// Line plots for the report (gnuplot, as `AnnotationReport.plot`).
public enum RunnerPlot {
    /// Plots `values` against epochs 1 … n into `png` (integer epoch ticks, every point marked); `second`, when
    /// given, is a curve on the right axis (e.g. held-out accuracy, in its own units). False when gnuplot is
    /// missing or fails (the report then has no figure).
    public static func line(_ values: [Double], png: String, title: String, ylabel: String,
                            second: (values: [Double], label: String)? = nil) -> Bool {
        guard !values.isEmpty, let gnuplot = executable("gnuplot") else { return false }
        let base = String(png.dropLast(4))
        let n = values.count
        let right = second.flatMap { $0.values.count == n ? $0 : nil }
        let data = values.enumerated().map { i, v in
            "\(i + 1)\t\(v)" + (right.map { "\t\($0.values[i])" } ?? "")
        }.joined(separator: "\n") + "\n"
        var plot = "plot '\(base).dat' using 1:2 with linespoints pt 7 title \"\(ylabel)\""
        if let right { plot += ", '' using 1:3 axes x1y2 with linespoints pt 5 dt 2 title \"\(right.label)\"" }
        let script = """
            set terminal png size 720,420
            set output '\(png)'
            set title "\(title)"
            set xlabel "epoch"
            set ylabel "\(ylabel)"
            set xrange [0.5:\(n).5]
            set xtics \(max(1, (n + 9) / 10)) format "%.0f"
            set grid
            set key below
            \(right.map { "set y2label \"\($0.label)\"\nset y2tics\nset ytics nomirror" } ?? "")
            \(plot)

            """
        do {
            try data.write(toFile: base + ".dat", atomically: true, encoding: .utf8)
            try script.write(toFile: base + ".gp", atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: gnuplot)
            process.arguments = [base + ".gp"]
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0 && FileManager.default.fileExists(atPath: png)
        } catch {
            return false
        }
    }

    /// The path of `name` on `PATH`, if any.
    public static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

extension RunnerStageType {
    /// `s` safe inside a Markdown table cell.
    public static func markdownCell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
