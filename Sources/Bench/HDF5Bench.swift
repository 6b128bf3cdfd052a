import Foundation

/// The `tributary bench hdf5` workload (W10): write / write+fsync / warm-read GB/s of a float32 2-D dataset in
/// `directory` (default: a new temporary folder, removed afterwards), `repeats` runs, optionally gzip level 1.
public struct HDF5Bench {
    public var sizeMiB: Int
    public var repeats: Int
    public var directory: String?
    public var gzip: Bool

    public init(sizeMiB: Int, repeats: Int, directory: String?, gzip: Bool) {
        self.sizeMiB = sizeMiB
        self.repeats = repeats
        self.directory = directory
        self.gzip = gzip
    }

    public func run() throws {
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
