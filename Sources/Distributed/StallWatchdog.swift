import Core
#if canImport(Glibc)
import Glibc
#endif

/// How a rank waits for a collective: poll, sleep, poll again, and give up after `timeout` seconds without
/// completion (a rank stalled or died: SIGSTOP, a hung NFS read, a killed node).
///
/// A blocking `MPI_Allreduce` busy-polls (99 % of a core) and never returns if a peer never arrives. Instead
/// `MPICommunicator` starts the non-blocking collective (`MPI_Iallreduce`, `MPI_Ibcast`, …, the same data
/// movement) and calls `wait`, which polls `MPI_Test` without sleeping for `spinSeconds` (200 µs), then with
/// pauses that double from `firstPause` (50 µs) to `longestPause` (10 ms): a fast collective completes while
/// spinning (no sleep added to its latency), a waiting rank sleeps almost all the time, and the extra latency
/// once a slow peer arrives is at most one `longestPause`.
///
/// The timeout is `--stall-timeout SECONDS` (every command, `JobOptions`) or the environment variable
/// `TRIBUTARY_STALL_TIMEOUT` (launch scripts); default 600 s; 0 turns the watchdog off (blocking collectives, as
/// before). Choose it longer than the slowest legitimate gap between collectives of the job (a rank reading a
/// large shard while the others wait in the next collective).
///
/// `wait` takes the clock, the sleep and the test as arguments, so the back-off and the timeout are tested
/// without MPI (`StallWatchdogTests`).
public struct StallWatchdog: Sendable, Equatable {
    /// The environment variable read when `--stall-timeout` is not given.
    public static let environmentVariable = "TRIBUTARY_STALL_TIMEOUT"
    /// The timeout when neither the option nor the variable is given, in seconds.
    public static let defaultTimeout = 600.0

    /// Seconds without completion before the job is aborted; 0 = no watchdog (blocking collectives).
    public var timeout: Double
    /// The first pause between two polls, in seconds.
    public var firstPause = 50e-6
    /// The longest pause between two polls, in seconds.
    public var longestPause = 10e-3
    /// Polls without sleeping for up to this long first (at most `spinPolls` of them), so a collective whose
    /// peers are all there completes at MPI's own latency; only a longer wait backs off into sleeps.
    public var spinSeconds = 200e-6
    /// The most polls of the spin phase (bounds it when the clock does not move, as in tests).
    public var spinPolls = 100_000

    public init(timeout: Double) {
        precondition(timeout >= 0 && timeout.isFinite, "stall timeout \(timeout) must be finite and ≥ 0")
        self.timeout = timeout
    }

    /// True unless `timeout` is 0.
    public var isEnabled: Bool { timeout > 0 }

    /// What a wait ended with.
    public enum Outcome: Equatable, Sendable {
        case completed
        /// No completion after `seconds` (≥ `timeout`).
        case stalled(seconds: Double)
    }

    /// Calls `test` until it returns true (`.completed`) or `timeout` seconds have passed since the first call
    /// (`.stalled`), sleeping `firstPause`, 2·`firstPause`, … up to `longestPause` between calls.
    /// `now` is a monotonic clock in seconds; `sleep` pauses for the given seconds.
    public func wait(now: () -> Double = StallWatchdog.monotonicSeconds, sleep: (Double) -> Void = StallWatchdog.sleep,
                     until test: () throws -> Bool) rethrows -> Outcome {
        let start = now()
        var polls = 0
        while polls < spinPolls, now() - start < spinSeconds {  // spin: a quick collective costs no sleep
            if try test() { return .completed }
            polls += 1
        }
        var pause = firstPause
        while true {
            if try test() { return .completed }
            let waited = now() - start
            if isEnabled && waited >= timeout { return .stalled(seconds: waited) }
            sleep(pause)
            pause = Swift.min(pause * 2, longestPause)
        }
    }

    /// The line a rank prints before it aborts the job.
    public static func message(rank: Int, seconds: Double, operation: String, activity: String?) -> String {
        "[rank \(rank)] no progress for \(Int(seconds.rounded())) s in \(operation) (\(activity ?? "caller unknown")); "
            + "a rank stalled or died: check the other ranks' logs, or raise --stall-timeout"
    }

    /// What the job is doing, for the stall message (the Runner sets "stage <name> (<type>)").
    @TaskLocal public static var activity: String?

    /// `TRIBUTARY_STALL_TIMEOUT` as seconds: nil when unset; throws a readable message when it is not a
    /// number ≥ 0.
    public static func timeout(fromEnvironment environment: (String) -> String? = World.environmentValue) throws -> Double? {
        guard let text = environment(environmentVariable) else { return nil }
        return try parseTimeout(text, source: environmentVariable)
    }

    /// `text` as a timeout in seconds (a finite number ≥ 0), or an error naming `source`.
    public static func parseTimeout(_ text: String, source: String) throws -> Double {
        guard let seconds = Double(text.filter { $0 != " " }), seconds.isFinite, seconds >= 0 else {
            throw StallTimeoutError(source: source, text: text)
        }
        return seconds
    }

    /// CLOCK_MONOTONIC in seconds.
    public static func monotonicSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
    }

    /// Sleeps `seconds` (nanosleep; a signal may end it early, which only means an earlier poll).
    public static func sleep(_ seconds: Double) {
        var spec = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        _ = nanosleep(&spec, nil)
    }
}

/// A stall timeout that is not a number ≥ 0.
public struct StallTimeoutError: Error, CustomStringConvertible {
    public let source: String
    public let text: String
    public var description: String {
        "\(source) '\(text)' is not a number of seconds ≥ 0 (0 turns the stall watchdog off)"
    }
}
