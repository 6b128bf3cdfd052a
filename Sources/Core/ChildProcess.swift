#if canImport(Glibc)
import Glibc
#endif

/// Runs another program as a child process with a wall-clock limit, and says how it ended.
///
/// Used to let a library we cannot harden (libhdf5) look at an untrusted file where its crash or hang cannot take
/// the caller with it (`HDF5Preflight`), and by `tributary fuzz` to run batches of mutants. The child is started
/// with `posix_spawn` (no `fork` of a possibly multi-threaded MPI process), its standard output and error go to
/// `/dev/null` unless `quiet` is false, and the parent polls `waitpid(WNOHANG)`, sleeping 1 ms doubling to 20 ms
/// between polls. Past `timeout` seconds the child is killed with SIGKILL and reaped.
///
/// Outcome: `.exited(status)` for a normal exit, `.signalled(signal)` for a death by signal (SIGSEGV = 11, SIGABRT =
/// 6, SIGKILL = 9 from the kernel's OOM killer …), `.timedOut` after the kill, `.couldNotStart(errno)`.
public enum ChildOutcome: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)
    case timedOut(seconds: Double)
    case couldNotStart(errno: Int32)

    public var description: String {
        switch self {
        case let .exited(status): return "exited with status \(status)"
        case let .signalled(signal): return "was killed by signal \(signal) (\(Self.signalName(signal)))"
        case let .timedOut(seconds): return "did not finish within \(format(seconds)) s (a hang)"
        case let .couldNotStart(code): return "could not be started (errno \(code))"
        }
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGSEGV: return "SIGSEGV"
        case SIGABRT: return "SIGABRT"
        case SIGBUS: return "SIGBUS"
        case SIGILL: return "SIGILL"
        case SIGFPE: return "SIGFPE"
        case SIGKILL: return "SIGKILL"
        case SIGTRAP: return "SIGTRAP"
        default: return "signal \(signal)"
        }
    }
}

public enum ChildProcess {
    /// Runs `executable` with `arguments` (not including `argv[0]`) and waits at most `timeout` seconds.
    public static func run(_ executable: String, _ arguments: [String], timeout: Double, quiet: Bool = true) -> ChildOutcome {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if quiet {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp: [UnsafeMutablePointer<CChar>?] = childEnvironment().map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let started = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard started == 0 else { return .couldNotStart(errno: started) }
        return wait(for: pid, timeout: timeout)
    }

    /// This process's environment with Swift's crash backtracer off (`SWIFT_BACKTRACE=enable=no`): a child that
    /// faults then dies by its signal at once. With the backtracer on, symbolicating can take longer than a short
    /// timeout on a loaded machine, and the parent would report a crash as a hang.
    static func childEnvironment() -> [String] {
        var entries: [String] = []
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if !text.hasPrefix("SWIFT_BACKTRACE=") { entries.append(text) }
            cursor += 1
        }
        return entries + ["SWIFT_BACKTRACE=enable=no"]
    }

    /// Polls `pid` until it ends or `timeout` seconds pass (then SIGKILL).
    static func wait(for pid: pid_t, timeout: Double) -> ChildOutcome {
        let start = now()
        var pause: UInt32 = 1_000
        while true {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { return outcome(status) }
            if reaped < 0, errno != EINTR { return .couldNotStart(errno: errno) }
            if now() - start > timeout {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0, errno == EINTR {}
                return .timedOut(seconds: timeout)
            }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    /// Decodes a `waitpid` status (the `WIFEXITED`/`WTERMSIG` macros are not visible from Swift).
    static func outcome(_ status: Int32) -> ChildOutcome {
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }

    /// Seconds on the monotonic clock.
    public static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Caps this process's address space at `bytes` (`setrlimit(RLIMIT_AS)`): an allocation past it fails, and the
    /// process dies instead of the machine swapping. For a checking child, called first thing.
    public static func capAddressSpace(bytes: Int) {
        var limit = rlimit(rlim_cur: rlim_t(bytes), rlim_max: rlim_t(bytes))
        _ = setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit)
    }

    /// This process's executable (`/proc/self/exe` resolved), for re-executing itself with a hidden subcommand.
    public static var currentExecutable: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
