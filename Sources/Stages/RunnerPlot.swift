import Foundation

/// Line plots for the report (gnuplot, as `AnnotationReport.plot`).
public enum RunnerPlot {
    /// Plots `values` against 1 … n into `png`; false when gnuplot is missing or fails (the report then has no figure).
    public static func line(_ values: [Double], png: String, title: String, ylabel: String) -> Bool {
        guard !values.isEmpty, let gnuplot = executable("gnuplot") else { return false }
        let base = String(png.dropLast(4))
        let data = values.enumerated().map { "\($0.offset + 1)\t\($0.element)" }.joined(separator: "\n") + "\n"
        let script = """
            set terminal png size 640,400
            set output '\(png)'
            set title "\(title)"
            set xlabel "epoch"
            set ylabel "\(ylabel)"
            set grid
            plot '\(base).dat' using 1:2 with linespoints notitle

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
