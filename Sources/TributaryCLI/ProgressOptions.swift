import ArgumentParser
import Core
import Distributed

/// `--progress auto|bar|plain|none`, declared once and offered by `run` and every long-running stage command
/// (`train-text`, `train-infused`, `train-paths`, `fisher`, `extract`, `encode`). Plumbing, not a stage
/// parameter: it changes what is printed, never a result.
struct ProgressOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Progress within a stage: bar (one line rewritten in place: count/total, rate, ETA), plain (a timestamped line "
            + "every 10 % and at least every 30 s, no escape codes), none (summaries only), auto (plain under "
            + "mpirun/srun or when stdout is not a terminal, else bar). Rank 0 prints.",
        valueName: "mode"))
    var progress = ProgressMode.auto

    /// The mode for this process (`World.progressMode`: the launcher's environment decides `auto`).
    var mode: ProgressMode { World.progressMode(progress) }

    /// Rank 0's reporter for `name`, appending its metrics to `metricsPath`.
    func reporter(_ name: String, communicator: any Communicator, metricsPath: String?) -> ProgressReporter {
        ProgressReporter(name: name, mode: mode, isRoot: communicator.isRoot, metricsPath: metricsPath)
    }

    /// The metrics file of a command whose `--out` is a file: beside it, `model.h5` → `model.metrics.jsonl`.
    static func metricsPath(besideFile out: String) -> String {
        (out.hasSuffix(".h5") ? String(out.dropLast(3)) : out) + ".metrics.jsonl"
    }

    /// The metrics file of a command whose `--out` is a folder: `<folder>/metrics.jsonl` (shared by `extract`,
    /// `encode` and `fisher`: every record names its stage).
    static func metricsPath(inFolder out: String) -> String {
        (out.hasSuffix("/") ? out : out + "/") + "metrics.jsonl"
    }
}

extension ProgressMode: ExpressibleByArgument {}
