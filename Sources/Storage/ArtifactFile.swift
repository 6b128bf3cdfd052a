/// The one way a Tributary model, score, evaluation or index file is written and read: a checked `ArtifactHeader`
/// (format, stage, layout version and the parameters that made the file) followed by named datasets.
///
///     try ArtifactFile.create(path, header: ArtifactHeader(stage: "train-infused", version: 1, parameters: p)) { file in
///         try file.write(weights, shape: [weights.count], to: "parameters")
///         try file.write(series: history, under: "history")          // history/mean_loss, history/test_accuracy …
///     }
///     let model = try ArtifactFile.read(path, stage: "train-infused", version: 1) { artifact in
///         (try artifact.int("parameter_count"), try artifact.series(under: "history"))
///     }
///
/// `create` writes to a temporary name and renames when complete (a crash never leaves a file that looks
/// finished); `read` opens, checks format → stage → version, runs the body and closes the file on every path.
/// Typed attribute look-ups throw `StorageError.attributeMissing` naming the file and the attribute.
public struct ArtifactFile {
    public let file: HDF5File
    public let header: ArtifactHeader
    public var path: String { file.path }

    /// Writes `path` atomically: the header as root attributes, then whatever `body` writes.
    public static func create(_ path: String, header: ArtifactHeader, _ body: (HDF5File) throws -> Void) throws {
        try HDF5File.createAtomic(path: path) { file in
            try header.write(to: file)
            try body(file)
        }
    }

    /// Opens `path`, checks it was written by `stage` at layout `version`, and returns what `body` reads.
    ///
    /// - Throws: `StorageError.fileMissing` when there is no such regular file, the header's errors
    ///   (`wrongFormat`, `wrongStage`, `wrongVersion`), and whatever `body` throws.
    public static func read<T>(_ path: String, stage: String, version: Int, _ body: (ArtifactFile) throws -> T) throws -> T {
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        let header = try ArtifactHeader.check(file, stage: stage, version: version)
        return try body(ArtifactFile(file: file, header: header))
    }

    /// The integer attribute `name`.
    public func int(_ name: String) throws -> Int {
        guard case let .int(value)? = header.parameters[name] else { throw missing(name) }
        return value
    }

    /// The number attribute `name` (an integer attribute converts).
    public func double(_ name: String) throws -> Double {
        switch header.parameters[name] {
        case let .double(value)?: return value
        case let .int(value)?: return Double(value)
        default: throw missing(name)
        }
    }

    /// The string attribute `name`.
    public func string(_ name: String) throws -> String {
        guard case let .string(value)? = header.parameters[name] else { throw missing(name) }
        return value
    }

    /// Every 1-D float64 dataset of `group` by name (`history/mean_loss` → `["mean_loss": …]`); empty when the
    /// group is absent.
    public func series(under group: String) throws -> [String: [Double]] {
        guard file.contains(group) else { return [:] }
        var series: [String: [Double]] = [:]
        for name in try file.children(of: group) { series[name] = try file.read("\(group)/\(name)", as: Double.self).values }
        return series
    }

    private func missing(_ name: String) -> StorageError {
        .attributeMissing(file: path, object: "/", name: name)
    }
}

extension HDF5File {
    /// Writes each series as the 1-D float64 dataset `group/name`, in name order.
    public func write(series: [String: [Double]], under group: String) throws {
        for name in series.keys.sorted() {
            try write(series[name]!, shape: [series[name]!.count], to: "\(group)/\(name)")
        }
    }
}
