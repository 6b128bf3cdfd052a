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
