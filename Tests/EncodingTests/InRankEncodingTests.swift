import Core
@testable import Encoding
import LinearAlgebra
import TestSupport
import XCTest

/// Threads inside one rank (`InRankThreads`, issue 18): EM's E-step blocks and the images of an encode batch
/// shared over 1, 2, 3 threads give the same bits as each other and as the one-at-a-time path.
final class InRankEncodingTests: XCTestCase {
    /// 3,100 rows in blocks of 600 (6 blocks, the last short): W = 1, 2, 3 workers compute them ahead in
    /// batches; means, variances, priors and the log-likelihood history match bit for bit.
    func testFitIsBitIdenticalOnOneTwoThreeThreads() throws {
        let before = BLASThreads.count
        defer { BLASThreads.set(before) }
        let x = randomMatrix(rows: 3100, columns: 6, seed: 17)
        let options = GaussianMixture.Options(initialization: .random, maxIterations: 4, tolerance: -.infinity,
                                              seed: 3, blockSize: 600)
        var fits: [GaussianMixture] = []
        for threads in 1 ... 3 {
            BLASThreads.set(threads)
            fits.append(try GaussianMixture.fit(MatrixRowSource(x), components: 8, options: options))
        }
        for (t, gmm) in fits.enumerated().dropFirst() {
            XCTAssertEqual(gmm.means.values.map(\.bitPattern), fits[0].means.values.map(\.bitPattern), "\(t + 1) threads")
            XCTAssertEqual(gmm.variances.values.map(\.bitPattern), fits[0].variances.values.map(\.bitPattern))
            XCTAssertEqual(gmm.priors.map(\.bitPattern), fits[0].priors.map(\.bitPattern))
            XCTAssertEqual(gmm.logLikelihoodHistory.map(\.bitPattern), fits[0].logLikelihoodHistory.map(\.bitPattern))
        }
        // The E-step statistics of the threaded path equal the per-block sums done by hand, in block order.
        let model = fits[0]
        let reduction = OrderedReduction(blockSize: 600)
        BLASThreads.set(3)
        var workspaces = try GaussianMixture.makeWorkspaces(blockRows: 600, dimension: 6, components: 8, owning: 6)
        XCTAssertEqual(workspaces.count, 3)
        let stats = try GaussianMixture.sufficientStatistics(MatrixRowSource(x), model: model, reduction: reduction,
                                                             communicator: SingleProcessCommunicator(),
                                                             workspaces: &workspaces)
        let kernel = PosteriorKernel(priors: model.priors, means: model.means, variances: model.variances)
        var one = EMWorkspace(blockRows: 600, dimension: 6, components: 8)
        var byHand = [Double](repeating: 0, count: stats.count)
        for lower in stride(from: 0, to: 3100, by: 600) {
            let p = GaussianMixture.blockStatistics(x.rows(lower ..< Swift.min(lower + 600, 3100)), kernel: kernel,
                                                    workspace: &one)
            for j in byHand.indices { byHand[j] += p[j] }
        }
        XCTAssertEqual(stats.map(\.bitPattern), byHand.map(\.bitPattern))
    }

    /// E-step blocks read by their workers (an in-memory source, `allowsConcurrentReads`) or in order on the
    /// calling thread (a closure source, e.g. HDF5) give the same fit bit for bit at 2 threads; a read that fails
    /// inside a worker is thrown by the E-step, not lost.
    func testWorkerReadsAndInOrderReadsGiveTheSameFit() throws {
        let before = BLASThreads.count
        defer { BLASThreads.set(before) }
        BLASThreads.set(2)
        let x = randomMatrix(rows: 1900, columns: 5, seed: 31)
        let options = GaussianMixture.Options(initialization: .random, maxIterations: 3, tolerance: -.infinity,
                                              seed: 2, blockSize: 400)
        let memory = MatrixRowSource(x), closure = ClosureRowSource(totalRows: 1900, dimension: 5) { x.rows($0) }
        XCTAssertTrue(memory.allowsConcurrentReads)
        XCTAssertFalse(closure.allowsConcurrentReads)
        let a = try GaussianMixture.fit(memory, components: 6, options: options)
        let b = try GaussianMixture.fit(closure, components: 6, options: options)
        XCTAssertEqual(a.means.values.map(\.bitPattern), b.means.values.map(\.bitPattern))
        XCTAssertEqual(a.variances.values.map(\.bitPattern), b.variances.values.map(\.bitPattern))
        XCTAssertEqual(a.priors.map(\.bitPattern), b.priors.map(\.bitPattern))
        XCTAssertEqual(a.logLikelihoodHistory.map(\.bitPattern), b.logLikelihoodHistory.map(\.bitPattern))
        // A shard that lacks global rows 1000 ..< 1900: block 2 (rows 800 ..< 1200) fails in its worker.
        let short = MatrixRowSource(x.rows(0 ..< 1000), firstRow: 0, totalRows: 1900)
        var workspaces = try GaussianMixture.makeWorkspaces(blockRows: 400, dimension: 5, components: 6, owning: 5)
        XCTAssertEqual(workspaces.count, 2)
        XCTAssertThrowsError(try GaussianMixture.sufficientStatistics(
            short, model: a, reduction: OrderedReduction(blockSize: 400), communicator: SingleProcessCommunicator(),
            workspaces: &workspaces)) { error in
            XCTAssertTrue("\(error)".contains("800..<1200"), "\(error)")
        }
    }

    /// Seven images of different sizes (one empty) encoded as a batch on 1, 2, 3 threads equal `encode` of
    /// each image alone, bit for bit; the workspaces grow to the worker count.
    func testBatchEncodeMatchesOneImageAtATimeOnOneTwoThreeThreads() throws {
        let before = BLASThreads.count
        defer { BLASThreads.set(before) }
        let x = randomMatrix(rows: 2000, columns: 5, seed: 23)
        let gmm = try GaussianMixture.fit(MatrixRowSource(x), components: 6,
                                          options: .init(initialization: .random, maxIterations: 3, seed: 1))
        let encoder = FisherEncoder(mixture: gmm)
        let sizes = [300, 17, 0, 512, 1, 900, 64]
        var start = 0
        let images = sizes.map { t -> Matrix<Float> in
            defer { start += t }
            return x.rows(start ..< start + t)
        }
        BLASThreads.set(1)
        let alone = images.map { encoder.encode($0, normalization: .improved).map(\.bitPattern) }
        for threads in 1 ... 3 {
            BLASThreads.set(2)  // the batch's own `threads` decides; OpenBLAS's count is restored to this
            var workspaces: [FisherEncoder.Workspace] = []
            let fvs = try encoder.encode(images, normalization: .improved, threads: threads, workspaces: &workspaces)
            XCTAssertEqual(fvs.map { $0.map(\.bitPattern) }, alone, "\(threads) threads")
            XCTAssertEqual(workspaces.count, threads)
            XCTAssertEqual(BLASThreads.count, 2)
        }
    }
}
