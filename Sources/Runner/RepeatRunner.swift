import Core
import Distributed
import Foundation
import Stages

/// `tributary run` on a config with a `repeat` block (`RepeatSpec`): the shared stages once, then each
/// repetition (seed s, fold f) as its own pipeline run, then the statistics over the repetitions.
///
///     OUT/shared/           the stages that do not repeat (own manifest and lock)
///     OUT/rep-seedS-foldK/  repetition r: every repeated stage with seed = s, fold = "k/K"; it reads the shared
///                           stages' folders (`RunnerConfig.external`) and copies their records into its report
///     OUT/aggregate.md, aggregate.json, report.md + .html      when every repetition is done (`RepeatAggregate`)
///
/// Each part is an ordinary `Runner` run, so everything resumes by stage key: a rerun skips finished
/// repetitions, a killed one resumes, a changed parameter reruns what it changes in every repetition.
///
/// Parallelism, three ways: by default a repetition runs on all ranks of the world (its stages are data-parallel),
/// one after another; with `oneRankPerRepetition` (`run --one-rank-per-repetition`) rank k runs repetitions
/// r ≡ k (mod size) alone, each as a 1-rank run — so every repetition's outputs are the bits of a 1-rank run
/// whatever the rank count, given the shared stages (which still run on all ranks, and which a repetition keys
/// with the rank count they ran on: `Runner.externalRecord`); and repetitions run side by side as the tasks of a
/// job array, `run --repetition r` each (launch/slurm-array.sbatch).
/// Every task first brings OUT/shared up to date, waiting for the shared lock, so the first task computes the
/// shared stages and the others find them done. The task that finds every repetition done writes the aggregate
/// (`run --aggregate` writes it at any time once they are). Rank 0 reads manifests and writes; every rank runs.
public struct RepeatRunner {
    public let config: RunnerConfig
    public let spec: RepeatSpec
    public var verbosity: Runner.Verbosity
    public var progress: ProgressMode
    public var toolVersion: String
    /// Rank k runs repetitions r ≡ k (mod size) alone (a 1-rank run each) instead of every repetition on all ranks.
    public var oneRankPerRepetition = false

    /// `config` must have a `repeat` block.
    public init(config: RunnerConfig, verbosity: Runner.Verbosity = .normal, progress: ProgressMode = .none, toolVersion: String = "") {
        precondition(config.repetition != nil, "RepeatRunner: the config has no repeat block")
        self.config = config
        self.spec = config.repetition!
        self.verbosity = verbosity
        self.progress = progress
        self.toolVersion = toolVersion
    }

    /// `OUT/shared`.
    public var sharedOut: String { config.out + "/" + RepeatSpec.sharedFolder }

    /// The config of the stages that do not repeat (nil when every stage repeats).
    public func sharedConfiguration() -> RunnerConfig? {
        var c = config
        c.repetition = nil
        c.out = sharedOut
        c.title = config.title + " — shared stages"
        c.stages = config.stages.filter { !spec.repeated.contains($0.name) }
        return c.stages.isEmpty ? nil : c
    }

    /// The config of repetition `r`: repeated stages with its seed and fold, shared stages read from OUT/shared.
    public func configuration(of r: RepeatSpec.Repetition) -> RunnerConfig {
        var c = config
        c.repetition = nil
        c.out = config.out + "/" + r.folder
        c.title = config.title + " — " + r.label
        for i in c.stages.indices {
            let stage = c.stages[i]
            guard spec.repeated.contains(stage.name) else {
                c.external[stage.name] = sharedOut
                continue
            }
            let keys = stage.type.spec.keys
            if keys.contains("seed") { c.stages[i].set("seed", .int(r.seed)) }
            if let fold = r.fold, keys.contains("fold") { c.stages[i].set("fold", .string(fold.text)) }
        }
        return c
    }

    /// The repeated stages of repetition `r` that its manifest records as done with the parameters the config
    /// gives them now. Cheap (no dataset is hashed): what `--aggregate` and `status` trust; a changed dataset or
    /// input is caught by the next `run`, which brings the repetition up to date first.
    public func finishedStages(of r: RepeatSpec.Repetition) -> [String] {
        guard let manifest = try? RunnerManifest.read(out: config.out + "/" + r.folder) else { return [] }
        return configuration(of: r).stages.filter { stage in
            guard spec.repeated.contains(stage.name), let record = manifest.stages[stage.name] else { return false }
            return record.status == "done" && record.parameters == stage.parameters.canonical
        }.map(\.name)
    }

