import Classifiers
import Core
import Encoding
import LinearAlgebra
import Stages
import Storage

/// The training rows of one `fv.h5` block as a `RowSource` for the row-sharded solvers: training item i is file
/// row `fileRows[i]` (increasing: the file's order, test rows interleaved). `rows(a ..< b)` opens the file and reads
/// contiguous file spans through `FisherVectorReader` (float32, float16 or PQ-decoded; `HDF5File.readRows` checks
/// each span against `MemoryBudget.current`), keeping the wanted rows of each. A span covers at most b − a file
/// rows (`pieces`), so a read holds no more than the rows it returns even when the wanted rows are spread out
/// (Flowers102's 2,040 training rows among 8,189: one 512-row chunk spanned 3,330 file rows, 1.6 GiB of
/// `fv/orh/2x2` at the paper's size, and was refused under a 768 MiB budget), and at most as many as fit the
/// memory budget (`rowsPerRead`: a budget below one chunk streams it in smaller reads). Nothing else of the file is read;
/// a PQ file's codebooks are read once, at `init`.
public struct FisherVectorRows: Classifiers.RowSource {
    public let path: String
    /// `fv/<kind>/<layout>`.
    public let dataset: String
    public let fileRows: [Int]
    public let dimension: Int
    /// The dataset's PQ quantizer (nil for float storage), read once.
    let codebooks: ProductQuantizer?

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
        let reader = try FisherVectorReader(file: file, dataset: dataset)
        self.dimension = reader.dimension  // decoded: PQ stores codes
        self.codebooks = reader.quantizer
    }

    public var rowCount: Int { fileRows.count }

    public func rows(_ range: Range<Int>) throws -> Matrix<Float> {
        guard !range.isEmpty else { return Matrix(rows: 0, columns: dimension) }
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        let reader = try FisherVectorReader(file: file, dataset: dataset, codebooks: codebooks)
        var out: [Float] = []
        out.reserveCapacity(range.count * dimension)
        for piece in Self.pieces(fileRows[range], maximumSpan: Swift.min(range.count, Self.rowsPerRead(dimension))) {
            let span = fileRows[piece.lowerBound] ..< fileRows[piece.upperBound - 1] + 1
            let values = try reader.rows(span).values
            for i in piece {
                let r = fileRows[i] - span.lowerBound
                let row = values[(r * dimension) ..< ((r + 1) * dimension)]
                if row.contains(where: { !$0.isFinite }) {
                    throw AnnotateError.nonFinite(file: path, dataset: dataset, row: fileRows[i])
                }
                out += row
            }
        }
        return Matrix(rows: range.count, columns: dimension, values: out)
    }

    /// The most file rows of `dimension` floats one read may span under `MemoryBudget.current` (at least 1): a
    /// budget below one `TrainingLayout.chunkRows` chunk reads the chunk in smaller pieces instead of refusing it.
    /// The chunk itself (the solver's unit, part of the models' bits) is still returned whole.
    static func rowsPerRead(_ dimension: Int) -> Int {
        Swift.max(1, MemoryBudget.current.bytes / Swift.max(1, dimension * MemoryLayout<Float>.stride))
    }

    /// `rows` (increasing file rows, indexed as given) cut into consecutive index ranges whose file spans
    /// (last − first + 1) are at most `maximumSpan` ≥ 1 rows; greedy from the front, so contiguous rows stay one read.
    static func pieces(_ rows: ArraySlice<Int>, maximumSpan: Int) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        var start = rows.startIndex
        while start < rows.endIndex {
            var end = start + 1
            while end < rows.endIndex && rows[end] - rows[start] < Swift.max(1, maximumSpan) { end += 1 }
            pieces.append(start ..< end)
            start = end
        }
        return pieces
    }
}

extension FisherVectorRows {
    /// Rows `rows` of `sources` concatenated column-wise, (rows.count, Σ D_b), read `TrainingLayout.chunkRows` rows
    /// at a time. With `reserving`, the whole result is first reserved against `MemoryBudget.current` (for `input`).
    static func concatenated(_ sources: [any Classifiers.RowSource<Float>], rows: Range<Int>, reserving purpose: String? = nil,
                             input: String = "fv.h5") throws -> Matrix<Float> {
        let d = sources.reduce(0) { $0 + $1.dimension }
        if let purpose {
            try MemoryBudget.current.reserve(bytes: MemoryBudget.product([rows.count, d, MemoryLayout<Float>.stride]),
                                             for: input, purpose: purpose,
                                             fix: "run on more ranks (each holds 1/R of the rows) or raise --memory")
        }
        var values: [Float] = []
        values.reserveCapacity(rows.count * d)
        for start in stride(from: rows.lowerBound, to: rows.upperBound, by: TrainingLayout.chunkRows) {
            let chunk = start ..< Swift.min(start + TrainingLayout.chunkRows, rows.upperBound)
            let blocks = try sources.map { try $0.rows(chunk) }
            values += blocks.count == 1 ? blocks[0].values : try Fusion.concatenate(blocks).values
        }
        return Matrix(rows: rows.count, columns: d, values: values)
    }
}

extension AnnotationData {
    /// The `fv.h5` row of each training (or test) item, in the split's order (increasing).
    func fileRows(test: Bool) throws -> [Int] {
        let file = try HDF5File.open(path: fisherVectors)
        defer { try? file.close() }
        var row: [String: Int] = [:]  // lookup only, never iterated
        for (i, id) in try file.readStrings("ids").enumerated() { row[id] = i }
        return (test ? testIDs : trainIDs).map { row[$0]! }
    }

    /// The training (or test) rows of the blocks `names` as row sources: the block in memory when `load` read it
    /// (and always the tag vectors), else its rows of `fv.h5` (`FisherVectorRows`).
    func rowSources(_ names: [String], test: Bool) throws -> [any Classifiers.RowSource<Float>] {
        var fileRows: [Int]?
        return try names.map { name -> any Classifiers.RowSource<Float> in
            if let block = (test ? self.test : train)[name] { return InMemoryRows(block) }
            if fileRows == nil { fileRows = try self.fileRows(test: test) }
            return try FisherVectorRows(path: fisherVectors, block: name, fileRows: fileRows!)
        }
    }
}
