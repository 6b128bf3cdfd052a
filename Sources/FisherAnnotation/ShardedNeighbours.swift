import Classifiers
import Core
import LinearAlgebra

/// Nearest-neighbour searches split over ranks so that the result is bit-identical for any number of ranks.
///
/// `NearestNeighbours.search` scores `NearestNeighbours.defaultBlockSize` queries per GEMM. OpenBLAS computes a
/// block's similarities with kernels chosen by the block's shape, so the last bits of a query's similarities can
/// depend on where the query sits in its block; a near-tie between two neighbours can then flip. To keep every
/// query in the same block whatever the rank count, ranks split whole blocks: rank r takes the blocks
/// `shard(count: ⌈Q/B⌉, rank: r, size:)`, i.e. the queries from block boundary to block boundary (the last
/// block may be short, as in a single-rank run). The slices are all-gathered in rank (= query) order. (Used by
/// `annotate predict`, whose database is sharded too: `NearestNeighbours.search(queries:shard:…)`.)
/// (Bit identity also needs the same number of BLAS threads per rank, as for the Fisher stages.)
enum ShardedNeighbours {
    /// The queries this rank searches: whole blocks of `blockSize`.
    static func queries(count: Int, rank: Int, size: Int, blockSize: Int = NearestNeighbours.defaultBlockSize) -> Range<Int> {
        let blocks = shard(count: (count + blockSize - 1) / blockSize, rank: rank, size: size)
        return Swift.min(count, blocks.lowerBound * blockSize) ..< Swift.min(count, blocks.upperBound * blockSize)
    }

    /// The ranks' lists in rank (= query) order.
    static func gather(_ local: Neighbours, queries: Int, count: Int, communicator comm: any Communicator) throws -> Neighbours {
        // Distributed: slices come back in rank order = query order.
        let indices = try comm.allGather(local.indices).flatMap { $0 }
        let similarities = try comm.allGather(local.similarities).flatMap { $0 }
        return Neighbours(queries: queries, count: count, indices: indices, similarities: similarities)
    }
}
