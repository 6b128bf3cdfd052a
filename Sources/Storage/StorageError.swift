import Core


/// Everything that can go wrong reading or writing a Tributary HDF5 file.
///
/// Every message names the file it is about and says how to fix the problem, usually which stage
/// to re-run (llm.c's "---> HINT"). Callers can also switch on the case to recover programmatically.
///
/// | case | typical cause | fix the message suggests |
/// | --- | --- | --- |
/// | `fileMissing` | wrong path, stage not run yet | run the stage that writes it |
/// | `notHDF5` | crash mid-write of a non-atomic copy, truncated copy, a text file named `.h5` | re-run the writer |
/// | `datasetMissing`, `attributeMissing` | file from another stage or an older build | re-run the writer |
/// | `shapeMismatch`, `typeMismatch` | hyper-parameters changed between stages | re-run the writer with the same settings |
/// | `wrongFormat`, `wrongVersion`, `wrongStage` | artifact header does not match what the reader expects | re-run the named stage |
/// | `unusable` | a directory, a path under a file, no permission, a read-only or full disk | the condition's own fix (`FileProblem`) |
/// | `partMissing` | a rank's part file was deleted, or the master was copied without its `.parts/` folder | copy both together, or `tributary pack` the master into one file |
/// | `partMismatch` | a part no longer holds what the master recorded (rewritten by another run, copied from elsewhere) | re-run the stage; copy master and parts together |
/// | `unsafeHDF5` | a corrupt or hostile file that crashed or hung libhdf5 in the `HDF5Preflight` child | re-create the file, or get an intact copy |
/// | `partManifestMissing` | a stitched master written before part manifests existed | re-run the stage that wrote it |
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No file exists at `path`.
    case fileMissing(path: String)
    /// The file exists but HDF5 cannot open it: truncated, corrupt, or not HDF5 at all.
    case notHDF5(path: String)
    /// `name` (a dataset path such as `"features/x"`) does not exist in `file`.
    case datasetMissing(file: String, name: String)
    /// The attribute `name` is not attached to `object` in `file`.
    case attributeMissing(file: String, object: String, name: String)
    /// The dataset's shape is not the one the reader needs; `nil` in `expected` matches any extent.
    case shapeMismatch(file: String, dataset: String, expected: [Int?], got: [Int])
    /// The stored element type is not the one requested (`"float32"`, `"int64"`, `"string"` …).
    case typeMismatch(file: String, name: String, expected: String, got: String)
    /// `count` values were given for a dataset of `shape`, or (appends) for rows of `shape`.
    case countMismatch(file: String, dataset: String, count: Int, shape: [Int])
    /// A row range outside `0..<rowCount` was requested.
    case rowsOutOfRange(file: String, dataset: String, rows: Range<Int>, rowCount: Int)
    /// The root attribute `format` is not `"tributary"` (`found` is `nil` when it is absent).
    case wrongFormat(file: String, found: String?, expectedStage: String)
    /// The artifact was written by another version of `stage`'s file layout.
    case wrongVersion(file: String, stage: String, found: Int, expected: Int)
    /// The artifact was written by stage `found`, the reader needs the output of `expected`.
    case wrongStage(file: String, found: String, expected: String)
    /// A part file that a stitched master file (or a stitch) needs does not exist.
    case partMissing(master: String, part: String)
    /// A part file exists but is not the one the master's manifest recorded (`reason` says how it differs).
    case partMismatch(master: String, part: String, reason: String)
    /// `dataset` of `master` is a virtual dataset over part files but carries no part manifest to verify
    /// them against (written by an older build).
    case partManifestMissing(master: String, dataset: String)
    /// The path cannot be opened or created for a reason that is not HDF5's: `problem` says which (a directory
    /// where a file is expected, a parent that is a file, permission denied, a read-only or full file system).
    case unusable(path: String, problem: FileProblem)
    /// Opening the file in a checking child process crashed or hung libhdf5 (`HDF5Preflight`); `reason` says how
    /// the child ended.
    case unsafeHDF5(path: String, reason: String)
    /// An HDF5 or file-system call failed; `operation` says which and on what.
    case io(file: String, operation: String)

    public var description: String {
        switch self {
        case let .fileMissing(path):
            return "file \(path) does not exist; check the path, or run the stage that writes it"
        case let .notHDF5(path):
            return "file \(path) is truncated or not HDF5; re-run the stage that wrote it"
        case let .unsafeHDF5(path, reason):
            return "file \(path) is corrupt or hostile: reading it in a separate process crashed or hung the HDF5 library "
                + "(the check \(reason)); it was not opened here. Re-run the stage that wrote it, or get an intact copy "
                + "(h5dump and h5py may crash on it too)"
        case let .datasetMissing(file, name):
            return "file \(file) has no dataset '\(name)'; it was written by another stage or an older build, "
                + "re-run the stage that writes it"
        case let .attributeMissing(file, object, name):
            return "file \(file) has no attribute '\(name)' on '\(object)'; re-run the stage that wrote it"
        case let .shapeMismatch(file, dataset, expected, got):
            return "dataset '\(dataset)' in file \(file) has shape \(got), expected \(Self.format(expected)); "
                + "re-run the stage that wrote it with the same settings as this one"
        case let .typeMismatch(file, name, expected, got):
            return "'\(name)' in file \(file) holds \(got), expected \(expected); "
                + "read it with the stored type, or re-run the stage that wrote it"
        case let .countMismatch(file, dataset, count, shape):
            return "writing '\(dataset)' to file \(file): \(count) values do not fill shape \(shape) "
                + "(\(shape.reduce(1, *)) values); pass exactly that many (appends: whole rows of that shape)"
        case let .rowsOutOfRange(file, dataset, rows, rowCount):
            return "rows \(rows) of dataset '\(dataset)' in file \(file) are out of range: it has \(rowCount) rows; "
                + "request a range within 0..<\(rowCount)"
        case let .wrongFormat(file, found, expectedStage):
            let what = found.map { "has format '\($0)'" } ?? "has no 'format' attribute"
            return "file \(file) \(what), so it is not a Tributary artifact; "
                + "re-run `tributary \(expectedStage)` to produce it"
        case let .wrongVersion(file, stage, found, expected):
            return "file \(file) has version \(found) of stage '\(stage)', this build reads version \(expected); "
                + "re-run `tributary \(stage)`"
        case let .wrongStage(file, found, expected):
            return "file \(file) was written by stage '\(found)', expected the output of stage '\(expected)'; "
                + "pass the right file or re-run `tributary \(expected)`"
        case let .partMissing(master, part):
            return "part file \(part) of \(master) is missing, so its rows cannot be read (h5py would read them as "
                + "zeros); \(Self.travelTogether(master))"
        case let .partMismatch(master, part, reason):
            return "part file \(part) is not the part \(master) was stitched from (\(reason)): the parts were "
                + "rewritten by another run or copied from elsewhere; re-run the stage that wrote \(master). "
                + Self.travelTogether(master)
        case let .partManifestMissing(master, dataset):
            return "dataset '\(dataset)' of \(master) reads part files but the file has no part manifest to check "
                + "them against (written by an older build); re-run the stage that wrote it"
        case let .unusable(path, problem):
            return "file \(path) \(problem)"
        case let .io(file, operation):
            return "HDF5 failed to \(operation) in file \(file); check the path, permissions and free disk space"
        }
    }

    /// The fix shared by the part-file errors.
    private static func travelTogether(_ master: String) -> String {
        "the master and its .parts/ folder must travel together: copy both (keeping their names: \(master) reads "
            + "\(master).parts/), or run `tributary pack \(master) OUT.h5` for one self-contained file, "
            + "or re-run the stage that wrote them"
    }

    private static func format(_ shape: [Int?]) -> String {
        "[" + shape.map { $0.map(String.init) ?? "*" }.joined(separator: ", ") + "]"
    }
}
