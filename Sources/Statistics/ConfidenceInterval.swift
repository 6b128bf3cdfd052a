/// A two-sided confidence interval for a mean from Student's t (the population variance unknown, estimated by s²).
///
///     x̄ ± t_{1−(1−level)/2, n−1} · s / √n          (`center` ± `halfWidth`, `criticalValue` = the t quantile)
///
/// With level = 0.95 and n = 10 folds: x̄ ± 2.262157 · s/√10. It assumes the n values are independent draws
/// of a roughly normal quantity (per-fold or per-seed scores of one method, or paired differences); with few
/// values it is wide, which is the point: it says how little a mean over 3 folds pins down.
///
/// ```swift
/// let ci = try ConfidenceInterval.mean(of: differences)            // 95 %
/// ci.excludes(0)                                                   // a difference different from 0?
/// ```
public struct ConfidenceInterval: Sendable, Equatable {
    /// The confidence level, 0 < level < 1 (0.95 for a 95 % interval).
    public let level: Double
    /// x̄.
    public let center: Double
    /// t_{1−(1−level)/2, n−1} · s/√n.
    public let halfWidth: Double
    /// t_{1−(1−level)/2, n−1}.
    public let criticalValue: Double
    /// n − 1.
    public let degreesOfFreedom: Int

    /// The default level, declared once: a 95 % interval.
    public static let defaultLevel = 0.95

    public var lower: Double { center - halfWidth }
    public var upper: Double { center + halfWidth }

    /// Whether `value` lies strictly outside [lower, upper].
    public func excludes(_ value: Double) -> Bool { value < lower || value > upper }

    /// The interval for the mean of `values` (n ≥ 2) at `level`.
    public static func mean(of values: [Double], level: Double = defaultLevel,
                            what: String = "values") throws(StatisticsError) -> ConfidenceInterval {
        try mean(of: Summary(values, what: what), level: level)
    }

    /// The interval from a summary (n, x̄, s).
    public static func mean(of summary: Summary, level: Double = defaultLevel) throws(StatisticsError) -> ConfidenceInterval {
        guard level > 0 && level < 1 else {
            throw .invalidOption(name: "confidence level", value: level, requirement: "strictly between 0 and 1 (0.95 for 95 %)")
        }
        let nu = summary.count - 1
        let t = StudentT(degreesOfFreedom: Double(nu)).quantile(1 - (1 - level) / 2)
        return ConfidenceInterval(level: level, center: summary.mean, halfWidth: t * summary.standardError,
                                  criticalValue: t, degreesOfFreedom: nu)
    }
}