    /// Whether every repeated stage of `r` is finished (`finishedStages`).
    public func isDone(_ r: RepeatSpec.Repetition) -> Bool { finishedStages(of: r).count == spec.repeated.count }

    /// What happened: each run repetition's stage runs (by index; with `oneRankPerRepetition` the ones this rank
    /// ran), and whether the aggregate was written.
    public struct Outcome {
        public var shared: [Runner.StageRun]
        public var repetitions: [Int: [Runner.StageRun]]
        public var aggregated: Bool
    }

    /// Runs the shared stages, then repetition `only` (0-based) or every repetition, then aggregates when every
    /// repetition is done. Returns the same on every rank.
    @discardableResult
    public func run(communicator comm: any Communicator, only: Int? = nil) throws -> Outcome {
        let all = spec.repetitions
        if let only, !all.indices.contains(only) {
            throw RepeatError.noSuchRepetition(index: only, count: all.count, config: config.path)
        }
        var outcome = Outcome(shared: [], repetitions: [:], aggregated: false)
        if let shared = sharedConfiguration() {
            if verbosity != .quiet { comm.log0("repeat: shared stages (\(shared.stages.map(\.name).joined(separator: ", "))) → \(shared.out)") }
            var runner = Runner(config: shared, verbosity: verbosity, progress: progress, toolVersion: toolVersion)
            runner.waitForLock = true
            outcome.shared = try runner.run(communicator: comm)
        }
        let spread = oneRankPerRepetition && comm.size > 1 && only == nil  // one chosen repetition uses every rank
        for r in only.map({ [all[$0]] }) ?? all {
            // Distributed: spread, rank k alone runs r ≡ k (mod size); the barrier below waits for every rank's part.
            if spread && r.index % comm.size != comm.rank { continue }
            let c = configuration(of: r)
            let alone: any Communicator = spread ? SingleProcessCommunicator() : comm
            if verbosity != .quiet {
                alone.log0("repeat: repetition \(r.index + 1)/\(all.count) (\(r.label)) → \(c.out)" + (spread ? " on rank \(comm.rank)" : ""))
            }
            let runner = Runner(config: c, verbosity: verbosity, progress: spread ? .none : progress, toolVersion: toolVersion)
            outcome.repetitions[r.index] = try runner.run(communicator: alone)
        }
        if spread { try comm.barrier() }  // Distributed: every rank's repetitions are done before rank 0 aggregates
        var written = "no"
        if comm.isRoot {  // Distributed: rank 0 reads the manifests and writes the aggregate and the report
            written = try writeReport() ? "yes" : "no"
        }
        outcome.aggregated = try comm.broadcast(written, root: 0) == "yes"  // Distributed: every rank returns the same
        return outcome
    }

    /// Writes the aggregate now; `RepeatError.notDone` names the repetitions still missing and their commands.
    public func aggregate() throws {
        let missing = spec.repetitions.filter { !isDone($0) }.map(\.index)
        guard missing.isEmpty else { throw RepeatError.notDone(config: config.path, missing: missing, count: spec.repetitions.count) }
        try writeReport()
    }

