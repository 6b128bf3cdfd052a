import Core
import CHDF5
#if canImport(Glibc)
import Glibc
#endif

/// Atomic writes: a stage output appears at its final name complete, or not at all.
///
/// Contract of `createAtomic(path:durable:_:)`:
/// 1. the file is written at `<path>.tmp-<host>-<pid>` (same folder, so the rename cannot cross file systems),
///    after deleting the stale temporaries of dead writers in that folder (`TemporaryFiles.removeStale`);
/// 2. when `body` returns, the file is closed (flushing HDF5's buffers) and renamed to `path` with
///    `rename(2)`, which replaces any existing file in one step;
/// 3. when `body` throws, or closing fails, the temporary file is deleted and the error rethrown.
///
/// So a thrown error never leaves a file at `path`, an existing file at `path` is untouched until the
/// rename, and a reader never sees a half-written file. A killed process can leave only a
/// `<path>.tmp-<host>-<pid>` file behind, which no reader opens and the next write into that folder deletes. With `durable: true` the data is also
/// `fsync`ed before the rename and the folder after it, so the file survives a power loss
/// (slower: the whole file goes to disk).
extension HDF5File {
    /// Creates the file at `path` atomically: `body` fills it, and it is renamed into place when `body`
    /// returns. Returns what `body` returns.
    @discardableResult
    public static func createAtomic<R>(
        path: String, durable: Bool = false, _ body: (HDF5File) throws -> R
    ) throws -> R {
        TemporaryFiles.removeStale(in: directoryPath(of: path))
        let temporary = temporaryPath(for: path)
        unlink(temporary)  // a stale temp file from a killed process with a recycled pid
        let file = try create(path: temporary)
        do {
            let result = try body(file)
            try file.close()
            if durable { try syncFile(temporary) }
            guard rename(temporary, path) == 0 else {
                throw StorageError.unusable(path: path, problem: FileProblem.from(errno: errno, path: path))
            }
            if durable { try syncFile(directoryPath(of: path)) }
            return result
        } catch {
            try? file.close()
            unlink(temporary)
            throw error
        }
    }

    /// `<path>.tmp-<host>-<pid>` (`TemporaryFiles.path(for:)`): where `createAtomic` writes before the rename.
    public static func temporaryPath(for path: String) -> String {
        TemporaryFiles.path(for: path)
    }

    /// Flushes the file or folder at `path` to stable storage (`fsync`).
    public static func syncFile(_ path: String) throws {
        let descriptor = Glibc.open(path, O_RDONLY)
        guard descriptor >= 0 else { throw StorageError.unusable(path: path, problem: FileProblem.from(errno: errno, path: path)) }
        defer { Glibc.close(descriptor) }
        guard fsync(descriptor) == 0 else { throw StorageError.unusable(path: path, problem: FileProblem.from(errno: errno, path: path)) }
    }

    static func directoryPath(of path: String) -> String { TemporaryFiles.folder(of: path) }
}
