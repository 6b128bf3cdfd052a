import CHDF5
import Synchronization

/// The HDF5 library as a whole: what a process must do with it before it exits on an error.
///
/// A rank that fails ends the job at once (`Communicator.abort`: `exit` or `MPI_Abort`) without returning
/// through every frame that owns an `HDF5File`. Worse, a close that fails (a full disk: the flush fails with
/// EFBIG/ENOSPC) leaves the file half torn down inside libhdf5; libhdf5's own `atexit` clean-up then closes it
/// again and crashed with SIGSEGV after the right message (6 of 6 runs with a full disk). So:
///
/// 1. `prepareForExit()` (before the first HDF5 call of a command) turns libhdf5's `atexit` clean-up off
///    (`H5dont_atexit`): the process decides when HDF5 shuts down.
/// 2. `HDF5File` records every file it opens in `openFiles` and removes it when it closes it, whether or not
///    the close succeeded (a failed one must never be closed again).
/// 3. `closeEverything()` (every exit path: the CLI passes it to `World.run(beforeExit:)`, and calls it after a
///    successful command) closes the files still recorded, then shuts the library down when nothing was left
///    half torn down.
public enum HDF5Library {
    /// Files opened through `HDF5File` and not yet closed (ids).
    static let openFiles = Mutex<Set<hid_t>>([])

    /// Turns libhdf5's `atexit` clean-up off; call before any other HDF5 call of the process (later calls are
    /// harmless but too late).
    public static func prepareForExit() {
        _ = H5dont_atexit()
    }

    /// Closes every file `HDF5File` still has open (ignoring failures: on an error path the data is lost anyway;
    /// the point is that nothing is left for an exit-time clean-up), then `H5close()` when every file HDF5
    /// knows of was closed. Any `HDF5File` still referenced afterwards is unusable: call it on the way out.
    public static func closeEverything() {
        tributary_h5_silence_errors()
        let ids = openFiles.withLock { ids in
            defer { ids.removeAll() }
            return ids.sorted()
        }
        for id in ids { H5Fclose(id) }
        // A file whose close failed is still counted by libhdf5; shutting the library down would close it again.
        if openFileCount == 0 { H5close() }
    }

    /// How many files libhdf5 has open in this process (tests check that an error path leaves none).
    public static var openFileCount: Int {
        max(0, Int(H5Fget_obj_count(tributary_h5f_obj_all_files(), tributary_h5f_obj_file())))
    }

    /// The libhdf5 version this process runs with, e.g. "1.10.8".
    public static var version: String {
        var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
        guard H5get_libversion(&major, &minor, &release) >= 0 else { return "unknown" }
        return "\(major).\(minor).\(release)"
    }
}
