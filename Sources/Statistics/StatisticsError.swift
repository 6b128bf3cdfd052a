/// Why a statistic could not be computed. Every case says what the input was and what it needs; `description` is
/// the message the `tributary stats` commands print before they stop.
public enum StatisticsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `what` needs at least `needed` values and got `count` (a sample standard deviation needs 2).
    case tooFewValues(what: String, count: Int, needed: Int)
    /// Paired runs must pair up: as many baseline values as method values.
    case lengthMismatch(baseline: Int, method: Int)
    /// A value is NaN or infinite (a failed run written as `nan`, say); `index` is 0-based.
    case nonFinite(what: String, index: Int)
    /// An option is out of its range: `requirement` says which values are allowed.
    case invalidOption(name: String, value: Double, requirement: String)

    public var description: String {
        switch self {
        case .tooFewValues(let what, let count, let needed):
            return "\(what): \(count) value\(count == 1 ? "" : "s"), needs at least \(needed) (a spread, a confidence "
                + "interval or a paired test needs two or more folds or seeds); run more folds or seeds"
        case .lengthMismatch(let baseline, let method):
            return "paired runs: \(baseline) baseline values but \(method) method values; each fold/seed needs both"
        case .nonFinite(let what, let index):
            return "\(what): value \(index + 1) is not a finite number; drop or rerun the failed run"
        case .invalidOption(let name, let value, let requirement):
            return "\(name) = \(value): must be \(requirement)"
        }
    }
}
