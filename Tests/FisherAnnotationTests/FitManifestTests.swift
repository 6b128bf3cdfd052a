import Core
import Datasets
import Encoding
@testable import FisherAnnotation
import Foundation
import Stages
import Storage
import TestSupport
import XCTest

/// `fit_manifest`: PCA and GMM see the descriptors of the manifest's training images only. Checked by hand on a
/// folder of PNGs whose test images are replaced by extreme ones (saturated checkerboards): with the manifest the
/// fitted models are the same bits as with the clean images; without it the PCA mean moves.
final class FitManifestTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryDirectory("fit-manifest") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Test images: the 2nd and 4th of each class (ids `a/1.png`, `a/3.png`, `b/1.png`, `b/3.png`).
    static func isTest(_ index: Int) -> Bool { index % 2 == 1 }

    /// 5 images per class, 48×48: seeded smooth noise, or for a poisoned test image a saturated magenta / green
    /// checkerboard of 3-pixel cells (descriptors far from every training descriptor).
    func writeImages(_ name: String, poisonTest: Bool) throws -> String {
        let root = folder.appendingPathComponent(name)
        var rng = SeededRandom(seed: 11)
        for label in ["a", "b"] {
            let classFolder = root.appendingPathComponent(label)
            try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
            for i in 0 ..< 5 {
                var rgb = [UInt8](repeating: 0, count: 48 * 48 * 3)
                for y in 0 ..< 48 {
                    for x in 0 ..< 48 {
                        let r = UInt8(rng.uniform() * 255)  // drawn for every image so clean images stay the same
                        let smooth = UInt8((x * 5 + y * 3 + Int(r) / 4) % 256)
                        let poisoned = poisonTest && Self.isTest(i)
                        let cell = ((x / 3) + (y / 3)) % 2 == 0
                        rgb[(y * 48 + x) * 3 + 0] = poisoned ? (cell ? 255 : 0) : smooth
                        rgb[(y * 48 + x) * 3 + 1] = poisoned ? (cell ? 0 : 255) : r
                        rgb[(y * 48 + x) * 3 + 2] = poisoned ? (cell ? 255 : 0) : UInt8((Int(smooth) + Int(r)) / 2)
                    }
                }
                let png = try PNGEncoder.encode(rgb: rgb, width: 48, height: 48, name: "\(i).png")
                try Data(png).write(to: classFolder.appendingPathComponent("\(i).png"))
            }
        }
        return root.path
    }

    /// images.csv with the test images of `isTest`.
    func writeManifest() throws -> String {
        let path = folder.appendingPathComponent("images.csv").path
        let items = ["a", "b"].flatMap { label in
            (0 ..< 5).map { AnnotationTable.Item(path: "\(label)/\($0).png", concepts: [label], tags: [], split: Self.isTest($0) ? "test" : "train") }
        }
        try AnnotationTable(source: "test", items: items).write(to: path)
        return path
    }

    func pipeline(_ root: String, _ name: String, manifest: String?) -> FisherPipeline {
        var p = FisherPipeline(source: .folder(root: root, labelsCSV: nil, split: nil), directory: folder.appendingPathComponent(name).path,
                               patchSize: 16, step: 8, scales: 2, pcaDimensions: 8, components: 2, sampleSize: 300,
                               maxIterations: 4, batchSize: 4, seed: 5)
        p.pca.fitManifest = manifest
        p.gmm.fitManifest = manifest
        return p
    }

    func testAPoisonedTestImageMovesNeitherPCANorGMMUnderAManifest() throws {
        let clean = try writeImages("clean", poisonTest: false), poisoned = try writeImages("poisoned", poisonTest: true)
        let manifest = try writeManifest()
        let runs = [("clean-m", clean, manifest), ("poisoned-m", poisoned, manifest), ("clean", clean, nil), ("poisoned", poisoned, nil)]
        var pca: [String: [DescriptorKind: PCA]] = [:], gmm: [String: [DescriptorKind: GaussianMixture]] = [:]
        for (name, root, m) in runs {
            let p = pipeline(root, name, manifest: m)
            var lines: [String] = []
            try p.run(communicator: SingleProcessCommunicator(), log: { lines.append($0) })
            pca[name] = try ModelFiles.readPCA(p.pca.output)
            gmm[name] = try ModelFiles.readGMM(p.gmm.output, pca: pca[name]!)
            let said = lines.joined(separator: "\n")
            XCTAssertTrue(m == nil ? said.contains("fit-pca: fitted on descriptors of every image (10), test images included")
                                   : said.contains("fit-gmm: fitted on descriptors of the 6 training images"), said)
            let file = try HDF5File.open(path: p.pca.output)
            XCTAssertEqual(try file.attribute("fit_images", as: Int.self), m == nil ? 10 : 6)
            XCTAssertEqual(file.hasAttribute("fit_manifest"), m != nil)
            try file.close()
        }
        // The poisoned images are really far away: without a manifest they drag the mean.
        let moved = zip(pca["clean"]![.col]!.mean, pca["poisoned"]![.col]!.mean).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(moved, 0.01, "the poisoned test images must change an all-image fit")
        // With the manifest: the same bits.
        for kind in DescriptorKind.allCases {
            XCTAssertEqual(pca["clean-m"]![kind]!, pca["poisoned-m"]![kind]!, "\(kind): PCA saw a test descriptor")
            XCTAssertEqual(gmm["clean-m"]![kind]!.means.values, gmm["poisoned-m"]![kind]!.means.values, "\(kind): GMM saw a test descriptor")
            XCTAssertEqual(gmm["clean-m"]![kind]!.variances.values, gmm["poisoned-m"]![kind]!.variances.values)
        }
    }

    /// Every sampled descriptor belongs to a chosen image; the draw over every image is today's draw; the
    /// compacted draw maps back by hand.
    func testRestrictedSampleStaysInsideTheImages() {
        let counts = [3, 0, 4, 2, 5]
        XCTAssertEqual(DescriptorSample.globalIndices(descriptorCounts: counts, images: [0, 2, 4], sampleSize: 100, seed: 1),
                       [0, 1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13])
        for seed: UInt64 in 0 ..< 20 {
            let some = DescriptorSample.globalIndices(descriptorCounts: counts, images: [1, 3, 4], sampleSize: 4, seed: seed)
            XCTAssertEqual(some.count, 4)
            XCTAssertEqual(some, some.sorted())
            XCTAssertTrue(Set(DescriptorSample.locate(some, descriptorCounts: counts).map(\.image)).isSubset(of: [3, 4]), "\(some)")
            // Compacted index space of images 1, 3, 4: [7, 8, 9, 10, 11, 12, 13] in order.
            let local = DescriptorSample.globalIndices(descriptorCounts: [0, 2, 5], sampleSize: 4, seed: seed)
            XCTAssertEqual(some, local.map { [7, 8, 9, 10, 11, 12, 13][$0] })
            XCTAssertEqual(DescriptorSample.globalIndices(descriptorCounts: counts, images: Array(0 ..< 5), sampleSize: 6, seed: seed),
                           DescriptorSample.globalIndices(descriptorCounts: counts, sampleSize: 6, seed: seed))
        }
    }

    /// PCA and GMM under a manifest are the same bits for 1, 2 and 3 ranks.
    func testFitOnAManifestIsBitIdenticalForOneTwoAndThreeRanks() throws {
        let root = try writeImages("ranks", poisonTest: true), manifest = try writeManifest()
        let base = pipeline(root, "base", manifest: manifest)
        try ExtractStage(config: base.extract).run(communicator: SingleProcessCommunicator())
        var bits: [[UInt64]] = []
        for size in 1 ... 3 {
            var pcaConfig = base.pca, gmmConfig = base.gmm
            pcaConfig.output = folder.appendingPathComponent("pca\(size).h5").path
            gmmConfig.pca = pcaConfig.output
            gmmConfig.output = folder.appendingPathComponent("gmm\(size).h5").path
            let pcaFit = pcaConfig, gmmFit = gmmConfig
            _ = try ThreadedWorld.run(size: size) { comm in
                try FitPCAStage(config: pcaFit).run(communicator: comm)
                try FitGMMStage(config: gmmFit).run(communicator: comm)
            }
            let pca = try ModelFiles.readPCA(pcaConfig.output)
            let gmm = try ModelFiles.readGMM(gmmConfig.output, pca: pca)
            bits.append(DescriptorKind.allCases.flatMap { pca[$0]!.mean.map { UInt64($0.bitPattern) } + gmm[$0]!.means.values.map(\.bitPattern) })
        }
        XCTAssertEqual(bits[0], bits[1])
        XCTAssertEqual(bits[0], bits[2])
    }

    /// A manifest whose train rows name no image is refused, naming the fix.
    func testAManifestOfOtherImagesIsRefused() throws {
        let root = try writeImages("other", poisonTest: false)
        let manifest = folder.appendingPathComponent("other.csv").path
        try AnnotationTable(source: "t", items: [.init(path: "elsewhere.png", concepts: ["a"], tags: [], split: "train")]).write(to: manifest)
        let text = FisherFixture.message { try self.pipeline(root, "o", manifest: manifest).run(communicator: SingleProcessCommunicator()) }
        XCTAssertTrue(text.contains("none of its train rows") && text.contains("a/0.png"), text)
    }
}
