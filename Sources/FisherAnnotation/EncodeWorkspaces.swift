import Core
import Encoding
import LinearAlgebra

/// The encode stage's FV scratch: one `FisherEncoder.Workspace` per thread of the rank, so that the images of a
/// chunk are encoded side by side (`InRankThreads`; each image by one worker, so fv.h5 has the same bits for any
/// thread count). Each workspace holds (T_max, 2D + M) floats for the longest image it has seen.
struct EncodeWorkspaces {
    /// D after PCA and M, the largest over the descriptor kinds.
    let dimension: Int, components: Int
    var scratch: [FisherEncoder.Workspace] = []

    /// Makes room for a chunk of `images` images whose descriptor counts are `rows`; returns the workers
    /// W = min(threads, images), after checking W workspaces against `MemoryBudget.current`.
    mutating func reserve(images: Int, rows: [Int], threads: Int = BLASThreads.count) throws -> Int {
        let w = InRankThreads.workers(items: images, threads: threads), longest = rows.max() ?? 0
        try MemoryBudget.current.reserve(
            bytes: MemoryBudget.product([w, longest, 2 * dimension + components, MemoryLayout<Float>.stride]),
            for: "encode chunks with images of up to \(longest) descriptors",
            purpose: "one FV encoding workspace per thread (\(w))",
            fix: "run with fewer threads per rank (--threads), or raise --memory")
        if scratch.count < w { scratch += [FisherEncoder.Workspace](repeating: .init(), count: w - scratch.count) }
        return w
    }
}
