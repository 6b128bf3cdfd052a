import ArgumentParser
import Core
import Runner
import Stages
import StageRegistry
import Storage

/// `tributary plan <config>`: what `run` would do and write, before it does anything (writes nothing).
struct PipelinePlan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Dry run: each stage's state and resolved parameters, missing inputs, the bytes the stages to run will write and the free "
            + "space, peak memory per rank and a rough time; exit 1 when run would stop (writes nothing).")

    @OptionGroup var next: NextRunOptions
    @OptionGroup var job: JobOptions

    func run() throws {
        let feasible = job.run { comm -> Bool in
            guard comm.isRoot else { return true }  // Distributed: rank 0 reads and prints
            let (config, budget) = try job.loadForNextRun(next.config, ranks: next.ranks)
            let plan = try MemoryBudget.$current.withValue(budget) {  // a repeat config: every repetition's stages
                try config.repetition == nil ? Runner(config: config).plan(ranks: next.ranks) : RepeatRunner(config: config).plan(ranks: next.ranks)
            }
            print("plan of \(config.path) (out: \(config.out), \(next.ranks) rank(s)):")
            for (i, row) in plan.rows.enumerated() {
                var line = "[\(i + 1)/\(plan.rows.count)] \(row.stage) (\(row.type)): \(row.state.rawValue)"
                if let writes = row.writes, !writes.isEmpty {
                    line += "; writes " + writes.map { "\($0.what): \(MemoryBudget.format($0.bytes))" }.joined(separator: ", ")
                } else if row.writes == nil, row.state != .done {
                    line += row.problem.map { "; size unknown (\($0))" } ?? "; size not estimated for this stage type"
                }
                if let cost = row.cost {  // StageCost: an upper bound of memory, time ±×3
                    line += "; peak ≤ \(MemoryBudget.format(cost.peakBytes))/rank, time ≈ \(StageCost.format(seconds: cost.seconds))"
                }
                print(line)
                print("    parameters: \(row.parameters)")
                if let cost = row.cost { print("    memory: \(cost.memory); time: \(cost.time)") }
            }
            for input in plan.missing { print("missing input: \(input.key) = \(input.path) (relative paths are from the config's folder)") }
            let free = plan.free.map { MemoryBudget.format($0) } ?? "unknown"
            print("estimated to write: \(MemoryBudget.format(plan.bytes)) (stages with an estimate); free at \(config.out): \(free)")
            if let peak = plan.peakBytes {
                print("estimated peak memory per rank: \(MemoryBudget.format(peak)) (max over the stages, an upper bound); "
                      + "budget \(MemoryBudget.format(plan.budget)) per rank")
                print("estimated time: \(StageCost.format(seconds: plan.seconds)) (Σ over the stages; rates of an idle AMD Zen 4 core, ±×3)")
            }
            for row in plan.overBudget {
                print("warning: \(row.stage) may need \(MemoryBudget.format(row.cost!.peakBytes)) per rank, over the budget "
                      + "\(MemoryBudget.format(plan.budget)): run on more ranks, raise --memory, or shrink the stage (\(row.cost!.memory))")
            }
            if !plan.missing.isEmpty { print("run would stop before its first stage: \(plan.missing.count) input file(s) missing") }
            if let bytes = plan.free, plan.bytes > DiskSpace.usable(free: bytes) {
                print("run would be refused: the estimate exceeds the free space (keep \(MemoryBudget.format(bytes - DiskSpace.usable(free: bytes))) spare); "
                      + "write fewer or smaller files (e.g. fv_storage float16 or pq) or use another disk for out")
            }
            print(plan.feasible ? "plan: run can start" : "plan: run would fail")
            return plan.feasible
        }
        if !feasible { throw ExitCode(1) }
    }
}
