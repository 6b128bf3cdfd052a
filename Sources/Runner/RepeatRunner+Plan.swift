import Foundation
import Stages
import Storage

extension RepeatRunner {
    /// `tributary plan` of a repeated config: one plan whose rows are the shared stages (`shared/NAME`) and every
    /// repetition's own stages (`rep-seedS-foldK/NAME`), each with its state and estimate, so the bytes and the
    /// free-space check cover all R repetitions. A repetition's rows for the shared stages are left out (they
    /// write nothing there). Nothing is written.
    public func plan(ranks: Int) throws -> RunnerPlan {
        var rows: [RunnerPlan.Row] = [], bytes = 0
        func add(_ plan: RunnerPlan, prefix: String, skipping external: [String: String]) {
            for var row in plan.rows where external[row.stage] == nil {
                bytes += (row.writes ?? []).reduce(0) { $0 + $1.bytes }
                row.stage = prefix + "/" + row.stage
                rows.append(row)
            }
        }
        if let shared = sharedConfiguration() {
            add(try Runner(config: shared).plan(ranks: ranks), prefix: RepeatSpec.sharedFolder, skipping: [:])
        }
        for r in spec.repetitions {
            let c = configuration(of: r)
            add(try Runner(config: c).plan(ranks: ranks), prefix: r.folder, skipping: c.external)
        }
        return RunnerPlan(rows: rows, missing: config.missingInputs(), bytes: bytes, free: DiskSpace.freeBytes(at: config.out))
    }
}
