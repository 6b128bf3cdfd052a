import ArgumentParser
import Core
import Datasets
import Foundation
import Statistics

/// `tributary stats`: the statistics that make a result reviewable (docs/results.md's comparisons).
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Statistics over per-fold/per-seed results: method vs baseline with a CI and paired tests.",
        subcommands: [StatsCompare.self])
}

/// `tributary stats compare`: a method against a baseline over paired runs → one Markdown row (Statistics'
/// `Comparison`: mean ± std of both, the mean difference with its t interval, the paired t and Wilcoxon
/// signed-rank p-values, a verdict).
struct StatsCompare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare a method with a baseline over paired folds/seeds → a Markdown row.",
        discussion: """
            Give the paired scores either as two files (--baseline FILE --method FILE: numbers separated by \
            spaces, commas or newlines, '#' starts a comment; the i-th numbers of both files are one fold/seed) \
            or as one CSV (--csv FILE with columns baseline and method; other columns such as fold and seed are \
            ignored). Prints | comparison | n | baseline | method | difference [CI] | paired t p | Wilcoxon p | \
            verdict |. The verdict is "wins" or "loses" only when the paired t-test's p < alpha and the \
            interval excludes 0; zero differences are dropped from the Wilcoxon test (Wilcoxon's original \
            treatment), which is exact up to 25 non-zero differences.
            """)

    @Option(help: "The baseline's scores, one per fold/seed, in the same order as --method's.")
    var baseline: String?

    @Option(help: "The method's scores, one per fold/seed.")
    var method: String?

    @Option(help: "One CSV with columns baseline and method (e.g. fold,seed,baseline,method), one row per run.")
    var csv: String?

    @Option(help: "The row's first cell.")
    var label = "method vs baseline"

    @Option(help: "Significance level α of the verdict (p < α).")
    var alpha = Comparison.defaultAlpha

    @Option(help: "Confidence level of the interval for the mean difference.")
    var level = ConfidenceInterval.defaultLevel

    @Option(help: "Decimals of the scores and differences.")
    var digits = 2

    @Flag(help: "Smaller scores are better (a loss, an error rate, seconds): the verdict's direction flips.")
    var lowerIsBetter = false

    @Flag(help: "Print the table's header and separator lines before the row.")
    var header = false

    func validate() throws {
        switch (baseline, method, csv) {
        case (.some, .some, nil), (nil, nil, .some): break
        default:
            throw ValidationError("give --baseline FILE and --method FILE, or --csv FILE alone")
        }
        guard (0 ... 12).contains(digits) else { throw ValidationError("--digits \(digits): must be 0 … 12") }
    }

    func run() throws {
        let (b, m) = try csv.map(PairedScores.csv) ?? (try PairedScores.values(baseline!), try PairedScores.values(method!))
        let comparison = try Comparison(baseline: b, method: m, alpha: alpha, level: level, higherIsBetter: !lowerIsBetter)
        if header { print(comparison.markdownHeader()) }
        print(comparison.markdownRow(label: label, digits: digits))
    }
}

/// Reading paired scores for `stats compare`.
enum PairedScores {
    /// Why a scores file could not be read; names the file and line.
    enum Failure: Error, CustomStringConvertible {
        case unreadable(path: String)
        case notANumber(path: String, line: Int, text: String)

        var description: String {
            switch self {
            case .unreadable(let path):
                return "\(path): cannot read the scores file; check the path"
            case .notANumber(let path, let line, let text):
                return "\(path):\(line): '\(text)' is not a number (scores are numbers separated by spaces, commas "
                    + "or newlines; '#' starts a comment)"
            }
        }
    }

    /// The file's bytes, read through a file handle so that pipes work too (`--baseline <(echo 98.65 94.59)`).
    static func bytes(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() ?? Data() else {
            throw Failure.unreadable(path: path)
        }
        try? handle.close()
        return Array(data)
    }

    /// The numbers of a values file in order.
    static func values(_ path: String) throws -> [Double] {
        let text = try StrictText.decode(try bytes(path), file: path)
        var values: [Double] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for word in content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" }) {
                guard let x = Double(word) else { throw Failure.notANumber(path: path, line: index + 1, text: String(word)) }
                values.append(x)
            }
        }
        return values
    }

    /// The baseline and method columns of a CSV.
    static func csv(_ path: String) throws -> ([Double], [Double]) {
        let table = try CSVTable.parse(try bytes(path), name: path)
        let b = try table.requireColumn("baseline"), m = try table.requireColumn("method")
        func number(_ row: CSVTable.Row, _ column: Int) throws -> Double {
            guard let x = Double(row.fields[column]) else {
                throw Failure.notANumber(path: path, line: row.line, text: row.fields[column])
            }
            return x
        }
        return (try table.rows.map { try number($0, b) }, try table.rows.map { try number($0, m) })
    }
}
