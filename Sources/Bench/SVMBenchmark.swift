import Classifiers
import Core
import Foundation
import LinearAlgebra

/// Timing helpers behind `tributary bench svm` (workload W5 of `bench/ANCHORS.md`).
///
/// W5 binary: `svm16k_X.f32` (6,000 × 16,384 float32, L2-normalised rows) and `svm16k_y.i32` (±1); the first
/// 4,000 rows train, the last 2,000 test; C = 1, B = 1, ε = 0.1 (LIBLINEAR `-s 3`, 1.646 s, test acc 82.85%).
/// W5 ovr93: `svm4k_X.f32` (6,000 × 4,096) and `svm4k_Y.i32` (6,000 × 93 ±1). Files are raw little-endian,
/// row-major, headerless, in `$ANCHOR_DATA` (default `/tmp/anchors-data`), written by `bench/anchors/gen_data.py`.
public enum SVMBenchmark {
    /// Folder of the anchors' data files.
    public static var dataDirectory: String {
        ProcessInfo.processInfo.environment["ANCHOR_DATA"] ?? "/tmp/anchors-data"
    }

    /// The first W5 file of the binary (or one-vs-rest) run missing from `directory`, with how to generate it
    /// (`generator`: the gen_data.py arguments the calling command names); nil when both are there.
    public static func missingData(oneVsRest: Bool, directory: String = dataDirectory, command: String,
                                   generator: String) -> String? {
        let needed = oneVsRest ? ["svm4k_X.f32", "svm4k_Y.i32"] : ["svm16k_X.f32", "svm16k_y.i32"]
        guard let missing = needed.first(where: { !FileManager.default.fileExists(atPath: directory + "/" + $0) }) else {
            return nil
        }
        return "\(command): \(directory)/\(missing) is missing. Generate the anchor data first:\n"
            + "  ANCHOR_DATA=\(directory) python3 ../shared/bench/anchors/\(generator)\n"
            + "(or set $ANCHOR_DATA to the folder that holds it)"
    }

    /// Reads a raw float32 file as a (rows, columns) matrix; the file must hold exactly rows·columns values.
    public static func readFloat32(_ path: String, rows: Int, columns: Int) throws -> Matrix<Float> {
        let values: [Float] = try readRaw(path, count: rows * columns)
        return Matrix(rows: rows, columns: columns, values: values)
    }

    /// Reads a raw int32 file of exactly `count` values.
    public static func readInt32(_ path: String, count: Int) throws -> [Int32] {
        try readRaw(path, count: count)
    }

