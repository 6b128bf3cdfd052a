import ArgumentParser
import Core
import Distributed
import Runner
import StageRegistry
import Storage

/// What every command shares about the job it runs in: the per-rank memory budget (`--memory`), the stall
/// watchdog of the collectives (`--stall-timeout`, `StallWatchdog`) and the way out on an error. `run` is `World.run` with both: the budget is bound for the body (`MemoryBudget.current`), and a
/// failing rank closes every HDF5 file (`HDF5Library.closeEverything`) before it exits.
struct JobOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Memory budget per rank, e.g. 4GiB or 512MiB: no allocation sized by input data may exceed it.",
        discussion: "Default: half of this host's memory (or its cgroup limit) divided by the ranks on this host.",
        valueName: "size"))
    var memory: String?

    @Option(help: ArgumentHelp(
        "Abort the job when a collective makes no progress for this many seconds (a rank stalled or died); 0 = wait for ever.",
        discussion: "Default: $TRIBUTARY_STALL_TIMEOUT, else \(Int(StallWatchdog.defaultTimeout)) s.",
        valueName: "seconds"))
    var stallTimeout: Double?

    func validate() throws {
        _ = try budget()
        _ = try watchdog()
    }

    /// `--stall-timeout` when given, else `TRIBUTARY_STALL_TIMEOUT`, else `StallWatchdog.defaultTimeout`.
    func watchdog(environment: (String) -> String? = World.environmentValue) throws -> StallWatchdog {
        if let stallTimeout {
            guard stallTimeout.isFinite, stallTimeout >= 0 else {
                throw ValidationError("--stall-timeout \(stallTimeout) must be a number of seconds ≥ 0 (0 = no watchdog)")
            }
            return StallWatchdog(timeout: stallTimeout)
        }
        do {
            return StallWatchdog(timeout: try StallWatchdog.timeout(fromEnvironment: environment) ?? StallWatchdog.defaultTimeout)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// `--memory` when given, else the machine default (see `MemoryBudget`).
    func budget(ranksOnHost: Int = MemoryBudget.ranksOnThisHost()) throws -> MemoryBudget {
        guard let memory else { return .machineDefault(ranksOnHost: ranksOnHost) }
        do {
            return try MemoryBudget(parsing: memory)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// `--memory` when given, else the config's `"memory"`, else the machine default: bound for `body`.
    func withBudget<R>(config: MemoryBudget?, _ body: () throws -> R) throws -> R {
        let budget = memory == nil ? (config ?? MemoryBudget.current) : MemoryBudget.current
        return try MemoryBudget.$current.withValue(budget) { try body() }
    }

    /// `World.run(body)` under this budget and the job's `Provenance` (written into every artifact), closing every
    /// HDF5 file before an error exit.
    func run<R>(_ body: (any Communicator) throws -> R) -> R {
        let budget = (try? budget()) ?? MemoryBudget.current  // validated at parse time
        let watchdog = (try? watchdog()) ?? StallWatchdog(timeout: StallWatchdog.defaultTimeout)
        HDF5Library.prepareForExit()
        let local = JobProvenance.local()  // before MPI starts: it may run git
        let result = MemoryBudget.$current.withValue(budget) {
            World.run(beforeExit: HDF5Library.closeEverything, watchdog: watchdog) { comm in
                try Provenance.$current.withValue(try JobProvenance.complete(local, communicator: comm)) { try body(comm) }
            }
        }
        HDF5Library.closeEverything()
        return result
    }

    /// The config at `path` and the budget a run of it on `ranks` ranks will have: `--memory`, else the config's
    /// `"memory"`, else the machine default for that rank count (`status` and `plan`).
    func loadForNextRun(_ path: String, ranks: Int) throws -> (RunnerConfig, MemoryBudget) {
        let config = try RunnerConfig.load(path, stageTypes: StageRegistry.all)
        let given = try memory.map { _ in try self.budget() }
        return (config, given ?? config.memory ?? MemoryBudget.machineDefault(ranksOnHost: ranks))
    }
}

/// The config and rank count of the next `run`, for the commands that look at it without running it (`status`,
/// `plan`).
struct NextRunOptions: ParsableArguments {
    @Argument(help: "The pipeline config (JSON).")
    var config: String

    @Option(help: "The rank count the next run will use (the index and query stages depend on it).")
    var ranks = 1

    func validate() throws {
        guard ranks >= 1 else { throw ValidationError("--ranks must be at least 1, got \(ranks)") }
    }
}