    /// Writes OUT/report.md (+ .html): the repetitions' state, and when every one is done the statistics, also
    /// as OUT/aggregate.md and OUT/aggregate.json. Returns whether the statistics were written. Rank 0 only.
    @discardableResult
    public func writeReport() throws -> Bool {
        let all = spec.repetitions
        let done = all.filter(isDone)
        var md = "# \(config.title)\n\n" + (config.notes.isEmpty ? "" : config.notes + "\n\n")
        md += "- written: \(RunnerManifest.now()) by `tributary run \(config.path)`\(toolVersion.isEmpty ? "" : " (tributary \(toolVersion))")\n"
        md += "- repetitions: \(all.count) = \(spec.seeds.count) seed(s) [\(spec.seeds.map(String.init).joined(separator: ", "))]"
            + (spec.folds.isEmpty ? "" : " × \(spec.folds.count) fold(s) [\(spec.folds.map(\.text).joined(separator: ", "))]")
            + "; done: \(done.count)\n"
        let shared = config.stages.filter { !spec.repeated.contains($0.name) }.map(\.name)
        md += "- shared stages (run once, `\(RepeatSpec.sharedFolder)/`): " + (shared.isEmpty ? "none" : shared.joined(separator: ", "))
            + (shared.isEmpty ? "" : " — [report](\(RepeatSpec.sharedFolder)/report.md)") + "\n"
        md += "- repeated stages: " + config.stages.filter { spec.repeated.contains($0.name) }.map(\.name).joined(separator: ", ") + "\n\n"
        var aggregate: RepeatAggregate?
        if done.count == all.count {
            var manifests: [Int: RunnerManifest] = [:]
            for r in all { manifests[r.index] = try RunnerManifest.read(out: config.out + "/" + r.folder) }
            aggregate = try RepeatAggregate(spec: spec, stages: config.stages.map(\.name), manifests: manifests)
        }
        // One row per repetition: its state and, once the statistics exist, its values (aggregate.md's
        // "Per repetition" table, which report.md therefore does not repeat).
        let columns = aggregate?.columns ?? []
        md += "| # | repetition | folder | state |" + columns.map { " \($0) |" }.joined() + "\n| ---: | --- | --- | --- |"
            + String(repeating: " ---: |", count: columns.count) + "\n"
        for r in all {
            md += "| \(r.index) | \(r.label) | [\(r.folder)](\(r.folder)/report.md) | \(isDone(r) ? "done" : "not done: `tributary run \(config.path) --repetition \(r.index)`") |"
                + (aggregate?.cells(r).map { " \($0) |" }.joined() ?? "") + "\n"
        }
        md += "\n"
        if let aggregate {
            try RunnerFiles.writeAtomically(aggregate.markdown, to: config.out + "/aggregate.md")
            try RunnerFiles.writeAtomically(aggregate.json(), to: config.out + "/aggregate.json")
            md += aggregate.summaryMarkdown
        } else {
            md += "The statistics over the repetitions are written when all \(all.count) are done (now \(done.count)).\n"
        }
        try RunnerFiles.writeAtomically(md, to: config.out + "/report.md")
        try RunnerFiles.writeAtomically(RunnerReport.html(md, title: config.title), to: config.out + "/report.html")
        return aggregate != nil
    }
}

extension RunnerStage {
    /// Sets parameter `key` to `value` in the values and in the key text (`keyParameters`, one `key=value` line).
    mutating func set(_ key: String, _ value: JSONValue) {
        parameters.values[key] = value
        keyParameters = keyParameters.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(key + "=") ? "\(key)=\(value.canonical)" : String($0) }.joined(separator: "\n")
    }
}

/// Why a repeated run could not do what it was asked.
public enum RepeatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `--repetition` outside 0 … count − 1.
    case noSuchRepetition(index: Int, count: Int, config: String)
    /// `--repetition` / `--aggregate` on a config without a `repeat` block.
    case notRepeated(config: String, option: String)
    /// `--aggregate` before every repetition is done.
    case notDone(config: String, missing: [Int], count: Int)
    /// A compared or listed metric that a repetition's stage did not report.
    case missingMetric(metric: String, repetition: String, reported: [String])

    public var description: String {
        switch self {
        case let .noSuchRepetition(index, count, config):
            return "\(config): --repetition \(index) is out of range: its repeat block has \(count) repetition(s), 0 … \(count - 1) "
                + "(seeds outer, folds inner); pass one of those (a job array: --array=0-\(count - 1))"
        case let .notRepeated(config, option):
            return "\(config) has no repeat block, so \(option) has nothing to select; add \"repeat\": {\"seeds\": [0, 1, 2]} "
                + "(data/pipelines/README.md) or drop \(option)"
        case let .notDone(config, missing, count):
            return "\(config): \(missing.count) of \(count) repetition(s) not done (\(missing.map(String.init).joined(separator: ", "))); "
                + "run them first: " + missing.prefix(3).map { "tributary run \(config) --repetition \($0)" }.joined(separator: "; ")
                + (missing.count > 3 ? "; …" : "")
        case let .missingMetric(metric, repetition, reported):
            return "\(metric): not reported in repetition \(repetition); its stage reports "
                + (reported.isEmpty ? "no metrics" : reported.joined(separator: ", ")) + "; fix repeat.compare in the config"
        }
    }
}
