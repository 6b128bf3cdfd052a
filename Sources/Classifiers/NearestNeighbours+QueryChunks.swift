import Core
import LinearAlgebra

/// The sharded-database search (`search(queries:shard:…)`) with this rank's query rows read and searched in
/// chunks sized by the memory budget, so a rank never holds its whole share of the test rows (`annotate
/// predict`'s TagProp under `--memory`).
///
/// Budget rule (`QueryChunking.plan`), with Y = the budget's bytes, D the columns, k the list length, B the
/// query block of the unchunked search, and F the input-sized bytes the search holds anyway (this rank's
/// training shard, one broadcast chunk and one score block):
///
///     per row  p = 4·D + 16·k            (the row's floats and its heap of k (similarity, index) entries)
///     fit      f = ⌊(Y − F) / p⌋          (refused when f < 1: not even one row fits)
///     chunk    C = ⌊f / B⌋·B             if f ≥ B, else the largest divisor of B that is ≤ f
///     block    b = min(B, C)
///
/// Chunk m of this rank's rows T_r = [t₀, t₁) is [t₀ + m·C, t₀ + (m+1)·C) ∩ T_r; every rank runs the same
/// number of chunks (the largest ⌈|T_r|/C⌉; an exhausted rank searches 0 rows but still joins each chunk's
/// broadcasts). Each query row's list depends only on its own row and the training rows, so the chunked lists
/// are the unchunked ones. Bits: t₀ is a multiple of B (whole query blocks), so with C ≥ B every GEMM is one
/// of the unchunked search's query blocks (same operands and shape: identical bits); with C < B the query
/// blocks are the global multiples of C, the same for any rank count, and the lists equal the unchunked search
/// run with `queryBlockSize` = C bit for bit.
///
/// Shapes: `read(q)` returns rows q of the queries (|q|, D); result (|T_r|, k), global training indices.
public struct QueryChunking: Sendable, Equatable, CustomStringConvertible {
    /// C: query rows read and searched at once.
    public let rowsPerChunk: Int
    /// b: query rows per GEMM.
    public let blockSize: Int
    /// Y, for the message.
    public let budget: MemoryBudget

    /// A plan as `plan` makes it (C a multiple or a divisor of b's block; the smallest of several ranks' plans is one).
    public init(rowsPerChunk: Int, blockSize: Int, budget: MemoryBudget) {
        precondition(rowsPerChunk >= 1 && blockSize >= 1, "QueryChunking: \(rowsPerChunk) rows per chunk, blocks of \(blockSize)")
        self.rowsPerChunk = rowsPerChunk
        self.blockSize = blockSize
        self.budget = budget
    }

    /// C and b for the budget (module doc); throws `MemoryBudgetError.overBudget` naming `input` when one row
    /// does not fit beside the `fixedBytes` the search holds anyway.
    public static func plan(budget: MemoryBudget, columns d: Int, count k: Int, fixedBytes: Int,
                            queryBlockSize: Int = NearestNeighbours.defaultBlockSize, input: String) throws -> QueryChunking {
        let perRow = MemoryBudget.sum([MemoryBudget.product([d, 4]), MemoryBudget.product([k, 16])])
        let left = budget.bytes - Swift.min(fixedBytes, budget.bytes)
        let fit = left / Swift.max(1, perRow)
        guard fit >= 1 else {
            throw MemoryBudgetError.overBudget(input: input, purpose: "one test row (\(d) floats and \(k) neighbours) "
                                                   + "beside \(MemoryBudget.format(fixedBytes)) of training rows and scores",
                                               requested: MemoryBudget.sum([fixedBytes, perRow]), allowed: budget.bytes,
                                               origin: budget.origin, fix: "run on more ranks (each holds 1/R of the "
                                                   + "training rows) or raise --memory")
        }
        let b = Swift.max(1, queryBlockSize)
        let c = fit >= b ? fit / b * b : (1 ... fit).last { b % $0 == 0 }!
        return QueryChunking(rowsPerChunk: c, blockSize: Swift.min(b, c), budget: budget)
    }

    /// "6149 test rows in 25 chunks of ≤ 256 rows within budget 3.0 GiB (--memory 3GiB)".
    public func describe(rows: Int, chunks: Int) -> String {
        "\(rows) test rows in \(chunks) chunk(s) of ≤ \(rowsPerChunk) rows within budget \(budget)"
    }

    public var description: String { "chunks of \(rowsPerChunk) rows, query blocks of \(blockSize) (\(budget))" }
}

extension NearestNeighbours {
    /// `search(queries:shard:…)` over this rank's query rows `mine`, read by `read` one chunk at a time
    /// (`QueryChunking`). `chunking` must be the same on every rank. Returns the lists and the chunk count.
    public static func search(queryRows mine: Range<Int>, columns d: Int, read: (Range<Int>) throws -> Matrix<Float>,
                              shard: Matrix<Float>, rows: Range<Int>, totalRows n: Int, count k: Int,
                              reduction: OrderedReduction, chunking: QueryChunking, chunkSize: Int = defaultBlockSize,
                              communicator comm: any Communicator) throws -> (neighbours: Neighbours, chunks: Int) {
        let c = chunking.rowsPerChunk
        // Distributed: every rank runs as many chunks as the rank with the most test rows.
        let chunks = try comm.allReduce((mine.count + c - 1) / c, op: .max)
        var indices: [Int] = [], similarities: [Float] = []
        indices.reserveCapacity(mine.count * k)
        similarities.reserveCapacity(mine.count * k)
        for m in 0 ..< chunks {
            let start = Swift.min(mine.lowerBound + m * c, mine.upperBound)
            let q = start ..< Swift.min(start + c, mine.upperBound)
            let queries = q.isEmpty ? Matrix(rows: 0, columns: d, values: []) : try read(q)
            let part = try search(queries: queries, shard: shard, rows: rows, totalRows: n, count: k, reduction: reduction,
                                  chunkSize: chunkSize, queryBlockSize: chunking.blockSize, communicator: comm)
            indices += part.indices
            similarities += part.similarities
        }
        return (Neighbours(queries: mine.count, count: k, indices: indices, similarities: similarities), chunks)
    }
}
