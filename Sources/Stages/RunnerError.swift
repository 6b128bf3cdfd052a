import Foundation
import Storage
#if canImport(Glibc)
import Glibc
#endif

/// Small file helpers of the runner.
public enum RunnerFiles {
    /// Writes `bytes` to a temporary name beside `path`, then renames it into place (creating the folder).
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        try ShardedOutput.makeDirectory(containing: path)
        TemporaryFiles.removeStale(in: TemporaryFiles.folder(of: path))
        let temporary = TemporaryFiles.path(for: path)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw RunnerError.unwritable(path: path, reason: error.localizedDescription)
        }
    }

    public static func writeAtomically(_ text: String, to path: String) throws { try writeAtomically(Array(text.utf8), to: path) }
}

/// Errors of the pipeline runner (config errors are `RunnerConfigError`); each names the file and the fix.
public enum RunnerError: Error, Equatable, Sendable, CustomStringConvertible {
    case datasetMissing(dataset: String, path: String, fix: String)
    case badDataset(dataset: String, reason: String)
    case missingOutput(path: String)
    case unreadable(path: String)
    case unwritable(path: String, reason: String)
    case badManifest(path: String, reason: String)
    case stageFailed(stage: String, type: String, reason: String)
    /// Another `tributary run` holds the output folder's lock (`OutputLock`); `holder` names its pid and host.
    case outputLocked(folder: String, holder: String)

    public var description: String {
        switch self {
        case let .datasetMissing(dataset, path, fix):
            return "dataset \(dataset): \(path) not found; \(fix)"
        case let .badDataset(dataset, reason):
            return "dataset \(dataset): \(reason)"
        case let .missingOutput(path):
            return "\(path) is missing after its stage finished; rerun `tributary run` (the stage is run again)"
        case let .unreadable(path):
            return "\(path) cannot be read; check its permissions"
        case let .unwritable(path, reason):
            return "cannot write \(path) (\(reason)); choose a writable \"out\" folder in the config"
        case let .badManifest(path, reason):
            return "\(path) is not a runner manifest (\(reason)); delete it to rerun every stage"
        case let .stageFailed(stage, type, reason):
            return "stage \(stage) (\(type)): \(reason)"
        case let .outputLocked(folder, holder):
            return "output folder \(folder) is in use by another `tributary run` (\(holder)); two runs into one folder "
                + "would overwrite each other's files. Wait for it to finish (or stop it), or choose another \"out\" "
                + "folder in the config"
        }
    }
}
