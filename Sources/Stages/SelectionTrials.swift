import Core
import Foundation
import Storage

/// The finished trials of a selection (`Selection`), kept in the final run's checkpoint folder so that a resumed
/// selecting run does not train them again: rank 0 rewrites the record atomically after every finished trial,
/// and a run with `resume` reuses the curves s_j[1 … e_j] it holds instead of rerunning trial j.
///
///     <checkpoint folder>/selection-trials.h5
///
/// | object | type | content |
/// | --- | --- | --- |
/// | root attributes | header | stage `selection-trials`, version 1; what the curves depend on (`key`): `trainer` (the stage), the criterion, every candidate η, E, the patience (0 = none), the holdout's fraction and seed, the fit and validation row counts, and the stage's own `settings` (model sizes, data, training options: those its checkpoint compares) |
/// | `curve/<j>` | Float64 (e_j) | candidate j's validation curve, for each finished j |
///
/// A trial is a pure function of those settings, so a reused curve is the curve a rerun would give, and the resumed
/// run ends with the uninterrupted run's bits. A record whose key differs (a folder reused with other settings) is
/// not used: its trials rerun, and the record is replaced.
///
/// Distributed: rank 0 reads and writes; the curves it read go to every rank (one broadcast), so every rank
/// skips the same trials.
public struct SelectionTrials {
    public static let fileName = "selection-trials.h5"
    public static let stage = "selection-trials"
    public static let version = 1

    /// The checkpoint folder.
    public var folder: String
    /// Whether the recorded trials are reused (a resumed run); the record is written either way.
    public var resume: Bool
    public var communicator: any Communicator
    /// The stage's settings a trial depends on besides the selection's own (part of the record's key).
    public var settings: [String: HDF5AttributeValue]

    public init(folder: String, resume: Bool, communicator: any Communicator, settings: [String: HDF5AttributeValue] = [:]) {
        (self.folder, self.resume, self.communicator, self.settings) = (folder, resume, communicator, settings)
    }

    public var path: String { folder + "/" + Self.fileName }

    /// Whether `folder` holds a record (the runner resumes an interrupted selecting stage when it does).
    public static func exists(in folder: String) -> Bool { FileManager.default.fileExists(atPath: folder + "/" + fileName) }

    /// Whether a resumed selecting run (`resume`) resumes its final run too: only when `checkpointed()` on rank 0
    /// (a run stopped during its trials has no final checkpoint yet, so its final run starts afresh). Collective.
    public static func finalRunResumes(_ resume: Bool, communicator comm: any Communicator,
                                       checkpointed: () -> Bool) throws -> Bool {
        guard resume else { return false }
        return try comm.broadcast(comm.isRoot && checkpointed() ? "yes" : "", root: 0) == "yes"  // Distributed: rank 0's files decide
    }

    /// The curves recorded under `key`, by candidate index; empty without `resume`, without a record, or when the
    /// record's key differs (`log` says so). Collective.
    public func load(key: [String: HDF5AttributeValue], log: (String) -> Void) throws -> [Int: [Double]] {
        guard resume else { return [:] }
        var text = ""
        if communicator.isRoot, FileManager.default.fileExists(atPath: path) {
            text = try ArtifactFile.read(path, stage: Self.stage, version: Self.version) { artifact in
                guard key.allSatisfy({ artifact.header.parameters[$0.key] == $0.value }) else { return "stale" }
                guard artifact.file.contains("curve") else { return "" }
                return try artifact.file.children(of: "curve").compactMap { name -> String? in
                    guard let j = Int(name) else { return nil }
                    let curve: [Double] = try artifact.file.read("curve/\(name)").values
                    return "\(j):" + curve.map { String($0.bitPattern, radix: 16) }.joined(separator: ",")
                }.joined(separator: ";")
            }
        }
        text = try communicator.broadcast(text, root: 0)  // Distributed: rank 0's record, on every rank
        if text == "stale" {
            log("selection: \(path) records trials of other settings; they run again")
            return [:]
        }
        var curves: [Int: [Double]] = [:]
        for entry in text.split(separator: ";") {
            let parts = entry.split(separator: ":")
            guard parts.count == 2, let j = Int(parts[0]) else { continue }
            curves[j] = parts[1].split(separator: ",").compactMap { UInt64($0, radix: 16).map(Double.init(bitPattern:)) }
        }
        return curves
    }

    /// Rank 0 rewrites the record with `curves` (every finished trial so far) under `key`.
    public func save(key: [String: HDF5AttributeValue], curves: [Int: [Double]]) throws {
        guard communicator.isRoot else { return }
        try ArtifactFile.create(path, header: ArtifactHeader(stage: Self.stage, version: Self.version, parameters: key)) { file in
            for j in curves.keys.sorted() { try file.write(curves[j]!, shape: [curves[j]!.count], to: "curve/\(j)") }
        }
    }
}
