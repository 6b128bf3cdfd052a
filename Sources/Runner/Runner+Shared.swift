import Foundation
import Stages

extension Runner {
    /// The record of a stage another run did in `home` (a repetition's shared stage), checked against the key this
    /// run computes for it: same parameters, dataset and inputs, and outputs unchanged on disk.
    ///
    /// A rank-dependent shared stage (`index`: one forest per rank) is keyed with the rank count it *ran* on
    /// (`Record.ranks` in `home`), not this run's: the shared stages run once on the whole world before the
    /// repetitions split (`--one-rank-per-repetition` runs each repetition on 1 rank, a job-array task may hold
    /// another count), and their outputs load on any rank count (`IndexFiles.loadShard` re-shards an index).
    func externalRecord(_ stage: RunnerStage, home: String, manifest: RunnerManifest, datasetHashes: [String: String],
                        ranks: Int) throws -> RunnerManifest.Record {
        let there = try RunnerManifest.read(out: home)
        let key = key(stage, manifest: manifest, datasetHashes: datasetHashes,
                      ranks: Self.sharedRanks(stage, in: there, otherwise: ranks))
        let state = Self.state(of: stage, key: key, manifest: there, folder: folder(stage))
        guard state == .done, let record = there.stages[stage.name] else {
            throw RunnerError.stageFailed(stage: stage.name, type: stage.type.name,
                                          reason: "this shared stage is \(state.rawValue) in \(home), so no repetition can read it; "
                                            + "rerun `tributary run` on the config (the shared stages run before any repetition)")
        }
        return record
    }

    /// The rank count a shared stage's key is computed with: the one `manifest` (the shared run's, or a
    /// repetition's copy of its record) says it ran on; `ranks` when it has no record yet.
    static func sharedRanks(_ stage: RunnerStage, in manifest: RunnerManifest, otherwise ranks: Int) -> Int {
        stage.type.rankDependent ? manifest.stages[stage.name]?.ranks ?? ranks : ranks
    }
}
