import Foundation
import Stages

/// `tributary status` and the stage keys that decide skip / resume / rerun (see `Runner` for the key's terms).
extension Runner {
    // MARK: - Status

    /// The state of a stage as `tributary status` reports it.
    public enum StageState: String, Sendable {
        case done = "done"
        case interrupted = "interrupted (will resume)"
        case stale = "stale (parameters, dataset or inputs changed: will rerun)"
        case modified = "output changed on disk (will rerun)"
        case waiting = "waits on an earlier stage (will rerun if its output changes)"
        case notRun = "not run"
    }

    /// Every stage's state, without running anything or writing any file (rank-0 work, no communicator).
    public func status(ranks: Int) throws -> [(stage: RunnerStage, state: StageState, record: RunnerManifest.Record?)] {
        try config.checkDatasetSizes()
        let manifest = try RunnerManifest.read(out: config.out)
        // A dataset's hash only matters to a stage the manifest records (any other stage is `not run` whatever its
        // key): on a fresh `out` nothing is hashed, so a text snapshot is not built just to be thrown away.
        var hashes: [String: String] = [:]
        let recorded = Set(config.stages.filter { manifest.stages[$0.name] != nil }.compactMap(\.dataset))
        for name in usedDatasets where recorded.contains(name) {
            hashes[name] = try? RunnerDatasets.materialise(config.datasets[name]!, out: config.out, write: false)
        }
        var states: [String: StageState] = [:]
        return config.stages.map { stage in
            // A shared stage keeps the rank count it ran on (`externalRecord`).
            let stageRanks = config.external[stage.name] == nil ? ranks : Self.sharedRanks(stage, in: manifest, otherwise: ranks)
            var state = Self.state(of: stage, key: key(stage, manifest: manifest, datasetHashes: hashes, ranks: stageRanks),
                                   manifest: manifest, folder: folder(stage))
            if stage.inputs.values.contains(where: { states[$0] != .done }) && state != .notRun { state = .waiting }
            states[stage.name] = state
            return (stage, state, manifest.stages[stage.name])
        }
    }

    // MARK: - Keys

    /// The stage key (see the type's documentation).
    func key(_ stage: RunnerStage, manifest: RunnerManifest, datasetHashes: [String: String], ranks: Int) -> String {
        var h = SHA256()
        h.update("tributary-runner-key 1\ntype \(stage.type.name) \(stage.type.version)\n\(stage.keyParameters)\n")
        if let d = stage.dataset { h.update("dataset \(d) \(datasetHashes[d] ?? "unknown")\n") }
        for name in stage.type.spec.keys.sorted() where stage.type.spec[name].kind == .file {
            guard case let .string(path)? = stage.parameters.values[name], !path.isEmpty else { continue }
            h.update("file \(name) \((try? RunnerDigest.of(path)) ?? "missing")\n")
        }
        for role in stage.inputs.keys.sorted() {
            let producer = stage.inputs[role]!
            let record = manifest.stages[producer]
            let outputs = record.map { r in r.outputs.keys.sorted().map { "\($0)=\(r.outputs[$0]!)" }.joined(separator: ",") } ?? "none"
            h.update("input \(role) \(producer) \(record?.key ?? "none") \(outputs)\n")
        }
        if stage.type.rankDependent { h.update("ranks \(ranks)\n") }
        return h.finalize().hex
    }

    /// The state of `stage`, whose files are in `folder`, against `manifest`.
    static func state(of stage: RunnerStage, key: String, manifest: RunnerManifest, folder: String) -> StageState {
        guard let record = manifest.stages[stage.name] else { return .notRun }
        guard record.key == key else { return .stale }
        guard record.status == "done" else { return .interrupted }
        for output in stage.type.outputs {
            let path = folder + "/" + output
            guard let recorded = record.outputs[output], (try? RunnerDigest.of(path)) == recorded else { return .modified }
        }
        return .done
    }
}
