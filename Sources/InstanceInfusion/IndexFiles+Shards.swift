import Core
import Foundation
import LinearAlgebra
import Retrieval
import Storage

/// Loading an index on any rank count Q, whatever rank count P built it (re-shard on load).
///
/// The index's vectors Z (N, D) are the master's virtual `vectors` over the P parts; part p holds ids [a_p, b_p)
/// at master rows [a_p, b_p), in its forest's storage order (`ids` says which). On Q ranks:
///
/// - Q = P: rank r loads its saved part (forest and rows), as `index` wrote it;
/// - Q ≠ P, or a packed index (`tributary pack`: the vectors without the forests): rank r reads rows `shard(N, r, Q)` of Z from the master (`readVectors`: the overlapping parts only,
///   in chunks) and builds a
///   forest over them with the index's parameters (same L, K, c, metric and seed, hence the same hyperplanes).
///
/// Either way the Q shards are disjoint, contiguous and cover [0, N), each hashed with the same hyperplanes, so
/// `ShardedForest.search` (prefix counts all-reduced, top-k merged) returns exactly what one forest over all N
/// rows does: the same neighbours as on P ranks. Each rank holds only its n ≈ N/Q rows; attention fetches the
/// rows it needs from their owners (`ShardedForest.fetch`). Cost of a re-shard: one forest build per rank
/// (L radix sorts of n labels), no communication.
extension IndexFiles {
    /// This rank's shard of the index at `master` on `comm.size` ranks (see above).
    public static func loadShard(master: String, communicator comm: any Communicator) throws -> ShardedForest {
        let header = try readHeader(master)
        let built = try int(header, "ranks", master), n = try int(header, "count", master)
        if built == comm.size, try hasPartFiles(master) {
            return try loadPart(master: master, masterHeader: header, rank: comm.rank, ranks: built)
        }
        guard n >= comm.size else { throw IndexError.tooFewRows(file: master, rows: n, ranks: comm.size) }
        let range = shard(count: n, rank: comm.rank, size: comm.size)
        let rows = try readVectors(master: master, rows: range, header: header)
        return try ShardedForest(shard: rows, firstID: range.lowerBound, parameters: try config(from: header).parameters())
    }

    /// Whether the master still names its part files (a packed index does not).
    static func hasPartFiles(_ master: String) throws -> Bool {
        let file = try HDF5File.open(path: master)
        defer { try? file.close() }
        return file.hasAttribute("part_files", on: "ids")
    }

    /// Rows `rows` of the index's vectors Z, in id order (row i of the result is Z[rows.lowerBound + i]), read
    /// from the master's virtual datasets. Part p stores ids [a_p, b_p) at master rows [a_p, b_p), permuted (a
    /// forest keeps its rows in tree 0's label order), so only the parts overlapping `rows` are read, in chunks
    /// of `chunkRows`: peak memory is the result plus one chunk.
    public static func readVectors(master: String, rows: Range<Int>, header: ArtifactHeader? = nil,
                                   chunkRows: Int = 4096) throws -> Matrix<Float> {
        let header = try header ?? readHeader(master)
        let (n, d) = (try int(header, "count", master), try int(header, "dimension", master))
        guard rows.lowerBound >= 0, rows.upperBound <= n else {
            throw IndexError.invalidParameter(name: "rows", value: "\(rows)", rule: "must lie in 0 ..< \(n)")
        }
        let file = try HDF5File.open(path: master)
        defer { try? file.close() }
        var span = 0 ..< n  // master rows that may hold the ids `rows`: the parts overlapping them
        if !rows.isEmpty, file.hasAttribute("part_rows", on: "ids") {
            var start = 0, lower = 0, upper = n
            for count in try file.attribute("part_rows", of: "ids", as: [Int].self) {
                if start <= rows.lowerBound { lower = start }
                if start < rows.upperBound { upper = start + count }
                start += count
            }
            span = lower ..< Swift.max(lower, Swift.min(upper, n))
        }
        try MemoryBudget.current.reserve(bytes: MemoryBudget.product([rows.count, d, 4]), for: master,
                                         purpose: "this rank's \(rows.count) source rows", fix: "run on more ranks")
        var values = [Float](repeating: 0, count: rows.count * d)
        var seen = [Bool](repeating: false, count: rows.count)
        for chunk in stride(from: span.lowerBound, to: span.upperBound, by: chunkRows) {
            let range = chunk ..< Swift.min(chunk + chunkRows, span.upperBound)
            let ids = try file.readRows("ids", rows: range, as: Int64.self).values
            let block = try file.readRows("vectors", rows: range, as: Float.self).values
            guard block.count == range.count * d else {
                throw StorageError.shapeMismatch(file: master, dataset: "vectors", expected: [n, d], got: [block.count / Swift.max(d, 1)])
            }
            for (i, id) in ids.enumerated() where rows.contains(Int(id)) {
                let target = Int(id) - rows.lowerBound
                guard !seen[target] else {
                    throw IndexError.inconsistentPart(part: master, reason: "id \(id) appears twice in `ids`")
                }
                seen[target] = true
                values.replaceSubrange(target * d ..< (target + 1) * d, with: block[i * d ..< (i + 1) * d])
            }
        }
        if let missing = seen.firstIndex(of: false) {
            throw IndexError.inconsistentPart(part: master, reason: "id \(rows.lowerBound + missing) is in no part's `ids`")
        }
        return Matrix(rows: rows.count, columns: d, values: values)
    }
}
