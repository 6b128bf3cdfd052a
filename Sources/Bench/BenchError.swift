/// A benchmark input that is missing or malformed: the anchors' raw files (`$ANCHOR_DATA`, written by
/// `../shared/bench/anchors/gen_data.py`). Each message names the file and how to regenerate it.
public enum BenchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A raw data file whose size does not match the expected shape.
    case fileSize(path: String, expectedBytes: Int, gotBytes: Int)
    /// A file that could not be read.
    case unreadableFile(path: String)
    /// A benchmark input file is missing or has the wrong size.
    case dataFile(path: String, reason: String)
    /// A benchmark computed a wrong answer (checked before it is timed).
    case wrongResult(String)

    public var description: String {
        switch self {
        case let .fileSize(path, expectedBytes, gotBytes):
            return "\(path) has \(gotBytes) bytes, expected \(expectedBytes) for the requested shape; "
                + "regenerate it with `bench/anchors/gen_data.py` or pass the right shape"
        case let .unreadableFile(path):
            return "cannot read \(path); set $ANCHOR_DATA to the folder written by `bench/anchors/gen_data.py`"
        case let .dataFile(path, reason):
            return "\(path): \(reason); generate it with `python3 bench/anchors/gen_data.py knn` (ANCHOR_DATA)"
        case let .wrongResult(message):
            return message
        }
    }
}
