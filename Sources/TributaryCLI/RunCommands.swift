import ArgumentParser
import Core
import Distributed
import Foundation
import Runner
import StageRegistry
import Stages

/// `tributary run <config>`: the whole pipeline of a config, in this MPI world (see `Runner`).
struct RunPipeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline config's stages in order (unchanged stages skipped, interrupted ones resumed); write OUT/report.md + .html.",
        discussion: """
            The config is JSON; every key is documented in data/pipelines/README.md, and
            data/pipelines/default.json is the embedded default. Under mpirun every stage is split over the ranks:
              mpirun -np 2 tributary run data/pipelines/default.json
            Each stage writes OUT/<stage name>/; OUT/run-manifest.json records each stage's key (SHA-256 of its type,
            parameters, dataset and inputs' output hashes) and its outputs' content hashes. A rerun skips unchanged
            stages, resumes an interrupted one from its finished parts / last checkpoint, and reruns changed ones
            with everything downstream. `tributary status <config>` shows what a run would do.

            A config with a "repeat" block (seeds × folds) runs its shared stages once under OUT/shared, then
            each repetition under OUT/rep-seedS-foldK, then writes the statistics (mean ± std, 95 % interval,
            paired tests) to OUT/aggregate.md, OUT/aggregate.json and OUT/report.md. A job array runs one
            repetition per task (--repetition, or $SLURM_ARRAY_TASK_ID): launch/slurm-array.sbatch.

            Stage types:
            \(StageRegistry.all.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n"))
            """)

    @Argument(help: "The pipeline config (JSON).")
    var config: String

    @Flag(help: "Print only the final line (and errors).")
    var quiet = false

    @Flag(help: "Also print the stages' status lines (shards) and every progress tick (batches, images).")
    var verbose = false

    @OptionGroup var progress: ProgressOptions

    @Option(help: ArgumentHelp("Run only repetition I (0-based: seeds outer, folds inner) of a config with a repeat block, then aggregate if all are done; default: $SLURM_ARRAY_TASK_ID when set, else every repetition.",
                               valueName: "I"))
    var repetition: Int?

    @Flag(help: "Run nothing: write the statistics of a repeat config's finished repetitions (OUT/aggregate.md, .json, report.md).")
    var aggregate = false

    @Flag(help: "With a repeat config under mpirun: rank k runs repetitions r ≡ k (mod ranks) alone, each a 1-rank run, instead of every repetition on all ranks.")
    var oneRankPerRepetition = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("pass --quiet or --verbose, not both") }
        if aggregate && repetition != nil { throw ValidationError("pass --repetition or --aggregate, not both") }
        if let repetition, repetition < 0 { throw ValidationError("--repetition \(repetition): must be 0 or more") }
    }

    @OptionGroup var job: JobOptions

    func run() throws {
        job.run { comm in
            let config = try RunnerConfig.load(config, stageTypes: StageRegistry.all)
            let verbosity: Runner.Verbosity = quiet ? .quiet : verbose ? .verbose : .normal
            if config.repetition != nil {
                try runRepeated(config, verbosity: verbosity, communicator: comm)
                return
            }
            if repetition != nil || aggregate || oneRankPerRepetition {
                throw RepeatError.notRepeated(config: config.path, option: aggregate ? "--aggregate" : repetition != nil ? "--repetition" : "--one-rank-per-repetition")
            }
            let runner = Runner(config: config, verbosity: verbosity, progress: progress.mode, toolVersion: TributaryVersion.string)
            if !quiet { comm.log0("run: \(config.title): \(config.stages.count) stage(s) → \(config.out), \(comm.size) rank(s)") }
            _ = try job.withBudget(config: config.memory) { try runner.run(communicator: comm) }
        }
    }
}

