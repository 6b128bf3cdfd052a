import Core
import LinearAlgebra

extension FisherEncoder {
    /// The FVs of several images at once, the images shared over this rank's threads.
    ///
    /// Image i (descriptors X_i, (T_i, D)) is encoded exactly as `encode(_:normalization:workspace:)` does on one
    /// thread, by one worker of `InRankThreads` (W = min(`threads`, images) workers claiming images in turn) with
    /// its own `Workspace` and OpenBLAS at 1 thread; so result i has the same bits for any `threads`, and the
    /// same bits as `encode` of X_i alone. Every pass of an image (the [X² | X] fill, the posterior GEMM and
    /// log-sum-exp, the moment GEMM, S0, the FV and its normalisation) runs on its worker, which is why this
    /// beats one image at a time with the GEMMs split over the threads (issue 18; docs/benchmarks.md, round 3).
    ///
    /// Memory: each worker's workspace holds (T_max, 2D + M) floats; checked against `MemoryBudget.current`.
    ///
    /// - Parameters:
    ///   - images: the descriptor matrices, each with D columns.
    ///   - workspaces: one per worker, grown on demand and reused across calls (pass `[]` the first time).
    /// - Returns: the FVs (2·M·D each), in image order.
    public func encode(_ images: [Matrix<Float>], normalization: FisherVector.Normalization = .improved,
                       threads: Int = BLASThreads.count, workspaces: inout [Workspace]) throws -> [[Float]] {
        let w = InRankThreads.workers(items: images.count, threads: threads)
        let longest = images.map(\.rows).max() ?? 0
        let m = mixture.components, dim = mixture.dimension
        try MemoryBudget.current.reserve(
            bytes: MemoryBudget.product([w, longest, 2 * dim + m, MemoryLayout<Float>.stride]),
            for: "\(images.count) images of up to \(longest) descriptors", purpose: "one FV encoding workspace per thread",
            fix: "run with fewer threads per rank (--threads), or raise --memory")
        if workspaces.count < w { workspaces += [Workspace](repeating: Workspace(), count: w - workspaces.count) }
        return workspaces.withUnsafeMutableBufferPointer { scratch in
            InRankThreads.map(items: images.count, threads: w) { i, worker in
                encode(images[i], normalization: normalization, workspace: &scratch[worker])  // worker's own scratch
            }
        }
    }
}
