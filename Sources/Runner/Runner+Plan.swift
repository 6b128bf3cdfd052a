import Core
import Foundation
import Stages
import Storage

/// `tributary plan`: what `run` would do, before it does anything — each stage's state, the input files the
/// config names that are missing, what the stages that would run will write (where their type can estimate it
/// without reading images or training: `RunnerStageType.estimate`) and whether the output folder's file system
/// holds it, and the peak memory per rank and a rough time of each stage that would run (`RunnerStageType.estimateCost`,
/// `StageCost`), the memory compared with the per-rank budget. Nothing is written.
public struct RunnerPlan: Sendable {
    public struct Row: Sendable {
        public var stage: String
        public var type: String
        public var state: Runner.StageState
        /// What the stage would write (empty when it will not run); nil when its type cannot estimate.
        public var writes: [DiskSpace.Plan]?
        /// Why no estimate could be made (an unreadable dataset, …).
        public var problem: String?
        /// Peak memory per rank and rough time (nil when the stage will not run or its type cannot say).
        public var cost: StageCost? = nil
        /// Every parameter as `run` would use it (defaults filled in, paths resolved from the config's folder),
        /// `key=value` in key order: what the stage key is computed from.
        public var parameters: String = ""
    }

    public var rows: [Row]
    public var missing: [MissingInput]
    /// Σ of the estimates of the stages that would run.
    public var bytes: Int
    /// Free bytes on `out`'s file system (nil: unknown).
    public var free: Int?

    /// The per-rank memory budget the plan was made under (`MemoryBudget.current`).
    public var budget: Int = MemoryBudget.current.bytes

    /// The peak memory per rank of the run: the max over the stages' estimates (stages run one after another).
    public var peakBytes: Int? { rows.compactMap { $0.cost?.peakBytes }.max() }
    /// The rough wall time: Σ over the stages that would run.
    public var seconds: Double { rows.reduce(0) { $0 + ($1.cost?.seconds ?? 0) } }
    /// The stages whose peak estimate exceeds `budget`.
    public var overBudget: [Row] { rows.filter { ($0.cost?.peakBytes ?? 0) > budget } }

    /// True when `run` would start and the estimated outputs fit in the free space (with `DiskSpace`'s margin).
    public var feasible: Bool { missing.isEmpty && (free.map { bytes <= DiskSpace.usable(free: $0) } ?? true) }
}

extension Runner {
    /// The plan of a run on `ranks` ranks.
    public func plan(ranks: Int) throws -> RunnerPlan {
        let status = try status(ranks: ranks)
        var rows: [RunnerPlan.Row] = [], total = 0
        // Text stages are estimated from their corpus snapshot when `run` has written it; before that, from the
        // dataset's `limit` (bounds, nothing read: `RunnerEstimateInput.TextBound`); only a text dataset with
        // neither is built in a temporary folder (the plan writes nothing under `out`) and removed afterwards.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-plan-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let cache = RunnerEstimateCache()
        for (stage, state, _) in status {
            var row = RunnerPlan.Row(stage: stage.name, type: stage.type.name, state: state, writes: nil, problem: nil)
            row.parameters = stage.parameters.canonical.replacingOccurrences(of: "\n", with: ", ")
            if state == .done {
                row.writes = []
            } else if stage.type.estimate != nil || stage.type.estimateFromInputs != nil || stage.type.estimateCost != nil {
                do {
                    let input = try estimateInput(stage, ranks: ranks, scratch: scratch, cache: cache)
                    if stage.type.estimate != nil || stage.type.estimateFromInputs != nil {
                        let writes = try stage.type.estimate.map { try $0(stage, input.directory, input.dataset) }
                            ?? stage.type.estimateFromInputs!(input)
                        row.writes = writes
                        total += writes.reduce(0) { $0 + $1.bytes }
                    }
                    row.cost = try stage.type.estimateCost?(input)
                    if stage.dataset != nil {  // rank 0 materialises and fingerprints the dataset before the stage
                        row.cost?.terms.append(.init("rank 0: dataset fingerprint and snapshot", StageCost.rootDatasetBytes))
                    }
                } catch {
                    row.problem = "\(error)"
                }
            }
            rows.append(row)
        }
        return RunnerPlan(rows: rows, missing: config.missingInputs(), bytes: total,
                          free: DiskSpace.freeBytes(at: config.out))
    }

    /// `stage`, its folder and dataset, and (recursively) those of the stages filling its inputs. A text dataset
    /// without its snapshot in `out` is bounded by its `limit`, or, without one, read from a snapshot written
    /// under `scratch`.
    func estimateInput(_ stage: RunnerStage, ranks: Int, scratch: String, cache: RunnerEstimateCache) throws -> RunnerEstimateInput {
        var inputs: [String: RunnerEstimateInput] = [:]
        for (role, name) in stage.inputs {
            if let upstream = config.stages.first(where: { $0.name == name }) {
                inputs[role] = try estimateInput(upstream, ranks: ranks, scratch: scratch, cache: cache)
            }
        }
        var dataset = stage.dataset.map { RunnerDatasets.resolve(config.datasets[$0]!, out: config.out) }
        var bound: RunnerEstimateInput.TextBound?
        if let name = stage.dataset, case .text? = dataset,
           !FileManager.default.fileExists(atPath: RunnerDatasets.snapshotPath(config.datasets[name]!, out: config.out)) {
            let d = config.datasets[name]!, path = RunnerDatasets.snapshotPath(d, out: scratch)
            if let limit = d.int("limit") {
                bound = .init(documents: limit)
            } else {
                if !FileManager.default.fileExists(atPath: path) {
                    let (_, dump) = try RunnerDatasets.sourceFingerprint(d)
                    try RunnerFiles.writeAtomically(Array(try RunnerDatasets.snapshot(d, dump: dump).utf8), to: path)
                }
                dataset = RunnerDatasets.resolve(d, out: scratch)
            }
        }
        var input = RunnerEstimateInput(stage: stage, directory: config.out + "/" + stage.name, dataset: dataset,
                                        ranks: ranks, inputs: inputs, cache: cache)
        input.textBound = bound
        return input
    }
}