extension RunPipeline {
    /// A config with a `repeat` block (`RepeatRunner`): one repetition (--repetition, $SLURM_ARRAY_TASK_ID),
    /// every one, or only the aggregate.
    func runRepeated(_ config: RunnerConfig, verbosity: Runner.Verbosity, communicator comm: any Communicator) throws {
        var runner = RepeatRunner(config: config, verbosity: verbosity, progress: progress.mode, toolVersion: TributaryVersion.string)
        runner.oneRankPerRepetition = oneRankPerRepetition
        if aggregate {
            if comm.isRoot { try runner.aggregate() }  // Distributed: rank 0 reads the manifests and writes
            try comm.barrier()
            comm.log0("run: statistics of \(runner.spec.repetitions.count) repetitions → \(config.out)/aggregate.md, \(config.out)/report.md")
            return
        }
        var only = repetition
        if only == nil, let task = ProcessInfo.processInfo.environment["SLURM_ARRAY_TASK_ID"] {
            guard let index = Int(task) else { throw ValidationError("SLURM_ARRAY_TASK_ID = \(task) is not an integer; pass --repetition I") }
            only = index
            comm.log0("run: repetition \(index) from SLURM_ARRAY_TASK_ID")
        }
        let count = runner.spec.repetitions.count
        if verbosity != .quiet {
            comm.log0("run: \(config.title): \(only.map { "repetition \($0) of \(count)" } ?? "\(count) repetitions") → \(config.out), \(comm.size) rank(s)")
        }
        let outcome = try job.withBudget(config: config.memory) { try runner.run(communicator: comm, only: only) }
        comm.log0(outcome.aggregated ? "run: statistics over \(count) repetitions → \(config.out)/aggregate.md, \(config.out)/report.md"
                                     : "run: \(config.out)/report.md lists the repetitions still to run; the statistics follow when all are done")
    }
}

/// `tributary status <config>`: which stages of a config are done, stale, interrupted or not run.
struct PipelineStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show which stages of a pipeline config are done, interrupted, stale or not run (writes nothing).")

    @OptionGroup var next: NextRunOptions
    @OptionGroup var job: JobOptions

    func run() throws {
        job.run { comm in
            guard comm.isRoot else { return }  // Distributed: rank 0 reads and prints
            let (config, budget) = try job.loadForNextRun(next.config, ranks: next.ranks)
            if config.repetition != nil {
                try MemoryBudget.$current.withValue(budget) { try printRepeatedStatus(config) }
                return
            }
            let rows = try MemoryBudget.$current.withValue(budget) { try Runner(config: config).status(ranks: next.ranks) }
            print("status of \(config.path) (out: \(config.out)):")
            for (i, row) in rows.enumerated() {
                var line = "[\(i + 1)/\(rows.count)] \(row.stage.name) (\(row.stage.type.name)): \(row.state.rawValue)"
                if row.state == .done, let record = row.record { line += " — \(record.summary), \(record.seconds.formatted1) s" }
                print(line)
            }
            let done = rows.filter { $0.state == .done }.count
            print("\(done)/\(rows.count) stage(s) done")
            let missing = config.missingInputs()
            for input in missing { print("missing input: \(input.key) = \(input.path) (relative paths are from the config's folder)") }
            if !missing.isEmpty { print("run would stop before its first stage: \(missing.count) input file(s) missing") }
        }
    }
}

extension PipelineStatus {
    /// A config with a `repeat` block: the shared stages' states, then each repetition's finished stages (done
    /// with the config's parameters: what `run --aggregate` needs for every repetition).
    func printRepeatedStatus(_ config: RunnerConfig) throws {
        let runner = RepeatRunner(config: config)
        let all = runner.spec.repetitions
        print("status of \(config.path) (out: \(config.out), \(all.count) repetitions):")
        if let shared = runner.sharedConfiguration() {
            for row in try Runner(config: shared).status(ranks: next.ranks) {
                print("shared \(row.stage.name) (\(row.stage.type.name)): \(row.state.rawValue)")
            }
        }
        let repeated = config.stages.filter { runner.spec.repeated.contains($0.name) }.map(\.name)
        for r in all {
            let done = runner.finishedStages(of: r).count
            print("repetition \(r.index) (\(r.label), \(r.folder)): \(done)/\(repeated.count) repeated stage(s) done"
                  + (done == repeated.count ? "" : "; run: tributary run \(config.path) --repetition \(r.index)"))
        }
        let finished = all.filter(runner.isDone).count
        print("\(finished)/\(all.count) repetition(s) done" + (finished == all.count ? "; statistics: \(config.out)/aggregate.md" : ""))
    }
}

extension Double {
    /// One decimal.
    fileprivate var formatted1: String { String((self * 10).rounded() / 10) }
}
