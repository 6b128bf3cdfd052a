import Core

/// Errors of the Fisher-vector stages given bad input. Every message names the file (or image) and the fix,
/// usually the `tributary` stage to re-run. Errors from the layers below (`StorageError`, `ImageError`,
/// `FashionMNISTError`, `ManifestError`, `EncodingError`) pass through unchanged: they name their file already.
public enum PipelineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A stage's input file does not exist; `producer` is what makes it (`tributary extract …`).
    case missingInput(path: String, producer: String)
    /// The image source lists no image.
    case noImages(source: String)
    /// A listing (CSV) names an image that is not there.
    case missingImage(listing: String, line: Int, image: String)
    /// Image `index` (`id`) failed to decode or to give descriptors (`reason`), under the fail policy.
    case badImage(index: Int, id: String, reason: String)
    /// Descriptors or projected descriptors contain NaN/∞ (a bug upstream, or a corrupt descriptors file).
    case nonFinite(file: String, what: String, row: Int)
    /// A model file disagrees with another input (`what`), so it was made from different settings.
    case inconsistent(file: String, what: String, rerun: String)
    /// A flag value outside its valid range.
    case invalidParameter(name: String, value: String, rule: String)
    /// The extraction produced no descriptor at all.
    case noDescriptors(file: String)

    public var description: String {
        switch self {
        case let .missingInput(path, producer):
            // Thrown where a regular file was looked for: say what is really there (a directory, a path under
            // a file, no permission) rather than "does not exist".
            if let problem = FileProblem.diagnose(path: path), problem != .missing {
                return "\(path) \(problem); or create it with \(producer)"
            }
            return "\(path) does not exist; create it with \(producer)"
        case let .noImages(source):
            return "\(source) lists no images; check --data, --labels-csv and --split"
        case let .missingImage(listing, line, image):
            return "\(listing):\(line): image \(image) not found; restore the file or remove the row"
        case let .badImage(index, id, reason):
            return "image \(index) (\(id)): \(reason); fix or remove the image, or pass --on-bad-image skip to "
                + "encode it as an image without descriptors"
        case let .nonFinite(file, what, row):
            return "\(file): \(what) row \(row) contains NaN or infinity; re-run `tributary extract` to rewrite the "
                + "descriptors (delete the file and its .parts folder first)"
        case let .inconsistent(file, what, rerun):
            return "\(file): \(what); re-run `tributary \(rerun)` with the same settings as the later stages"
        case let .invalidParameter(name, value, rule):
            return "\(name) = \(value) is invalid: \(rule)"
        case let .noDescriptors(file):
            return "\(file) holds no descriptors: every image is smaller than one patch; lower --patch-size or "
                + "--scales, or use larger images"
        }
    }
}
