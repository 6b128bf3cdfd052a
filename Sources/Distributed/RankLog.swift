import Core
#if canImport(Glibc)
import Glibc
#endif

/// Rank-aware logging: rank 0 prints, the other ranks stay quiet unless asked.
///
/// - `log0` prints a line to standard output on the root only (llm.c's `printf0`).
/// - `logRank` prints `[rank r] message` to standard error on *every* rank, but only when the environment has
///   `TRIBUTARY_VERBOSE_RANKS=1`: per-rank debugging without editing code. Each line is one `write`, so lines
///   from different ranks interleave whole.
///
/// Both are extensions of `Communicator`, so they work the same for `MPICommunicator` and
/// `SingleProcessCommunicator`.
extension Communicator {
    /// Prints `message` on rank 0 only.
    public func log0(_ message: @autoclosure () -> String) {
        guard isRoot else { return }
        print(message())
    }

    /// Prints `[rank r] message` to standard error when `TRIBUTARY_VERBOSE_RANKS=1`.
    public func logRank(_ message: @autoclosure () -> String) {
        guard RankLog.verboseRanks else { return }
        FileHandleOutput.standardError.write("[rank \(rank)] \(message())\n")
    }
}

/// The switches of rank logging.
public enum RankLog {
    /// The environment variable that turns on per-rank logging.
    public static let verboseVariable = "TRIBUTARY_VERBOSE_RANKS"

    /// True when `TRIBUTARY_VERBOSE_RANKS` is `1` (or `true`/`yes`).
    public static var verboseRanks: Bool {
        guard let value = World.environmentValue(verboseVariable)?.lowercased() else { return false }
        return ["1", "true", "yes"].contains(value)
    }
}
