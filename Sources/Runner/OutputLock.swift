import Core
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Stages
import Storage

/// The exclusive lock of an output folder for one `tributary run`: `flock(LOCK_EX | LOCK_NB)` on `OUT/.lock`,
/// taken by rank 0 before it reads the manifest and held until the run returns (or the process dies: the kernel
/// releases an `flock` with its process, so a killed run never leaves a lock that blocks the next one).
///
/// Two runs writing one folder race (one failed with "models.h5 is missing after its stage finished"): the
/// second now stops at once with `RunnerError.outputLocked`, naming the holder's pid, host and start time, which
/// the holder writes into the file after locking. Under MPI only rank 0 locks (`Runner.run`); when it refuses,
/// its error aborts the whole job as every rank-0 error does, so no other rank waits in a collective.
public final class OutputLock {
    /// `OUT/.lock`.
    public let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { release() }

    /// The lock file of `folder`.
    public static func path(in folder: String) -> String { folder + "/.lock" }

    /// Locks `folder` (which must exist) or throws `RunnerError.outputLocked` naming the holder;
    /// `RunnerError.unwritable` when the lock file cannot be created (read-only folder, no permission).
    /// With `wait`, blocks until the holder releases it instead of refusing.
    public static func acquire(folder: String, wait: Bool = false) throws -> OutputLock {
        let path = path(in: folder)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw RunnerError.unwritable(path: path, reason: "\(FileProblem.from(errno: errno, path: path))")
        }
        guard flock(descriptor, wait ? LOCK_EX : LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            defer { close(descriptor) }
            guard code == EWOULDBLOCK else {
                throw RunnerError.unwritable(path: path, reason: "flock: \(FileProblem.from(errno: code, path: path))")
            }
            throw RunnerError.outputLocked(folder: folder, holder: holder(of: path))
        }
        let record = "pid \(getpid())\nhost \(TemporaryFiles.hostName)\nstarted \(RunnerManifest.now())\n"
        _ = ftruncate(descriptor, 0)
        _ = record.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        return OutputLock(path: path, descriptor: descriptor)
    }

    /// Unlocks (closing the file releases the `flock`); the file stays, holding the last holder's record.
    public func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    /// "pid 123 on host h, started 2026-…" from the lock file (the holder writes it just after locking, so a
    /// reader racing that write retries briefly).
    static func holder(of path: String) -> String {
        for _ in 0 ..< 50 {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            var fields: [String: String] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            if let pid = fields["pid"], let host = fields["host"] {
                return "pid \(pid) on host \(host)" + (fields["started"].map { ", started \($0)" } ?? "")
            }
            usleep(10_000)
        }
        return "a process that has not yet written its pid"
    }
}
