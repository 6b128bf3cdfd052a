#if canImport(Glibc)
import Glibc
#endif

/// Why a path cannot be used, in words, with the fix: the one place that turns a failed `open`/`mkdir`/`stat`
/// (its errno) or a wrong file kind into a message. Readers and writers call `diagnose(path:)` or
/// `diagnose(writing:)` when an operation fails, instead of guessing ("does not exist", "not HDF5", "errno 30").
///
/// | case | errno | the message says |
/// | --- | --- | --- |
/// | `missing` | ENOENT | does not exist |
/// | `parentIsAFile(parent)` | ENOTDIR | a folder on the path is a file |
/// | `isADirectory` | EISDIR | is a directory, pass the file inside it |
/// | `notADirectory` | | is a file where a folder is needed |
/// | `permissionDenied` | EACCES, EPERM | permission denied, check the permissions |
/// | `readOnlyFileSystem` | EROFS | on a read-only file system, choose a writable folder |
/// | `noSpace` | ENOSPC, EDQUOT | no space left, free some or choose another disk |
/// | `other(errno, text)` | any other | `strerror`'s text |
public enum FileProblem: Sendable, Equatable, CustomStringConvertible {
    case missing
    case parentIsAFile(parent: String)
    case isADirectory
    case notADirectory
    case permissionDenied
    case readOnlyFileSystem
    case noSpace
    case other(errno: Int32, text: String)

    /// The condition and what to do, e.g. "is a directory, not a file; pass the file itself".
    public var description: String {
        switch self {
        case .missing:
            return "does not exist; check the path"
        case let .parentIsAFile(parent):
            return "cannot exist: \(parent) is a file, not a folder; remove or rename that file, or choose another path"
        case .isADirectory:
            return "is a directory, not a file; pass the file itself (a path inside that folder)"
        case .notADirectory:
            return "is a file, not a folder; remove it or choose another folder"
        case .permissionDenied:
            return "permission denied; check its permissions and its folder's (ls -ld), or choose another path"
        case .readOnlyFileSystem:
            return "is on a read-only file system; choose a folder on a writable disk"
        case .noSpace:
            return "no space left on the device (or quota exceeded); free disk space or choose another disk"
        case let .other(code, text):
            return "\(text) (errno \(code)); check the path"
        }
    }

    /// The problem an errno from an operation on `path` names.
    public static func from(errno code: Int32, path: String) -> FileProblem {
        switch code {
        case ENOENT: return .missing
        case ENOTDIR: return firstFileOnPath(of: path).map { .parentIsAFile(parent: $0) } ?? .notADirectory
        case EISDIR: return .isADirectory
        case EACCES, EPERM: return .permissionDenied
        case EROFS: return .readOnlyFileSystem
        case ENOSPC, EDQUOT: return .noSpace
        default: return .other(errno: code, text: String(cString: strerror(code)))
        }
    }

    /// Why `path` cannot be read as a regular file, or nil when it can (it exists, is not a folder, and opens).
    public static func diagnose(path: String) -> FileProblem? {
        var info = stat()
        guard stat(path, &info) == 0 else { return from(errno: errno, path: path) }
        if (info.st_mode & S_IFMT) == S_IFDIR { return .isADirectory }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return from(errno: errno, path: path) }
        close(descriptor)
        return nil
    }

    /// Why a file cannot be created at `path`, or nil when it can: the real `open(O_CREAT)` is tried (root
    /// passes `access(2)` on read-only and pseudo file systems, so only the real call tells), and a file it
    /// creates is removed again.
    public static func diagnose(writing path: String) -> FileProblem? {
        var info = stat()
        let existed = stat(path, &info) == 0
        if existed && (info.st_mode & S_IFMT) == S_IFDIR { return .isADirectory }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return from(errno: errno, path: path) }
        close(descriptor)
        if !existed { unlink(path) }
        return nil
    }

    /// Why `path` cannot be used as a folder to write into, or nil when it can (it exists or was created, with
    /// its parents, and a file can be created in it).
    public static func diagnose(folder path: String) -> FileProblem? {
        if let problem = makeFolder(path) { return problem }
        let probe = path + "/.tributary-write-probe-\(getpid())"
        return diagnose(writing: probe)
    }

    /// `mkdir -p`: creates `path` and its missing parents; the problem when that fails.
    public static func makeFolder(_ path: String) -> FileProblem? {
        var info = stat()
        if stat(path, &info) == 0 { return (info.st_mode & S_IFMT) == S_IFDIR ? nil : .notADirectory }
        if errno == ENOTDIR { return from(errno: ENOTDIR, path: path) }
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { return from(errno: errno, path: prefix) }
        }
        guard stat(path, &info) == 0 else { return from(errno: errno, path: path) }
        return (info.st_mode & S_IFMT) == S_IFDIR ? nil : .notADirectory
    }

    /// The first proper prefix of `path` that exists and is not a folder (the cause of ENOTDIR).
    static func firstFileOnPath(of path: String) -> String? {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/").dropLast() {
            prefix += "/" + component
            var info = stat()
            guard stat(prefix, &info) == 0 else { return nil }
            if (info.st_mode & S_IFMT) != S_IFDIR { return prefix.hasPrefix("./") ? String(prefix.dropFirst(2)) : prefix }
        }
        return nil
    }
}
