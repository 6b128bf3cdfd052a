import ArgumentParser
import Core
import Distributed
import Storage

/// What every command shares about the job it runs in: the per-rank memory budget (`--memory`) and the way out
/// on an error. `run` is `World.run` with both: the budget is bound for the body (`MemoryBudget.current`), and a
/// failing rank closes every HDF5 file (`HDF5Library.closeEverything`) before it exits.
struct JobOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Memory budget per rank, e.g. 4GiB or 512MiB: no allocation sized by input data may exceed it.",
        discussion: "Default: half of this host's memory (or its cgroup limit) divided by the ranks on this host.",
        valueName: "size"))
    var memory: String?

    func validate() throws { _ = try budget() }

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

    /// `World.run(body)` under this budget, closing every HDF5 file before an error exit.
    func run<R>(_ body: (any Communicator) throws -> R) -> R {
        let budget = (try? budget()) ?? MemoryBudget.current  // validated at parse time
        HDF5Library.prepareForExit()
        let result = MemoryBudget.$current.withValue(budget) {
            World.run(beforeExit: HDF5Library.closeEverything, body)
        }
        HDF5Library.closeEverything()
        return result
    }
}
