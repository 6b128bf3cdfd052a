import Core
import LinearAlgebra

/// Where a row-sharded solver reads its training rows: the global row count N, the dimension D, and any
/// contiguous block of rows as an (n, D) matrix. The solvers touch X only through `rows(_:)`, one block at a time,
/// so the rows can live in memory (`InMemoryRows`) or stream from a file in chunks (the `annotate train` reader
/// over `fv.h5`), and a rank asks only for the rows it owns.
///
/// **Early fusion** is several sources over the same N rows (`RowBlocks.sources`): X = [X_1 … X_B] is never
/// materialised; every product is a sum over column blocks, X·W = Σ_b X_b·W_b.
public protocol RowSource<Scalar>: Sendable {
    associatedtype Scalar: BLASScalar
    /// N, the global number of rows (the same on every rank).
    var rowCount: Int { get }
    /// D, the number of columns.
    var dimension: Int { get }
    /// Rows `range` (global indices) as a (range.count, D) matrix.
    func rows(_ range: Range<Int>) throws -> Matrix<Scalar>
}

/// A `RowSource` over a matrix already in memory.
public struct InMemoryRows<Scalar: BLASScalar>: RowSource {
    public let matrix: Matrix<Scalar>

    public init(_ matrix: Matrix<Scalar>) { self.matrix = matrix }

    public var rowCount: Int { matrix.rows }
    public var dimension: Int { matrix.columns }
    public func rows(_ range: Range<Int>) throws -> Matrix<Scalar> { matrix.rows(range) }
}

/// The column blocks X_1 … X_B of one training set, read in the row blocks of an `OrderedReduction` that this
/// rank owns, each row block in chunks of at most `chunkRows` rows (one `RowSource.rows` call per column block).
/// Each rank keeps its chunks in memory, in pass order, while they fit `cacheBytes` (read once), and reads the
/// chunks beyond that again on every pass (streaming: one such chunk of every column block is held at a time).
/// Keeping the chunks that fit, not all or none, matters (issue 15): a rank whose rows were 2× its budget
/// re-read all of them on every pass, and reading took 2× the products. Both paths hand the solver the same
/// matrices, and `blockSize` and `chunkRows` are fixed numbers (never derived from the memory budget, which
/// depends on the ranks per host), so the model does not depend on which path ran or on the number of ranks.
public final class RowBlocks<Scalar: BLASScalar>: @unchecked Sendable {
    public let sources: [any RowSource<Scalar>]
    public let reduction: OrderedReduction
    /// Rows per read: the partial of a row block is accumulated over its chunks in order.
    public let chunkRows: Int
    /// N.
    public let rowCount: Int
    /// D_b of every column block.
    public let dimensions: [Int]
    /// The row blocks (indices of `reduction`) this rank owns.
    public let ownedBlocks: Range<Int>
    /// True when all the owned rows are held in memory after the first pass.
    public let isCached: Bool
    /// The bytes of owned rows this rank may keep in memory.
    public let cacheBytes: Int
    private var cachedBytes = 0
    private var cache: [Int: [[Matrix<Scalar>]]] = [:]  // per block, its first chunks that fit; lookup only, never iterated
    /// What the passes over this rank's rows cost so far (counted by `forEachChunk` and the solvers).
    public internal(set) var work = RowWork()

    /// - Parameters:
    ///   - cacheBytes: keep this rank's chunks in memory up to this many bytes, the rest read on every pass (0: always stream).
    public init(sources: [any RowSource<Scalar>], reduction: OrderedReduction, chunkRows: Int = .max, rank: Int,
                size: Int, cacheBytes: Int) throws {
        guard let first = sources.first else {
            throw ClassifierError.emptyTrainingSet(what: "RowBlocks: no column block")
        }
        for source in sources where source.rowCount != first.rowCount {
            throw ClassifierError.shapeMismatch(what: "RowBlocks: rows of every column block", expected: first.rowCount,
                                                got: source.rowCount)
        }
        self.sources = sources
        self.reduction = reduction
        self.chunkRows = Swift.max(1, chunkRows)
        self.rowCount = first.rowCount
        self.dimensions = sources.map(\.dimension)
        self.ownedBlocks = reduction.blocks(totalRows: first.rowCount, rank: rank, size: size)
        let localRows = reduction.rows(totalRows: first.rowCount, rank: rank, size: size).count
        let bytes = MemoryBudget.product([localRows, dimensions.reduce(0, +), MemoryLayout<Scalar>.stride])
        self.isCached = bytes <= cacheBytes
        self.cacheBytes = cacheBytes
    }

    /// Calls `body` on the chunks of row block `b` in row order, each with the global rows it covers and one
    /// matrix per column block. Streaming, only the chunk being processed is held.
    public func forEachChunk(_ b: Int, _ body: (Range<Int>, [Matrix<Scalar>]) throws -> Void) throws {
        let block = reduction.rows(ofBlock: b, totalRows: rowCount)
        let ranges = stride(from: block.lowerBound, to: block.upperBound, by: chunkRows).map {
            $0 ..< $0 + Swift.min(chunkRows, block.upperBound - $0)
        }
        if b == ownedBlocks.lowerBound { work.passes += 1 }
        let clock = ContinuousClock()
        let hit = cache[b]
        if let hit { for (range, x) in zip(ranges, hit) { try timed(\.productSeconds) { try body(range, x) } } }
        var kept: [[Matrix<Scalar>]] = [], keeping = hit == nil
        for range in ranges.dropFirst(hit?.count ?? 0) {
            let start = clock.now
            let x = try sources.map { try $0.rows(range) }
            work.readSeconds += start.duration(to: clock.now).inSeconds
            work.reads += sources.count
            work.bytesRead += x.reduce(0) { $0 + $1.values.count * MemoryLayout<Scalar>.stride }
            for (source, m) in zip(sources, x) where m.rows != range.count || m.columns != source.dimension {
                throw ClassifierError.shapeMismatch(what: "RowBlocks: values read for rows \(range)",
                                                    expected: range.count * source.dimension, got: m.values.count)
            }
            let bytes = x.reduce(0) { $0 + $1.values.count * MemoryLayout<Scalar>.stride }
            keeping = keeping && cachedBytes + bytes <= cacheBytes
            if keeping { kept.append(x); cachedBytes += bytes }
            try timed(\.productSeconds) { try body(range, x) }
        }
        if hit == nil { cache[b] = kept }
    }

    /// Runs `body`, adding its wall-clock seconds to `work[keyPath: counter]`.
    func timed<T>(_ counter: WritableKeyPath<RowWork, Double>, _ body: () throws -> T) rethrows -> T {
        let clock = ContinuousClock(), start = clock.now
        defer { work[keyPath: counter] += start.duration(to: clock.now).inSeconds }
        return try body()
    }
}

/// The work of a row-sharded solver on one rank: passes over its rows (each `evaluate`, `values` and
/// Hessian-vector product is one), `RowSource.rows` calls and the bytes they returned (one per chunk and column
/// block on the first pass when cached, on every pass when streamed), and wall-clock seconds split into reading,
/// the per-chunk products (GEMMs and pointwise loss), and the ordered sums over ranks.
public struct RowWork: Sendable, Equatable {
    public var passes = 0
    public var reads = 0
    public var bytesRead = 0
    public var readSeconds = 0.0
    public var productSeconds = 0.0
    public var reductionSeconds = 0.0

    public init() {}
}
