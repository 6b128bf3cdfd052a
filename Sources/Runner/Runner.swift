import Core
import Distributed
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LinearAlgebra
import Stages

/// `tributary run <config>`: runs a pipeline config's stages in order, in this process, under the current MPI
/// world (`mpirun -np N tributary run cfg.json`), skipping the stages whose inputs and parameters have not
/// changed, resuming an interrupted one, and writing `out/report.md` + `out/report.html`.
///
/// Per stage s (in config order), rank 0 decides and broadcasts the decision (all ranks must agree, since the
/// stages are collective):
///
///     key(s) = SHA-256( "type" ‖ version ‖ parameters (defaults filled in, sorted) ‖ hash(dataset)
///                       ‖ for each input role r (sorted): r ‖ key(producer) ‖ hashes of the producer's outputs
///                       ‖ SHA-256 of each file-valued parameter's file (sorted by name; "missing" if absent)
///                       ‖ rank count, only for rank-dependent stages (index, query) )
///
/// then `RunnerManifest` says skip / resume / fresh (see there). Keys chain through the inputs' *output* hashes,
/// so a changed stage reruns everything downstream whose inputs changed. Timing: wall-clock seconds per stage,
/// measured on rank 0 between two barriers.
///
/// Progress: rank 0 prints one line per stage (`[2/7] fashion-split (split): 450 train, 150 test images (0.4 s)`)
/// and the stages' own summary lines (one per epoch for training). Within a stage, the `progress` mode
/// (`ProgressMode`, resolved by the caller) shows the batches of each epoch and the images of extract/encode:
/// `bar` as one line rewritten in place (the stages' status lines too), `plain` as a timestamped line every
/// 10 % / 30 s, `none` not at all. `verbose` prints every progress tick and status line; `quiet` prints only the
/// final line and errors. Whatever the mode, rank 0 appends each stage's metrics (one JSON object per epoch and
/// per progress interval) to `<out>/<stage>/metrics.jsonl`.
public struct Runner {
    public enum Verbosity: Sendable { case quiet, normal, verbose }

    public let config: RunnerConfig
    public var verbosity: Verbosity
    /// How progress within a stage is shown (`auto` counts as `plain`; the CLI resolves it from the launcher).
    public var progress: ProgressMode
    /// Written into the report (the CLI's version).
    public var toolVersion: String
    /// Wait for another run's lock on `out` instead of refusing (`RepeatRunner`'s shared stages: every task of a
    /// job array reaches them, and all but the first find them done once the lock is theirs).
    public var waitForLock = false

    public init(config: RunnerConfig, verbosity: Verbosity = .normal, progress: ProgressMode = .none, toolVersion: String = "") {
        self.config = config
        self.verbosity = verbosity
        self.progress = progress
        self.toolVersion = toolVersion
    }

    /// What happened to a stage in this run.
    public struct StageRun: Sendable, Equatable {
        public var name: String
        public var action: Action
        public var seconds: Double
    }

    public enum Action: String, Sendable { case skipped, resumed, ran }

