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
        let folder = try directory ?? makeTemporaryFolder()
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let configuration = HDF5Benchmark.Configuration(sizeMiB: sizeMiB, repeats: repeats, gzip: gzip, directory: folder)
        let tag = gzip ? "gzip-1" : "no compression"
        print("bench hdf5: float32 \(configuration.rows)×\(configuration.columns) "
              + "(\(BenchTiming.format(Double(configuration.bytes) / Double(1 << 30), 3)) GiB), chunks "
              + "(\(configuration.chunkRows), \(configuration.columns)), \(tag), \(repeats) run(s), in \(folder)")
        let result = try HDF5Benchmark.run(configuration) { index, run in
            print("  run \(index): write \(BenchTiming.format(run.write, 2)) GB/s, write+fsync "
                  + "\(BenchTiming.format(run.writeSync, 2)), read warm \(BenchTiming.format(run.readWarm, 2))")
        }
        print("  data read back equals data written; compression ratio \(BenchTiming.format(result.compressionRatio, 3))")
        let figures: [(String, [Double])] = [
            ("write (to page cache)", result.runs.map(\.write)),
            ("write + fsync", result.runs.map(\.writeSync)),
            ("read (warm page cache)", result.runs.map(\.readWarm)),
        ]
        let params = ["shape": "\(configuration.rows)x\(configuration.columns)", "dtype": "float32",
                      "chunks": "\(configuration.chunkRows)x\(configuration.columns)",
                      "filter": gzip ? "gzip level 1" : "none"]
        for (name, values) in figures {
            print("  \(name) GB/s: \(BenchTiming.summary(values, digits: 2))")
        }
        for (name, values) in figures {
            print(BenchTiming.resultLine(name: "tributary Storage \(tag): \(name)", metric: "GB/s", unit: "GB/s",
                                         values: values, params: params))
        }
    }

    private func makeTemporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("tributary-bench-hdf5-\(ProcessInfo.processInfo.processIdentifier)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
