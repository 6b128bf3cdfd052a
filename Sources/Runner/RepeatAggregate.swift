import Core
import Foundation
import Stages
import Statistics

/// The statistics over a repeated config's repetitions (`RepeatSpec`), from each repetition's manifest metrics
/// (`RunnerManifest.Record.metrics`). For each metric m = "STAGE.name" of a repeated stage, with x_r its value in
/// repetition r (those that report it; n of them):
///
///     x̄ ± s                       `Summary` (sample std, n − 1)
///     x̄ ± t_{0.975, n−1} · s/√n     `ConfidenceInterval` (95 %, Student t)
///
/// and for each `compare` row (method m, baseline b), paired by (seed, fold): d_r = m_r − b_r over every
/// repetition, then `Comparison` (the interval of d̄, the paired t-test's p, the Wilcoxon signed-rank p, and the
/// verdict: the method **wins** only when p_t < α and the interval excludes 0 on the better side). Metrics with
/// n < 2 have no spread: their row shows the value and "—".
///
/// Digits: values of a metric whose |x| ≤ 1 everywhere (macro-F1) get 4 decimals, the rest (accuracy and mAP in
/// %) 2; `fixed`, so the text is the same on every machine.
public struct RepeatAggregate: Sendable {
    public struct MetricRow: Sendable {
        public var reference: RepeatSpec.MetricReference
        /// (repetition index, value), in repetition order.
        public var values: [(Int, Double)]
        /// Nil when n < 2.
        public var summary: Summary?
        public var interval: ConfidenceInterval?
        public var digits: Int
    }

    public struct ComparisonRow: Sendable {
        public var request: RepeatSpec.ComparisonRequest
        public var comparison: Comparison
        public var digits: Int
    }

    public let spec: RepeatSpec
    public let rows: [MetricRow]
    public let comparisons: [ComparisonRow]

    /// `manifests[r]` is repetition r's manifest; `stages` the config's stage names in order.
    public init(spec: RepeatSpec, stages: [String], manifests: [Int: RunnerManifest]) throws {
        self.spec = spec
        let repetitions = spec.repetitions
        var rows: [MetricRow] = []
        for stage in stages where spec.repeated.contains(stage) {
            let names = Set(repetitions.flatMap { manifests[$0.index]?.stages[stage]?.metrics?.keys.map { $0 } ?? [] }).sorted()
            for name in names {
                let values = repetitions.compactMap { r in manifests[r.index]?.stages[stage]?.metrics?[name].map { (r.index, $0) } }
                let xs = values.map(\.1)
                let summary = xs.count >= 2 ? try Summary(xs, what: "\(stage).\(name)") : nil
                rows.append(MetricRow(reference: .init(stage: stage, metric: name), values: values, summary: summary,
                                      interval: try summary.map { try ConfidenceInterval.mean(of: $0) }, digits: Self.digits(xs)))
            }
        }
        // Paired by (seed, fold): each repetition's pair key, and both values of every repetition.
        func value(_ m: RepeatSpec.MetricReference, _ r: RepeatSpec.Repetition) throws -> Double {
            let metrics = manifests[r.index]?.stages[m.stage]?.metrics ?? [:]
            guard let x = metrics[m.metric] else {
                throw RepeatError.missingMetric(metric: m.description, repetition: r.label, reported: metrics.keys.sorted())
            }
            return x
        }
        var comparisons: [ComparisonRow] = []
        for request in spec.compare {
            var baseline: [String: Double] = [:], method: [String: Double] = [:]
            for r in repetitions {
                baseline[Self.pairKey(r)] = try value(request.baseline, r)
                method[Self.pairKey(r)] = try value(request.method, r)
            }
            let keys = repetitions.map(Self.pairKey)
            let c = try Comparison(baseline: keys.map { baseline[$0]! }, method: keys.map { method[$0]! }, alpha: spec.alpha,
                                   higherIsBetter: request.higherIsBetter)
            comparisons.append(ComparisonRow(request: request, comparison: c, digits: Self.digits(Array(baseline.values) + Array(method.values))))
        }
        self.rows = rows
        self.comparisons = comparisons
    }

    /// "seed S, fold k/K": what pairs a method's run with its baseline's.
    static func pairKey(_ r: RepeatSpec.Repetition) -> String { r.label }

    static func digits(_ xs: [Double]) -> Int { xs.allSatisfy { abs($0) <= 1 } ? 4 : 2 }

    // MARK: - Markdown and JSON

    /// aggregate.md: the statistics (`summaryMarkdown`), then every repetition's values (`perRepetitionMarkdown`).
    public var markdown: String { summaryMarkdown + perRepetitionMarkdown }

