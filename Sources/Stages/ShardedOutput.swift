import Core
import Foundation
import Storage

/// Helpers shared by the sharded stages (`extract`, `encode`): output folders, part headers, and the test
/// that lets a rerun reuse a finished part.
///
/// A part's header holds the stage's parameters plus `shard_start`, `shard_end` (the image range it covers)
/// and `complete = 1`, written last. Parts are written atomically (`PartFiles.writePart`), so a part that
/// exists was finished; `complete` also guards against a part copied in by hand from an unfinished run.
/// A rerun reuses a part only when its header equals the one it would write, so a part from other
/// parameters, another image selection or another rank count (another shard range) is rewritten.
///
/// Where the parts go: `partFiles(master:count:stage:version:parameters:)` keys the part set by the stage's
/// parameters and the rank count (`PartFiles.forWriting`): a run with the live master's settings writes (and
/// resumes) in the live generation, a run with other settings writes a new generation beside it, so the old
/// master keeps reading its own parts until the new master replaces it.
public enum ShardedOutput {
    /// The part set a `count`-rank run of `stage` with `parameters` (the master's, without the per-shard ones)
    /// writes; every rank computes the same one from the same live master.
    public static func partFiles(master: String, count: Int, stage: String, version: Int,
                                 parameters: [String: HDF5AttributeValue]) -> PartFiles {
        let settings = ["\(stage) v\(version)"] + parameters.keys.sorted().map { "\($0)=\(parameters[$0]!)" }
        return PartFiles.forWriting(master: master, count: count,
                                    key: PartFiles.key(settings.joined(separator: "\n"), count: count))
    }

    /// Creates `directory` and its parents (no error when it exists).
    public static func makeDirectory(containing path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if let problem = FileProblem.makeFolder(folder) { throw StorageError.unusable(path: folder, problem: problem) }
    }

    /// The header of the part covering images `range`.
    public static func partHeader(stage: String, version: Int, parameters: [String: HDF5AttributeValue],
                           range: Range<Int>) -> ArtifactHeader {
        var p = parameters
        p["shard_start"] = .int(range.lowerBound)
        p["shard_end"] = .int(range.upperBound)
        p["complete"] = .int(1)
        return ArtifactHeader(stage: stage, version: version, parameters: p)
    }

    /// Why rank `rank`'s part of `parts` cannot be reused, or nil when its header equals `expected`. When the
    /// part set is a new generation (other settings than the live master's), the reason is what differs from
    /// the live master's part of that rank, which stays in place until the new master replaces it.
    public static func reuseBlocker(parts: PartFiles, rank: Int, expected: ArtifactHeader) -> String? {
        let blocker = reuseBlocker(path: parts.partPath(rank: rank), expected: expected)
        guard blocker == "no part yet", let live = PartFiles.liveManifest(parts.master),
              live.generation != parts.generation, rank < live.files.count,
              let why = reuseBlocker(path: live.partPath(rank, masterPath: parts.master), expected: expected),
              why != "no part yet" else { return blocker }
        let slot = parts.generation.isEmpty ? parts.directory : parts.generationDirectory
        return "\(why); the new part goes to \(slot), the live one stays until the new master is in place"
    }

    /// Why the part at `path` cannot be reused, or nil when its header equals `expected`.
    public static func reuseBlocker(path: String, expected: ArtifactHeader) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return "no part yet" }
        do {
            let file = try HDF5File.open(path: path)
            defer { try? file.close() }
            let header = try ArtifactHeader.check(file, stage: expected.stage, version: expected.version)
            guard file.hasAttribute(PartFiles.digestAttribute) else { return "written without a part_digest (older build)" }
            if header == expected { return nil }
            let changed = Set(header.parameters.keys).union(expected.parameters.keys)
                .filter { header.parameters[$0] != expected.parameters[$0] }.sorted()
            return "written with other parameters (\(changed.joined(separator: ", ")))"
        } catch {
            return "unreadable (\(error))"
        }
    }

    /// What each input file was made from — its artifact header (stage, version, parameters), or its size when it
    /// has none — hashed (FNV-1a, 64 bits) into one hex string for a part header. A rerun whose inputs were
    /// remade with other parameters does not reuse parts computed from the old ones; a master merely re-stitched
    /// from the same parts keeps its header, so it does not invalidate anything downstream.
    public static func fingerprint(_ paths: [String]) -> String {
        let description = paths.map { path -> String in
            if let file = try? HDF5File.open(path: path) {
                defer { try? file.close() }
                if let header = try? ArtifactHeader.read(from: file) {
                    let parameters = header.parameters.keys.sorted().map { "\($0)=\(header.parameters[$0]!)" }
                    return "\(header.stage) v\(header.version) " + parameters.joined(separator: ",")
                }
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? -1
            return "\(path) \(size) bytes"
        }.joined(separator: "\n")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in description.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// "0..<32" as text for logs.
    public static func describe(_ range: Range<Int>) -> String { "images \(range.lowerBound)..<\(range.upperBound)" }
}
