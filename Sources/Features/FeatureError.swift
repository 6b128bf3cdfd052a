/// Errors from the Features module given bad input. Each message states the violated constraint with the actual
/// values and how to fix it.
public enum FeatureError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The image is smaller than one patch at scale 0, so no descriptor can be extracted at all.
    case imageTooSmall(width: Int, height: Int, patch: Int)
    /// A `DenseGrid` parameter is out of range (the string names the parameter and its value).
    case invalidGeometry(String)
    /// A pixel buffer does not hold `expected` values.
    case shapeMismatch(what: String, expected: Int, got: Int)

    public var description: String {
        switch self {
        case let .imageTooSmall(width, height, patch):
            return "image \(width)×\(height) is smaller than one \(patch)×\(patch) patch, so it has no dense "
                + "descriptors; use a smaller --patch-size (at most \(min(width, height)), a multiple of "
                + "\(DenseGrid.cellsPerSide)) or a larger image"
        case let .invalidGeometry(reason):
            return "invalid dense grid: \(reason)"
        case let .shapeMismatch(what, expected, got):
            return "\(what): expected \(expected) values, got \(got)"
        }
    }
}
