import Core
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Opens an untrusted HDF5 file in a child process first, so that a crash or hang inside libhdf5 becomes a clear
/// error naming the file instead of a dead job.
///
/// **Threat model.** libhdf5 1.10.8 trusts the bytes of a file: mutated files crashed it by signal (19 of 900) or
/// hung it (11 of 900) in the global heap of variable-length strings and the object-header/attribute code, and
/// `h5dump` crashes on some of them too. Checks inside our wrapper cannot reach code that runs inside `H5Fopen`,
/// `H5Aread` or `H5Oclose`, and even a file without variable-length strings reaches the object-header code. So:
/// - *trusted*: a file this process wrote itself (`HDF5File.create`/`createAtomic`/a part) and has not changed
///   since: its identity (device, inode, size, modification time in ns) was recorded when it was closed. A file
///   already checked by this process (same identity) is not checked again.
/// - *untrusted*: everything else: a file named on the command line, an artifact from an earlier run, a copied
///   file, a part file of a master. Each is opened once in a child (`tributary check-hdf5`) that reads all its
///   metadata, attributes and strings and the values of small datasets (`HDF5File.walk`), under a wall-clock
///   timeout and an address-space cap. A child that dies by a signal, hangs or exceeds the cap makes `open`
///   throw `StorageError.unsafeHDF5`; a child that exits normally (even after typed errors, which the reader in
///   this process will meet and report itself) lets the open proceed.
///
/// What it does not cover: a file changed between the check and the open (a race with another writer), and the
/// raw data chunks of datasets larger than `readLimit` beyond their first and last row.
///
/// Off unless `enable` was called: the library and its tests open files directly; the `tributary` executable
/// enables it at start-up (`TRIBUTARY_HDF5_PREFLIGHT=0` turns it off; `TRIBUTARY_HDF5_PREFLIGHT_TIMEOUT` sets the
/// child's wall-clock limit in seconds, default 60).
public struct HDF5Preflight: Sendable, Equatable {
    /// The program to run and its leading arguments; the file's path is appended.
    public var command: [String]
    /// Wall-clock seconds the child may take.
    public var timeout: Double
    /// Address-space cap of the child (passed to it as `--memory-cap`; the child applies it with `setrlimit`).
    /// The walk's own reads stay under about `readLimit`; metadata of a real file is small, so an allocation
    /// that needs more than this was sized by corrupt metadata (libhdf5 trusts sizes it reads: one mutant made it
    /// allocate and touch 4 GiB). The cap makes such a file fail fast instead of filling a shared node.
    public var memoryCap: Int
    /// Datasets up to this many bytes are read whole by the child.
    public var readLimit: Int

    public static let defaultTimeout = 60.0
    public static let defaultReadLimit = 64 << 20
    /// The binary, its libraries (MPI, BLAS, HDF5) and thread stacks, under the cap besides what the walk reads.
    public static let runtimeAllowance = 1 << 30
    public static let defaultMemoryCap = runtimeAllowance + 4 * defaultReadLimit

    public init(command: [String], timeout: Double = defaultTimeout, memoryCap: Int = defaultMemoryCap, readLimit: Int = defaultReadLimit) {
        self.command = command
        self.timeout = timeout
        self.memoryCap = memoryCap
        self.readLimit = readLimit
    }

    /// `TRIBUTARY_HDF5_PREFLIGHT_TIMEOUT` (seconds > 0) when set, else `defaultTimeout`.
    public static func timeout(fromEnvironment environment: (String) -> String?) throws(StorageError) -> Double {
        guard let text = environment("TRIBUTARY_HDF5_PREFLIGHT_TIMEOUT") else { return defaultTimeout }
        guard let seconds = Double(text), seconds.isFinite, seconds > 0 else {
            throw .io(file: "TRIBUTARY_HDF5_PREFLIGHT_TIMEOUT", operation: "read '\(text)' as seconds: set a number > 0 "
                      + "(default \(Int(defaultTimeout)))")
        }
        return seconds
    }

    /// The active preflight (`nil`: off).
    static let active = Mutex<HDF5Preflight?>(nil)
    /// Identities of files this process wrote or already checked.
    static let trusted = Mutex<Set<FileIdentity>>([])

    /// Turns the preflight on for every later `HDF5File.open` of this process.
    public static func enable(_ preflight: HDF5Preflight) { active.withLock { $0 = preflight } }

    /// Turns it off (the checking child itself, and tests).
    public static func disable() { active.withLock { $0 = nil } }

    /// Forgets which files were written or checked (`tributary fuzz` rewrites one scratch file per mutant, whose
    /// identity a coarse file-system clock may repeat).
    public static func forgetTrusted() { trusted.withLock { $0.removeAll() } }

    /// Whether `enable` is in force.
    public static var isEnabled: Bool { active.withLock { $0 != nil } }

    /// Throws `StorageError.unsafeHDF5` when the child checking `path` crashed, hung or ran out of memory.
    static func check(_ path: String) throws {
        guard let preflight = active.withLock({ $0 }), let identity = FileIdentity(path: path) else { return }
        if trusted.withLock({ $0.contains(identity) }) { return }
        let arguments = Array(preflight.command.dropFirst())
            + ["--memory-cap", "\(preflight.memoryCap)", "--read-limit", "\(preflight.readLimit)", path]
        let outcome = ChildProcess.run(preflight.command[0], arguments, timeout: preflight.timeout)
        switch outcome {
        case .exited(0):
            trusted.withLock { _ = $0.insert(identity) }
        case .couldNotStart:
            throw StorageError.io(file: path, operation: "check the file in a child process (\(preflight.command[0]) \(outcome)); "
                                  + "set TRIBUTARY_HDF5_PREFLIGHT=0 to skip the check")
        default:
            throw StorageError.unsafeHDF5(path: path, reason: "\(outcome)")
        }
    }

    /// Records that this process wrote `path` (called after closing a file it created or opened for writing).
    static func trust(_ path: String) {
        guard let identity = FileIdentity(path: path) else { return }
        trusted.withLock { _ = $0.insert(identity) }
    }
}

/// What identifies a file's content for `HDF5Preflight`: a rewrite changes the size or the modification time, a
/// copy the inode; a rename keeps all four.
struct FileIdentity: Hashable, Sendable {
    let device: UInt64, inode: UInt64, size: Int64, modified: Int64

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }
}