    /// The metrics' statistics and the comparisons. report.md puts these under its own repetition table, which
    /// carries each repetition's values (`cells`), so that each repetition is listed once there.
    public var summaryMarkdown: String {
        let reps = spec.repetitions
        var md = "## Repetition statistics\n\n"
        md += "\(reps.count) repetitions (seeds \(spec.seeds.map(String.init).joined(separator: ", "))"
            + (spec.folds.isEmpty ? "" : " × folds \(spec.folds.map(\.text).joined(separator: ", "))") + "). "
            + "Each row: the metric over the repetitions, mean ± sample standard deviation, and the 95 % Student-t "
            + "interval of the mean. Accuracy and mAP are in %, macro-F1 in [0, 1].\n\n"
        md += "| metric | n | mean ± std | 95 % CI | min | max |\n| --- | ---: | ---: | ---: | ---: | ---: |\n"
        for row in rows {
            let xs = row.values.map(\.1), d = row.digits
            let mean = row.summary.map { "\(fixed($0.mean, d)) ± \(fixed($0.standardDeviation, d))" } ?? fixed(xs.first ?? .nan, d)
            let ci = row.interval.map { "[\(fixed($0.lower, d)), \(fixed($0.upper, d))]" } ?? "— (n < 2)"
            md += "| \(row.reference) | \(xs.count) | \(mean) | \(ci) | \(fixed(xs.min() ?? .nan, d)) | \(fixed(xs.max() ?? .nan, d)) |\n"
        }
        if let first = comparisons.first {
            md += "\n### Method vs baseline (paired by seed and fold)\n\n"
            md += "Difference = method − baseline per repetition. A method **wins** only when the paired t-test gives "
                + "p < α = \(spec.alpha) and the \(Int(first.comparison.interval.level * 100)) % interval of the mean difference "
                + "excludes 0 on the better side; the Wilcoxon signed-rank p is reported beside it (with n ≤ 5 pairs it cannot "
                + "fall below 0.0625).\n\n"
            md += first.comparison.markdownHeader() + "\n"
            for row in comparisons {
                md += row.comparison.markdownRow(label: "\(row.request.method) vs \(row.request.baseline)"
                                                 + (row.request.higherIsBetter ? "" : " (lower is better)"), digits: row.digits) + "\n"
            }
        }
        return md
    }

    /// The per-repetition table: one row per repetition, one column per metric.
    public var perRepetitionMarkdown: String {
        var md = "\n### Per repetition\n\n| repetition | " + columns.joined(separator: " | ") + " |\n"
        md += "| --- |" + String(repeating: " ---: |", count: rows.count) + "\n"
        for r in spec.repetitions { md += "| \(r.label) | " + cells(r).joined(separator: " | ") + " |\n" }
        return md
    }

    /// The metric columns of the per-repetition table ("STAGE.metric", in row order).
    public var columns: [String] { rows.map { "\($0.reference)" } }

    /// Repetition `r`'s value of each metric (`columns`), "–" where it reported none.
    public func cells(_ r: RepeatSpec.Repetition) -> [String] {
        rows.map { row in row.values.first { $0.0 == r.index }.map { fixed($0.1, row.digits) } ?? "–" }
    }

    /// aggregate.json: the repetitions with their values, each metric's statistics, each comparison.
    public func json() throws -> [UInt8] {
        struct Repetition: Codable { var index: Int; var seed: Int; var fold: String?; var folder: String; var metrics: [String: Double] }
        struct Metric: Codable { var metric: String; var n: Int; var mean: Double?; var std: Double?; var ci_lower: Double?; var ci_upper: Double?; var level: Double? }
        struct Compared: Codable {
            var method: String; var baseline: String; var higher_is_better: Bool; var n: Int
            var baseline_mean: Double; var method_mean: Double; var mean_difference: Double; var std_difference: Double
            var ci_lower: Double; var ci_upper: Double; var level: Double; var paired_t: Double; var paired_t_p: Double
            var wilcoxon_p: Double; var wilcoxon_method: String; var alpha: Double; var verdict: String
        }
        struct File: Codable { var format: String; var repetitions: [Repetition]; var metrics: [Metric]; var comparisons: [Compared] }
        var repetitions: [Repetition] = []
        for r in spec.repetitions {
            var metrics: [String: Double] = [:]
            for row in rows { if let v = row.values.first(where: { $0.0 == r.index }) { metrics[row.reference.description] = v.1 } }
            repetitions.append(Repetition(index: r.index, seed: r.seed, fold: r.fold?.text, folder: r.folder, metrics: metrics))
        }
        let metrics = rows.map { row in
            Metric(metric: row.reference.description, n: row.values.count, mean: row.summary?.mean, std: row.summary?.standardDeviation,
                   ci_lower: row.interval?.lower, ci_upper: row.interval?.upper, level: row.interval?.level)
        }
        let compared = comparisons.map { row in
            let c = row.comparison
            return Compared(method: row.request.method.description, baseline: row.request.baseline.description,
                            higher_is_better: row.request.higherIsBetter, n: c.count, baseline_mean: c.baseline.mean,
                            method_mean: c.method.mean, mean_difference: c.difference.mean, std_difference: c.difference.standardDeviation,
                            ci_lower: c.interval.lower, ci_upper: c.interval.upper, level: c.interval.level, paired_t: c.pairedT.t,
                            paired_t_p: c.pairedT.pValue, wilcoxon_p: c.wilcoxon.pValue, wilcoxon_method: c.wilcoxon.method.rawValue,
                            alpha: c.alpha, verdict: c.verdict.rawValue)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // t = ±∞ when every difference is the same non-zero number (PairedTTest): JSON has no infinity.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return [UInt8](try encoder.encode(File(format: "tributary-aggregate 1", repetitions: repetitions, metrics: metrics,
                                               comparisons: compared))) + [10]
    }
}
