import Foundation
import Stages

extension Runner {
    /// The record of a stage another run did in `home` (a repetition's shared stage), checked against the key this
    /// run computes for it: same parameters, dataset and inputs, and outputs unchanged on disk.
    func externalRecord(_ stage: RunnerStage, home: String, manifest: RunnerManifest, datasetHashes: [String: String],
                        ranks: Int) throws -> RunnerManifest.Record {
        let there = try RunnerManifest.read(out: home)
        let key = key(stage, manifest: manifest, datasetHashes: datasetHashes, ranks: ranks)
        let state = Self.state(of: stage, key: key, manifest: there, folder: folder(stage))
        guard state == .done, let record = there.stages[stage.name] else {
            throw RunnerError.stageFailed(stage: stage.name, type: stage.type.name,
                                          reason: "this shared stage is \(state.rawValue) in \(home), so no repetition can read it; "
                                            + "rerun `tributary run` on the config (the shared stages run before any repetition)")
        }
        return record
    }
}