    private static func readRaw<T: FixedWidthInteger & Sendable>(_ path: String, count: Int) throws -> [T] {
        let data = try loadExactly(path, bytes: count * MemoryLayout<T>.size)
        let width = MemoryLayout<T>.size
        return data.withUnsafeBytes { raw in
            (0 ..< count).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * width, as: T.self)) }
        }
    }

    private static func readRaw(_ path: String, count: Int) throws -> [Float] {
        let bits: [UInt32] = try readRaw(path, count: count)
        return bits.map(Float.init(bitPattern:))
    }

    private static func loadExactly(_ path: String, bytes: Int) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BenchError.unreadableFile(path: path)
        }
        guard data.count == bytes else {
            throw BenchError.fileSize(path: path, expectedBytes: bytes, gotBytes: data.count)
        }
        return data
    }

    /// The W5 binary split: (trainX 4000×16384, trainY, testX 2000×16384, testY).
    public static func loadBinary(directory: String = dataDirectory) throws
        -> (trainX: Matrix<Float>, trainY: [Bool], testX: Matrix<Float>, testY: [Bool]) {
        let n = 6000, d = 16384, ntr = 4000
        let x = try readFloat32(directory + "/svm16k_X.f32", rows: n, columns: d)
        let y = try readInt32(directory + "/svm16k_y.i32", count: n).map { $0 > 0 }
        return (x.rows(0 ..< ntr), Array(y[0 ..< ntr]), x.rows(ntr ..< n), Array(y[ntr ..< n]))
    }

    /// The W5 ovr93 split: (trainX 4000×4096, trainY 4000×93, testX 2000×4096, testY 2000×93).
    public static func loadOneVsRest(directory: String = dataDirectory) throws
        -> (trainX: Matrix<Float>, trainY: LabelMatrix, testX: Matrix<Float>, testY: LabelMatrix) {
        let n = 6000, d = 4096, k = 93, ntr = 4000
        let x = try readFloat32(directory + "/svm4k_X.f32", rows: n, columns: d)
        let y = LabelMatrix(rows: n, columns: k, signs: try readInt32(directory + "/svm4k_Y.i32", count: n * k))
        let train = LabelMatrix(rows: ntr, columns: k, values: Array(y.values[0 ..< ntr * k]))
        let test = LabelMatrix(rows: n - ntr, columns: k, values: Array(y.values[ntr * k ..< n * k]))
        return (x.rows(0 ..< ntr), train, x.rows(ntr ..< n), test)
    }

    /// One timed binary training: seconds of `LinearSVM.train` only, test accuracy (decision at 0: f ≥ 0 ⇒ +1,
    /// LIBLINEAR's convention for a tie), train accuracy and the solver statistics.
    public struct Result: Sendable {
        public let seconds: Double
        public let testAccuracy: Double
        public let trainAccuracy: Double
        public let statistics: SVMTrainingStatistics
    }

    /// Trains on (trainX, trainY) and evaluates on (testX, testY).
    public static func run(trainX: Matrix<Float>, trainY: [Bool], testX: Matrix<Float>, testY: [Bool],
                           options: LinearSVMOptions = LinearSVMOptions()) throws -> Result {
        let clock = ContinuousClock()
        let start = clock.now
        let svm = try LinearSVM<Float>.train(trainX, labels: trainY, options: options)
        let elapsed = start.duration(to: clock.now)
        let seconds = elapsed.inSeconds
        func accuracy(_ x: Matrix<Float>, _ y: [Bool]) -> Double {
            let f = svm.decisionValues(x)
            return Metrics.accuracy(predicted: f.map { $0 >= 0 }, truth: y)
        }
        return Result(seconds: seconds, testAccuracy: accuracy(testX, testY), trainAccuracy: accuracy(trainX, trainY),
                      statistics: svm.statistics)
    }

    /// One timed one-vs-rest run: seconds for training every concept (this rank's shard, then the all-gather)
    /// plus the (Q, K) test decision values (W5 ovr93 times 93 trainings + test predictions), and the mean over
    /// concepts of the test accuracy at threshold 0.
    public struct OneVsRestResult: Sendable {
        public let seconds: Double
        public let meanTestAccuracy: Double
        public let statistics: [SVMTrainingStatistics]
    }

    /// Trains K one-vs-rest SVMs on (trainX, trainY), concepts split over `communicator`'s ranks.
    public static func runOneVsRest(trainX: Matrix<Float>, trainY: LabelMatrix, testX: Matrix<Float>,
                                    testY: LabelMatrix, options: LinearSVMOptions = LinearSVMOptions(),
                                    communicator: any Communicator = SingleProcessCommunicator()) throws
        -> OneVsRestResult {
        let clock = ContinuousClock()
        let start = clock.now
        let models = try OneVsRest<Float>.train(trainX, labels: trainY, options: options, communicator: communicator)
        let f = models.decisionValues(testX)
        let elapsed = start.duration(to: clock.now)
        let seconds = elapsed.inSeconds
        let decisions = Fusion.decisions(f, threshold: Fusion.svmThreshold)
        let accuracies = (0 ..< testY.columns).map {
            Metrics.accuracy(predicted: decisions.column($0), truth: testY.column($0))
        }
        let mean = accuracies.reduce(0, +) / Double(max(1, accuracies.count))
        return OneVsRestResult(seconds: seconds, meanTestAccuracy: mean, statistics: models.statistics)
    }
}
