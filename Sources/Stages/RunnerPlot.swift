import Foundation

/// Line plots for the report (gnuplot, as `AnnotationReport.plot`).
public enum RunnerPlot {
    /// Plots `values` against x = first … first + n − 1 (epochs from 1, EM iterations from 0) into `png`
    /// (integer ticks, every point marked); `second`, when given, is a curve on the right axis (e.g. held-out
    /// accuracy, in its own units). The data (`<png>.dat`: x, value[, second]) and script (`.gp`) are written
    /// beside the PNG first. False when gnuplot is missing or fails (the report then has no figure).
    public static func line(_ values: [Double], png: String, title: String, ylabel: String,
                            second: (values: [Double], label: String)? = nil,
                            xlabel: String = "epoch", first: Int = 1) -> Bool {
        guard !values.isEmpty else { return false }
        let base = String(png.dropLast(4))
        let n = values.count
        let right = second.flatMap { $0.values.count == n ? $0 : nil }
        let data = values.enumerated().map { i, v in
            "\(i + first)\t\(v)" + (right.map { "\t\($0.values[i])" } ?? "")
        }.joined(separator: "\n") + "\n"
        var plot = "plot '\(base).dat' using 1:2 with linespoints pt 7 title \"\(ylabel)\""
        if let right { plot += ", '' using 1:3 axes x1y2 with linespoints pt 5 dt 2 title \"\(right.label)\"" }
        let script = """
            set terminal png size 720,420
            set output '\(png)'
            set title "\(title)"
            set xlabel "\(xlabel)"
            set ylabel "\(ylabel)"
            set xrange [\(Double(first) - 0.5):\(Double(first + n) - 0.5)]
            set xtics \(max(1, (n + 9) / 10)) format "%.0f"
            set grid
            set key below
            \(right.map { "set y2label \"\($0.label)\"\nset y2tics\nset ytics nomirror" } ?? "")
            \(plot)

            """
        do {
            try data.write(toFile: base + ".dat", atomically: true, encoding: .utf8)
            try script.write(toFile: base + ".gp", atomically: true, encoding: .utf8)
        } catch {
            return false
        }
        return render(script: base + ".gp", png: png)
    }

    /// Runs `gnuplot script`; true when it succeeded and `png` exists (false without gnuplot on `PATH`).
    public static func render(script: String, png: String) -> Bool {
        guard let gnuplot = executable("gnuplot") else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gnuplot)
        process.arguments = [script]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0 && FileManager.default.fileExists(atPath: png)
    }

    /// `name` safe inside a double-quoted gnuplot string.
    public static func quoted(_ name: String) -> String {
        name.replacingOccurrences(of: "\\", with: "/").replacingOccurrences(of: "\"", with: "'")
            .replacingOccurrences(of: "\n", with: " ")
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