    /// Runs every stage on every rank; returns (on every rank) what happened to each.
    @discardableResult
    public func run(communicator comm: any Communicator) throws -> [StageRun] {
        try config.checkDatasetSizes()
        try config.checkInputsExist()  // before any stage: not three stages in, on a missing graph
        let clock = ContinuousClock(), start = clock.now
        var manifest = RunnerManifest()
        var datasetHashes: [String: String] = [:]
        var lock: OutputLock?
        defer { lock?.release() }
        if comm.isRoot {  // Distributed: rank 0 owns the output folder, the snapshots and the manifest
            try makeFolder(config.out)
            // Distributed: rank 0 alone locks OUT for the whole run; a refusal throws here, before any collective,
            // and World.run aborts the job, so the other ranks (waiting in the barrier below) do not hang.
            lock = try OutputLock.acquire(folder: config.out, wait: waitForLock)
            manifest = try RunnerManifest.read(out: config.out)
            for name in usedDatasets { datasetHashes[name] = try RunnerDatasets.materialise(config.datasets[name]!, out: config.out) }
        }
        try comm.barrier()  // Distributed: the text snapshots exist before any rank reads them
        var runs: [StageRun] = []
        // --verbose prints every line, so a bar becomes plain lines; --quiet prints none.
        let mode: ProgressMode = verbosity == .quiet ? .none : verbosity == .verbose && progress == .bar ? .plain : progress
        for (i, stage) in config.stages.enumerated() {
            let tag = "[\(i + 1)/\(config.stages.count)] \(stage.name) (\(stage.type.name))"
            if let home = config.external[stage.name] {  // a repetition's shared stage: done in OUT/shared, read only
                if comm.isRoot {
                    manifest.stages[stage.name] = try externalRecord(stage, home: home, manifest: manifest, datasetHashes: datasetHashes,
                                                                     ranks: comm.size)
                }
                say(comm, "\(tag): shared, done in \(home)")
                runs.append(StageRun(name: stage.name, action: .skipped, seconds: 0))
                continue
            }
            var decision = ""
            if comm.isRoot {
                let key = self.key(stage, manifest: manifest, datasetHashes: datasetHashes, ranks: comm.size)
                let state = Self.state(of: stage, key: key, manifest: manifest, folder: folder(stage))
                decision = state == .done ? Action.skipped.rawValue : state == .interrupted ? Action.resumed.rawValue : Action.ran.rawValue
                if decision != Action.skipped.rawValue {
                    if decision == Action.ran.rawValue { try? FileManager.default.removeItem(atPath: folder(stage)) }
                    try makeFolder(folder(stage))
                    manifest.stages[stage.name] = RunnerManifest.Record(
                        key: key, type: stage.type.name, status: "running", outputs: [:], seconds: 0, ranks: comm.size,
                        summary: "", report: "", parameters: stage.parameters.canonical, written: RunnerManifest.now())
                    try manifest.write(out: config.out)
                }
            }
            decision = try comm.broadcast(decision, root: 0)  // Distributed: every rank takes rank 0's decision
            guard let action = Action(rawValue: decision) else { preconditionFailure("runner: bad decision '\(decision)'") }
            if action == .skipped {
                say(comm, "\(tag): unchanged, skipped")
                runs.append(StageRun(name: stage.name, action: .skipped, seconds: 0))
                continue
            }
            if action == .resumed { say(comm, "\(tag): resuming the interrupted run (finished parts and checkpoints are reused)") }
            try comm.barrier()  // Distributed: the stage folder exists everywhere before the stage starts
            let stageStart = clock.now
            let reporter = ProgressReporter(name: stage.name, mode: mode, isRoot: comm.isRoot,
                                            metricsPath: folder(stage) + "/" + Self.metricsFileName, prefix: "    ",
                                            everyTick: verbosity == .verbose)
            let context = RunnerStageContext(
                communicator: comm, stage: stage, directory: folder(stage), out: config.out,
                dataset: stage.dataset.map { RunnerDatasets.resolve(config.datasets[$0]!, out: config.out) },
                inputs: stage.inputs.mapValues { config.folder(of: $0) },
                log: { line in
                    if verbosity == .verbose { comm.log0("    " + line) }
                    else if verbosity == .normal { reporter.status("    " + line) }
                },
                progress: reporter)
            let result: RunnerStageResult
            do {
                // A stalled rank's watchdog message names the stage (StallWatchdog.activity).
                result = try StallWatchdog.$activity.withValue("stage \(stage.name) (\(stage.type.name))") {
                    try Self.silencingStandardOutput(verbosity == .quiet) { try stage.type.run(context) }
                }
            } catch let error as RunnerError {
                throw error
            } catch {
                var reason = "\(error)"
                if let d = stage.dataset, let dataset = config.datasets[d], dataset.category == .text {
                    reason += " [\(RunnerDatasets.snapshotPath(dataset, out: config.out)) is the snapshot of dataset \(d): "
                        + (dataset.string("data") ?? dataset.kind) + "]"
                }
                throw RunnerError.stageFailed(stage: stage.name, type: stage.type.name, reason: reason)
            }
            reporter.clear()
            try comm.barrier()  // Distributed: every rank finished the stage
            let seconds = stageStart.duration(to: clock.now).inSeconds
            if comm.isRoot {
                var record = manifest.stages[stage.name]!
                for output in stage.type.outputs { record.outputs[output] = try RunnerDigest.of(folder(stage) + "/" + output) }
                record.status = "done"
                record.seconds = seconds
                record.summary = result.summary
                record.report = result.report
                record.metrics = result.metrics.isEmpty ? nil : result.metrics
                record.written = RunnerManifest.now()
                manifest.stages[stage.name] = record
                try manifest.write(out: config.out)
            }
            say(comm, "\(tag): \(result.summary) (\(fixed(seconds, 1)) s)")
            runs.append(StageRun(name: stage.name, action: action, seconds: seconds))
        }
        let total = start.duration(to: clock.now).inSeconds
        if comm.isRoot {
            let report = RunnerReport(config: config, manifest: manifest, runs: runs, ranks: comm.size, seconds: total,
                                      toolVersion: toolVersion)
            try report.write()
        }
        try comm.barrier()
        let ran = runs.filter { $0.action != .skipped }.count
        comm.log0("run: \(ran) stage(s) run, \(runs.count - ran) skipped, \(fixed(total, 1)) s on \(comm.size) rank(s); "
            + "report: \(config.out)/report.md, \(config.out)/report.html")
        return runs
    }

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

    // MARK: - Helpers

    /// Datasets some stage reads, sorted.
    var usedDatasets: [String] { Array(Set(config.stages.compactMap(\.dataset))).sorted() }

    func folder(_ stage: RunnerStage) -> String { config.folder(of: stage.name) }

    func say(_ comm: any Communicator, _ line: String) {
        guard verbosity != .quiet else { return }
        comm.log0(line)
    }

    /// Creates `path` (and its parents) and checks a file can be created in it: the real `open`, since root
    /// passes `access(2)` on read-only and pseudo file systems. The error names the condition (`FileProblem`).
    func makeFolder(_ path: String) throws {
        if let problem = FileProblem.diagnose(folder: path) {
            throw RunnerError.unwritable(path: path, reason: "\(problem)")
        }
    }

    /// Each stage's metrics file, in its folder (JSON lines, see `MetricsLog`).
    public static let metricsFileName = "metrics.jsonl"

    /// Runs `body` with standard output sent to /dev/null when `silence` (`--quiet`: the stages' own summary lines).
    static func silencingStandardOutput<R>(_ silence: Bool, _ body: () throws -> R) rethrows -> R {
        guard silence else { return try body() }
        fflush(nil)
        let saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY)
        guard saved >= 0, null >= 0 else { return try body() }
        dup2(null, STDOUT_FILENO)
        close(null)
        defer {
            fflush(nil)
            dup2(saved, STDOUT_FILENO)
            close(saved)
        }
        return try body()
    }
}
