/// A cross-validation fold written "k/K": the k-th (1-based) of K folds is held out. The one parser of that text,
/// for every stage `fold` parameter (`train-text`, `train-infused`, `split`, `split-images`) and a config's
/// `repeat.folds`.
public enum CrossValidationFold {
    /// The rule a `fold` value must follow, as its spec and its errors state it.
    public static let rule = "k/K with 1 ≤ k ≤ K and K ≥ 2, e.g. 1/5"

    /// `"k/K"` → (k − 1, K).
    public static func parse(_ text: String) throws(ParameterError.Problem) -> (fold: Int, of: Int) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let k = parts[0], let folds = parts[1], folds >= 2, k >= 1, k <= folds else {
            throw .outOfRange(value: text, allowed: rule)
        }
        return (k - 1, folds)
    }

    /// A `ParameterSpec` rule: nil for a valid "k/K" (or a non-string, which the kind check refuses), else `rule`.
    public static func check(_ value: JSONValue) -> String? {
        guard case let .string(s) = value else { return nil }
        return (try? parse(s)) == nil ? rule : nil
    }
}
