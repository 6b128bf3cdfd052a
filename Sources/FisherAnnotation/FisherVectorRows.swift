import Classifiers
import Core
import LinearAlgebra
import Stages
import Storage

/// The training rows of one `fv.h5` block as a `RowSource` for the row-sharded solvers: training item i is file
/// row `fileRows[i]` (increasing: the file's order, test rows interleaved). `rows(a ..< b)` opens the file, reads
/// the one contiguous file span from `fileRows[a]` to `fileRows[b − 1]` through `FisherVectorReader` (float32,
/// float16 or PQ-decoded; `HDF5File.readRows` checks the span against `MemoryBudget.current`), and keeps the
/// training rows of it. Nothing else of the file is read. (A PQ file's codebooks are re-read per call.)
public struct FisherVectorRows: Classifiers.RowSource {
    public let path: String
    /// `fv/<kind>/<layout>`.
    public let dataset: String
    public let fileRows: [Int]
    public let dimension: Int

    /// Opens `path` once to read the dataset's shape. `fileRows` must be increasing.
    public init(path: String, block: String, fileRows: [Int]) throws {
        self.path = path
        self.dataset = "fv/" + block
        self.fileRows = fileRows
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        let shape = try file.shape(of: dataset)
        guard shape.count == 2, fileRows.allSatisfy({ $0 < shape[0] }) else {
            throw PipelineError.inconsistent(file: path, what: "\(dataset) has shape \(shape) for the ids", rerun: "encode")
        }
        self.dimension = shape[1]
    }

    public var rowCount: Int { fileRows.count }

    public func rows(_ range: Range<Int>) throws -> Matrix<Float> {
        guard !range.isEmpty else { return Matrix(rows: 0, columns: dimension) }
        let span = fileRows[range.lowerBound] ..< fileRows[range.upperBound - 1] + 1
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        let values = try FisherVectorReader(file: file, dataset: dataset).rows(span).values
        var out: [Float] = []
        out.reserveCapacity(range.count * dimension)
        for i in range {
            let r = fileRows[i] - span.lowerBound
            let row = values[(r * dimension) ..< ((r + 1) * dimension)]
            if row.contains(where: { !$0.isFinite }) {
                throw AnnotateError.nonFinite(file: path, dataset: dataset, row: fileRows[i])
            }
            out += row
        }
        return Matrix(rows: range.count, columns: dimension, values: out)
    }
}
