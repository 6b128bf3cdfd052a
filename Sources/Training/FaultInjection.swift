import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A fault-injection switch for the resume tests: `TRIBUTARY_FAIL_AT=<point>:<step>` makes one rank exit
/// abruptly (no cleanup, exit code 86, like a crashed or killed process) when it reaches step `<step>` of
/// `<point>`. The rank is `TRIBUTARY_FAIL_RANK` (default 1, or 0 in a world of one rank).
///
/// | point | where | step |
/// | --- | --- | --- |
/// | `encode` | `EncodeStage.writeShard`, after each batch is appended to the rank's part | batches done on this rank (1, 2, …) |
/// | `train` | `DataParallelTrainer.train`, after each optimizer step (and its checkpoint, if one is due) | total steps of the run (1, 2, …) |
/// | `write` | `train-infused` and `train-paths`, inside the atomic write of the model file (after `parameters`, before the rename); only rank 0 writes, so set `TRIBUTARY_FAIL_RANK=0` under several ranks | 1 |
///
/// Under `mpirun` the exiting rank takes the job down (mpirun aborts the others), which is the failure the
/// runner must recover from: rerunning the same command resumes from the finished parts and the last
/// checkpoint and ends with outputs bit-identical to an uninterrupted run (`Tests/TributaryCLITests/RunFaultTests`).
/// Unset (the default), `point` costs one dictionary lookup per batch or step.
public enum FaultInjection {
    public static let variable = "TRIBUTARY_FAIL_AT"
    public static let rankVariable = "TRIBUTARY_FAIL_RANK"
    public static let exitCode: Int32 = 86

    /// The configured (point, step), if any.
    static let target: (point: String, step: Int)? = {
        guard let value = ProcessInfo.processInfo.environment[variable] else { return nil }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let step = Int(parts[1]) else {
            FileHandle.standardError.write(Data("warning: \(variable)=\(value) is not <point>:<step> (e.g. encode:2); ignored\n".utf8))
            return nil
        }
        return (String(parts[0]), step)
    }()

    /// Exits this process if `TRIBUTARY_FAIL_AT` names this point and step and this is the failing rank.
    public static func point(_ name: String, step: Int, rank: Int, size: Int) {
        guard let target, target.point == name, target.step == step else { return }
        let failing = ProcessInfo.processInfo.environment[rankVariable].flatMap { Int($0) } ?? (size > 1 ? 1 : 0)
        guard rank == failing else { return }
        FileHandle.standardError.write(Data("[rank \(rank)] fault injected at \(name):\(step) (\(variable)); exiting with code \(exitCode)\n".utf8))
        exit(exitCode)
    }
}
