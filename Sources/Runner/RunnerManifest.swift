import Foundation
import Stages
import Storage

/// `out/run-manifest.json`: what the runner knows about each stage's last run. Rank 0 rewrites it atomically
/// before a stage starts (`status: running`, with the stage key) and after it ends (`status: done`, with the
/// content hash of every output, the timing and the report section), so a killed job leaves a manifest that
/// says which stage was interrupted and with which key.
///
/// A stage is **skipped** when its record is `done`, its key equals the key the runner computes now (type,
/// version, parameters, dataset hash, the inputs' output hashes, and the rank count for rank-dependent stages),
/// and every recorded output still has its recorded hash. It is **resumed** (its folder kept, so finished part
/// files and training checkpoints are reused) when its record is `running` with the same key. Otherwise its
/// folder is deleted and it runs from scratch; the stages downstream then see new input hashes and rerun too.
public struct RunnerManifest: Codable, Sendable {
    public static let fileName = "run-manifest.json"
    public static let formatVersion = 1

    public struct Record: Codable, Sendable, Equatable {
        public var key: String
        public var type: String
        /// `running` or `done`.
        public var status: String
        /// Output file (relative to the stage folder) → content hash (`RunnerDigest`).
        public var outputs: [String: String]
        public var seconds: Double
        public var ranks: Int
        public var summary: String
        public var report: String
        /// The parameters, `key=value` per line (defaults filled in).
        public var parameters: String
        /// When the record was written (UTC, ISO 8601).
        public var written: String
        /// The build, machine and job that ran the stage (`Provenance`, one `name: value` per entry; absent in
        /// manifests written before it was recorded).
        public var provenance: [String]? = Provenance.current.lines
        /// The numbers the stage reports (`RunnerStageResult.metrics`: accuracy, macro-F1, mAP …) that
        /// `RepeatRunner` aggregates over repetitions; absent when it reports none (or in older manifests).
        public var metrics: [String: Double]? = nil
    }

    public var version = RunnerManifest.formatVersion
    public var stages: [String: Record] = [:]

    public init() {}

    public static func path(out: String) -> String { out + "/" + fileName }

    /// The manifest in `out`, or an empty one when there is none.
    public static func read(out: String) throws -> RunnerManifest {
        let path = Self.path(out: out)
        guard let data = FileManager.default.contents(atPath: path) else { return RunnerManifest() }
        do {
            let manifest = try JSONDecoder().decode(RunnerManifest.self, from: data)
            guard manifest.version == formatVersion else {
                throw RunnerError.badManifest(path: path, reason: "version \(manifest.version), expected \(formatVersion)")
            }
            return manifest
        } catch let error as RunnerError {
            throw error
        } catch {
            throw RunnerError.badManifest(path: path, reason: RunnerConfig.describe(error))
        }
    }

    public func write(out: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        try RunnerFiles.writeAtomically([UInt8](data) + [10], to: Self.path(out: out))
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}
