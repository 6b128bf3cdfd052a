import Core

/// A `Comparison` as one row of a Markdown table, for experiment scripts and docs/results.md:
///
///     | label | n | baseline x̄ ± s | method x̄ ± s | d̄ [lower, upper] | p_t | p_W (exact|normal, n) | verdict |
///
/// Scores and differences have `digits` decimals (Core's `fixed`: the same text on every machine); p-values four
/// decimals, "< 0.0001" below that. The Wilcoxon cell names its method and the n left after zero differences
/// were dropped, since that n decides what p it can reach.
extension Comparison {
    /// The header and separator lines that go above `markdownRow`.
    public func markdownHeader() -> String {
        let percent = fixed(interval.level * 100, interval.level * 100 == (interval.level * 100).rounded() ? 0 : 1)
        return "| comparison | n | baseline (mean ± std) | method (mean ± std) | difference [\(percent) % CI] "
            + "| paired t p | Wilcoxon p | verdict (α = \(format(alpha))) |\n"
            + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    }

    /// One row; `label` fills the first cell (e.g. "infused vs bi-LSTM").
    public func markdownRow(label: String, digits: Int = 2) -> String {
        let cells = [
            label.replacingPipes(),
            "\(count)",
            "\(fixed(baseline.mean, digits)) ± \(fixed(baseline.standardDeviation, digits))",
            "\(fixed(method.mean, digits)) ± \(fixed(method.standardDeviation, digits))",
            "\(signed(difference.mean, digits)) [\(signed(interval.lower, digits)), \(signed(interval.upper, digits))]",
            Self.formatP(pairedT.pValue),
            "\(Self.formatP(wilcoxon.pValue)) (\(wilcoxon.method == .exact ? "exact" : "normal"), n = \(wilcoxon.count))",
            verdict.rawValue,
        ]
        return "| " + cells.joined(separator: " | ") + " |"
    }

    /// A p-value with four decimals, or "< 0.0001".
    static func formatP(_ p: Double) -> String { p < 0.0001 ? "< 0.0001" : fixed(p, 4) }

    private func signed(_ x: Double, _ digits: Int) -> String {
        let text = fixed(x, digits)
        return text.hasPrefix("-") || Double(text) == 0 ? text : "+" + text
    }
}

extension String {
    /// A Markdown cell's text: `|` would end the cell.
    fileprivate func replacingPipes() -> String { split(separator: "|", omittingEmptySubsequences: false).joined(separator: "/") }
}
