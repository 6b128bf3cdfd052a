import Core
#if canImport(Glibc)
import Glibc
#endif
import Storage

/// The W10 HDF5 throughput benchmark (`bench/anchors/w10_hdf5.py`), run through this module's API.
///
/// A float32 2-D dataset `(N, 16384)` (W10: N = 16384, exactly 1 GiB) is stored in chunks of 16 whole
/// rows (1 MiB), without a filter or with gzip (deflate) level 1 and no shuffle. Per run:
/// - **write**: `HDF5File.create` + one `write` (one `H5Dwrite` from the array's buffer) + `close`;
///   the data then sits in the page cache;
/// - **write + fsync**: the same plus `fsync` of the file;
/// - **read warm**: `open` + `read(_:into:)` into a preallocated, pre-touched buffer + `close`.
///
/// GB/s = bytes / seconds / 10⁹, as W10 prints it. The values are N(0, 1) like W10's (nearly
/// incompressible, as feature data is; gzip speed depends on the data), from a seeded SplitMix64 stream
/// rather than numpy's generator. The data read back is compared bit for bit with the data written
/// (first run, outside the timings).
public enum HDF5Benchmark {
    public struct Configuration: Sendable {
        public var rows: Int
        public var columns: Int
        public var chunkRows: Int
        /// gzip level, or `nil` for no filter.
        public var gzip: Int?
        public var repeats: Int
        /// Folder for the benchmark file (must exist); the file is removed afterwards.
        public var directory: String

        public init(rows: Int, columns: Int, chunkRows: Int, gzip: Int?, repeats: Int, directory: String) {
            precondition(rows > 0 && columns > 0 && chunkRows > 0 && repeats > 0, "benchmark sizes must be positive")
            self.rows = rows
            self.columns = columns
            self.chunkRows = min(chunkRows, rows)
            self.gzip = gzip
            self.repeats = repeats
            self.directory = directory
        }

        /// W10's layout for `sizeMiB` MiB: rows of 16384 float32 (64 KiB), 16 rows (1 MiB) per chunk.
        public init(sizeMiB: Int = 1024, repeats: Int = 3, gzip: Bool = false, directory: String) {
            precondition(sizeMiB >= 1, "size must be at least 1 MiB")
            self.init(rows: sizeMiB * 16, columns: 16384, chunkRows: 16, gzip: gzip ? 1 : nil, repeats: repeats,
                      directory: directory)
        }

        public var bytes: Int { rows * columns * MemoryLayout<Float>.size }
    }

    /// One run's throughputs in GB/s (10⁹ bytes per second).
    public struct Run: Sendable {
        public var write: Double
        public var writeSync: Double
        public var readWarm: Double
    }

    /// The three figures of a benchmark, as lists over runs.
    public struct Result: Sendable {
        public var runs: [Run]
        /// Stored bytes / file size (1.0 without a filter).
        public var compressionRatio: Double
    }

    /// Runs the benchmark; `report` is called after each run (for progress output).
    public static func run(_ configuration: Configuration, report: (Int, Run) -> Void = { _, _ in }) throws -> Result {
        let path = configuration.directory + "/hdf5-bench-\(getpid()).h5"
        defer { unlink(path) }
        let data = makeData(count: configuration.rows * configuration.columns, seed: 1001)
        var readBack = [Float](repeating: 0, count: data.count)
        let shape = [configuration.rows, configuration.columns]
        let chunk = [configuration.chunkRows, configuration.columns]
        let gigabytes = Double(configuration.bytes) / 1e9
        var runs: [Run] = []
        var fileBytes = configuration.bytes
        for index in 0..<configuration.repeats {
            unlink(path)
            let clock = ContinuousClock()
            let start = clock.now
            let file = try HDF5File.create(path: path)
            try file.write(data, shape: shape, to: "x", chunk: chunk, gzip: configuration.gzip)
            try file.close()
            let written = clock.now
            try HDF5File.syncFile(path)
            let synced = clock.now
            readBack.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            let readStart = clock.now
            let input = try HDF5File.open(path: path)
            try input.read("x", into: &readBack)
            try input.close()
            let readEnd = clock.now
            if index == 0 {
                guard readBack.withUnsafeBytes({ a in data.withUnsafeBytes { b in memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }) else {
                    throw StorageError.io(file: path, operation: "read back the benchmark data (it differs from what was written)")
                }
                var status = stat()
                if stat(path, &status) == 0 { fileBytes = Int(status.st_size) }
            }
            let run = Run(write: gigabytes / (written - start).inSeconds, writeSync: gigabytes / (synced - start).inSeconds,
                          readWarm: gigabytes / (readEnd - readStart).inSeconds)
            runs.append(run)
            report(index, run)
        }
        return Result(runs: runs, compressionRatio: Double(configuration.bytes) / Double(fileBytes))
    }

    /// `count` floats ~ N(0, 1): Box–Muller on pairs of 24-bit uniforms from a seeded SplitMix64 stream.
    public static func makeData(count: Int, seed: UInt64) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            var state = seed
            var index = 0
            while index < count {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                z ^= z >> 31
                let u1 = (Float(z >> 40) + 1) * 0x1p-24  // (0, 1]
                let u2 = Float((z >> 16) & 0xFF_FFFF) * 0x1p-24  // [0, 1)
                let radius = (-2 * logf(u1)).squareRoot()
                let angle = 2 * Float.pi * u2
                buffer[index] = radius * cosf(angle)
                if index + 1 < count { buffer[index + 1] = radius * sinf(angle) }
                index += 2
            }
            initialized = count
        }
    }

    /// The median of `values` (mean of the middle two for an even count).
    public static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
