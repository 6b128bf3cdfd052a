import ArgumentParser
import Bench
import Foundation
import Storage

/// `tributary bench hdf5`: HDF5 write/read GB/s through `Storage`, measured like the W10 anchor
/// (`../shared/bench/anchors/w10_hdf5.py`): a float32 `(16·size-mib, 16384)` dataset (1 GiB = 16384×16384 by
/// default) in chunks of 16 rows (1 MiB), no filter or `--gzip` (deflate level 1). Per run: write
/// (create + one write + close), write + fsync, read warm (open + read into a preallocated buffer + close).
/// GB/s = bytes / seconds / 1e9. The data read back is checked against the data written.
struct BenchHDF5: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hdf5", abstract: "HDF5 write / write+fsync / warm read GB/s of a float32 2-D dataset (W10 layout).")

    @Option(name: .customLong("size-mib"), help: "Dataset size in MiB (rows of 16384 float32; 1024 = W10's 16384×16384).")
    var sizeMiB = 1024

    @Option(help: "Timed runs.")
    var repeats = 3

    @Option(help: "Folder for the benchmark file (default: a new temporary folder, removed afterwards).")
    var directory: String?

    @Flag(help: "Compress with gzip (deflate) level 1, no shuffle, as W10's gzip-1 rows.")
    var gzip = false

    func validate() throws {
        guard sizeMiB >= 1 else { throw ValidationError("--size-mib must be at least 1, got \(sizeMiB)") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
        if let directory {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder), isFolder.boolValue else {
                throw ValidationError("--directory \(directory) is not an existing folder")
            }
        }
    }

    func run() throws {
        try HDF5Bench(sizeMiB: sizeMiB, repeats: repeats, directory: directory, gzip: gzip).run()
    }
}
