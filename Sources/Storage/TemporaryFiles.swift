#if canImport(Glibc)
import Glibc
#endif

/// The temporary names of Tributary's atomic writes, and the clean-up of those a killed process left behind.
///
/// Every atomic write (`HDF5File.createAtomic`, `PartFiles`, the runner's JSON/Markdown files, `images.csv`)
/// writes `<path>.tmp-<host>-<pid>` in the final file's folder and renames it into place. A process killed
/// mid-write (SIGKILL, OOM, a node failure) leaves that file behind, which no reader opens but which can be
/// large (a 28 MB `fv.h5` part). So each atomic write first calls `removeStale(in:)` on its folder: it deletes
/// the files of exactly this pattern whose writer was on *this* host and is no longer alive (`kill(pid, 0)`
/// fails with ESRCH). A live writer's file, another host's file (a shared file system under MPI: its pid means
/// nothing here) and every other file are left alone. Names without a host (`<path>.tmp-<pid>`, written by
/// builds before this one) count as this host's.
public enum TemporaryFiles {
    static let marker = ".tmp-"

    /// `<path>.tmp-<host>-<pid>`: where an atomic write of `path` by this process writes before the rename.
    public static func path(for path: String) -> String {
        "\(path)\(marker)\(hostName)-\(getpid())"
    }

    /// This machine's host name (`gethostname`), with `/` replaced (it must fit in a file name).
    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : String(name.map { $0 == "/" ? "_" : $0 })
    }

    /// The writer of a temporary file name: (host, pid), host nil for the old `<name>.tmp-<pid>` form;
    /// nil when `name` is not a Tributary temporary.
    public static func owner(ofName name: String) -> (host: String?, pid: Int32)? {
        let bytes = Array(name.utf8), mark = Array(marker.utf8)
        guard bytes.count > mark.count,
              let start = stride(from: bytes.count - mark.count, through: 1, by: -1).first(where: {
                  bytes[$0 ..< $0 + mark.count].elementsEqual(mark)
              }) else { return nil }
        let tail = Substring(String(decoding: bytes[(start + mark.count)...], as: UTF8.self))
        let digits = tail.reversed().prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 10, let pid = Int32(String(digits.reversed())), pid > 0 else { return nil }
        if digits.count == tail.count { return (nil, pid) }
        let host = tail.dropLast(digits.count)
        guard host.count >= 2, host.last == "-" else { return nil }
        return (String(host.dropLast()), pid)
    }

    /// Whether a process `pid` exists on this host (`kill(pid, 0)`; EPERM means it exists, owned by another user).
    public static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// Deletes the stale temporaries in `folder` (see the type's notes); returns their paths. Never throws: a
    /// file it cannot delete stays, as before.
    @discardableResult
    public static func removeStale(in folder: String) -> [String] {
        guard let directory = opendir(folder.isEmpty ? "." : folder) else { return [] }
        defer { closedir(directory) }
        let host = hostName
        var removed: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let owner = owner(ofName: name), owner.host == nil || owner.host == host,
                  owner.pid != getpid(), !isAlive(owner.pid) else { continue }
            let path = (folder.isEmpty ? "." : folder) + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            if unlink(path) == 0 { removed.append(path) }
        }
        return removed
    }

    /// The folder part of `path` (`.` when it has none).
    public static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
