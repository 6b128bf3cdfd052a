import Core
import Foundation
import Stages
import Storage

/// `tributary plan`: what `run` would do, before it does anything — each stage's state, the input files the
/// config names that are missing, what the stages that would run will write (where their type can estimate it
/// without reading images or training: `RunnerStageType.estimate`) and whether the output folder's file system
/// holds it. Nothing is written.
public struct RunnerPlan: Sendable {
    public struct Row: Sendable {
        public var stage: String
        public var type: String
        public var state: Runner.StageState
        /// What the stage would write (empty when it will not run); nil when its type cannot estimate.
        public var writes: [DiskSpace.Plan]?
        /// Why no estimate could be made (an unreadable dataset, …).
        public var problem: String?
    }

    public var rows: [Row]
    public var missing: [MissingInput]
    /// Σ of the estimates of the stages that would run.
    public var bytes: Int
    /// Free bytes on `out`'s file system (nil: unknown).
    public var free: Int?

    /// True when `run` would start and the estimated outputs fit in the free space (with `DiskSpace`'s margin).
    public var feasible: Bool { missing.isEmpty && (free.map { bytes <= DiskSpace.usable(free: $0) } ?? true) }
}

extension Runner {
    /// The plan of a run on `ranks` ranks.
    public func plan(ranks: Int) throws -> RunnerPlan {
        let status = try status(ranks: ranks)
        var rows: [RunnerPlan.Row] = [], total = 0
        for (stage, state, _) in status {
            var row = RunnerPlan.Row(stage: stage.name, type: stage.type.name, state: state, writes: nil, problem: nil)
            if state == .done {
                row.writes = []
            } else if let estimate = stage.type.estimate {
                do {
                    let dataset = stage.dataset.map { RunnerDatasets.resolve(config.datasets[$0]!, out: config.out) }
                    let writes = try estimate(stage, config.out + "/" + stage.name, dataset)
                    row.writes = writes
                    total += writes.reduce(0) { $0 + $1.bytes }
                } catch {
                    row.problem = "\(error)"
                }
            }
            rows.append(row)
        }
        return RunnerPlan(rows: rows, missing: config.missingInputs(), bytes: total,
                          free: DiskSpace.freeBytes(at: config.out))
    }
}
