import Core
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The watchdog of the one collective that stays blocking: the data reduction of a Float/Double `allReduce`
/// (`MPICommunicator.allReduce` says why). The main thread stamps the time it enters `MPI_Allreduce`; a detached
/// monitor thread (started at the first such call, awake every 100 ms) finds a stamp older than the timeout, prints
/// the watchdog's message, runs `beforeAbort` (the main thread is inside MPI, not in HDF5) and ends this process
/// with `_exit(1)`: MPI_THREAD_FUNNELED allows no MPI call from this thread, and `mpirun` ends the whole job
/// when a rank exits non-zero without `MPI_Finalize`.
final class BlockingCallWatch: Sendable {
    static let shared = BlockingCallWatch()

    /// CLOCK_MONOTONIC in nanoseconds when the main thread entered the blocking call; 0 when outside.
    private let enteredAt = Atomic<Int64>(0)
    private let started = Atomic<Bool>(false)

    /// What the monitor reports; written by the main thread before the monitor starts, read-only afterwards.
    private struct Settings {
        var rank = 0
        var timeout = StallWatchdog.defaultTimeout
        var operation = "allReduce"
        var beforeAbort: () -> Void = {}
    }
    nonisolated(unsafe) private static var settings = Settings()

    /// Runs `body` (a blocking MPI call) under the monitor; `watchdog` off runs it unwatched.
    func watch<R>(rank: Int, watchdog: StallWatchdog, operation: String, beforeAbort: @escaping () -> Void,
                  _ body: () throws -> R) rethrows -> R {
        guard watchdog.isEnabled else { return try body() }
        if !started.load(ordering: .acquiring) {
            Self.settings = Settings(rank: rank, timeout: watchdog.timeout, operation: operation, beforeAbort: beforeAbort)
            started.store(true, ordering: .releasing)
            var thread = pthread_t()
            if pthread_create(&thread, nil, { _ in BlockingCallWatch.shared.monitor() }, nil) == 0 {
                pthread_detach(thread)
            }
        }
        enteredAt.store(Self.nanoseconds(), ordering: .releasing)
        defer { enteredAt.store(0, ordering: .releasing) }
        return try body()
    }

    private func monitor() -> Never {
        let settings = Self.settings
        while true {
            StallWatchdog.sleep(0.1)
            let entered = enteredAt.load(ordering: .acquiring)
            guard entered != 0 else { continue }
            let seconds = Double(Self.nanoseconds() - entered) * 1e-9
            guard seconds >= settings.timeout else { continue }
            fflush(nil)
            FileHandleOutput.standardError.write(
                StallWatchdog.message(rank: settings.rank, seconds: seconds, operation: settings.operation,
                                      activity: "inside its blocking data reduction") + "\n")
            settings.beforeAbort()
            _exit(1)
        }
    }

    private static func nanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
